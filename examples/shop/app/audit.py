"""Security audit trail.

Audit events go to their own logger ("audit") so operations can ship them to
the SIEM separately from the application log and keep them longer.
"""
import json
import logging
from datetime import datetime, timezone

from flask import has_request_context, request

audit_log = logging.getLogger("audit")


def init_app(app):
    """One JSON object per line on stderr; the log shipper picks it up."""
    if not audit_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        audit_log.addHandler(handler)
    audit_log.setLevel(logging.INFO)
    audit_log.propagate = False  # keep audit events out of the app log


# vibeward: implements audit_logging
def record_audit_event(actor, action, outcome, **details):
    """Record who did what, when, from where, and how it ended.

    ``details`` must never contain passwords, tokens or card data; the
    card brand and last four digits are the most that may be logged.
    """
    event = {
        "ts": datetime.now(timezone.utc).isoformat(),
        "actor": actor,
        "action": action,
        "outcome": outcome,
        "ip": request.remote_addr if has_request_context() else None,
        "details": details,
    }
    audit_log.info(json.dumps(event, default=str, sort_keys=True))
