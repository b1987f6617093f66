package com.example.web;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/users")
@Validated
class UserController {
    @PostMapping
    // ruleid: vibeward.java.input_validation.valid-request-body
    ResponseEntity<UserDto> create(@Valid @RequestBody CreateUserRequest request) {
        return ResponseEntity.ok(users.create(request));
    }

    @PutMapping("/{id}")
    // ok: vibeward.java.input_validation.valid-request-body
    ResponseEntity<UserDto> update(@PathVariable long id, @RequestBody UpdateUserRequest request) {
        return ResponseEntity.ok(users.update(id, request));
    }

    @GetMapping("/search")
    // ruleid: vibeward.java.input_validation.validated-controller
    List<UserDto> search(@RequestParam @Size(max = 50) String q) {
        return users.search(q);
    }

    @InitBinder
    void initBinder(WebDataBinder binder) {
        // ruleid: vibeward.java.input_validation.allowed-fields-binder
        binder.setAllowedFields("name", "email");
    }
}

@Controller
class SignupController {
    @PostMapping("/signup")
    // ruleid: vibeward.java.input_validation.valid-request-body
    String signup(@Valid @ModelAttribute("form") SignupForm form, BindingResult result) {
        return result.hasErrors() ? "signup" : "redirect:/welcome";
    }
}

// ruleid: vibeward.java.input_validation.constrained-payload-class
public class CreateUserRequest {
    @NotBlank
    @Size(max = 100)
    private String name;

    @NotBlank
    @Email
    private String email;

    @Pattern(regexp = "^[0-9+ ]{6,20}$")
    private String phone;
}

// ruleid: vibeward.java.input_validation.constrained-payload-class
record LoginRequest(@NotBlank @Email String email, @NotBlank @Size(min = 12, max = 128) String password) {
}

@Entity
// ok: vibeward.java.input_validation.constrained-payload-class
class Customer {
    @NotBlank
    private String name;
}

@Service
class ImportService {
    private final Validator validator;

    void importRow(Row row) {
        // ruleid: vibeward.java.input_validation.programmatic-validation
        Set<ConstraintViolation<Row>> violations = validator.validate(row);
    }
}
