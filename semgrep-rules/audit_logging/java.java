package com.example.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.audit.AuditEvent;
import org.springframework.boot.actuate.audit.AuditEventRepository;
import org.springframework.boot.actuate.audit.InMemoryAuditEventRepository;
import org.springframework.context.event.EventListener;
import org.springframework.data.annotation.CreatedBy;
import org.springframework.data.annotation.LastModifiedBy;
import org.springframework.data.domain.AuditorAware;
import org.springframework.data.jpa.repository.config.EnableJpaAuditing;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.hibernate.envers.Audited;

@Configuration
class AuditConfig {
    @Bean
    AuditEventRepository auditEventRepository() {
        // ruleid: vibeward.java.audit_logging.actuator-audit-events
        return new InMemoryAuditEventRepository(1000);
    }
}

@Repository
// ruleid: vibeward.java.audit_logging.actuator-audit-events
public class CustomAuditEventRepository implements AuditEventRepository {
    @Override
    public void add(AuditEvent event) {
        // ruleid: vibeward.java.audit_logging.audit-record-written
        persistenceAuditEventRepository.save(toPersistent(event));
    }
}

@Component
class AuthenticationEvents {
    // ruleid: vibeward.java.audit_logging.audit-logger
    private static final Logger AUDIT = LoggerFactory.getLogger("AUDIT");
    // ok: vibeward.java.audit_logging.audit-logger
    private static final Logger log = LoggerFactory.getLogger(AuthenticationEvents.class);
    // ok: vibeward.java.audit_logging.audit-logger
    private static final Logger http = LoggerFactory.getLogger("org.apache.http.wire");

    // ruleid: vibeward.java.audit_logging.authentication-event-listener
    @EventListener
    public void onSuccess(AuthenticationSuccessEvent success) {
        AUDIT.info("login success user={}", success.getAuthentication().getName());
    }

    // ruleid: vibeward.java.audit_logging.authentication-event-listener
    @EventListener
    public void onFailure(AbstractAuthenticationFailureEvent failure) {
        AUDIT.warn("login failure user={}", failure.getAuthentication().getName());
    }

    // ok: vibeward.java.audit_logging.authentication-event-listener
    @EventListener
    public void onStartup(ApplicationReadyEvent ready) {
        log.info("started");
    }
}

@Service
class TransferService {
    private final AuditLogService auditLogService;
    private final AuditLogRepository auditLogRepository;

    void transfer(Account from, Account to, BigDecimal amount) {
        ledger.move(from, to, amount);
        // ruleid: vibeward.java.audit_logging.audit-record-written
        auditLogService.record("TRANSFER", from.getId(), to.getId(), amount);
        // ruleid: vibeward.java.audit_logging.audit-record-written
        auditLogRepository.save(new AuditLog("TRANSFER", currentUser()));
        // ok: vibeward.java.audit_logging.audit-record-written
        List<AuditLog> recent = auditLogRepository.findTop10ByOrderByCreatedAtDesc();
    }
}

@Entity
// ruleid: vibeward.java.audit_logging.hibernate-envers
@Audited
class Patient {
    @Id
    private Long id;
    private String name;
}

@Configuration
// ruleid: vibeward.java.audit_logging.spring-data-auditing
@EnableJpaAuditing(auditorAwareRef = "auditorProvider")
class JpaAuditingConfig {
}

// ruleid: vibeward.java.audit_logging.spring-data-auditing
class SpringSecurityAuditorAware implements AuditorAware<String> {
    public Optional<String> getCurrentAuditor() {
        return Optional.ofNullable(SecurityContextHolder.getContext().getAuthentication()).map(Authentication::getName);
    }
}

@MappedSuperclass
@EntityListeners(AuditingEntityListener.class)
abstract class AbstractAuditingEntity {
    // ruleid: vibeward.java.audit_logging.spring-data-auditing
    @CreatedBy
    @Column(name = "created_by", nullable = false, length = 50, updatable = false)
    private String createdBy;

    // ok: vibeward.java.audit_logging.spring-data-auditing
    @CreatedDate
    private Instant createdDate;

    // ruleid: vibeward.java.audit_logging.spring-data-auditing
    @LastModifiedBy
    private String lastModifiedBy;
}

// ruleid: vibeward.java.audit_logging.javers
@JaversSpringDataAuditable
interface OrderRepository extends JpaRepository<Order, Long> {
}
