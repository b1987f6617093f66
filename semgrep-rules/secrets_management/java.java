package com.example.config;

import io.jsonwebtoken.security.Keys;
import java.sql.DriverManager;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;

@Component
class JwtTokenProvider {
    // ruleid: vibeward.java.secrets_management.hardcoded-secret-field
    private static final String SECRET_KEY = "s3cr3t-k3y-that-is-long-enough-for-hs256!!";
    // ok: vibeward.java.secrets_management.hardcoded-secret-field
    private static final String TOKEN_PREFIX = "Bearer ";
    // ok: vibeward.java.secrets_management.hardcoded-secret-field
    private static final String PASSWORD_PARAM = "password";
    // ok: vibeward.java.secrets_management.hardcoded-secret-field
    public static final String JWT_SECRET_PROPERTY = "app.jwt.secret";
    // ok: vibeward.java.secrets_management.hardcoded-secret-field
    private static final String INVALID_TOKEN = "The token is invalid or expired";
    // ok: vibeward.java.secrets_management.hardcoded-secret-field
    private static final String PASSWORD = "password";
    // ok: vibeward.java.secrets_management.hardcoded-secret-field
    private static final String ACCESS_TOKEN_EXPIRATION = "3600";
    // ok: vibeward.java.secrets_management.hardcoded-secret-field
    private static final String API_KEY_HEADER = "X-API-KEY";

    // ok: vibeward.java.secrets_management.value-default-secret
    // ruleid: vibeward.java.secrets_management.secret-from-configuration
    @Value("${jwt.secret}")
    private String jwtSecret;

    // ruleid: vibeward.java.secrets_management.value-default-secret
    @Value("${jwt.secret:mySuperSecretDefaultKeyForDevelopmentOnly}")
    private String jwtSecretWithFallback;

    // ok: vibeward.java.secrets_management.value-default-secret
    @Value("${jwt.expiration:86400000}")
    private long expiration;

    // ok: vibeward.java.secrets_management.value-default-secret
    @Value("${stripe.api-key:${STRIPE_API_KEY}}")
    private String stripeKey;

    // ok: vibeward.java.secrets_management.secret-from-configuration
    @Value("${user.password.maxRetryCount}")
    private String maxRetryCount;

    // ok: vibeward.java.secrets_management.value-default-secret
    @Value("${mail.password:}")
    private String mailPassword;

    Key signingKey() {
        // ruleid: vibeward.java.secrets_management.hardcoded-signing-key
        return Keys.hmacShaKeyFor("my-very-long-signing-secret-for-hmac-sha-256".getBytes(StandardCharsets.UTF_8));
    }

    Key configuredKey() {
        // ok: vibeward.java.secrets_management.hardcoded-signing-key
        return Keys.hmacShaKeyFor(jwtSecret.getBytes(StandardCharsets.UTF_8));
    }

    Algorithm auth0() {
        // ruleid: vibeward.java.secrets_management.hardcoded-signing-key
        return Algorithm.HMAC256("secret");
    }

    String apiKey() {
        // ruleid: vibeward.java.secrets_management.secret-from-configuration
        return System.getenv("PAYMENT_API_KEY");
    }

    String home() {
        // ok: vibeward.java.secrets_management.secret-from-configuration
        return System.getenv("HOME");
    }
}

class LegacyDao {
    Connection open() throws SQLException {
        // ruleid: vibeward.java.secrets_management.hardcoded-datasource-password
        return DriverManager.getConnection("jdbc:postgresql://db/app", "app", "Pa55w0rd!");
    }

    Connection openFromEnv() throws SQLException {
        // ok: vibeward.java.secrets_management.hardcoded-datasource-password
        // ruleid: vibeward.java.secrets_management.secret-from-configuration
        return DriverManager.getConnection(url, user, System.getenv("DB_PASSWORD"));
    }

    DataSource dataSource() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:mysql://localhost/app");
        // ruleid: vibeward.java.secrets_management.hardcoded-datasource-password
        config.setPassword("root");
        return new HikariDataSource(config);
    }

    void seed(User user) {
        // ok: vibeward.java.secrets_management.hardcoded-datasource-password
        user.setPassword(encoder.encode(initialPassword));
    }
}

class AwsSecrets {
    String dbPassword(SecretsManagerClient client) {
        // ruleid: vibeward.java.secrets_management.secrets-manager-client
        GetSecretValueRequest request = GetSecretValueRequest.builder().secretId("prod/db").build();
        return client.getSecretValue(request).secretString();
    }
}
