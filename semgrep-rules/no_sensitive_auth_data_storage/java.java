package com.example.payments;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

@Entity
@Table(name = "payment_cards")
public class PaymentCard {
    @Id
    private Long id;

    private String maskedPan;

    // ruleid: vibeward.java.no_sensitive_auth_data_storage.persisted-cvv-field
    private String cvv;

    // ruleid: vibeward.java.no_sensitive_auth_data_storage.cvv-column
    @Column(name = "card_security_code", length = 4)
    // ruleid: vibeward.java.no_sensitive_auth_data_storage.persisted-cvv-field
    private String securityCode;

    @Transient
    // ok: vibeward.java.no_sensitive_auth_data_storage.persisted-cvv-field
    private String cvc;

    // ok: vibeward.java.no_sensitive_auth_data_storage.persisted-cvv-field
    private String cardholderName;
}

// not persisted: a request DTO may carry the CVV to the processor
class PaymentRequest {
    // ok: vibeward.java.no_sensitive_auth_data_storage.persisted-cvv-field
    private String cvv;
}

@Repository
class CardDao {
    void save(Card card) {
        // ruleid: vibeward.java.no_sensitive_auth_data_storage.cvv-in-sql
        jdbcTemplate.update("INSERT INTO cards (pan_token, expiry, cvv) VALUES (?, ?, ?)", card.getToken(), card.getExpiry(), card.getCvv());
        // ok: vibeward.java.no_sensitive_auth_data_storage.cvv-in-sql
        jdbcTemplate.update("INSERT INTO cards (pan_token, expiry) VALUES (?, ?)", card.getToken(), card.getExpiry());
    }
}

@Service
class CheckoutService {
    private static final Logger log = LoggerFactory.getLogger(CheckoutService.class);

    void pay(PaymentRequest request, HttpSession session) {
        // ruleid: vibeward.java.no_sensitive_auth_data_storage.cvv-logged
        log.info("charging card {} cvv {}", request.getMaskedPan(), request.getCvv());
        // ok: vibeward.java.no_sensitive_auth_data_storage.cvv-logged
        log.info("charging card {}", request.getMaskedPan());
        // ruleid: vibeward.java.no_sensitive_auth_data_storage.cvv-in-session
        session.setAttribute("cvv", request.getCvv());
    }
}
