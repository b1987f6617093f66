package com.example.privacy;

@Entity
@Table(name = "user_consents")
// ruleid: vibeward.java.consent_tracking.consent-entity
class UserConsent {
    @Id
    private Long id;
    private String purpose;
    private String noticeVersion;
    private Instant grantedAt;
    private Instant withdrawnAt;
}

@Entity
// ok: vibeward.java.consent_tracking.consent-entity
class Order {
    @Id
    private Long id;
}

@Service
class ConsentService {
    private final UserConsentRepository userConsentRepository;

    // ruleid: vibeward.java.consent_tracking.consent-method
    void withdrawConsent(long userId, String purpose) {
        UserConsent consent = userConsentRepository.findActive(userId, purpose).orElseThrow();
        consent.setWithdrawnAt(Instant.now());
        // ruleid: vibeward.java.consent_tracking.consent-recorded
        userConsentRepository.save(consent);
    }

    // ok: vibeward.java.consent_tracking.consent-method
    void updateOrder(Order order) {
        // ok: vibeward.java.consent_tracking.consent-recorded
        orderRepository.save(order);
    }
}
