"""Classification + catalog + policy -> RequirementSet.

A control is required when the ticket's indicators make it relevant and an active
framework (or the organisation's config) asks for it; security-relevant tickets with
no framework still get the relevant controls as the security baseline. Parameters are
merged strictest-wins, and each keeps who set it; the standards' floors stay apart
from the organisation's policy values.

The date of the check decides what applies: a citation (and the floor it carries) with
an `effective_from` after that date is left out, and a framework asks for a control only
through a citation in force. Conflicts that strictest-wins cannot settle come from
tracer/catalog/conflicts.yml and from contradictions inside the organisation's config;
each carries the resolution recorded under `resolutions:` or a request to choose one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from tracer.catalog import Catalog
from tracer.catalog.conflicts import ConfigRule, ConflictRules, Side, load_conflict_rules
from tracer.config import OrgConfig
from tracer.errors import ConfigError
from tracer.model import (
    FRAMEWORKS,
    Attestation,
    Classification,
    Conflict,
    Control,
    Floor,
    Param,
    ParamSpec,
    Requirement,
    RequirementSet,
    Waiver,
    WaiverUse,
)

Value = int | float | str


def derive(
    classification: Classification,
    catalog: Catalog,
    config: OrgConfig,
    *,
    today: date,
    ticket_key: str = "",
    conflict_rules: ConflictRules | None = None,
) -> RequirementSet:
    """The requirements a classified ticket must meet, on the date `today`."""
    if not classification.security_relevant:
        return _finish([], (), catalog, config, today, ticket_key, conflict_rules)
    iso_today = today.isoformat()
    indicators = set(classification.indicator_names)
    active = tuple(f for f in FRAMEWORKS if f in classification.framework_names)
    configured = configured_controls(config, active, catalog)
    chosen: list[Requirement] = []
    for control in catalog.controls:
        relevant = sorted(indicators & set(control.indicators))
        asked_by = tuple(f for f in active if f in control.required_by and in_force(control, f, iso_today))
        from_config = configured.get(control.id, ())
        if not relevant and not from_config:
            continue
        if relevant and not asked_by and not from_config and not _has_baseline_citation(control):
            continue
        frameworks = tuple(f for f in active if f in asked_by or f in from_config)
        reason = _reason(relevant, asked_by, from_config, config)
        chosen.append(_requirement(control, frameworks, active, config, reason, today))
    return _finish(chosen, active, catalog, config, today, ticket_key, conflict_rules)


def for_controls(
    control_ids: Sequence[str], catalog: Catalog, config: OrgConfig, *, today: date
) -> RequirementSet:
    """Requirements named directly (`--controls`), with no ticket: all mandatory."""
    controls = catalog.resolve(dict.fromkeys(control_ids))
    chosen = [_requirement(control, (), (), config, "requested with --controls", today) for control in controls]
    return _finish(chosen, (), catalog, config, today, "", None)


def in_force(control: Control, framework: str, iso_today: str) -> bool:
    """Does the framework ask for the control on this date (through a citation in force)?"""
    own = [c for c in control.citations if c.source == framework and not c.general]
    if not own:
        return True  # a framework listed in required_by without a dated citation asks as before
    return any(not c.effective_from or c.effective_from <= iso_today for c in own)


def _has_baseline_citation(control: Control) -> bool:
    """The OWASP Top 10 is the baseline every security-relevant change meets, framework or not.

    Controls outside it (data-subject rights, retention) are required only when a framework or
    the organisation's config asks for them.
    """
    return any(c.source == "TOP10" for c in control.citations)


def configured_controls(config: OrgConfig, active: Iterable[str], catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """control id -> frameworks whose config entry requires it (by id or by one of its params)."""
    result: dict[str, list[str]] = {}
    for control_id, framework, _ in _switches(config, active, catalog, on=True):
        result.setdefault(control_id, [])
        if framework not in result[control_id]:
            result[control_id].append(framework)
    return {k: tuple(v) for k, v in result.items()}


def _switches(
    config: OrgConfig, active: Iterable[str], catalog: Catalog, *, on: bool, explicit: bool = False
) -> list[tuple[str, str, str]]:
    """(control id, framework, where) for each config entry that turns a control on (or off).

    A parameter setting (`bcrypt_cost: 12`) turns its control on too, unless `explicit`.
    """
    found: list[tuple[str, str, str]] = []
    known = set(catalog.ids())
    for framework in active:
        policy = config.frameworks.get(framework)
        if policy is None:
            continue
        for index, (name, value) in enumerate(policy.requirements):
            where = config.where(f"frameworks.{framework}.requirements[{index}]")
            if name in known:
                if (value is False) != on:
                    found.append((name, framework, where))
                continue
            owner = catalog.param_owner(name)
            if owner is not None and on and not explicit:  # unknown names are reported by validate_policy
                found.append((owner.id, framework, where))
    return found


def _reason(relevant: list[str], asked_by: tuple[str, ...], from_config: tuple[str, ...], config: OrgConfig) -> str:
    parts = []
    if relevant:
        parts.append("ticket touches " + ", ".join(relevant))
    if asked_by:
        parts.append("required by " + ", ".join(asked_by))
    if from_config:
        parts.append(f"named in {config.path or 'the built-in policy'} for " + ", ".join(from_config))
    if relevant and not asked_by and not from_config:
        parts.append("security baseline (OWASP)")
    return "; ".join(parts)


def _requirement(
    control: Control,
    frameworks: tuple[str, ...],
    active: tuple[str, ...],
    config: OrgConfig,
    reason: str,
    today: date,
) -> Requirement:
    iso_today = today.isoformat()
    citations = tuple(
        c
        for c in control.citations
        if (c.source in active or c.source not in FRAMEWORKS)
        and (not c.effective_from or c.effective_from <= iso_today)
    )
    effective = {c.ref: c.effective_from for c in control.citations if c.effective_from}
    params = tuple(_merge_param(spec, active, config, effective, iso_today) for spec in control.params)
    return Requirement(
        control=control,
        mandatory=True,
        frameworks=frameworks,
        citations=citations,
        params=params,
        reason=reason,
    )


# -- waivers, attestations, conflicts ---------------------------------------------------


def _finish(
    chosen: list[Requirement],
    active: tuple[str, ...],
    catalog: Catalog,
    config: OrgConfig,
    today: date,
    ticket_key: str,
    conflict_rules: ConflictRules | None,
) -> RequirementSet:
    """Attach waivers and attestations, find the conflicts, and say what each waiver did."""
    rules = conflict_rules if conflict_rules is not None else load_conflict_rules()
    iso_today = today.isoformat()
    on_switches = _switches_by_control(config, active, catalog, on=True)
    off_switches = _switches_by_control(config, active, catalog, on=False)
    conflicts: list[Conflict] = []
    uses: dict[int, WaiverUse] = {}
    final: list[Requirement] = []
    for requirement in chosen:
        control_id = requirement.control.id
        waiver, refused = _waiver_for(requirement, config.waivers, iso_today, ticket_key, on_switches, uses)
        if refused:
            conflicts.append(_waiver_conflict(requirement, refused, on_switches.get(control_id, ()), rules, config))
        if off_switches.get(control_id):
            conflicts.append(_override_conflict(requirement, off_switches[control_id], rules, config))
        attestation = _attestation_for(control_id, config.attestations, ticket_key, iso_today)
        final.append(replace(requirement, waiver=waiver, attestation=attestation))
    conflicts = _rule_conflicts(final, rules, config) + conflicts
    return RequirementSet(
        requirements=tuple(final),
        conflicts=tuple(conflicts),
        as_of=iso_today,
        waivers=_waiver_uses(config.waivers, final, iso_today, ticket_key, uses),
    )


def _switches_by_control(
    config: OrgConfig, active: tuple[str, ...], catalog: Catalog, *, on: bool
) -> dict[str, list[tuple[str, str]]]:
    """control id -> (framework, where) of the config entries naming it as required (`x: true`) or off."""
    result: dict[str, list[tuple[str, str]]] = {}
    for control_id, framework, where in _switches(config, active, catalog, on=on, explicit=True):
        result.setdefault(control_id, []).append((framework, where))
    return result


def _scope_matches(waiver: Waiver, ticket_key: str) -> bool:
    return not waiver.ticket or waiver.ticket.strip().upper() == ticket_key.strip().upper()


def _waiver_for(
    requirement: Requirement,
    waivers: Sequence[Waiver],
    iso_today: str,
    ticket_key: str,
    on_switches: Mapping[str, Sequence[tuple[str, str]]],
    uses: dict[int, WaiverUse],
) -> tuple[Waiver | None, list[tuple[Waiver, tuple[str, ...]]]]:
    """The waiver that applies, and the waivers refused because another framework mandates the control.

    A waiver applies when it is for this control, not expired, its ticket scope matches,
    its framework scope covers every active framework that requires the control, and no
    framework's config names the control as required (that would contradict it).
    """
    refused: list[tuple[Waiver, tuple[str, ...]]] = []
    applied: Waiver | None = None
    control_id = requirement.control.id
    for index, waiver in enumerate(waivers):
        if waiver.control != control_id or _expired(waiver, iso_today) or not _scope_matches(waiver, ticket_key):
            continue
        outside = tuple(f for f in requirement.frameworks if waiver.frameworks and f not in waiver.frameworks)
        named = tuple(f for f, _ in on_switches.get(control_id, ()) if f not in waiver.frameworks)
        if outside or named:
            refused.append((waiver, tuple(dict.fromkeys(outside + named))))
            others = ", ".join(dict.fromkeys(outside + named))
            uses[index] = WaiverUse(waiver, "out_of_framework_scope", f"{others} makes {control_id} mandatory")
            continue
        if applied is None:
            applied = waiver
            note = f"only for code under {', '.join(waiver.paths)}" if waiver.paths else ""
            uses[index] = WaiverUse(waiver, "applied", note)
        else:
            uses[index] = WaiverUse(waiver, "applied", "another waiver of the same control came first")
    return applied, refused


def _expired(waiver: Waiver, iso_today: str) -> bool:
    return bool(waiver.expires) and waiver.expires < iso_today


def _waiver_uses(
    waivers: Sequence[Waiver],
    requirements: Sequence[Requirement],
    iso_today: str,
    ticket_key: str,
    uses: Mapping[int, WaiverUse],
) -> tuple[WaiverUse, ...]:
    required = {r.control.id for r in requirements}
    result = []
    for index, waiver in enumerate(waivers):
        if index in uses:
            result.append(uses[index])
        elif _expired(waiver, iso_today):
            result.append(WaiverUse(waiver, "expired", f"expired on {waiver.expires}; the control is enforced"))
        elif not _scope_matches(waiver, ticket_key):
            result.append(WaiverUse(waiver, "other_ticket", f"scoped to ticket {waiver.ticket}"))
        else:
            assert waiver.control not in required  # a required control's waiver was decided in _waiver_for
            result.append(WaiverUse(waiver, "not_required", f"{waiver.control} is not required here"))
    return tuple(result)


def _attestation_for(
    control_id: str, attestations: Sequence[Attestation], ticket_key: str, iso_today: str
) -> Attestation | None:
    """The ticket's own attestation first, else an organisation-wide one; none dated after today."""
    matching = [a for a in attestations if a.control == control_id and a.when <= iso_today]
    for attestation in matching:
        if attestation.ticket and attestation.ticket.strip().upper() == ticket_key.strip().upper():
            return attestation
    return next((a for a in matching if not a.ticket), None)


