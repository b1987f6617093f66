package com.example.config;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

@Configuration
class HeadersConfig {
    @Bean
    // ruleid: vibeward.java.security_headers.spring-security-default-headers
    SecurityFilterChain web(HttpSecurity http) throws Exception {
        http.headers(headers -> headers
            // ruleid: vibeward.java.security_headers.content-security-policy
            .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'self'; frame-ancestors 'none'"))
            // ruleid: vibeward.java.security_headers.frame-options
            .frameOptions(frame -> frame.deny())
            // ruleid: vibeward.java.security_headers.other-security-headers
            .referrerPolicy(referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN))
            // ok: vibeward.java.security_headers.hsts-default
            .httpStrictTransportSecurity(hsts -> hsts
                .includeSubDomains(true)
                // ruleid: vibeward.java.security_headers.hsts-max-age
                .maxAgeInSeconds(31536000)));
        return http.build();
    }

    @Bean
    // ruleid: vibeward.java.security_headers.spring-security-default-headers
    SecurityFilterChain defaults(HttpSecurity http) throws Exception {
        return http
            // ruleid: vibeward.java.security_headers.hsts-default
            .headers(h -> h.httpStrictTransportSecurity(hsts -> hsts.includeSubDomains(true).preload(true)))
            .build();
    }

    @Bean
    // ok: vibeward.java.security_headers.spring-security-default-headers
    SecurityFilterChain h2(HttpSecurity http) throws Exception {
        return http
            // ruleid: vibeward.java.security_headers.headers-disabled
            .headers(AbstractHttpConfigurer::disable)
            .build();
    }

    @Bean
    // ruleid: vibeward.java.security_headers.spring-security-default-headers
    SecurityFilterChain h2Frames(HttpSecurity http) throws Exception {
        return http
            // ok: vibeward.java.security_headers.frame-options
            // ruleid: vibeward.java.security_headers.frame-options-disabled
            .headers(h -> h.frameOptions(HeadersConfigurer.FrameOptionsConfig::disable))
            .build();
    }
}

@Configuration
class ExplicitHeaders {
    @Bean
    // ok: vibeward.java.security_headers.spring-security-default-headers
    SecurityFilterChain explicit(HttpSecurity http) throws Exception {
        http.headers(header -> {
            header.defaultsDisabled();
            header.cacheControl(Customizer.withDefaults());
            // ruleid: vibeward.java.security_headers.frame-options
            header.frameOptions(Customizer.withDefaults());
        });
        return http.build();
    }
}

class LegacyHeaders extends WebSecurityConfigurerAdapter {
    @Override
    // ok: vibeward.java.security_headers.spring-security-default-headers
    protected void configure(HttpSecurity http) throws Exception {
        // ruleid: vibeward.java.security_headers.headers-disabled
        http.headers().disable();
    }
}

@Component
class SecurityHeadersFilter extends OncePerRequestFilter {
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) {
        // ruleid: vibeward.java.security_headers.hsts-max-age
        response.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload");
        // ruleid: vibeward.java.security_headers.other-security-headers
        response.setHeader("X-Content-Type-Options", "nosniff");
        // ruleid: vibeward.java.security_headers.frame-options
        response.setHeader("X-Frame-Options", "DENY");
        // ok: vibeward.java.security_headers.content-security-policy
        response.setHeader("Cache-Control", "no-store");
        chain.doFilter(request, response);
    }
}
