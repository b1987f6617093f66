"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

One run per document, whatever the number of tickets: GitHub rejects a file with two runs of the
same tool and category, and one stable category (`vibeward`) lets a pull request's alerts be
compared with its base branch. A rule is a control (`vibeward/<control_id>`) and holds catalog
text only; ticket keys and the frameworks in scope go into each result's message. Which trace
nodes become results, and their fingerprints, is decided in `alerts.py`. docs/output-formats.md
explains the mapping.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tracer import __version__
from tracer.model import FRAMEWORKS, Citation, Control, ParamSpec, Status, TraceResult
from tracer.reporters.alerts import (
    Alert,
    Unanchored,
    collect,
    dump_json,
    one_line,
    params_sentence,
    repo_path,
    requirement_sentence,
    sentence,
    ticket_label,
)

if TYPE_CHECKING:
    from tracer.reporters import RenderOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"  # the URI GitHub's docs give
INFORMATION_URI = "https://pypi.org/project/vibeward/"
CATEGORY = "vibeward"
RULE_PREFIX = "vibeward/"
# GitHub's limits (docs: SARIF support for code scanning): past them the upload is rejected.
MAX_RESULTS = 25_000
MAX_TAGS = 20
MAX_DESCRIPTION = 1024
MAX_NAME = 255
# security-severity bands: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_RULE_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "warning"}
# The part of a framework citation that names the section: "PCI DSS v4.0.1 8.3.2" -> "8.3.2".
_SECTION = {
    "PCI-DSS": re.compile(r"^PCI DSS v[\d.]+ (?P<s>\S+)$"),
    "HIPAA": re.compile(r"^45 CFR (?P<s>\S+)$"),
    "GDPR": re.compile(r"^GDPR (?P<s>Art\.) ?(?P<n>\S+)$"),
    "SOC2": re.compile(r"^SOC 2 TSC (?P<s>\S+)$"),
    "SOX": re.compile(r"^(?P<s>ITGC-[A-Z]+)$"),
}
_CWE = re.compile(r"^CWE-(\d+)$")
_AUTOMATION_ID = re.compile(r"[^A-Za-z0-9._-]+")


def render(result: TraceResult, options: RenderOptions) -> str:
    del options
    return render_set([result])


def render_set(results: Sequence[TraceResult]) -> str:
    """One SARIF log with one run holding every ticket's results."""
    return dump_json(sarif_log(results))


def sarif_log(results: Sequence[TraceResult]) -> dict[str, Any]:
    alerts = collect(results)
    controls: dict[str, Control] = {}
    for alert in alerts.anchored:
        controls.setdefault(alert.control.id, alert.control)
    for missing in alerts.unanchored:
        controls.setdefault(missing.control.id, missing.control)
    index = {control_id: i for i, control_id in enumerate(controls)}
    kept = alerts.anchored[:MAX_RESULTS]  # most important first (alerts.importance)
    notifications = [_unanchored_notification(m, index[m.control.id]) for m in alerts.unanchored]
    if len(alerts.anchored) > len(kept):
        notifications.append(_notification(
            "warning",
            f"{len(alerts.anchored) - len(kept)} more results left out: GitHub accepts at most "
            f"{MAX_RESULTS} per run. The JSON report has them all.",
        ))
    for result in results:
        notifications.extend(_notification("warning", f"{ticket_label(result)}: {w}") for w in result.warnings)
        notifications.extend(_notification("error", f"engine: {e}") for e in result.scan.errors)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "vibeward",
                "informationUri": INFORMATION_URI,
                "version": __version__,
                "rules": [_rule(control) for control in controls.values()],
            }
        },
        "automationDetails": {"id": _automation_id(results)},
        "invocations": [
            {
                "executionSuccessful": not any(r.scan.errors for r in results),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(alert, index[alert.control.id]) for alert in kept],
        "properties": {
            "tickets": [_ticket(r) for r in results],
            "passed": all(r.verdict.passed for r in results),
            "missingWithoutLocation": [
                {"control": RULE_PREFIX + m.control.id, "tickets": list(m.tickets)} for m in alerts.unanchored
            ],
            "resultsLeftOut": len(alerts.anchored) - len(kept),
        },
    }
    provenance = next(((r.repo_url, r.commit) for r in results if r.repo_url and r.commit), None)
    if provenance is not None:
        run["versionControlProvenance"] = [{"repositoryUri": provenance[0], "revisionId": provenance[1]}]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def rule_id(control: Control) -> str:
    return RULE_PREFIX + control.id