def _mandated_by(requirement: Requirement, frameworks: Iterable[str]) -> list[str]:
    """`PCI-DSS (PCI DSS v4.0.1 8.3.4)` for each framework that makes the requirement mandatory."""
    shown = []
    for framework in frameworks:
        cite = next(
            (c.ref for c in requirement.citations if c.source == framework and not c.general), ""
        )
        shown.append(f"{framework} ({cite})" if cite else framework)
    return shown


def _resolution(conflict_id: str, options: Sequence[str], config: OrgConfig) -> tuple[str, bool, str]:
    chosen = config.resolutions.get(conflict_id)
    if chosen:
        return chosen, True, config.where(f"resolutions.{conflict_id}")
    listed = "; ".join(f"({n}) {option}" for n, option in enumerate(options, 1))
    request = f"unresolved: choose one and record it in compliance-config.yml as `resolutions: {{{conflict_id}: ...}}`"
    return (f"{request}; options: {listed}" if listed else request), False, ""


def _override_conflict(
    requirement: Requirement, off: Sequence[tuple[str, str]], rules: ConflictRules, config: OrgConfig
) -> Conflict:
    on = ", ".join(_mandated_by(requirement, requirement.frameworks) or ["the security baseline (OWASP)"])
    off_text = " and ".join(f"the {framework} config ({where})" for framework, where in off)
    frameworks = tuple(dict.fromkeys([*requirement.frameworks, *(f for f, _ in off)]))
    rule = rules.config_rule("config_override")
    return _control_conflict(rule, requirement, frameworks, requirement.frameworks, config, on=on, off=off_text)


