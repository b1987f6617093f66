"""`vibeward validate`: is a ticket's requirement set complete and consistent?

A cross-check of what `requirements.derive` produced, recomputed from the catalog: every
active framework's mandatory controls are present, parameters meet the standards' floors,
no conflict is left unresolved, no waiver has expired, and the security baseline (OWASP)
for the ticket's indicators is there. Problems fail validation (exit 1); warnings do not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracer.catalog import Catalog
from tracer.config import OrgConfig
from tracer.model import Classification, Control, Requirement, RequirementSet, Ticket
from tracer.requirements import configured_controls, in_force, weaker_than_floor

SCHEMA = "vibeward.validation/v1"


@dataclass(frozen=True)
class Problem:
    kind: str  # missing_control | not_mandatory | below_floor | unresolved_conflict | expired_waiver | missing_baseline
    message: str
    control: str = ""


@dataclass(frozen=True)
class Validation:
    ticket: Ticket
    as_of: str
    frameworks: tuple[str, ...]
    checked: int  # requirements checked
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def validate(
    ticket: Ticket,
    classification: Classification,
    required: RequirementSet,
    config: OrgConfig,
    catalog: Catalog,
    today: date,
) -> Validation:
    iso_today = today.isoformat()
    by_id = {r.control.id: r for r in required.requirements}
    problems: list[Problem] = []
    warnings: list[str] = []
    indicators = set(classification.indicator_names)
    active = tuple(name for name in classification.framework_names)
    configured = configured_controls(config, active, catalog)
    for framework in active:
        for control in catalog.controls:
            asked = framework in control.required_by and bool(indicators & set(control.indicators))
            asked = asked and in_force(control, framework, iso_today)
            if not asked and framework not in configured.get(control.id, ()):
                continue
            problems.extend(_presence(framework, control, by_id))
    if classification.security_relevant:
        for control in catalog.controls:
            baseline = any(c.source in {"ASVS", "TOP10"} for c in control.citations)
            if baseline and indicators & set(control.indicators) and control.id not in by_id:
                problems.append(
                    Problem("missing_baseline", f"{control.id} is security baseline (OWASP) for this ticket's "
                            f"{', '.join(sorted(indicators & set(control.indicators)))} but is missing", control.id)
                )
    for requirement in required.requirements:
        for param in requirement.params:
            if weaker_than_floor(param):
                assert param.floor is not None
                problems.append(
                    Problem(
                        "below_floor",
                        f"{requirement.control.id}: {param.name} = {param.value} (set by {param.set_by}) is weaker "
                        f"than {param.floor.value}, the floor of {param.floor.citation}",
                        requirement.control.id,
                    )
                )
        manual = requirement.control.verification == "manual"
        if manual and requirement.waiver is None and requirement.attestation is None:
            warnings.append(f"{requirement.control.id} is a manual control with no attestation yet")
    for conflict in required.conflicts:
        if not conflict.resolved:
            head = conflict.description.split(". ", 1)[0]
            message = f"conflict {conflict.id} ({', '.join(conflict.controls)}): {head}; {conflict.resolution}"
            problems.append(Problem("unresolved_conflict", message, ",".join(conflict.controls)))
    for use in required.waivers:
        waiver = use.waiver
        if use.status == "expired":
            problems.append(
                Problem(
                    "expired_waiver",
                    f"{waiver.where or 'waivers'}: the waiver of {waiver.control} expired on {waiver.expires} "
                    f"(owner {waiver.owner or 'not named'}); renew it or implement the control",
                    waiver.control,
                )
            )
        elif use.status == "applied" and not waiver.expires:
            warnings.append(f"{waiver.where or 'waivers'}: the waiver of {waiver.control} never expires")
    return Validation(
        ticket=ticket,
        as_of=required.as_of or iso_today,
        frameworks=active,
        checked=len(required.requirements),
        problems=tuple(dict.fromkeys(problems)),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _presence(framework: str, control: Control, by_id: dict[str, Requirement]) -> list[Problem]:
    requirement = by_id.get(control.id)
    cite = next((c.ref for c in control.citations if c.source == framework and not c.general), framework)
    if requirement is None:
        message = f"{framework} requires {control.id} ({cite}) but it is not among the requirements"
        return [Problem("missing_control", message, control.id)]
    if not requirement.mandatory:
        return [Problem("not_mandatory", f"{framework} makes {control.id} mandatory ({cite})", control.id)]
    if framework not in requirement.frameworks:
        message = f"{control.id} does not list {framework}, which requires it ({cite})"
        return [Problem("missing_control", message, control.id)]
    return []


def render_text(result: Validation) -> str:
    ticket = result.ticket
    title = " ".join("".join(ch if ch.isprintable() else " " for ch in ticket.title).split())
    key = " ".join("".join(ch if ch.isprintable() else " " for ch in ticket.key).split())
    lines = [f"{key}  {title}", f"As of {result.as_of} · frameworks: {', '.join(result.frameworks) or 'none'}"]
    lines.extend(f"✗ {problem.message}" for problem in result.problems)
    lines.extend(f"warning  {warning}" for warning in result.warnings)
    if result.passed:
        lines.append(
            f"PASS  {result.checked} requirements: mandatory controls present, parameters meet the standards' "
            "floors, no unresolved conflict, no expired waiver, baseline present"
        )
    else:
        lines.append(f"FAIL  {len(result.problems)} problem(s) in {result.checked} requirements")
    return "\n".join(lines) + "\n"


def as_dict(result: Validation) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "ticket": {"key": result.ticket.key, "title": result.ticket.title},
        "as_of": result.as_of,
        "frameworks": list(result.frameworks),
        "passed": result.passed,
        "checked": result.checked,
        "problems": [{"kind": p.kind, "control": p.control, "message": p.message} for p in result.problems],
        "warnings": list(result.warnings),
    }