def _automation_id(results: Sequence[TraceResult]) -> str:
    """`category/run-id`: the category is `vibeward` (plus the checked folder), the run the ticket keys."""
    root = next((repo_path(r.root, "") for r in results if repo_path(r.root, "")), "")
    category = f"{CATEGORY}/{root}" if root else CATEGORY
    keys = [_AUTOMATION_ID.sub("_", r.ticket.key) for r in results if r.ticket is not None]
    return f"{category}/{'+'.join(k for k in keys if k) or 'controls'}"


def _ticket(result: TraceResult) -> dict[str, Any]:
    ticket = result.ticket
    data: dict[str, Any] = {"key": ticket_label(result), "verdict": result.verdict.summary}
    if ticket is not None:
        data["title"] = one_line(ticket.title)
        if ticket.url.startswith(("https://", "http://")):
            data["url"] = one_line(ticket.url)
    return data


def _result(alert: Alert, rule_index: int) -> dict[str, Any]:
    control = alert.control
    if alert.status is Status.VIOLATED:
        first = sentence(alert.message)
        detail = f"Breaks {control.id} ({control.title})."
    else:
        first = sentence(f"{control.title} ({control.id}) is missing: {alert.message}")
        detail = params_sentence(alert.requirement)
    text = " ".join(
        part for part in (
            first, detail, requirement_sentence(alert.tickets, alert.frameworks, alert.requirement, alert.mandatory)
        ) if part
    )
    region: dict[str, Any] = {"startLine": alert.start_line, "endLine": alert.end_line}
    if alert.snippet:
        region["snippet"] = {"text": alert.snippet}
    properties: dict[str, Any] = {
        "tickets": list(alert.tickets),
        "frameworks": list(alert.frameworks),
        "status": alert.status.value,
        "mandatory": alert.mandatory,
    }
    if alert.rule:
        properties["engineRule"] = alert.rule
    return {
        "ruleId": rule_id(control),
        "ruleIndex": rule_index,
        "level": "error" if alert.mandatory else "warning",
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(alert.path, safe="/")},
                    "region": region,
                }
            }
        ],
        # GitHub's own format is "<hash>:<n>"; only this key is used, and it holds no line number.
        "partialFingerprints": {"primaryLocationLineHash": f"{alert.digest[:16]}:{alert.occurrence}"},
        "properties": properties,
    }


def _unanchored_notification(missing: Unanchored, rule_index: int) -> dict[str, Any]:
    control = missing.control
    text = " ".join(
        part for part in (
            sentence(f"{control.title} ({control.id}) is missing: {missing.note}"),
            requirement_sentence(missing.tickets, missing.frameworks, missing.requirement, True),
            "No file to attach it to, so it is not a code scanning alert; it still counts against the verdict.",
        ) if part
    )
    notification = _notification("error", text)
    notification["associatedRule"] = {"id": rule_id(control), "index": rule_index}
    return notification


def _notification(level: str, text: str) -> dict[str, Any]:
    return {"level": level, "message": {"text": one_line(text)}}


def _rule(control: Control) -> dict[str, Any]:
    severity = control.severity
    return {
        "id": rule_id(control),
        "name": _clip("".join(word.capitalize() for word in control.id.split("_")), MAX_NAME),
        "shortDescription": {"text": _clip(control.title, MAX_DESCRIPTION)},
        "fullDescription": {"text": _clip(control.statement, MAX_DESCRIPTION)},
        "help": {"text": _help_text(control), "markdown": _help_markdown(control)},
        "defaultConfiguration": {"level": _RULE_LEVEL.get(severity, "warning")},
        "properties": {
            "tags": tags(control),
            # Each rule ships with annotated true- and false-positive targets (semgrep --test).
            "precision": "high",
            "security-severity": SECURITY_SEVERITY.get(severity, SECURITY_SEVERITY["medium"]),
        },
    }


