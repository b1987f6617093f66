"""compliance-config.yml -> OrgConfig.

The file is declared as a schema (SCHEMA below), read with yaml.safe_load, and each
error names the file, the line and the key path. Unknown keys are warnings, not errors,
so that a newer config still runs on an older vibeward.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tracer import yamlsafe
from tracer.errors import ConfigError
from tracer.model import ENFORCEMENT_MODES, FRAMEWORKS, INDICATORS, Attestation, EnforcementPolicy, Waiver

CONFIG_NAMES = ("compliance-config.yml", "compliance-config.yaml", ".vibeward/compliance-config.yml")
RISK_LEVELS = ("low", "medium", "high", "critical")
PRE_EXISTING_MODES = ("report", "fail")  # violations on lines a change left alone: reported, or failing
TRACKER_TYPES = ("jira", "github", "gitlab", "linear", "file")
TRACKER_ERROR_MODES = ("fail", "warn")
MISSING_KEY_MODES = ("fail", "warn", "pass")
JIRA_AUTH_KINDS = ("cloud", "pat")

Scalar = int | float | str | bool
_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,29}$")


@dataclass(frozen=True)
class Triggers:
    keywords: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkPolicy:
    name: str
    enabled: bool = True
    baseline: bool = False  # applies to every security-relevant ticket (SOC2 as org baseline)
    triggers: Triggers = Triggers()
    requirements: tuple[tuple[str, Any], ...] = ()  # (name, value) in file order
    requirement_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class RiskPolicy:
    weights: Mapping[str, float] = field(default_factory=dict)
    actions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TrackerConfig:
    """The `tracker:` section; never holds a secret (tokens come from the environment)."""

    type: str = ""  # "" = pick by key shape and environment
    url: str = ""
    project_keys: tuple[str, ...] = ()  # allowlist of project keys; empty = any
    on_tracker_error: str = "fail"
    on_missing_key: str = "fail"
    auth: str = ""  # jira only: "cloud" (email + API token) or "pat"; "" = by env vars


@dataclass(frozen=True)
class EvidenceConfig:
    """The `evidence:` section: where `check` appends to the evidence ledger (docs/evidence.md)."""

    url: str = ""  # sqlite:///path or postgresql://host/db (no password: VIBEWARD_EVIDENCE_URL or PGPASSWORD)
    required: bool = False  # a ledger failure fails the check (exit 3) instead of warning
    line: int = 0  # where `evidence.url` is in the file, for messages


@dataclass(frozen=True)
class OrgConfig:
    path: str  # the file read, or "built-in default policy"
    frameworks: Mapping[str, FrameworkPolicy]
    risk: RiskPolicy
    waivers: tuple[Waiver, ...] = ()
    attestations: tuple[Attestation, ...] = ()
    resolutions: Mapping[str, str] = field(default_factory=dict)  # conflict id -> the chosen resolution
    exclude: tuple[str, ...] = ()
    enforcement: str = "block"
    scan_timeout: int = 600
    scan_cache: bool = True
    scan_cache_dir: str = ""  # "" = the user's cache folder; relative paths are from the config file
    warnings: tuple[str, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, repr=False)
    tracker: TrackerConfig = TrackerConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    enforcement_frameworks: Mapping[str, str] = field(default_factory=dict)  # enforcement_overrides.frameworks
    enforcement_controls: Mapping[str, str] = field(default_factory=dict)  # enforcement_overrides.controls
    pre_existing_violations: str = "report"

    @property
    def enforcement_policy(self) -> EnforcementPolicy:
        return EnforcementPolicy(
            default=self.enforcement, frameworks=self.enforcement_frameworks, controls=self.enforcement_controls
        )

    def line_of(self, key_path: str) -> int:
        return self.lines.get(key_path, 0)

    def where(self, key_path: str) -> str:
        line = self.line_of(key_path)
        location = f"{self.path}:{line}" if line else self.path or "built-in policy"
        return f"{location}: {key_path}"


# A declared schema: the allowed keys at each level and their expected types.
_TOP_KEYS = {
    "frameworks", "risk", "waivers", "scan", "enforcement", "version", "tracker", "evidence",
    "attestations", "resolutions", "enforcement_overrides", "pre_existing_violations",
}
_OVERRIDE_KEYS = {"frameworks", "controls"}
_CONTROL_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FRAMEWORK_KEYS = {"enabled", "baseline", "triggers", "requirements", "description"}
_TRIGGER_KEYS = {"keywords", "components", "labels"}
_RISK_KEYS = {"weights", "actions"}
_WAIVER_KEYS = {"control", "reason", "owner", "approver", "expires", "scope"}
_WAIVER_SCOPE_KEYS = {"ticket", "paths", "frameworks"}
_ATTESTATION_KEYS = {"control", "ticket", "who", "when", "note"}
_SCAN_KEYS = {"exclude", "timeout", "cache_dir", "cache"}
_TRACKER_KEYS = {"type", "url", "project_keys", "on_tracker_error", "on_missing_key", "auth"}
_EVIDENCE_KEYS = {"url", "required"}


def find_config(start: Path) -> Path | None:
    """The config beside the scanned path, else at the top of its git checkout."""
    start = start.resolve()
    candidates = [start] if start.is_dir() else [start.parent]
    for parent in candidates[0].parents:
        if (parent / ".git").exists():
            candidates.append(parent)
            break
    here = Path.cwd().resolve()
    for folder in candidates:
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                found = folder / name
                # Reports name the file as the user would: relative to where vibeward runs.
                return found.relative_to(here) if found.is_relative_to(here) else found
    return None


def default_policy_path() -> Path:
    return Path(__file__).parent / "catalog" / "default-policy.yml"


def load(path: Path | None) -> OrgConfig:
    """Load the organisation's config over the built-in default policy."""
    default = _parse(default_policy_path(), builtin=True)
    if path is None:
        return default
    user = _parse(path, builtin=False)
    frameworks = dict(default.frameworks)
    frameworks.update(user.frameworks)
    weights = dict(default.risk.weights)
    weights.update(user.risk.weights)
    actions = dict(default.risk.actions)
    actions.update(user.risk.actions)
    return OrgConfig(
        path=user.path,
        frameworks=frameworks,
        risk=RiskPolicy(weights=weights, actions=actions),
        waivers=user.waivers,
        attestations=user.attestations,
        resolutions=user.resolutions,
        exclude=user.exclude,
        enforcement=user.enforcement,
        scan_timeout=user.scan_timeout,
        scan_cache=user.scan_cache,
        scan_cache_dir=user.scan_cache_dir,
        warnings=user.warnings,
        lines=user.lines,
        tracker=user.tracker,
        evidence=user.evidence,
        enforcement_frameworks=user.enforcement_frameworks,
        enforcement_controls=user.enforcement_controls,
        pre_existing_violations=user.pre_existing_violations,
    )


