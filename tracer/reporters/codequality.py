"""GitLab Code Quality (`artifacts:reports:codequality`): a JSON array of issues.

The same alerts as SARIF (`alerts.py`): each violated line, and a missing mandatory control only
where there is a file to attach it to; the JUnit report carries the rest. GitLab needs
`description`, `check_name`, a unique `fingerprint`, `severity`, `location.path` and
`location.lines.begin`; `type` and `categories` complete the Code Climate issue it extends.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracer.model import Status, TraceResult
from tracer.reporters.alerts import Alert, collect, dump_json, params_sentence, requirement_sentence, sentence

if TYPE_CHECKING:
    from tracer.reporters import RenderOptions

SEVERITIES = ("info", "minor", "major", "critical", "blocker")
# A mandatory control that is broken blocks the merge request at critical; one step lower when
# the requirement is advisory.
MANDATORY_SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}
ADVISORY_SEVERITY = {"critical": "critical", "high": "major", "medium": "minor", "low": "info"}


def render(result: TraceResult, options: RenderOptions) -> str:
    del options
    return render_set([result])


def render_set(results: Sequence[TraceResult]) -> str:
    """One array for every ticket of the change; an issue two tickets share appears once."""
    return dump_json([issue(alert) for alert in collect(results).anchored])


def severity(alert: Alert) -> str:
    table = MANDATORY_SEVERITY if alert.mandatory else ADVISORY_SEVERITY
    return table.get(alert.control.severity, table["medium"])


def issue(alert: Alert) -> dict[str, Any]:
    control = alert.control
    if alert.status is Status.VIOLATED:
        parts = [sentence(alert.message), f"Breaks {control.id} ({control.title})."]
    else:
        parts = [sentence(f"{control.title} ({control.id}) is missing: {alert.message}"),
                 params_sentence(alert.requirement)]
    parts.append(requirement_sentence(alert.tickets, alert.frameworks, alert.requirement, alert.mandatory))
    return {
        "type": "issue",
        "check_name": f"vibeward.{control.id}",
        "description": " ".join(part for part in parts if part),
        "categories": ["Security"],
        "severity": severity(alert),
        "fingerprint": alert.fingerprint,
        "location": {"path": alert.path, "lines": {"begin": alert.start_line, "end": alert.end_line}},
    }
