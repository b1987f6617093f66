package com.example.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;

@Configuration
@EnableWebSecurity
public class WebSecurityConfig {

    @Bean
    @Order(2)
    // ruleid: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    public SecurityFilterChain webFilterChain(HttpSecurity http) throws Exception {
        http
            .authorizeHttpRequests(auth -> auth.anyRequest().authenticated())
            .formLogin(Customizer.withDefaults());
        return http.build();
    }

    @Bean
    // ruleid: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    SecurityFilterChain spaFilterChain(HttpSecurity http) throws Exception {
        return http
            .csrf(csrf -> csrf
                // ruleid: vibeward.java.csrf_protection.csrf-token-repository
                .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler()))
            .build();
    }

    @Bean
    @Order(1)
    // ok: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    public SecurityFilterChain apiFilterChain(HttpSecurity http) throws Exception {
        http
            .securityMatcher("/api/**")
            // ruleid: vibeward.java.csrf_protection.csrf-disabled
            .csrf(AbstractHttpConfigurer::disable)
            .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .oauth2ResourceServer(o -> o.jwt(Customizer.withDefaults()));
        return http.build();
    }

    @Bean
    // ok: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    SecurityFilterChain lambdaDisabled(HttpSecurity http) throws Exception {
        return http
            // ruleid: vibeward.java.csrf_protection.csrf-disabled
            .csrf(csrf -> csrf.disable())
            .authorizeHttpRequests(a -> a.anyRequest().permitAll())
            .build();
    }

    @Bean
    // ok: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    SecurityFilterChain partlyIgnored(HttpSecurity http) throws Exception {
        return http
            // ok: vibeward.java.csrf_protection.csrf-disabled
            .csrf(csrf -> csrf.ignoringRequestMatchers("/webhooks/stripe"))
            // ruleid: vibeward.java.csrf_protection.csrf-disabled
            .csrf(csrf -> csrf.ignoringRequestMatchers("/**"))
            .build();
    }
}

class LegacySecurityConfig extends WebSecurityConfigurerAdapter {
    @Override
    // ok: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    protected void configure(HttpSecurity http) throws Exception {
        http.authorizeRequests().anyRequest().authenticated()
            .and()
            // ruleid: vibeward.java.csrf_protection.csrf-disabled
            .csrf().disable();
    }
}

class LegacyFormLoginConfig extends WebSecurityConfigurerAdapter {
    @Override
    // ruleid: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    protected void configure(HttpSecurity http) throws Exception {
        http.authorizeRequests().anyRequest().authenticated()
            .and()
            .formLogin();
    }
}

@EnableWebFluxSecurity
class ReactiveSecurityConfig {
    @Bean
    // ok: vibeward.java.csrf_protection.security-filter-chain-csrf-on
    SecurityWebFilterChain springSecurityFilterChain(ServerHttpSecurity http) {
        return http
            // ruleid: vibeward.java.csrf_protection.csrf-disabled
            .csrf(ServerHttpSecurity.CsrfSpec::disable)
            .authorizeExchange(e -> e.anyExchange().authenticated())
            .build();
    }
}