def _waiver_conflict(
    requirement: Requirement,
    refused: Sequence[tuple[Waiver, tuple[str, ...]]],
    on_config: Sequence[tuple[str, str]],
    rules: ConflictRules,
    config: OrgConfig,
) -> Conflict:
    frameworks = tuple(dict.fromkeys(f for _, names in refused for f in names))
    named = {f: where for f, where in on_config}
    on = [
        f"the {framework} config ({named[framework]})" if framework in named else text
        for framework, text in zip(frameworks, _mandated_by(requirement, frameworks), strict=True)
    ]
    waivers = " and ".join(
        f"the waiver at {waiver.where or 'waivers'}"
        + (f" (scope.frameworks: {', '.join(waiver.frameworks)})" if waiver.frameworks else "")
        for waiver, _ in refused
    )
    rule = rules.config_rule("waiver_override")
    return _control_conflict(rule, requirement, frameworks, frameworks, config, on=", ".join(on), waiver=waivers)


def _control_conflict(
    rule: ConfigRule,
    requirement: Requirement,
    frameworks: tuple[str, ...],
    cited: Sequence[str],
    config: OrgConfig,
    **placeholders: str,
) -> Conflict:
    """A conflict the config makes about one control: the rule's text, its citations in `cited`, its resolution."""
    control_id = requirement.control.id
    conflict_id = f"{rule.id}.{control_id}"
    resolution, resolved, by = _resolution(conflict_id, rule.options, config)
    return Conflict(
        controls=(control_id,),
        description=rule.description.format(control=control_id, **placeholders) + f". {rule.explanation}",
        resolution=resolution,
        id=conflict_id,
        frameworks=frameworks,
        citations=tuple(c.ref for c in requirement.citations if c.source in cited and not c.general),
        resolved=resolved,
        resolved_by=by,
    )


