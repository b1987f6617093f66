package com.example.security;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

@Configuration
@EnableWebSecurity
class SecurityConfig {
    @Bean
    SecurityFilterChain filterChain(HttpSecurity http) throws Exception {
        http
            // ruleid: vibeward.java.access_control.url-authorization-rules
            .authorizeHttpRequests(auth -> auth
                .requestMatchers("/actuator/health", "/login").permitAll()
                .requestMatchers("/admin/**").hasRole("ADMIN")
                .requestMatchers(HttpMethod.DELETE, "/api/**").hasAuthority("SCOPE_write")
                .anyRequest().authenticated())
            .formLogin(Customizer.withDefaults());
        return http.build();
    }
}

@Configuration
class OpenConfig {
    @Bean
    SecurityFilterChain open(HttpSecurity http) throws Exception {
        return http
            // ok: vibeward.java.access_control.url-authorization-rules
            .authorizeHttpRequests(auth -> auth
                .requestMatchers("/public/**").permitAll()
                // ruleid: vibeward.java.access_control.any-request-permit-all
                .anyRequest().permitAll())
            .build();
    }

    @Bean
    WebSecurityCustomizer webSecurityCustomizer() {
        // ruleid: vibeward.java.access_control.security-ignoring-everything
        return web -> web.ignoring().requestMatchers("/**");
    }
}

@Configuration
// ruleid: vibeward.java.access_control.enable-method-security
@EnableMethodSecurity
class MethodSecurityConfig {
    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        return http
            .authorizeHttpRequests(auth -> auth
                // ok: vibeward.java.access_control.any-request-permit-all
                .anyRequest().permitAll())
            .build();
    }
}

class LegacyConfig extends WebSecurityConfigurerAdapter {
    protected void configure(HttpSecurity http) throws Exception {
        // ruleid: vibeward.java.access_control.url-authorization-rules
        http.authorizeRequests()
            .antMatchers("/admin/**").hasRole("ADMIN")
            .anyRequest().authenticated();
    }
}

@RestController
@RequestMapping("/api/accounts")
class AccountController {
    // ruleid: vibeward.java.access_control.method-security-annotation
    @PreAuthorize("hasRole('ADMIN') or #id == authentication.principal.id")
    @GetMapping("/{id}")
    Account get(@PathVariable long id) {
        return accounts.get(id);
    }

    // ruleid: vibeward.java.access_control.method-security-annotation
    @PreAuthorize("hasAuthority(\"" + AuthoritiesConstants.ADMIN + "\")")
    @DeleteMapping("/{id}/hard")
    void purge(@PathVariable long id) {
        accounts.purge(id);
    }

    // ok: vibeward.java.access_control.method-security-annotation
    @PreAuthorize("permitAll()")
    @GetMapping("/public")
    List<Account> open() {
        return accounts.all();
    }

    // ruleid: vibeward.java.access_control.role-annotation
    @Secured("ROLE_ADMIN")
    @DeleteMapping("/{id}")
    void delete(@PathVariable long id) {
        accounts.delete(id);
    }

    @GetMapping("/me")
    Account me(HttpServletRequest request) {
        // ruleid: vibeward.java.access_control.programmatic-role-check
        if (!request.isUserInRole("USER")) {
            throw new AccessDeniedException("forbidden");
        }
        return accounts.current();
    }
}