def tags(control: Control) -> list[str]:
    """`security`, the frameworks, their sections (`PCI-DSS-8.3.2`) and CWEs, at most 20."""
    found = ["security", "compliance"]
    found.extend(f for f in FRAMEWORKS if f in control.required_by)
    found.extend(_framework_tag(c) for c in control.citations)
    for citation in control.citations:
        match = _CWE.match(citation.ref) if citation.source == "CWE" else None
        if match:  # the form GitHub links to the CWE entry
            found.append(f"external/cwe/cwe-{int(match.group(1)):03d}")
    unique = list(dict.fromkeys(t for t in found if t))
    return unique[:MAX_TAGS]


def _framework_tag(citation: Citation) -> str:
    pattern = _SECTION.get(citation.source)
    match = pattern.match(citation.ref) if pattern and not citation.general else None
    if match is None:
        return ""
    return f"{citation.source}-{''.join(match.groups())}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _floor_lines(params: Sequence[ParamSpec]) -> list[str]:
    lines: list[str] = []
    for spec in params:
        sign = {"higher": "≥", "lower": "≤", "newer": "≥"}.get(spec.stricter, "=")
        unit = f" {spec.unit}" if spec.unit else ""
        lines.extend(f"{spec.name} {sign} {floor.value}{unit} ({floor.citation})" for floor in spec.floors)
    return lines


def _help_sections(control: Control) -> dict[str, str]:
    fix = (
        "Where a result points at code, change that code: the message names what the rule found and, "
        "for a parameter, the value required. Where the control is reported missing, implement it in "
        "the code this ticket changes."
    )
    if control.check == "absence":
        fix = "Change the flagged code so the pattern no longer occurs: the message names what the rule found."
    annotate = (
        "If the control is implemented in a way the rules do not recognise, mark the implementing line "
        f"with a comment (any syntax: #, //, /* */, --): `vibeward: implements {control.id}`. "
        "An annotation records an implementation; it does not silence a violation."
    )
    waive = (
        "If the risk is accepted, record a waiver with its reason, owner, approver and expiry date in "
        f"compliance-config.yml (`waivers: - control: {control.id}`). A waived control is reported "
        "as waived, never as implemented."
    )
    return {"fix": fix, "annotate": annotate, "waive": waive}


def _help_text(control: Control) -> str:
    sections = _help_sections(control)
    lines = [control.statement, ""]
    if control.required_by:
        lines.append("Required by: " + ", ".join(control.required_by) + " (when the ticket brings them in scope).")
    if control.citations:
        lines.append("Citations: " + " · ".join(c.printed() for c in control.citations) + ".")
    floors = _floor_lines(control.params)
    if floors:
        lines.append("Standard floors: " + "; ".join(floors) + ". Your organisation's values are in each result.")
    lines.extend(["", "How to fix: " + sections["fix"], "", "How to annotate: " + sections["annotate"],
                  "", "How to waive: " + sections["waive"]])
    return "\n".join(lines)


def _help_markdown(control: Control) -> str:
    sections = _help_sections(control)
    lines = [f"**{control.title}** (`{control.id}`, severity {control.severity})", "", control.statement, ""]
    if control.required_by:
        lines.append("**Required by:** " + ", ".join(control.required_by) + " (when the ticket brings them in scope)")
        lines.append("")
    if control.citations:
        lines.extend(["**Citations**", ""])
        lines.extend(f"- {c.printed()}" for c in control.citations)
        lines.append("")
    floors = _floor_lines(control.params)
    if floors:
        lines.extend(["**Standard floors** (your organisation's values are in each result)", ""])
        lines.extend(f"- {floor}" for floor in floors)
        lines.append("")
    lines.extend([
        "### How to fix", "", sections["fix"], "",
        "### How to annotate", "", sections["annotate"], "",
        "```", f"# vibeward: implements {control.id}", "```", "",
        "### How to waive", "", sections["waive"], "",
        "```yaml",
        "waivers:",
        f"  - control: {control.id}",
        "    reason: why the risk is accepted",
        "    owner: team-name",
        "    approver: security-lead",
        "    expires: 2027-06-30",
        "```",
    ])
    return "\n".join(lines)
