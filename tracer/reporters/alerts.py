"""What the code-scanning formats (SARIF, GitLab Code Quality) share: which trace nodes become
alerts, where they point, and fingerprints that survive moved code.

An alert needs a file and a line: GitHub shows no result without a location, and GitLab needs
`location.path`. So each violation location is an alert; a *missing* mandatory control is one
only when its node carries a location (a reporter cannot look for a file on its own). Other
missing controls are "unanchored": SARIF lists them as notifications, and the exit code, JUnit,
the PR comment and the JSON report carry them. Waived and manual nodes are never alerts: GitHub
ignores SARIF suppressions and would open an alert for an accepted risk. See
docs/output-formats.md.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracer.model import Control, Location, Requirement, Status, TraceNode, TraceResult
from tracer.reporters.common import headline_citations, param_text

NO_TICKET = "(controls requested directly)"
# Order of importance when a format must keep only the first N alerts.
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True)
class Alert:
    """One code location that breaks (or lacks) a control, for one or more tickets."""

    control: Control
    requirement: Requirement  # the first ticket's requirement (citations, params)
    status: Status  # VIOLATED or MISSING
    mandatory: bool
    tickets: tuple[str, ...]
    frameworks: tuple[str, ...]
    path: str  # relative to the repository root, '/'-separated
    start_line: int
    end_line: int
    rule: str  # the engine rule that matched ('' for a missing control)
    snippet: str
    message: str  # the rule's message, or why the control counts as missing
    digest: str  # sha256 of control, rule, path and the normalized code: no line number
    occurrence: int  # 1 for the first alert with this digest, 2 for the next, ...

    @property
    def fingerprint(self) -> str:
        """A full sha256 hex, unique in the document and stable when the code only moves."""
        return hashlib.sha256(f"{self.digest}:{self.occurrence}".encode()).hexdigest()


@dataclass(frozen=True)
class Unanchored:
    """A missing mandatory control with no file to point at."""

    control: Control
    requirement: Requirement
    tickets: tuple[str, ...]
    frameworks: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Alerts:
    anchored: tuple[Alert, ...] = ()
    unanchored: tuple[Unanchored, ...] = ()


@dataclass
class _Draft:
    node: TraceNode
    status: Status
    mandatory: bool
    path: str
    location: Location
    tickets: list[str] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)


def one_line(text: str) -> str:
    """Untrusted text on one line: control and format characters (ANSI escapes, bidi overrides) become spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def ticket_label(result: TraceResult) -> str:
    return one_line(result.ticket.key) if result.ticket is not None else NO_TICKET


def repo_path(root: str, path: str) -> str:
    """A location's path (relative to the scanned folder) made relative to the repository root."""
    parts = [p for p in (root.replace("\\", "/").split("/") + path.replace("\\", "/").split("/")) if p not in ("", ".")]
    return "/".join(parts)


def normalized_code(text: str) -> str:
    """Whitespace-insensitive code, so re-indenting or re-wrapping does not make a new alert."""
    return " ".join(text.split())


