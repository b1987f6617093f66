package com.example.security;

import com.google.common.util.concurrent.RateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.Refill;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;

@Component
class RateLimitInterceptor implements HandlerInterceptor {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private Bucket newBucket(String apiKey) {
        // ruleid: vibeward.java.rate_limiting.bucket4j
        Bandwidth limit = Bandwidth.classic(20, Refill.intervally(20, Duration.ofMinutes(1)));
        // ok: vibeward.java.rate_limiting.bucket4j
        return Bucket.builder().addLimit(limit).build();
    }

    private Bucket modern() {
        return Bucket.builder()
            // ruleid: vibeward.java.rate_limiting.bucket4j
            .addLimit(Bandwidth.simple(5, Duration.ofMinutes(1)))
            .build();
    }

    private Bucket fluent() {
        return Bucket.builder()
            // ruleid: vibeward.java.rate_limiting.bucket4j
            .addLimit(limit -> limit.capacity(10).refillGreedy(10, Duration.ofMinutes(1)))
            .build();
    }
}

@RestController
class LoginController {
    // ruleid: vibeward.java.rate_limiting.resilience4j-rate-limiter
    @RateLimiter(name = "login", fallbackMethod = "tooManyRequests")
    @PostMapping("/login")
    public ResponseEntity<Token> login(@RequestBody Credentials credentials) {
        return ResponseEntity.ok(auth.login(credentials));
    }

    // ok: vibeward.java.rate_limiting.resilience4j-rate-limiter
    @GetMapping("/health")
    public String health() {
        return "ok";
    }

    // ruleid: vibeward.java.rate_limiting.rate-limit-annotation
    @RateLimit(requests = 5, per = "1m")
    @PostMapping("/password-reset")
    public void reset(@RequestBody ResetRequest request) {
        passwords.startReset(request.email());
    }
}

class ExportService {
    // ruleid: vibeward.java.rate_limiting.guava-rate-limiter
    private final RateLimiter limiter = RateLimiter.create(10.0);
}

@Configuration
class GatewayConfig {
    @Bean
    RedisRateLimiter redisRateLimiter() {
        // ruleid: vibeward.java.rate_limiting.gateway-request-rate-limiter
        return new RedisRateLimiter(10, 20);
    }
}

@Service
class LoginAttemptService {
    // ruleid: vibeward.java.rate_limiting.login-attempt-limit
    private static final int MAX_ATTEMPT = 5;
    // ruleid: vibeward.java.rate_limiting.lockout-duration-minutes
    private static final Duration BLOCK_DURATION = Duration.ofMinutes(30);
    // ok: vibeward.java.rate_limiting.lockout-duration-minutes
    private static final long LOCK_TIME_DURATION = 24 * 60 * 60 * 1000;
    // ok: vibeward.java.rate_limiting.login-attempt-limit
    private static final int CACHE_SIZE = 10000;

    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final LoadingCache<String, Integer> attemptsCache = CacheBuilder.newBuilder()
        // ruleid: vibeward.java.rate_limiting.lockout-cache-expiry-days
        .expireAfterWrite(1, TimeUnit.DAYS)
        .build(CacheLoader.from(key -> 0));

    public void loginFailed(String key) {
        attempts.merge(key, 1, Integer::sum);
    }

    public boolean isBlocked(String key) {
        return attempts.getOrDefault(key, 0) >= MAX_ATTEMPT;
    }
}

class HttpClientConfig {
    // ok: vibeward.java.rate_limiting.login-attempt-limit
    private static final int MAX_RETRIES = 3;
    private final Cache<String, Token> tokens = Caffeine.newBuilder()
        // ok: vibeward.java.rate_limiting.lockout-cache-expiry-minutes
        .expireAfterWrite(5, TimeUnit.MINUTES)
        .build();
}

@Service
class LoginProtectionService {
    // ruleid: vibeward.java.rate_limiting.login-attempt-limit
    public static final int MAX_ATTEMPT = 10;
    public static final int EXPIRE_TIME = 15;
    // ruleid: vibeward.java.rate_limiting.lockout-cache-expiry-minutes
    private final LoadingCache<String, Integer> attemptsCache = CacheBuilder.newBuilder()
        .expireAfterWrite(EXPIRE_TIME, TimeUnit.MINUTES)
        .build(CacheLoader.from(key -> 0));
}

@Component
class AuthenticationFailureListener implements ApplicationListener<AuthenticationFailureBadCredentialsEvent> {
    private final LoginAttemptService loginAttemptService;

    @Override
    public void onApplicationEvent(AuthenticationFailureBadCredentialsEvent event) {
        String username = event.getAuthentication().getName();
        // ruleid: vibeward.java.rate_limiting.failed-login-listener
        loginAttemptService.loginFailed(username);
    }
}

@Component
class AuthenticationEvents {
    private static final Logger log = LoggerFactory.getLogger(AuthenticationEvents.class);

    @EventListener
    public void onFailure(AuthenticationFailureBadCredentialsEvent failure) {
        // ok: vibeward.java.rate_limiting.failed-login-listener
        log.warn("Failed login for {}", failure.getAuthentication().getName());
    }
}
