"""JUnit XML for GitLab (`artifacts:reports:junit`) and any CI test-report viewer.

One `<testsuite name="vibeward KEY">` per ticket inside one `<testsuites>`, one `<testcase>` per
requirement: `<failure>` when a mandatory control is missing or violated, `<skipped>` when it
is manual, waived, or advisory (not mandatory) and not met. Every missing control is here, with
or without a file, which SARIF and Code Quality cannot show. Ticket text is untrusted:
ElementTree escapes markup, and characters XML 1.0 cannot carry are replaced first.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # builds only; nothing here parses XML
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracer.model import Location, Status, TraceNode, TraceResult
from tracer.reporters.alerts import one_line, params_sentence, repo_path, requirement_sentence, ticket_label

if TYPE_CHECKING:
    from tracer.reporters import RenderOptions

# Characters outside XML 1.0's Char production (C0 controls but tab/LF/CR, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_LOCATIONS = 50  # per test case body; the JSON report has all of them


def render(result: TraceResult, options: RenderOptions) -> str:
    del options
    return render_set([result])


def render_set(results: Sequence[TraceResult]) -> str:
    """One `<testsuites>` document, one suite per ticket; the counts add up over the suites."""
    root = ET.Element("testsuites", {"name": "vibeward"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in results:
        suite = _suite(result)
        for name in totals:
            totals[name] += int(suite.get(name, "0"))
        root.append(suite)
    for name, value in totals.items():
        root.set(name, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: forbidden characters become U+FFFD (escaping is ElementTree's job)."""
    return _NOT_XML.sub("\ufffd", text)


def _attr(text: str) -> str:
    return xml_text(one_line(text))


def _suite(result: TraceResult) -> ET.Element:
    label = ticket_label(result)
    suite = ET.Element("testsuite", {"name": _attr(f"vibeward {label}")})
    properties = ET.SubElement(suite, "properties")
    ticket = result.ticket
    values = [("ticket", label)]
    if ticket is not None:
        values.append(("title", ticket.title))
        if ticket.url.startswith(("https://", "http://")):
            values.append(("url", ticket.url))
    if result.classification is not None:
        values.append(("frameworks", ", ".join(result.classification.framework_names) or "none"))
        risk = result.classification.risk
        values.append(("risk", f"{risk.score:.1f}/10 {risk.level}"))
    values.append(("verdict", result.verdict.summary))
    for name, value in values:
        ET.SubElement(properties, "property", {"name": name, "value": _attr(value)})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for node in result.nodes:
        case = _case(node, result)
        counts["tests"] += 1
        counts["failures"] += int(case.find("failure") is not None)
        counts["skipped"] += int(case.find("skipped") is not None)
        suite.append(case)
    for name, count in counts.items():
        suite.set(name, str(count))
    if result.warnings or result.scan.errors:
        err = ET.SubElement(suite, "system-err")
        err.text = xml_text("\n".join([*(f"warning: {w}" for w in result.warnings),
                                       *(f"engine error: {e}" for e in result.scan.errors)]))
    return suite


def _case(node: TraceNode, result: TraceResult) -> ET.Element:
    requirement = node.requirement
    control = requirement.control
    group = requirement.frameworks[0] if requirement.frameworks else "baseline"
    case = ET.Element("testcase", {"classname": f"vibeward.{group}", "name": control.id})
    failed = node.status in (Status.MISSING, Status.VIOLATED)
    if failed and requirement.mandatory:
        if node.violations:
            case.set("file", _attr(repo_path(result.root, node.violations[0].path)))
        failure = ET.SubElement(case, "failure", {"type": node.status.value, "message": _attr(_summary(node))})
        failure.text = xml_text(_body(node, result))
    elif failed or node.status in (Status.MANUAL, Status.WAIVED):
        prefix = "advisory, not mandatory: " if failed else ""
        ET.SubElement(case, "skipped", {"message": _attr(prefix + _summary(node))})
        out = ET.SubElement(case, "system-out")
        out.text = xml_text(_body(node, result))
    elif node.locations or node.note:
        out = ET.SubElement(case, "system-out")
        out.text = xml_text(_body(node, result))
    return case


def _summary(node: TraceNode) -> str:
    control = node.requirement.control
    if node.status is Status.VIOLATED and node.violations:
        first = node.violations[0]
        more = f" (+{len(node.violations) - 1} more)" if len(node.violations) > 1 else ""
        return f"{control.id} violated: {first.message} at {first.path}:{first.start_line}{more}"
    if node.status is Status.WAIVED:
        return f"{control.id} waived: {node.note}"
    return f"{control.id} {node.status.value}: {node.note or control.title}"


def _body(node: TraceNode, result: TraceResult) -> str:
    requirement = node.requirement
    control = requirement.control
    lines = [
        f"{control.id}: {node.status.value}" + ("" if requirement.mandatory else " (advisory)"),
        f"{control.title}: {control.statement}",
        requirement_sentence([ticket_label(result)], requirement.frameworks, requirement, requirement.mandatory),
    ]
    params = params_sentence(requirement)
    if params:
        lines.append(params)
    if requirement.reason:
        lines.append(f"Why: {requirement.reason}")
    if node.note:
        lines.append(f"Note: {node.note}")
    lines.extend(_locations("Violations", node.violations, result))
    lines.extend(_locations("Evidence", node.locations, result, node.locations_omitted))
    return "\n".join(lines) + "\n"


def _locations(title: str, locations: Sequence[Location], result: TraceResult, omitted: int = 0) -> list[str]:
    if not locations:
        return []
    lines = [f"{title}:"]
    for location in locations[:MAX_LOCATIONS]:
        span = f"{location.start_line}" + (f"-{location.end_line}" if location.end_line > location.start_line else "")
        path = repo_path(result.root, location.path)
        lines.append(f"  {path}:{span}  {one_line(location.message)}  [{location.rule}]")
        if location.snippet:
            lines.extend(f"      {line}" for line in location.snippet.splitlines())
    if len(locations) + omitted > MAX_LOCATIONS:
        lines.append(f"  … {len(locations) + omitted - MAX_LOCATIONS} more in the JSON report")
    return lines
