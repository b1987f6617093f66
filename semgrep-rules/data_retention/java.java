import org.springframework.scheduling.annotation.Scheduled;

@Component
public class RetentionJob {
    private final AuditLogRepository auditLogs;

    @Scheduled(cron = "0 0 3 * * *")
    public void purgeExpired() {
        Instant cutoff = Instant.now().minus(Duration.ofDays(365));
        // ruleid: vibeward.java.data_retention.scheduled-purge
        auditLogs.deleteAllByCreatedAtBefore(cutoff);
        // ok: vibeward.java.data_retention.scheduled-purge
        auditLogs.deleteById(42L);
    }

    public void manual(Instant cutoff) {
        // ok: vibeward.java.data_retention.scheduled-purge
        auditLogs.deleteAllByCreatedAtBefore(cutoff);
    }
}
