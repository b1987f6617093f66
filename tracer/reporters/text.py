"""The terminal tree: requirement -> file:line, one line per requirement and location."""
from __future__ import annotations

from typing import TYPE_CHECKING

from tracer.model import Status, TraceNode, TraceResult, WaiverUse
from tracer.reporters.common import STATUS_MARK, headline_citations, param_text

if TYPE_CHECKING:
    from tracer.reporters import RenderOptions

_COLORS = {
    Status.IMPLEMENTED: "\033[32m",
    Status.MISSING: "\033[31m",
    Status.VIOLATED: "\033[31;1m",
    Status.MANUAL: "\033[33m",
    Status.WAIVED: "\033[36m",
}
_RESET = "\033[0m"
_NAME_WIDTH = 32
MAX_LOCATIONS = 3


def render(result: TraceResult, options: RenderOptions) -> str:
    lines = _header(result)
    nodes = result.nodes
    for index, node in enumerate(nodes):
        last = index == len(nodes) - 1
        lines.extend(_node_lines(node, last, options.color))
    for conflict in result.conflicts:
        # The title (before the first colon) and the outcome; the full text is in markdown and JSON.
        title = conflict.description.split(":", 1)[0]
        state = f"resolved ({conflict.resolved_by})" if conflict.resolved else "UNRESOLVED"
        lines.append(f"conflict  {title}: {state}: {conflict.resolution}")
    lines.extend(_waiver_line(use) for use in result.waivers)
    lines.extend(f"warning  {warning}" for warning in result.warnings)
    lines.extend(f"engine error  {error}" for error in result.scan.errors)
    verdict = result.verdict.summary
    if options.color:
        color = "\033[32;1m" if result.verdict.passed else "\033[31;1m"
        verdict = f"{color}{verdict}{_RESET}"
    lines.append(verdict)
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    # Ticket text is untrusted: no control characters or line breaks reach the terminal.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _waiver_line(use: WaiverUse) -> str:
    waiver = use.waiver
    who = f"owner {waiver.owner or '-'}, approver {waiver.approver or '-'}, expires {waiver.expires or 'never'}"
    note = f" ({use.note})" if use.note else ""
    return f"waiver  {waiver.control} {use.status.replace('_', ' ')}{note}: {_one_line(waiver.reason)} [{who}]"


def _header(result: TraceResult) -> list[str]:
    lines = []
    if result.ticket is not None:
        lines.append(f"{_one_line(result.ticket.key)}  {_one_line(result.ticket.title)}")
    else:
        lines.append("Controls requested directly (no ticket)")
    classification = result.classification
    if classification is not None:
        frameworks = []
        for hit in classification.frameworks:
            evidence = hit.evidence[0] if hit.evidence else None
            why = f'({evidence.field}: "{_one_line(evidence.text)}")' if evidence else f"({hit.reason})"
            frameworks.append(f"{hit.name} {why}")
        risk = classification.risk
        shown = "   ".join(frameworks) if frameworks else "none"
        lines.append(f"Frameworks  {shown}        Risk {risk.score:.1f}/10 {risk.level}")
        if risk.actions:
            lines.append(f"Actions     {', '.join(risk.actions)}")
    if result.as_of:
        lines.append(f"As of       {result.as_of} (citations in force on that date)")
    scan = result.scan
    if scan.engine:
        langs = ", ".join(scan.languages) or "no supported language"
        lines.append(f"Scanned     {scan.files_scanned} files ({langs}), {scan.rules_run} rules, one semgrep process")
    return lines


def _node_lines(node: TraceNode, last: bool, color: bool) -> list[str]:
    branch, stem = ("└── ", "    ") if last else ("├── ", "│   ")
    control = node.requirement.control
    mark = STATUS_MARK[node.status]
    name = control.id.ljust(_NAME_WIDTH)
    if node.status is Status.IMPLEMENTED:
        detail = " · ".join(c.ref for c in headline_citations(node.requirement))
        if not node.locations and node.note:
            detail = f"{detail}   ({node.note})"
    elif node.status is Status.VIOLATED:
        first = node.violations[0]
        detail = f"violated: {first.path}:{first.start_line} {first.message}"
    else:
        detail = f"{node.status.value}: {node.note}"
    head = f"{mark} {name}{detail}"
    if color:
        head = f"{_COLORS[node.status]}{mark}{_RESET} {name}{detail}"
    lines = [branch + head]
    children: list[str] = []
    # The terminal shows the parameters a framework or the policy set; JSON has them all.
    for param in node.requirement.params:
        if param.value != "" and (param.is_policy or (param.floor is not None and param.floor.framework)):
            children.append(f"param  {param_text(param)}")
    shown_violations = node.violations[1:] if node.status is Status.VIOLATED else node.violations
    for location in shown_violations:
        children.append(f"! {location.path}:{_span(location.start_line, location.end_line)}  {location.message}")
    for location in node.locations[:MAX_LOCATIONS]:
        where = f"{location.path}:{_span(location.start_line, location.end_line)}"
        children.append(f"{where.ljust(_NAME_WIDTH - 2)}  {location.message}")
    more = len(node.locations) + node.locations_omitted - MAX_LOCATIONS
    if more > 0:
        where = "--format json --all-locations" if node.locations_omitted else "--format json"
        children.append(f"… {more} more ({where} lists every location)")
    for index, child in enumerate(children):
        twig = "└── " if index == len(children) - 1 else "├── "
        lines.append(stem + twig + child)
    return lines


def _span(start: int, end: int) -> str:
    return str(start) if end <= start else f"{start}-{end}"
