package com.example.session;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import io.jsonwebtoken.Jwts;
import org.springframework.session.data.redis.config.annotation.web.http.EnableRedisHttpSession;

@Configuration
// ok: vibeward.java.session_timeout.spring-session-default-timeout
// ruleid: vibeward.java.session_timeout.spring-session-max-inactive
@EnableRedisHttpSession(maxInactiveIntervalInSeconds = 900)
class SessionConfig {
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> sessionTimeout() {
        // ruleid: vibeward.java.session_timeout.server-session-timeout-minutes
        return factory -> factory.getSession().setTimeout(Duration.ofMinutes(15));
    }
}

@Configuration
// ruleid: vibeward.java.session_timeout.spring-session-default-timeout
@EnableJdbcHttpSession
class JdbcSessionConfig {
}

@Component
class LoginSuccessHandler implements AuthenticationSuccessHandler {
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response, Authentication auth) {
        HttpSession session = request.getSession();
        // ruleid: vibeward.java.session_timeout.max-inactive-interval
        session.setMaxInactiveInterval(900);
        // ok: vibeward.java.session_timeout.max-inactive-interval
        // ruleid: vibeward.java.session_timeout.max-inactive-interval-minutes
        session.setMaxInactiveInterval(15 * 60);
        // ok: vibeward.java.session_timeout.max-inactive-interval
        // ruleid: vibeward.java.session_timeout.session-never-expires
        session.setMaxInactiveInterval(-1);
    }
}

@Service
class JwtService {
    @Value("${jwt.expiration-ms}")
    private long expirationMs;

    String issue(String subject) {
        return Jwts.builder()
            .subject(subject)
            .issuedAt(new Date())
            // ruleid: vibeward.java.session_timeout.jwt-expiration
            .expiration(new Date(System.currentTimeMillis() + expirationMs))
            .signWith(key)
            .compact();
    }

    String issueLegacy(String subject) {
        return Jwts.builder().setSubject(subject)
            // ruleid: vibeward.java.session_timeout.jwt-expiration
            .setExpiration(new Date(System.currentTimeMillis() + expirationMs)).signWith(key).compact();
    }

    String cookieless(String subject) {
        // ok: vibeward.java.session_timeout.jwt-expiration
        // ruleid: vibeward.java.session_timeout.jwt-without-expiry
        return Jwts.builder().setSubject(subject).signWith(key).compact();
    }

    String withExpiry(String subject) {
        // ok: vibeward.java.session_timeout.jwt-without-expiry
        // ruleid: vibeward.java.session_timeout.jwt-expiration
        return Jwts.builder().setSubject(subject).setExpiration(new Date(System.currentTimeMillis() + expirationMs)).signWith(key).compact();
    }

    JwtClaimsSet claims(String subject) {
        Instant now = Instant.now();
        return JwtClaimsSet.builder()
            .issuer("self")
            .issuedAt(now)
            // ruleid: vibeward.java.session_timeout.jwt-expiration, vibeward.java.session_timeout.token-lifetime-minutes
            .expiresAt(now.plus(15, ChronoUnit.MINUTES))
            .subject(subject)
            .build();
    }

    Instant cacheUntil(Instant now) {
        // ok: vibeward.java.session_timeout.token-lifetime-minutes
        return now.plus(15, ChronoUnit.MINUTES);
    }
}

@Configuration
class SecurityConfig {
    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
        return http
            // ruleid: vibeward.java.session_timeout.remember-me-validity
            .rememberMe(r -> r.tokenValiditySeconds(86400))
            // ruleid: vibeward.java.session_timeout.session-invalidated-on-logout
            .logout(l -> l.invalidateHttpSession(true).deleteCookies("JSESSIONID"))
            .build();
    }
}

@RestController
class LogoutController {
    @PostMapping("/logout")
    void logout(HttpServletRequest request) {
        // ruleid: vibeward.java.session_timeout.session-invalidated-on-logout
        request.getSession(false).invalidate();
    }
}
