package com.example.privacy;

@RestController
@RequestMapping("/api")
class PrivacyController {
    // ruleid: vibeward.java.data_deletion.erasure-endpoint
    @DeleteMapping("/me")
    // ruleid: vibeward.java.data_deletion.erasure-method
    ResponseEntity<Void> deleteMe(Principal principal) {
        privacy.eraseUserData(principal.getName());
        return ResponseEntity.noContent().build();
    }

    // ok: vibeward.java.data_deletion.erasure-endpoint
    @DeleteMapping("/orders/{id}")
    void cancel(@PathVariable long id) {
        orders.cancel(id);
    }
}

@Service
class PrivacyService {
    @Transactional
    // ruleid: vibeward.java.data_deletion.erasure-method
    public void eraseUserData(String username) {
        User user = users.findByUsername(username).orElseThrow();
        orders.anonymizeCustomer(user.getId());
        users.delete(user);
        audit.record("ERASURE", user.getId());
    }

    // ok: vibeward.java.data_deletion.erasure-method
    public void deleteOrder(long id) {
        orders.deleteById(id);
    }
}
