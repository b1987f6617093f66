"""Requirements + findings -> TraceResult nodes and a verdict.

Each requirement gets one status: implemented, missing, violated, manual or waived.
A found parameter weaker than the requirement (bcrypt cost 10 < 12) is a violation.
"""
from __future__ import annotations

from collections.abc import Sequence

from tracer.model import (
    Finding,
    Location,
    Param,
    Requirement,
    RequirementSet,
    ScanResult,
    Status,
    TraceNode,
    Verdict,
)

# Units a rule may capture a parameter in (idle_timeout_seconds for idle_timeout_minutes), and
# how they convert; durations and sizes never meet, since the parameter's base name must match.
_UNIT_FACTORS = {
    "seconds": 1,
    "minutes": 60,
    "hours": 3600,
    "days": 86400,
    "bytes": 1,
    "kb": 1024,
    "mb": 1024**2,
    "gb": 1024**3,
}


def build_nodes(requirements: RequirementSet, scan: ScanResult) -> tuple[TraceNode, ...]:
    by_control: dict[str, list[Finding]] = {}
    for finding in scan.findings:
        by_control.setdefault(finding.control, []).append(finding)
    return tuple(_node(req, by_control.get(req.control.id, []), scan) for req in requirements.requirements)


def _location(finding: Finding, message: str = "") -> Location:
    return Location(
        path=finding.path,
        start_line=finding.start_line,
        end_line=finding.end_line,
        rule=finding.rule,
        snippet=finding.snippet,
        message=message or finding.message,
    )


def _node(requirement: Requirement, findings: Sequence[Finding], scan: ScanResult) -> TraceNode:
    evidence = [f for f in findings if f.kind == "evidence"]
    violations = [_location(f) for f in findings if f.kind == "violation"]
    locations: list[Location] = []
    for finding in evidence:
        weaker = _weaker_param(finding, requirement.params)
        if weaker:
            violations.append(_location(finding, weaker))
        else:
            locations.append(_location(finding))
    control = requirement.control
    if requirement.waiver is not None:
        waiver = requirement.waiver
        note = waiver.reason + (f" (approved by {waiver.approver})" if waiver.approver else "")
        return TraceNode(requirement, Status.WAIVED, tuple(locations), tuple(violations), note)
    if control.verification == "manual":
        return TraceNode(requirement, Status.MANUAL, tuple(locations), (), "needs a reviewer's sign-off")
    if violations:
        return TraceNode(requirement, Status.VIOLATED, tuple(locations), tuple(violations), "")
    if locations:
        return TraceNode(requirement, Status.IMPLEMENTED, tuple(locations), (), "")
    if control.check == "absence":
        return TraceNode(
            requirement, Status.IMPLEMENTED, (), (), f"no violation found in {scan.files_scanned} scanned files"
        )
    if control.id not in scan.covered_controls:
        # Nothing can look for it in these languages: a reviewer signs it off (or the code is
        # annotated), rather than a pass or a fail the engine could not have earned.
        languages = ", ".join(scan.languages) or "these files"
        return TraceNode(
            requirement,
            Status.MANUAL,
            (),
            (),
            f"no rule for {languages} yet: needs a reviewer's sign-off, or annotate the implementing line",
        )
    return TraceNode(requirement, Status.MISSING, (), (), "no implementation found")


def _weaker_param(finding: Finding, params: Sequence[Param]) -> str:
    """A message when the value the rule captured is weaker than the requirement, else ''."""
    if not finding.param_name or not finding.param_value:
        return ""
    found = _number(finding.param_value)
    if found is None:
        return ""
    for param in params:
        factor = _conversion(finding.param_name, param.name)
        if factor is None:
            continue
        required = _number(str(param.value))
        if required is None:
            return ""
        found_in_unit = found * factor
        unit = f" {param.unit}" if param.unit else ""
        label = param.name.removesuffix(f"_{param.unit}").replace("_", " ")
        shown, needed = f"{_format(found_in_unit)}{unit}", f"{_format(required)}{unit}"
        if param.stricter == "lower" and found_in_unit > required:
            return f"{label} {shown} > {needed} (required, {param.set_by})"
        if param.stricter != "lower" and found_in_unit < required:
            return f"{label} {shown} < {needed} (required, {param.set_by})"
        return ""
    return ""


def _conversion(found_name: str, required_name: str) -> float | None:
    """Factor from the rule's unit to the requirement's (idle_timeout_seconds -> _minutes)."""
    if found_name == required_name:
        return 1.0
    found_base, _, found_unit = found_name.rpartition("_")
    required_base, _, required_unit = required_name.rpartition("_")
    if found_base != required_base or found_unit not in _UNIT_FACTORS or required_unit not in _UNIT_FACTORS:
        return None
    return _UNIT_FACTORS[found_unit] / _UNIT_FACTORS[required_unit]


def _number(text: str) -> float | None:
    cleaned = text.strip().strip("\"'").replace("_", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def verdict(nodes: Sequence[TraceNode], enforcement: str = "block") -> Verdict:
    counts = {status: sum(1 for n in nodes if n.status is status) for status in Status}
    failing = sum(
        1 for n in nodes if n.requirement.mandatory and n.status in (Status.MISSING, Status.VIOLATED)
    )
    parts = [
        f"{counts[status]} {status.value}"
        for status in (Status.IMPLEMENTED, Status.MISSING, Status.VIOLATED, Status.MANUAL, Status.WAIVED)
        if counts[status]
    ]
    if not nodes:
        summary = "PASS  no security requirements for this ticket"
    elif failing and enforcement == "block":
        summary = "FAIL  " + " · ".join(parts)
    elif failing:
        summary = f"WARN  {' · '.join(parts)} (enforcement: {enforcement}, not blocking)"
    else:
        summary = "PASS  " + " · ".join(parts)
    return Verdict(
        passed=not (failing and enforcement == "block"),
        implemented=counts[Status.IMPLEMENTED],
        missing=counts[Status.MISSING],
        violated=counts[Status.VIOLATED],
        manual=counts[Status.MANUAL],
        waived=counts[Status.WAIVED],
        summary=summary,
    )