def _side_match(side: Side, by_id: Mapping[str, Requirement]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(frameworks, citations) through which a side of a rule matches this ticket's requirements."""
    requirement = by_id.get(side.control)
    if requirement is None:
        return None
    frameworks = tuple(f for f in side.frameworks if f in requirement.frameworks)
    if side.frameworks and not frameworks:
        return None
    refs = {c.ref for c in requirement.citations}
    citations = tuple(c for c in side.citations if c in refs)
    if side.citations and not citations:
        return None
    return frameworks, citations


def _rule_conflicts(requirements: Sequence[Requirement], rules: ConflictRules, config: OrgConfig) -> list[Conflict]:
    by_id = {r.control.id: r for r in requirements}
    conflicts = []
    for rule in rules.rules:
        first = _side_match(rule.when, by_id)
        if first is None:
            continue
        hits = [(side, match) for side in rule.against if (match := _side_match(side, by_id)) is not None]
        if not hits:
            continue
        duties = list(dict.fromkeys(side.duty or side.control for side, _ in hits))
        controls = tuple(dict.fromkeys([rule.when.control, *(side.control for side, _ in hits)]))
        frameworks = tuple(dict.fromkeys([*first[0], *(f for _, match in hits for f in match[0])]))
        citations = tuple(dict.fromkeys([*first[1], *(c for _, match in hits for c in match[1])]))
        resolution, resolved, by = _resolution(rule.id, rule.options, config)
        conflicts.append(
            Conflict(
                controls=controls,
                description=f"{rule.title}: {rule.when.duty or rule.when.control} vs {'; '.join(duties)}. "
                + rule.explanation,
                resolution=resolution,
                id=rule.id,
                frameworks=frameworks,
                citations=citations,
                resolved=resolved,
                resolved_by=by,
            )
        )
    return conflicts


# -- parameters ---------------------------------------------------------------------------


def stricter(a: Value, b: Value, direction: str) -> bool:
    """Is `a` strictly stricter than `b`?"""
    if direction == "newer":
        return _version(a) > _version(b)
    if direction == "lower":
        return float(a) < float(b)
    return float(a) > float(b)


def _version(value: Value) -> tuple[int, ...]:
    digits = "".join(ch if ch.isdigit() or ch == "." else "" for ch in str(value))
    return tuple(int(part) for part in digits.split(".") if part)


def _is_number(value: Value) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _strongest(floors: Iterable[Floor], direction: str) -> Floor | None:
    best: Floor | None = None
    for floor in floors:
        if best is None or stricter(floor.value, best.value, direction):
            best = floor
    return best


def _merge_param(
    spec: ParamSpec,
    active: tuple[str, ...],
    config: OrgConfig,
    effective: Mapping[str, str] | None = None,
    iso_today: str = "",
) -> Param:
    """Strictest wins among the org's settings for the active frameworks and the standards' floors.

    A setting weaker than the floor of its own framework (or of a general baseline) is a
    configuration error; a floor of another active framework simply raises the value. A
    floor whose citation is not yet in force on `iso_today` does not count.
    """
    dates = effective or {}
    in_force = [f for f in spec.floors if not (iso_today and dates.get(f.citation, "") > iso_today)]
    floors = [f for f in in_force if f.framework is None or f.framework in active]
    candidates: list[tuple[Value, str, bool]] = []
    for framework in active:  # with no framework (--controls) only the catalog's policy and floors apply
        policy = config.frameworks.get(framework)
        if policy is None:
            continue
        for index, (name, setting) in enumerate(policy.requirements):
            if name != spec.name:
                continue
            key_path = f"frameworks.{framework}.requirements[{index}]"
            if not isinstance(setting, (int, float, str)) or isinstance(setting, bool):
                raise ConfigError(f"{config.where(key_path)}: {name} needs a number or version, not {setting!r}")
            if spec.stricter != "newer" and not _is_number(setting):
                raise ConfigError(f"{config.where(key_path)}: {name} needs a number, not {setting!r}")
            set_by = f"org policy, {framework}"
            own_floor = _strongest((f for f in in_force if f.framework in (None, framework)), spec.stricter)
            if own_floor is not None and stricter(own_floor.value, setting, spec.stricter):
                raise ConfigError(
                    f"{config.where(key_path)}: {name} = {setting} (set by {set_by}) is weaker than "
                    f"{own_floor.value}, the floor of {own_floor.citation}",
                    "a policy may be stricter than a standard, never weaker",
                )
            candidates.append((setting, set_by, True))
    if not candidates and spec.policy is not None:
        candidates.append((spec.policy, "org policy", True))
    strongest_floor = _strongest(floors, spec.stricter)
    considered = [(value, who) for value, who, _ in candidates]
    considered.extend((f.value, f.citation) for f in floors)
    if strongest_floor is not None:
        candidates.append((strongest_floor.value, strongest_floor.citation, False))
    if not candidates:
        return Param(spec.name, "", spec.unit, spec.stricter, "not set", False, None)
    value, set_by, is_policy = candidates[0]
    for candidate in candidates[1:]:
        # On a tie the standard's floor is named: it is the stronger reason.
        if stricter(candidate[0], value, spec.stricter) or (candidate[0] == value and not candidate[2]):
            value, set_by, is_policy = candidate
    return Param(
        name=spec.name,
        value=value,
        unit=spec.unit,
        stricter=spec.stricter,
        set_by=set_by,
        is_policy=is_policy,
        floor=strongest_floor,
        considered=tuple(considered),
    )


def weaker_than_floor(param: Param) -> bool:
    """Is a merged value below the standard's floor it carries (never, unless something is wrong)?"""
    if param.floor is None or param.value == "":
        return False
    return stricter(param.floor.value, param.value, param.stricter)


def validate_policy(
    config: OrgConfig, catalog: Catalog, *, conflict_rules: ConflictRules | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(errors, warnings) for a config checked against the catalog: names, values, floors, waivers."""
    errors: list[str] = []
    warnings: list[str] = list(config.warnings)
    known = set(catalog.ids())
    for framework, policy in config.frameworks.items():
        for index, (name, value) in enumerate(policy.requirements):
            key_path = f"frameworks.{framework}.requirements[{index}]"
            where = config.where(key_path)
            if name in known:
                if not isinstance(value, (bool, dict)):
                    errors.append(f"{where}: {name} is a control; give true/false, not {value!r}")
                continue
            owner = catalog.param_owner(name)
            if owner is None:
                errors.append(f"{where}: unknown control or parameter '{name}'")
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                errors.append(f"{where}: {name} needs a number or version, not {value!r}")
    for control in catalog.controls:
        effective = {c.ref: c.effective_from for c in control.citations if c.effective_from}
        for spec in control.params:
            for framework in config.frameworks:
                try:
                    _merge_param(spec, (framework,), config, effective)
                except ConfigError as exc:
                    errors.append(exc.message)
    for index, waiver in enumerate(config.waivers):
        if waiver.control not in known:
            errors.append(f"{config.where(f'waivers[{index}]')}: waiver names unknown control '{waiver.control}'")
        where = config.where(f"waivers[{index}]")
        if not waiver.expires:
            warnings.append(f"{where}: the waiver of {waiver.control} has no `expires` date")
        if not waiver.approver:
            warnings.append(f"{where}: the waiver of {waiver.control} names no `approver`")
    for index, attestation in enumerate(config.attestations):
        where = config.where(f"attestations[{index}]")
        if attestation.control not in known:
            errors.append(f"{where}: attestation names unknown control '{attestation.control}'")
        elif catalog.get(attestation.control).verification != "manual":
            warnings.append(
                f"{where}: {attestation.control} is verified in code; the attestation counts only where no rule can"
            )
    rules = conflict_rules if conflict_rules is not None else load_conflict_rules()
    for conflict_id in config.resolutions:
        control_id = conflict_id.partition(".")[2]
        if not rules.knows(conflict_id) or (control_id and control_id not in known):
            warnings.append(f"{config.where(f'resolutions.{conflict_id}')}: no conflict '{conflict_id}' is known")
    return tuple(dict.fromkeys(errors)), tuple(dict.fromkeys(warnings))


def expired_waivers(config: OrgConfig, today: date) -> tuple[str, ...]:
    """One message per waiver past its `expires` date (an expired waiver fails validation)."""
    iso_today = today.isoformat()
    return tuple(
        f"{waiver.where or config.where(f'waivers[{index}]')}: the waiver of {waiver.control} "
        f"expired on {waiver.expires} (owner {waiver.owner or 'not named'}); renew it or implement the control"
        for index, waiver in enumerate(config.waivers)
        if _expired(waiver, iso_today)
    )
