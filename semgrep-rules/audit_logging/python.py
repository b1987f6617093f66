# Test target for semgrep-rules/audit_logging/python.yml (parsed only, never run).
import logging

import structlog
from auditlog.registry import auditlog
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import models
from django.dispatch import receiver
from flask import current_app, request
from flask_login import login_user
from simple_history.models import HistoricalRecords

logger = logging.getLogger(__name__)
# ruleid: vibeward.python.audit_logging.audit-logger
audit = logging.getLogger("audit")
# ruleid: vibeward.python.audit_logging.audit-logger
sec_events = logging.getLogger("myapp.security")
# ok: vibeward.python.audit_logging.audit-logger
cache_log = logging.getLogger("myapp.cache")


def login(user):
    login_user(user)
    # ruleid: vibeward.python.audit_logging.audit-logger-call
    audit.info("login", extra={"user": user.id, "ip": request.remote_addr})
    # ruleid: vibeward.python.audit_logging.audit-logger-call
    sec_events.warning("mfa challenge issued for %s", user.id)
    # ok: vibeward.python.audit_logging.audit-logger-call
    cache_log.info("cache warmed")


def transfer(audit_logger, amount):
    # ruleid: vibeward.python.audit_logging.audit-logger-call
    audit_logger.info("funds transferred", extra={"amount": amount})
    # ruleid: vibeward.python.audit_logging.audit-logger-call
    current_app.audit.info("transfer", extra={"amount": amount})


# ================================================================ helpers / models


def change_role(admin, user, role):
    user.role = role
    # ruleid: vibeward.python.audit_logging.audit-record-call
    record_audit_event("role_change", actor=admin.id, target=user.id, role=role)
    # ruleid: vibeward.python.audit_logging.audit-record-call
    db.session.add(AuditLog(actor_id=admin.id, action="role_change", target_id=user.id))
    # ruleid: vibeward.python.audit_logging.audit-record-call
    AuditEvent.objects.create(actor=admin, verb="role_change")
    # ok: vibeward.python.audit_logging.audit-record-call
    serializer = AuditLogSerializer(data=request.data)
    # ok: vibeward.python.audit_logging.audit-record-call
    sys.audit("myapp.role_change", user.id)


# ================================================================ Django packages


class Invoice(models.Model):
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    # ruleid: vibeward.python.audit_logging.model-history
    history = HistoricalRecords()


# ruleid: vibeward.python.audit_logging.model-history
auditlog.register(Invoice)
# ok: vibeward.python.audit_logging.model-history
admin.site.register(Invoice)


# ruleid: vibeward.python.audit_logging.auth-signal-handler
@receiver(user_login_failed)
def on_login_failed(sender, credentials, request, **kwargs):
    # ruleid: vibeward.python.audit_logging.security-event-log-message
    logger.warning("Failed login attempt for %s from %s", credentials.get("username"), request.META.get("REMOTE_ADDR"))


# ok: vibeward.python.audit_logging.auth-signal-handler
@receiver(post_save, sender=Invoice)
def on_invoice_saved(sender, instance, **kwargs):
    pass


# ruleid: vibeward.python.audit_logging.auth-signal-handler
user_logged_in.connect(on_user_logged_in)

# ================================================================ security-word log messages


def flask_login_view(user, ok):
    if ok:
        # ruleid: vibeward.python.audit_logging.security-event-log-message
        current_app.logger.info("%s logged in successfully", user.username)
    else:
        # ruleid: vibeward.python.audit_logging.security-event-log-message
        current_app.logger.info("%s failed to log in", user.username)
    # ruleid: vibeward.python.audit_logging.security-event-log-message
    logger.warning(f"Permission denied for {user.id} on {request.path}")
    log = structlog.get_logger()
    # ruleid: vibeward.python.audit_logging.security-event-log-message
    log.info("user_logged_out", user_id=user.id)
    # ruleid: vibeward.python.audit_logging.security-event-log-message
    logger.info("Role changed for user %s to %s", user.id, "admin")
    # ok: vibeward.python.audit_logging.security-event-log-message
    logger.info("Rendering login page")
    # ok: vibeward.python.audit_logging.security-event-log-message
    logger.info("Starting server on port %d", 8000)
    # ok: vibeward.python.audit_logging.security-event-log-message
    messages.error(request, "Login failed")
    # ok: vibeward.python.audit_logging.security-event-log-message
    logger.debug("login failed: %s", user.id)
