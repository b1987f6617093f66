"""Requirements + findings -> TraceResult nodes and a verdict.

Each requirement gets one status: implemented, missing, violated, manual or waived.
A found parameter weaker than the requirement (bcrypt cost 10 < 12) is a violation.
"""
from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import replace

from tracer.model import (
    ENFORCEMENT_MODES,
    ChangeSet,
    EnforcementPolicy,
    Finding,
    Location,
    Param,
    Requirement,
    RequirementSet,
    ScanResult,
    Status,
    TraceNode,
    Verdict,
    Waiver,
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


def build_nodes(
    requirements: RequirementSet,
    scan: ScanResult,
    changes: ChangeSet | None = None,
    policy: EnforcementPolicy | None = None,
    prefix: str = "",
) -> tuple[TraceNode, ...]:
    """One node per requirement; with a change, each location says whether the change wrote it,
    and with a policy, each node carries its enforcement mode. `prefix` is the scanned folder
    relative to the repository top (path-scoped waivers name paths from the top)."""
    by_control: dict[str, list[Finding]] = {}
    for finding in scan.findings:
        by_control.setdefault(finding.control, []).append(finding)
    nodes = tuple(
        _node(req, by_control.get(req.control.id, []), scan, prefix, changes) for req in requirements.requirements
    )
    omitted = dict(scan.omitted)
    if omitted:
        nodes = tuple(
            replace(node, locations_omitted=omitted.get(node.requirement.control.id, 0)) if node.locations else node
            for node in nodes
        )
    if policy is not None:
        nodes = tuple(replace(node, enforcement=policy.mode_for(node.requirement)) for node in nodes)
    return nodes


def _location(finding: Finding, changes: ChangeSet | None, message: str = "") -> Location:
    """Where a finding is; with a change, whether the change wrote those lines."""
    return Location(
        path=finding.path,
        start_line=finding.start_line,
        end_line=finding.end_line,
        rule=finding.rule,
        snippet=finding.snippet,
        message=message or finding.message,
        in_change=changes is not None and changes.touches(finding.path, finding.start_line, finding.end_line),
    )


def _node(
    requirement: Requirement,
    findings: Sequence[Finding],
    scan: ScanResult,
    prefix: str = "",
    changes: ChangeSet | None = None,
) -> TraceNode:
    evidence = [f for f in findings if f.kind == "evidence"]
    violations = [_location(f, changes) for f in findings if f.kind == "violation"]
    locations: list[Location] = []
    for finding in evidence:
        weaker = _weaker_param(finding, requirement.params)
        if weaker:
            violations.append(_location(finding, changes, weaker))
        else:
            locations.append(_location(finding, changes))
    control = requirement.control
    waiver = requirement.waiver
    set_aside = ""
    if waiver is not None and waiver.paths and not waiver.covers(prefix or "."):
        # A path-scoped waiver covers only the violations in its paths; the rest still count.
        kept = [v for v in violations if not waiver.covers(f"{prefix}/{v.path}" if prefix else v.path)]
        if len(kept) < len(violations):
            set_aside = f"{len(violations) - len(kept)} violation(s) under {', '.join(waiver.paths)} waived: "
            set_aside += _waiver_note(waiver)
        violations, waiver = kept, None
    if waiver is not None:
        return TraceNode(requirement, Status.WAIVED, tuple(locations), tuple(violations), _waiver_note(waiver))
    if control.verification == "manual":
        return TraceNode(requirement, Status.MANUAL, tuple(locations), (), _sign_off(requirement))
    if violations:
        return TraceNode(requirement, Status.VIOLATED, tuple(locations), tuple(violations), set_aside)
    if locations:
        return TraceNode(requirement, Status.IMPLEMENTED, tuple(locations), (), set_aside)
    if control.check == "absence":
        return TraceNode(
            requirement, Status.IMPLEMENTED, (), (), f"no violation found in {scan.files_scanned} scanned files"
        )
    if control.id not in scan.covered_controls:
        # Nothing can look for it in these languages: a reviewer signs it off (or the code is
        # annotated), rather than a pass or a fail the engine could not have earned.
        languages = ", ".join(scan.languages) or "these files"
        note = f"no rule for {languages} yet: needs a reviewer's sign-off, or annotate the implementing line"
        if requirement.attestation is not None:
            note = f"no rule for {languages} yet; {_sign_off(requirement)}"
        return TraceNode(requirement, Status.MANUAL, (), (), note)
    missing = "no implementation found" + (f"; {set_aside}" if set_aside else "")
    return TraceNode(requirement, Status.MISSING, (), (), missing)


def _waiver_note(waiver: Waiver) -> str:
    note = waiver.reason + (f" (approved by {waiver.approver})" if waiver.approver else "")
    return note + (f", expires {waiver.expires}" if waiver.expires else "")


def _sign_off(requirement: Requirement) -> str:
    """Who attested a manual control, or that it still needs a reviewer."""
    attestation = requirement.attestation
    if attestation is None:
        return "needs a reviewer's sign-off"
    note = f": {attestation.note}" if attestation.note else ""
    return f"attested by {attestation.who} on {attestation.when}{note}"


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
    """A captured value as a number: `900`, `"15"`, `15_000`, or plain arithmetic like `60 * 30`."""
    cleaned = text.strip().strip("\"'").replace("_", "")
    try:
        return float(cleaned)
    except ValueError:
        pass
    try:
        tree = ast.parse(cleaned, mode="eval")
    except (SyntaxError, ValueError):
        return None
    return _arithmetic(tree.body)


def _arithmetic(node: ast.expr) -> float | None:
    """Numbers with + - * / only; anything else (names, calls) is not a value we can compare."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = _arithmetic(node.left), _arithmetic(node.right)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        operations = {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}
        return operations.get(type(node.op), left / right if right else None)
    return None


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def verdict(nodes: Sequence[TraceNode], enforcement: str = "block", *, new_only: bool = False) -> Verdict:
    """Fails only on a mandatory requirement that is missing or violated and enforced as `block`.

    enforcement is the global mode, for nodes that carry none. With new_only (a diff-aware
    check), a violation counts only on a line the change adds or modifies; a requirement
    violated only on untouched lines is reported as pre-existing and does not fail.
    """
    counts = {status: sum(1 for n in nodes if n.status is status) for status in Status}

    def mode(node: TraceNode) -> str:
        return node.enforcement or enforcement

    def pre_existing(node: TraceNode) -> bool:
        return new_only and node.status is Status.VIOLATED and not any(v.in_change for v in node.violations)

    failing_nodes = [
        n
        for n in nodes
        if n.requirement.mandatory and n.status in (Status.MISSING, Status.VIOLATED) and not pre_existing(n)
    ]
    blocking = sum(1 for n in failing_nodes if mode(n) == "block")
    old = sum(1 for n in nodes if n.requirement.mandatory and pre_existing(n))
    parts = [
        f"{counts[status]} {status.value}"
        for status in (Status.IMPLEMENTED, Status.MISSING, Status.VIOLATED, Status.MANUAL, Status.WAIVED)
        if counts[status]
    ]
    suffix = f" ({old} pre-existing, not blocking)" if old else ""
    if not nodes:
        summary = "PASS  no security requirements for this ticket"
    elif blocking:
        summary = "FAIL  " + " · ".join(parts) + suffix
    elif failing_nodes:
        modes = ", ".join(sorted({mode(n) for n in failing_nodes}, key=ENFORCEMENT_MODES.index))
        summary = f"WARN  {' · '.join(parts)} (enforcement: {modes}, not blocking)" + suffix
    else:
        summary = "PASS  " + " · ".join(parts) + suffix
    modes_in_effect = [mode(n) for n in nodes] or [enforcement]
    return Verdict(
        passed=not blocking,
        implemented=counts[Status.IMPLEMENTED],
        missing=counts[Status.MISSING],
        violated=counts[Status.VIOLATED],
        manual=counts[Status.MANUAL],
        waived=counts[Status.WAIVED],
        summary=summary,
        mode=max(modes_in_effect, key=_strength),
        pre_existing=old,
        new_only=new_only,
    )


def _strength(mode: str) -> int:
    return ENFORCEMENT_MODES.index(mode) if mode in ENFORCEMENT_MODES else len(ENFORCEMENT_MODES)
