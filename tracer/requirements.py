"""Classification + catalog + policy -> RequirementSet.

A control is required when the ticket's indicators make it relevant and an active
framework (or the organisation's config) asks for it; security-relevant tickets with
no framework still get the relevant controls as the security baseline. Parameters are
merged strictest-wins, and each keeps who set it; the standards' floors stay apart
from the organisation's policy values.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from tracer.catalog import Catalog
from tracer.config import OrgConfig
from tracer.errors import ConfigError
from tracer.model import (
    FRAMEWORKS,
    Classification,
    Control,
    Floor,
    Param,
    ParamSpec,
    Requirement,
    RequirementSet,
    Waiver,
)

Value = int | float | str


def derive(
    classification: Classification,
    catalog: Catalog,
    config: OrgConfig,
    *,
    today: date,
    ticket_key: str = "",
) -> RequirementSet:
    """The requirements a classified ticket must meet."""
    if not classification.security_relevant:
        return RequirementSet(requirements=())
    indicators = set(classification.indicator_names)
    active = tuple(f for f in FRAMEWORKS if f in classification.framework_names)
    configured = _configured_controls(config, active, catalog)
    chosen: list[Requirement] = []
    for control in catalog.controls:
        relevant = sorted(indicators & set(control.indicators))
        asked_by = tuple(f for f in active if f in control.required_by)
        from_config = configured.get(control.id, ())
        if not relevant and not from_config:
            continue
        if relevant and not asked_by and not from_config and not _has_baseline_citation(control):
            continue
        frameworks = tuple(f for f in active if f in asked_by or f in from_config)
        reason = _reason(relevant, asked_by, from_config, config)
        chosen.append(_requirement(control, frameworks, active, config, reason, today, ticket_key))
    return RequirementSet(requirements=tuple(chosen))


def for_controls(
    control_ids: Sequence[str], catalog: Catalog, config: OrgConfig, *, today: date
) -> RequirementSet:
    """Requirements named directly (`--controls`), with no ticket: all mandatory."""
    controls = catalog.resolve(dict.fromkeys(control_ids))
    return RequirementSet(
        requirements=tuple(
            _requirement(control, (), (), config, "requested with --controls", today, "")
            for control in controls
        )
    )


def _has_baseline_citation(control: Control) -> bool:
    return any(c.source in {"ASVS", "TOP10"} for c in control.citations)


def _configured_controls(config: OrgConfig, active: Iterable[str], catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """control id -> frameworks whose config entry requires it (by id or by one of its params)."""
    result: dict[str, list[str]] = {}
    known = set(catalog.ids())
    for framework in active:
        policy = config.frameworks.get(framework)
        if policy is None:
            continue
        for name, value in policy.requirements:
            if name in known:
                if value is False:
                    continue
                control_id = name
            else:
                owner = catalog.param_owner(name)
                if owner is None:
                    continue  # reported by validate_config
                control_id = owner.id
            result.setdefault(control_id, [])
            if framework not in result[control_id]:
                result[control_id].append(framework)
    return {k: tuple(v) for k, v in result.items()}


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
    ticket_key: str,
) -> Requirement:
    iso_today = today.isoformat()
    citations = tuple(
        c
        for c in control.citations
        if (c.source in active or c.source not in FRAMEWORKS)
        and (not c.effective_from or c.effective_from <= iso_today)
    )
    params = tuple(_merge_param(spec, active, config) for spec in control.params)
    return Requirement(
        control=control,
        mandatory=True,
        frameworks=frameworks,
        citations=citations,
        params=params,
        reason=reason,
        waiver=_waiver_for(control.id, config.waivers, today),
    )


def _waiver_for(control_id: str, waivers: Iterable[Waiver], today: date) -> Waiver | None:
    for waiver in waivers:
        if waiver.control != control_id:
            continue
        if waiver.expires and waiver.expires < today.isoformat():
            continue  # an expired waiver no longer applies
        return waiver
    return None


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


def _strongest(floors: Iterable[Floor], direction: str) -> Floor | None:
    best: Floor | None = None
    for floor in floors:
        if best is None or stricter(floor.value, best.value, direction):
            best = floor
    return best


def _merge_param(spec: ParamSpec, active: tuple[str, ...], config: OrgConfig) -> Param:
    """Strictest wins among the org's settings for the active frameworks and the standards' floors.

    A setting weaker than the floor of its own framework (or of a general baseline) is a
    configuration error; a floor of another active framework simply raises the value.
    """
    floors = [f for f in spec.floors if f.framework is None or f.framework in active]
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
            own_floor = _strongest((f for f in spec.floors if f.framework in (None, framework)), spec.stricter)
            if own_floor is not None and stricter(own_floor.value, setting, spec.stricter):
                raise ConfigError(
                    f"{config.where(key_path)}: {name} = {setting} is weaker than {own_floor.value}, "
                    f"the floor of {own_floor.citation}",
                    "a policy may be stricter than a standard, never weaker",
                )
            candidates.append((setting, f"org policy, {framework}", True))
    if not candidates and spec.policy is not None:
        candidates.append((spec.policy, "org policy", True))
    strongest_floor = _strongest(floors, spec.stricter)
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
    )


def validate_policy(config: OrgConfig, catalog: Catalog) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(errors, warnings) for a config checked against the catalog: names, values, floors."""
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
        for spec in control.params:
            for framework in config.frameworks:
                try:
                    _merge_param(spec, (framework,), config)
                except ConfigError as exc:
                    errors.append(exc.message)
    for index, waiver in enumerate(config.waivers):
        if waiver.control not in known:
            errors.append(f"{config.where(f'waivers[{index}]')}: waiver names unknown control '{waiver.control}'")
    return tuple(dict.fromkeys(errors)), tuple(warnings)
