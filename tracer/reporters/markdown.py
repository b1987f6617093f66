"""Markdown for a PR comment: summary first, each requirement's details collapsible.

Ticket text is untrusted: it is escaped so it cannot inject HTML, links or @mentions.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tracer.model import Location, Status, TraceNode, TraceResult
from tracer.reporters.common import STATUS_MARK, headline_citations, param_text

if TYPE_CHECKING:
    from tracer.reporters import RenderOptions

MARKER = "<!-- vibeward:trace -->"
_STATUS_ICON = {
    Status.IMPLEMENTED: "✅",
    Status.MISSING: "❌",
    Status.VIOLATED: "⛔",
    Status.MANUAL: "📝",
    Status.WAIVED: "⏭️",
}
# Inline Markdown only needs its structural characters escaped; HTML is entity-encoded first.
_ESCAPE = re.compile(r"([\\`*_{}\[\]|~])")
TRUNCATION_NOTE = "\n\n_… truncated: the full trace is in the job summary and the JSON report._\n"


def escape(text: str) -> str:
    """Inline-safe Markdown: no HTML, no links, no @mentions, no line breaks."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _ESCAPE.sub(r"\\\1", text)
    return text.replace("@", "&#64;")


def render(result: TraceResult, options: RenderOptions) -> str:
    parts = [MARKER, _summary(result), _table(result)]
    details = [_details(node, result) for node in result.nodes]
    parts.extend(d for d in details if d)
    parts.append(_conflicts(result))
    parts.append(_waivers(result))
    parts.append(_footer(result))
    body = "\n\n".join(p for p in parts if p) + "\n"
    if options.max_chars and len(body) > options.max_chars:
        body = body[: options.max_chars - len(TRUNCATION_NOTE)] + TRUNCATION_NOTE
    return body


def _summary(result: TraceResult) -> str:
    verdict = result.verdict
    icon = "✅" if verdict.passed else "❌"
    title = "vibeward: " + ("passed" if verdict.passed else "failed")
    lines = [f"### {icon} {title}"]
    if result.ticket is not None:
        ticket = result.ticket
        key = escape(ticket.key)
        linked = f"[{key}]({ticket.url})" if ticket.url.startswith(("https://", "http://")) else key
        lines.append(f"**{linked}** {escape(ticket.title)}")
    classification = result.classification
    if classification is not None:
        frameworks = ", ".join(escape(h.name) for h in classification.frameworks) or "none"
        risk = classification.risk
        as_of = f" · as of {escape(result.as_of)}" if result.as_of else ""
        lines.append(f"Frameworks: **{frameworks}** · Risk **{risk.score:.1f}/10 {risk.level}**{as_of}")
    lines.append(f"`{verdict.summary}`")
    return "\n\n".join(lines)


def _table(result: TraceResult) -> str:
    if not result.nodes:
        return "_No security requirements apply to this ticket._"
    rows = ["| | Requirement | Status | Where | Citations |", "|---|---|---|---|---|"]
    for node in result.nodes:
        control = node.requirement.control
        where = ""
        shown = node.violations or node.locations
        if shown:
            where = _link(shown[0], result)
            if len(shown) > 1:
                where += f" (+{len(shown) - 1})"
        citations = " · ".join(c.ref for c in headline_citations(node.requirement))
        rows.append(
            f"| {_STATUS_ICON[node.status]} | `{control.id}` {escape(control.title)} | {node.status.value} "
            f"| {where} | {citations} |"
        )
    return "\n".join(rows)


def _link(location: Location, result: TraceResult) -> str:
    span = str(location.start_line) if location.end_line <= location.start_line else (
        f"{location.start_line}-{location.end_line}"
    )
    label = f"`{location.path}:{span}`"
    if not result.repo_url or not result.commit:
        return label
    full = f"{result.root}/{location.path}" if result.root else location.path
    anchor = f"#L{location.start_line}" + (
        f"-L{location.end_line}" if location.end_line > location.start_line else ""
    )
    return f"[{label}]({result.repo_url}/blob/{result.commit}/{full}{anchor})"


def _details(node: TraceNode, result: TraceResult) -> str:
    requirement = node.requirement
    control = requirement.control
    lines = [
        f"<details><summary>{STATUS_MARK[node.status]} <code>{control.id}</code> — {node.status.value}</summary>",
        "",
        control.statement,  # catalog text, ours
        "",
    ]
    if requirement.citations:
        lines.append("Citations: " + " · ".join(c.printed() for c in requirement.citations))
        lines.append("")
    if requirement.frameworks:
        lines.append("Required by: " + ", ".join(requirement.frameworks))
        lines.append("")
    lines.extend(f"- {param_text(param)}" for param in requirement.params if param.value != "")
    for location in node.violations:
        lines.append(f"- ⛔ {_link(location, result)} {escape(location.message)}")
    for location in node.locations:
        lines.append(f"- {_link(location, result)} {escape(location.message)}")
    if node.locations_omitted:
        lines.append(f"- … and {node.locations_omitted} more of the same kind (`--all-locations` lists them)")
    if node.note:
        lines.append(f"- {escape(node.note)}")
    lines.extend(["", "</details>"])
    return "\n".join(lines)


def _conflicts(result: TraceResult) -> str:
    if not result.conflicts:
        return ""
    lines = ["**Conflicts**", ""]
    for conflict in result.conflicts:
        state = "resolved" if conflict.resolved else "**unresolved**"
        name = f"`{escape(conflict.id)}` " if conflict.id else ""
        lines.append(f"- {name}({state}) {escape(conflict.description)}")
        lines.append(f"  - {'Resolution' if conflict.resolved else 'Choose'}: {escape(conflict.resolution)}")
    return "\n".join(lines)


def _waivers(result: TraceResult) -> str:
    """Every configured waiver, with what it did here (an auditor sees all of them)."""
    if not result.waivers:
        return ""
    rows = [
        "**Waivers**",
        "",
        "| Control | Status | Reason | Owner | Approver | Expires | Scope |",
        "|---|---|---|---|---|---|---|",
    ]
    for use in result.waivers:
        waiver = use.waiver
        scope = [f"ticket {waiver.ticket}"] if waiver.ticket else []
        scope += [f"paths {', '.join(waiver.paths)}"] if waiver.paths else []
        scope += [f"frameworks {', '.join(waiver.frameworks)}"] if waiver.frameworks else []
        status = use.status.replace("_", " ") + (f" ({use.note})" if use.note else "")
        cells = [waiver.control, status, waiver.reason, waiver.owner or "—", waiver.approver or "—",
                 waiver.expires or "none", "; ".join(scope) or "all"]
        rows.append("| " + " | ".join(escape(cell) for cell in cells) + " |")
    return "\n".join(rows)


def _footer(result: TraceResult) -> str:
    scan = result.scan
    if not scan.engine:
        return "<sub>vibeward · no scan needed</sub>"
    langs = ", ".join(scan.languages) or "none"
    return f"<sub>vibeward · {scan.files_scanned} files ({langs}) · {scan.rules_run} rules · one semgrep process</sub>"
