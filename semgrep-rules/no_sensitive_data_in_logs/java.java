package com.example.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Service
class AuthService {
    private static final Logger log = LoggerFactory.getLogger(AuthService.class);

    Token login(LoginRequest request) {
        // ruleid: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.debug("login attempt user={} password={}", request.getUsername(), request.getPassword());
        // ok: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.info("login attempt user={}", request.getUsername());
        // ok: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.info("password reset requested for {}", request.getUsername());
        Token token = tokens.issue(request.getUsername());
        // ruleid: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.info("issued token " + token.getAccessToken());
        // ok: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.info("issued token id {} expiring {}", token.getId(), token.getExpiresAt());
        return token;
    }

    void pay(PaymentRequest payment) {
        // ruleid: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.info("charging card {}", payment.getCardNumber());
        // ok: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.info("charging card ending {}", payment.getLast4());
    }

    void filter(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        // ruleid: vibeward.java.no_sensitive_data_in_logs.secret-logged
        log.trace("Authorization header: {}", authorization);
        // ruleid: vibeward.java.no_sensitive_data_in_logs.secret-logged
        System.out.println("jwt=" + jwt);
    }
}