def _parse(path: Path, *, builtin: bool) -> OrgConfig:
    shown = str(path) if not builtin else "built-in default policy"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: config file not found", "pass an existing file to --config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read config ({exc.__class__.__name__})") from None
    try:
        data = yamlsafe.load(text)
        node = yamlsafe.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{shown}{line}: YAML syntax error: {problem}") from None
    lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", lines)
    return _Reader(shown if builtin else str(path), lines).read(data)


def _record_lines(node: yaml.Node, prefix: str, lines: dict[str, int]) -> None:
    lines[prefix or "."] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            lines[key] = key_node.start_mark.line + 1
            _record_lines(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, f"{prefix}[{index}]", lines)


class _Reader:
    """Turns the parsed YAML into an OrgConfig, collecting warnings on the way."""

    def __init__(self, path: str, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines
        self.warnings: list[str] = []

    def where(self, key_path: str) -> str:
        line = self.lines.get(key_path, 0)
        return f"{self.path}:{line}" if line else self.path

    def fail(self, key_path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where(key_path)}: {key_path}: {message}")

    def mapping(self, value: Any, key_path: str, allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key_path, f"expected a mapping, got {_type_name(value)}")
        for key in value:
            if str(key) not in allowed:
                child = f"{key_path}.{key}" if key_path else str(key)
                self.warnings.append(f"{self.where(child)}: unknown key '{child}' ignored")
        return value

    def strings(self, value: Any, key_path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            raise self.fail(key_path, "expected a list of strings")
        return tuple(str(v) for v in value)

    def boolean(self, value: Any, key_path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key_path, f"expected true or false, got {value!r}")
        return value

    def read(self, data: Any) -> OrgConfig:
        top = self.mapping(data, "", _TOP_KEYS)
        frameworks = self.frameworks(top.get("frameworks"))
        risk = self.risk(top.get("risk"))
        scan = self.mapping(top.get("scan"), "scan", _SCAN_KEYS)
        timeout = scan.get("timeout", 600)
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
            raise self.fail("scan.timeout", "expected a positive number of seconds")
        enforcement = top.get("enforcement", "block")
        if enforcement not in ENFORCEMENT_MODES:
            raise self.fail("enforcement", f"expected one of {', '.join(ENFORCEMENT_MODES)}, got {enforcement!r}")
        tracker = self.tracker(top.get("tracker"))
        by_framework, by_control = self.enforcement_overrides(top.get("enforcement_overrides"))
        pre_existing = self.choice(
            top.get("pre_existing_violations"), "pre_existing_violations", PRE_EXISTING_MODES, "report"
        )
        return OrgConfig(
            path=self.path,
            frameworks=frameworks,
            risk=risk,
            tracker=tracker,
            evidence=self.evidence(top.get("evidence")),
            waivers=self.waivers(top.get("waivers")),
            attestations=self.attestations(top.get("attestations")),
            resolutions=self.resolutions(top.get("resolutions")),
            exclude=self.strings(scan.get("exclude"), "scan.exclude"),
            enforcement=enforcement,
            scan_timeout=timeout,
            scan_cache=self.boolean(scan.get("cache"), "scan.cache", True),
            scan_cache_dir=str(scan.get("cache_dir") or ""),
            warnings=tuple(self.warnings),
            lines=dict(self.lines),
            enforcement_frameworks=by_framework,
            enforcement_controls=by_control,
            pre_existing_violations=pre_existing,
        )

    def enforcement_overrides(self, value: Any) -> tuple[dict[str, str], dict[str, str]]:
        """`enforcement_overrides: {frameworks: {SOC2: monitor}, controls: {rate_limiting: comment}}`."""
        section = self.mapping(value, "enforcement_overrides", _OVERRIDE_KEYS)
        key_path = "enforcement_overrides.frameworks"
        frameworks = self.mapping(section.get("frameworks"), key_path, set(FRAMEWORKS))
        by_framework = {
            str(name): self.choice(mode, f"{key_path}.{name}", ENFORCEMENT_MODES, "block")
            for name, mode in frameworks.items()
            if name in FRAMEWORKS  # the others were warned about as unknown keys
        }
        key_path = "enforcement_overrides.controls"
        raw = section.get("controls")
        controls = self.mapping(raw, key_path, {str(k) for k in raw} if isinstance(raw, dict) else set())
        by_control: dict[str, str] = {}
        for name, mode in controls.items():
            if not isinstance(name, str) or not _CONTROL_ID.match(name):
                raise self.fail(f"{key_path}.{name}", f"{name!r} is not a control id (e.g. rate_limiting)")
            by_control[name] = self.choice(mode, f"{key_path}.{name}", ENFORCEMENT_MODES, "block")
        return by_framework, by_control

    def frameworks(self, value: Any) -> dict[str, FrameworkPolicy]:
        section = self.mapping(value, "frameworks", set(FRAMEWORKS))
        result: dict[str, FrameworkPolicy] = {}
        for name, body in section.items():
            if name not in FRAMEWORKS:
                continue  # warned as an unknown key above
            key_path = f"frameworks.{name}"
            body = self.mapping(body, key_path, _FRAMEWORK_KEYS)
            triggers = self.mapping(body.get("triggers"), f"{key_path}.triggers", _TRIGGER_KEYS)
            requirements, req_lines = self.requirements(body.get("requirements"), f"{key_path}.requirements")
            result[name] = FrameworkPolicy(
                name=name,
                enabled=self.boolean(body.get("enabled"), f"{key_path}.enabled", True),
                baseline=self.boolean(body.get("baseline"), f"{key_path}.baseline", False),
                triggers=Triggers(
                    keywords=self.strings(triggers.get("keywords"), f"{key_path}.triggers.keywords"),
                    components=self.strings(triggers.get("components"), f"{key_path}.triggers.components"),
                    labels=self.strings(triggers.get("labels"), f"{key_path}.triggers.labels"),
                ),
                requirements=requirements,
                requirement_lines=req_lines,
            )
        return result

    def requirements(self, value: Any, key_path: str) -> tuple[tuple[tuple[str, Any], ...], tuple[int, ...]]:
        """The seed format: a list of one-key mappings, `- bcrypt_cost: 12`."""
        if value is None:
            return (), ()
        if isinstance(value, dict):  # tolerate a plain mapping too
            value = [{k: v} for k, v in value.items()]
        if not isinstance(value, list):
            raise self.fail(key_path, "expected a list of `- name: value` entries")
        pairs: list[tuple[str, Any]] = []
        lines: list[int] = []
        for index, item in enumerate(value):
            item_path = f"{key_path}[{index}]"
            if isinstance(item, str):
                item = {item: True}
            if not isinstance(item, dict) or len(item) != 1:
                raise self.fail(item_path, "expected one `name: value` pair")
            (name, setting), = item.items()
            if not isinstance(setting, (bool, int, float, str, dict)):
                raise self.fail(f"{item_path}.{name}", f"unsupported value {setting!r}")
            pairs.append((str(name), setting))
            lines.append(self.lines.get(item_path, 0))
        return tuple(pairs), tuple(lines)

    def risk(self, value: Any) -> RiskPolicy:
        section = self.mapping(value, "risk", _RISK_KEYS)
        weights_raw = self.mapping(section.get("weights"), "risk.weights", set(INDICATORS))
        weights: dict[str, float] = {}
        for name, weight in weights_raw.items():
            if name not in INDICATORS:
                continue
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not 0 <= weight <= 10:
                raise self.fail(f"risk.weights.{name}", f"expected a number from 0 to 10, got {weight!r}")
            weights[name] = float(weight)
        actions_raw = self.mapping(section.get("actions"), "risk.actions", set(RISK_LEVELS))
        actions = {
            level: self.strings(items, f"risk.actions.{level}")
            for level, items in actions_raw.items()
            if level in RISK_LEVELS
        }
        return RiskPolicy(weights=weights, actions=actions)

    def choice(self, value: Any, key_path: str, allowed: tuple[str, ...], default: str) -> str:
        if value is None:
            return default
        if value not in allowed:
            raise self.fail(key_path, f"expected one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def tracker(self, value: Any) -> TrackerConfig:
        section = self.mapping(value, "tracker", _TRACKER_KEYS)
        url = section.get("url") or ""
        if not isinstance(url, str) or (url and not url.startswith(("https://", "http://"))):
            raise self.fail("tracker.url", "expected an http(s) URL")
        if "@" in url.split("://", 1)[-1].split("/", 1)[0]:
            raise self.fail("tracker.url", "must not contain credentials; tokens come from the environment")
        keys = self.strings(section.get("project_keys"), "tracker.project_keys")
        for index, key in enumerate(keys):
            if not _PROJECT_KEY.match(key):
                raise self.fail(f"tracker.project_keys[{index}]", f"{key!r} is not a project key (e.g. PAY)")
        return TrackerConfig(
            type=self.choice(section.get("type"), "tracker.type", TRACKER_TYPES, ""),
            url=url.rstrip("/"),
            project_keys=keys,
            on_tracker_error=self.choice(
                section.get("on_tracker_error"), "tracker.on_tracker_error", TRACKER_ERROR_MODES, "fail"
            ),
            on_missing_key=self.choice(
                section.get("on_missing_key"), "tracker.on_missing_key", MISSING_KEY_MODES, "fail"
            ),
            auth=self.choice(section.get("auth"), "tracker.auth", JIRA_AUTH_KINDS, ""),
        )

    def evidence(self, value: Any) -> EvidenceConfig:
        section = self.mapping(value, "evidence", _EVIDENCE_KEYS)
        url = section.get("url") or ""
        if not isinstance(url, str) or (url and not url.startswith(("sqlite:///", "postgresql://", "postgres://"))):
            raise self.fail("evidence.url", "expected sqlite:///path or postgresql://host/database")
        if url.startswith("postgres") and (urlsplit(url).password or "password=" in urlsplit(url).query.lower()):
            raise self.fail(
                "evidence.url", "must not contain a password; use VIBEWARD_EVIDENCE_URL, PGPASSWORD or ~/.pgpass"
            )
        return EvidenceConfig(
            url=url,
            required=self.boolean(section.get("required"), "evidence.required", False),
            line=self.lines.get("evidence.url", 0),
        )

    def waivers(self, value: Any) -> tuple[Waiver, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("waivers", "expected a list of waivers")
        result = []
        for index, item in enumerate(value):
            key_path = f"waivers[{index}]"
            body = self.mapping(item, key_path, _WAIVER_KEYS)
            control = body.get("control")
            if not isinstance(control, str) or not control:
                raise self.fail(key_path, "a waiver needs `control`")
            reason = body.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise self.fail(key_path, f"the waiver of {control} needs a `reason`")
            scope = self.mapping(body.get("scope"), f"{key_path}.scope", _WAIVER_SCOPE_KEYS)
            frameworks = self.strings(scope.get("frameworks"), f"{key_path}.scope.frameworks")
            for name in frameworks:
                if name not in FRAMEWORKS:
                    raise self.fail(f"{key_path}.scope.frameworks", f"unknown framework {name!r}")
            result.append(
                Waiver(
                    control=control,
                    reason=reason.strip(),
                    owner=str(body.get("owner") or ""),
                    approver=str(body.get("approver") or ""),
                    expires=self.iso_date(body.get("expires"), f"{key_path}.expires"),
                    ticket=str(scope.get("ticket") or "").strip(),
                    paths=self.strings(scope.get("paths"), f"{key_path}.scope.paths"),
                    frameworks=frameworks,
                    where=self.where(key_path),
                )
            )
        return tuple(result)

    def iso_date(self, value: Any, key_path: str) -> str:
        """A YAML date (2026-12-31) or the same as a string; "" when absent."""
        if value is None or value == "":
            return ""
        if isinstance(value, date):
            return value.isoformat()[:10]
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise self.fail(key_path, f"expected a date like 2026-12-31, got {value!r}") from None

    def attestations(self, value: Any) -> tuple[Attestation, ...]:
        """`attestations:` - who signed off a manual control for a ticket, and when."""
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail("attestations", "expected a list of attestations")
        result = []
        for index, item in enumerate(value):
            key_path = f"attestations[{index}]"
            body = self.mapping(item, key_path, _ATTESTATION_KEYS)
            control, who = body.get("control"), body.get("who")
            if not isinstance(control, str) or not control:
                raise self.fail(key_path, "an attestation needs `control`")
            if not isinstance(who, str) or not who.strip():
                raise self.fail(key_path, f"the attestation of {control} needs `who`")
            when = self.iso_date(body.get("when"), f"{key_path}.when")
            if not when:
                raise self.fail(key_path, f"the attestation of {control} needs `when` (a date)")
            result.append(
                Attestation(
                    control=control,
                    ticket=str(body.get("ticket") or "").strip(),
                    who=who.strip(),
                    when=when,
                    note=str(body.get("note") or "").strip(),
                    where=self.where(key_path),
                )
            )
        return tuple(result)

    def resolutions(self, value: Any) -> dict[str, str]:
        """`resolutions:` - conflict id -> how the organisation resolved it (tracer/catalog/conflicts.yml)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail("resolutions", f"expected a mapping of conflict id to text, got {_type_name(value)}")
        section: dict[Any, Any] = value  # the ids are checked against the conflict rules by validate_policy
        result: dict[str, str] = {}
        for name, text in section.items():
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"resolutions.{name}", "expected the chosen resolution as text")
            result[str(name)] = text.strip()
        return result


def _type_name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
