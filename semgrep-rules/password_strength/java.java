import org.passay.*;
import jakarta.validation.constraints.*;

public class PasswordPolicy {
    public PasswordValidator validator() {
        // ruleid: vibeward.java.password_strength.password-validator
        return new PasswordValidator(
            // ruleid: vibeward.java.password_strength.passay-length-rule
            new LengthRule(12, 128),
            new CharacterRule(EnglishCharacterData.Digit, 1),
            new WhitespaceRule());
    }

    // ok: vibeward.java.password_strength.password-validator
    private final EmailValidator emailValidator = new EmailValidator();

    public void check(String password, String username) {
        // ruleid: vibeward.java.password_strength.length-check
        if (password.length() < 12) {
            throw new IllegalArgumentException("too short");
        }
        // ok: vibeward.java.password_strength.length-check
        if (username.length() < 3) {
            throw new IllegalArgumentException("too short");
        }
    }
}

class RegisterRequest {
    @NotBlank
    // ok: vibeward.java.password_strength.size-annotation
    @Size(min = 3, max = 50)
    private String username;

    @NotBlank
    // ruleid: vibeward.java.password_strength.size-annotation
    @Size(min = 12, max = 128)
    // ruleid: vibeward.java.password_strength.pattern-annotation
    @Pattern(regexp = "^(?=.*[0-9])(?=.*[a-zA-Z]).*$")
    private String password;
}