def collect(results: Sequence[TraceResult]) -> Alerts:
    """The alerts of several tickets of one change, merged where two tickets flag the same code."""
    drafts: dict[tuple[str, ...], _Draft] = {}
    unanchored: dict[str, tuple[TraceNode, list[str], list[str]]] = {}
    for result in results:
        label = ticket_label(result)
        for node in result.nodes:
            for status, location in _anchors(node):
                path = repo_path(result.root, location.path)
                key = (node.requirement.control.id, status.value, path, str(location.start_line),
                       str(location.end_line), location.rule, location.snippet, location.message)
                draft = drafts.setdefault(
                    key, _Draft(node, status, node.requirement.mandatory, path, location)
                )
                draft.mandatory = draft.mandatory or node.requirement.mandatory
                _add(draft.tickets, [label])
                _add(draft.frameworks, node.requirement.frameworks)
            if node.status is Status.MISSING and node.requirement.mandatory and not _anchors(node):
                entry = unanchored.setdefault(node.requirement.control.id, (node, [], []))
                _add(entry[1], [label])
                _add(entry[2], node.requirement.frameworks)
    seen: dict[str, int] = {}
    alerts = []
    for draft in drafts.values():  # document order, so the occurrence numbers are stable
        digest = _digest(draft)
        seen[digest] = seen.get(digest, 0) + 1
        location = draft.location
        alerts.append(
            Alert(
                control=draft.node.requirement.control,
                requirement=draft.node.requirement,
                status=draft.status,
                mandatory=draft.mandatory,
                tickets=tuple(draft.tickets),
                frameworks=tuple(draft.frameworks),
                path=draft.path,
                start_line=max(1, location.start_line),
                end_line=max(1, location.start_line, location.end_line),
                rule=location.rule,
                snippet=location.snippet,
                message=location.message if draft.status is Status.VIOLATED else (draft.node.note or "not found"),
                digest=digest,
                occurrence=seen[digest],
            )
        )
    alerts.sort(key=importance)
    return Alerts(
        anchored=tuple(alerts),
        unanchored=tuple(
            Unanchored(node.requirement.control, node.requirement, tuple(keys), tuple(frameworks),
                       node.note or "no implementation found")
            for node, keys, frameworks in unanchored.values()
        ),
    )


def importance(alert: Alert) -> tuple[int, int]:
    """Mandatory first, then by the control's severity; stable otherwise."""
    return (0 if alert.mandatory else 1, SEVERITY_RANK.get(alert.control.severity, len(SEVERITY_RANK)))


def _anchors(node: TraceNode) -> list[tuple[Status, Location]]:
    if node.status is Status.VIOLATED:
        return [(Status.VIOLATED, location) for location in node.violations]
    if node.status is Status.MISSING and node.requirement.mandatory:
        first = (node.locations or node.violations)[:1]
        return [(Status.MISSING, location) for location in first]
    return []  # implemented, manual, waived, and advisory controls found missing


def _add(target: list[str], items: Sequence[str]) -> None:
    target.extend(item for item in items if item not in target)


def _digest(draft: _Draft) -> str:
    location = draft.location
    # The code itself, or for a rule that captured no code, its message (never the line number).
    code = normalized_code(location.snippet) or normalized_code(location.message)
    if draft.status is Status.MISSING:
        code = "missing"
    parts = ("vibeward.alert/v1", draft.node.requirement.control.id, location.rule, draft.path, code)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def requirement_sentence(alert_tickets: Sequence[str], frameworks: Sequence[str], requirement: Requirement,
                         mandatory: bool) -> str:
    """`Required for PAY-101 by PCI-DSS: PCI DSS v4.0.1 6.2.4 · OWASP Top 10 A03:2021 · CWE-89.`"""
    who = ", ".join(alert_tickets)
    verb = "Required" if mandatory else "Recommended (not mandatory)"
    by = f" by {', '.join(frameworks)}" if frameworks else " as the security baseline"
    citations = " · ".join(c.ref for c in headline_citations(requirement))
    return f"{verb} for {who}{by}" + (f": {citations}." if citations else ".")


def params_sentence(requirement: Requirement) -> str:
    """`Parameters: bcrypt_cost ≥ 12 (org policy, PCI-DSS) · standard floor 10 (…).` or ''."""
    params = [param_text(p) for p in requirement.params if p.value != ""]
    return "Parameters: " + "; ".join(params) + "." if params else ""


def sentence(text: str) -> str:
    """One line that ends like a sentence (GitHub titles an alert with the message's first sentence)."""
    text = one_line(text)
    return text if text.endswith((".", "!", "?")) else f"{text}."


def dump_json(data: Any) -> str:
    """JSON that is also safe to paste into HTML or a script: `<`, `>`, `&` and line separators escaped."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text + "\n"
