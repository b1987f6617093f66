package com.example.mfa;

import com.warrenstrange.googleauth.GoogleAuthenticator;
import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.samstevens.totp.code.CodeVerifier;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.DefaultCodeVerifier;

@Service
class TwoFactorService {
    // ruleid: vibeward.java.mfa.totp-default-period
    private final GoogleAuthenticator googleAuthenticator = new GoogleAuthenticator();
    private final CodeVerifier verifier;

    boolean verifyGoogle(String secret, int code) {
        // ruleid: vibeward.java.mfa.totp-verification
        return googleAuthenticator.authorize(secret, code);
    }

    boolean verifySamStevens(String secret, String code) {
        // ruleid: vibeward.java.mfa.totp-verification
        return verifier.isValidCode(secret, code);
    }

    TimeBasedOneTimePasswordGenerator generator() {
        // ruleid: vibeward.java.mfa.totp-generator
        return new TimeBasedOneTimePasswordGenerator(
            // ruleid: vibeward.java.mfa.totp-period
            Duration.ofSeconds(30));
    }

    CodeGenerator codes() {
        // ok: vibeward.java.mfa.totp-period
        return new DefaultCodeGenerator(HashingAlgorithm.SHA1);
    }

    boolean verifySms(String expected, String given) {
        // ok: vibeward.java.mfa.totp-verification
        return MessageDigest.isEqual(expected.getBytes(), given.getBytes());
    }
}

@Configuration
class PasskeyConfig {
    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
        return http
            .formLogin(Customizer.withDefaults())
            // ruleid: vibeward.java.mfa.webauthn
            .webAuthn(webAuthn -> webAuthn.rpName("Shop").rpId("shop.example.com").allowedOrigins("https://shop.example.com"))
            .build();
    }
}

@Configuration
// ruleid: vibeward.java.mfa.spring-security-multi-factor
@EnableMultiFactorAuthentication(authorities = {FactorGrantedAuthority.PASSWORD_AUTHORITY, FactorGrantedAuthority.OTT_AUTHORITY})
class MfaConfig {
}
