"""Frozen records that flow one way through the pipeline; no I/O here.

Every stage takes these in and gives these out: tickets become classifications,
classifications become requirements, requirements plus findings become a trace.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from fnmatch import fnmatchcase
from typing import Any, TypeVar

_Record = TypeVar("_Record")


def stored_at_once(cls: type[_Record]) -> type[_Record]:
    """A frozen dataclass built in bulk (one per match): its __init__ stores all fields in one go.

    The generated __init__ of a frozen dataclass calls object.__setattr__ once per field; this one
    sets __dict__ at once. Signature, defaults, equality, hash and immutability stay the dataclass's.
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    params = ", ".join(f"{f.name}=_default_{f.name}" if f.name in defaults else f.name for f in fields)
    values = ", ".join(f"{f.name!r}: {f.name}" for f in fields)
    namespace: dict[str, Any] = {"_store": object.__setattr__, **{f"_default_{k}": v for k, v in defaults.items()}}
    # Generated from the class's own field names, as dataclasses itself does; no outside text.
    exec(f"def __init__(self, {params}):\n    _store(self, '__dict__', {{{values}}})\n", namespace)  # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 - mypy rejects assigning to a method
    return cls

FRAMEWORKS: tuple[str, ...] = ("PCI-DSS", "HIPAA", "GDPR", "SOX", "SOC2")
INDICATORS: tuple[str, ...] = (
    "authentication",
    "authorization",
    "payment",
    "personal_data",
    "health_data",
    "financial_records",
    "database",
    "file_upload",
    "third_party_api",
    "cryptography",
    "logging_audit",
    "session",
)
# Weakest first: monitor reports only, comment also comments, block also fails the check.
ENFORCEMENT_MODES: tuple[str, ...] = ("monitor", "comment", "block")


@dataclass(frozen=True)
class Ticket:
    key: str
    title: str
    description: str = ""
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    priority: str = ""
    issue_type: str = ""
    status: str = ""
    url: str = ""
    source: str = "file"
    project: str = ""  # the tracker project or repository ("EMR", "acme/openemr"): context, not evidence


@stored_at_once
@dataclass(frozen=True)
class Evidence:
    """Why a decision was made: the words that fired, in which field, where."""

    field: str
    text: str
    start: int = -1
    end: int = -1
    weight: float = 1.0
    rule: str = ""


@dataclass(frozen=True)
class IndicatorHit:
    name: str
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class FrameworkHit:
    name: str
    reason: str  # "trigger", "indicator", "baseline", "requested"
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class RiskFactor:
    name: str
    weight: float
    reason: str


@dataclass(frozen=True)
class RiskScore:
    score: float
    level: str
    factors: tuple[RiskFactor, ...]
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Classification:
    security_relevant: bool
    indicators: tuple[IndicatorHit, ...]
    frameworks: tuple[FrameworkHit, ...]
    risk: RiskScore

    @property
    def indicator_names(self) -> tuple[str, ...]:
        return tuple(hit.name for hit in self.indicators)

    @property
    def framework_names(self) -> tuple[str, ...]:
        return tuple(hit.name for hit in self.frameworks)


@dataclass(frozen=True)
class Citation:
    ref: str
    source: str  # PCI-DSS, HIPAA, GDPR, SOC2, SOX, ASVS, TOP10, CWE, NIST
    note: str = ""
    general: bool = False
    practice: bool = False
    effective_from: str = ""

    def printed(self) -> str:
        """The citation as reports print it, with its qualifier."""
        if self.general:
            return f"{self.ref} (general duty)"
        if self.practice:
            return f"SOX {self.ref} (audit practice)"
        if self.note:
            return f"{self.ref} ({self.note})"
        return self.ref


@dataclass(frozen=True)
class Floor:
    value: int | float | str
    citation: str
    framework: str | None = None


@dataclass(frozen=True)
class ParamSpec:
    name: str
    unit: str
    stricter: str  # higher | lower | newer
    policy: int | float | str | None
    floors: tuple[Floor, ...] = ()


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    theme: str
    statement: str
    verification: str  # code | manual
    check: str  # presence | absence
    severity: str
    indicators: tuple[str, ...]
    required_by: tuple[str, ...]
    citations: tuple[Citation, ...]
    params: tuple[ParamSpec, ...] = ()


@dataclass(frozen=True)
class Param:
    """A requirement's parameter value and who set it."""

    name: str
    value: int | float | str
    unit: str
    stricter: str
    set_by: str  # "org policy", "compliance-config.yml (PCI-DSS)", or the standard's citation
    is_policy: bool
    floor: Floor | None = None  # the standard's own minimum, kept apart from the policy value
    considered: tuple[tuple[int | float | str, str], ...] = ()  # every (value, who set it) merged


@dataclass(frozen=True)
class Requirement:
    control: Control
    mandatory: bool
    frameworks: tuple[str, ...]
    citations: tuple[Citation, ...]
    params: tuple[Param, ...]
    reason: str
    waiver: Waiver | None = None
    attestation: Attestation | None = None  # a reviewer's sign-off of a manual control


@dataclass(frozen=True)
class Waiver:
    control: str
    reason: str
    owner: str = ""
    approver: str = ""
    expires: str = ""
    # scope: "" / () means unrestricted
    ticket: str = ""  # only for this ticket
    paths: tuple[str, ...] = ()  # only for code under these globs (relative to the repository top)
    frameworks: tuple[str, ...] = ()  # only where no other active framework makes the control mandatory
    where: str = ""  # file:line of the entry, for messages

    def covers(self, path: str) -> bool:
        """Is this file (relative to the repository top) under the waiver's `paths`? False if none."""
        return any(
            fnmatchcase(path, pattern) or fnmatchcase(path, pattern.rstrip("/") + "/*") for pattern in self.paths
        )


@dataclass(frozen=True)
class WaiverUse:
    """What one configured waiver did for one ticket: every waiver shows in every report."""

    waiver: Waiver
    status: str  # applied | expired | other_ticket | not_required | out_of_framework_scope
    note: str = ""


@dataclass(frozen=True)
class Attestation:
    """A named person's record that a manual control was met for a ticket."""

    control: str
    ticket: str  # "" = every ticket (an organisation-wide practice)
    who: str
    when: str  # ISO date
    note: str = ""
    where: str = ""  # file:line of the entry


@dataclass(frozen=True)
class Conflict:
    controls: tuple[str, ...]
    description: str
    resolution: str  # the resolution the config chose, or the request to choose one
    id: str = ""  # the key under `resolutions:` in compliance-config.yml
    frameworks: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    resolved: bool = False
    resolved_by: str = ""  # file:line of the chosen resolution


@dataclass(frozen=True)
class RequirementSet:
    requirements: tuple[Requirement, ...]
    conflicts: tuple[Conflict, ...] = ()
    as_of: str = ""  # the date that decided which citations and requirements apply
    waivers: tuple[WaiverUse, ...] = ()

    @property
    def control_ids(self) -> tuple[str, ...]:
        return tuple(r.control.id for r in self.requirements)


@stored_at_once
@dataclass(frozen=True)
class Finding:
    """One engine match (or annotation) mapped to its control."""

    control: str
    kind: str  # evidence | violation
    rule: str
    path: str
    start_line: int
    end_line: int
    message: str
    snippet: str = ""
    param_name: str = ""
    param_value: str = ""


@dataclass(frozen=True)
class ScanResult:
    findings: tuple[Finding, ...]
    files_scanned: int
    languages: tuple[str, ...]
    rules_run: int
    engine: str
    excluded: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    covered_controls: tuple[str, ...] = ()  # controls with at least one evidence rule that ran
    notes: tuple[str, ...] = ()  # how the scan went (cache reuse), for the reader
    # (control, n): plain evidence found beyond the first max_locations, counted, not listed
    omitted: tuple[tuple[str, int], ...] = ()


class Status(str, Enum):
    IMPLEMENTED = "implemented"
    MISSING = "missing"
    VIOLATED = "violated"
    MANUAL = "manual"
    WAIVED = "waived"


@stored_at_once
@dataclass(frozen=True)
class Location:
    path: str
    start_line: int
    end_line: int
    rule: str
    snippet: str
    message: str
    in_change: bool = False  # on a line the change adds or modifies (only known with a diff base)


@dataclass(frozen=True)
class TraceNode:
    requirement: Requirement
    status: Status
    locations: tuple[Location, ...]
    violations: tuple[Location, ...]
    note: str = ""
    enforcement: str = ""  # monitor | comment | block for this requirement; "" = the verdict's global mode
    locations_omitted: int = 0  # more evidence found than `locations` lists (ScanRequest.max_locations)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    implemented: int
    missing: int
    violated: int
    manual: int
    waived: int
    summary: str
    mode: str = "block"  # the strongest enforcement in effect: "monitor" posts no PR/MR comment
    pre_existing: int = 0  # violated requirements whose violations are all on lines the change left alone
    new_only: bool = False  # violations counted only on lines the change adds or modifies (diff-aware)


@dataclass(frozen=True)
class EnforcementPolicy:
    """`enforcement` plus its per-framework and per-control overrides (compliance-config.yml)."""

    default: str = "block"
    frameworks: Mapping[str, str] = field(default_factory=dict)
    controls: Mapping[str, str] = field(default_factory=dict)

    def mode_for(self, requirement: Requirement) -> str:
        """A control's own override wins; else the strictest mode among the frameworks requiring it."""
        if requirement.control.id in self.controls:
            return self.controls[requirement.control.id]
        if not requirement.frameworks:
            return self.default
        modes = [self.frameworks.get(name, self.default) for name in requirement.frameworks]
        return max(modes, key=ENFORCEMENT_MODES.index)


@dataclass(frozen=True)
class ChangeSet:
    """What a change touched: per file, the line ranges it adds or modifies (1-based, inclusive)."""

    base: str  # the ref the change is compared with
    files: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def touches(self, path: str, start: int, end: int) -> bool:
        """True when any line of start..end is an added or modified line of path."""
        last = max(start, end)
        return any(first <= last and start <= stop for first, stop in self.files.get(path, ()))


@dataclass(frozen=True)
class ControlDelta:
    control: str
    before: Status
    after: Status
    before_location: Location | None = None  # where the base implemented it, if it did


@dataclass(frozen=True)
class CoverageDelta:
    """Requirement statuses on the base commit against the change, with the same rules."""

    base_commit: str
    controls: tuple[ControlDelta, ...]

    @property
    def met_before(self) -> int:
        return sum(1 for c in self.controls if c.before is Status.IMPLEMENTED)

    @property
    def met_after(self) -> int:
        return sum(1 for c in self.controls if c.after is Status.IMPLEMENTED)

    @property
    def newly_met(self) -> tuple[str, ...]:
        return tuple(
            c.control for c in self.controls if c.after is Status.IMPLEMENTED and c.before is not Status.IMPLEMENTED
        )

    @property
    def newly_broken(self) -> tuple[str, ...]:
        return tuple(
            c.control
            for c in self.controls
            if c.before is Status.IMPLEMENTED and c.after in (Status.MISSING, Status.VIOLATED)
        )


@dataclass(frozen=True)
class TraceResult:
    ticket: Ticket | None
    classification: Classification | None
    nodes: tuple[TraceNode, ...]
    verdict: Verdict
    scan: ScanResult
    conflicts: tuple[Conflict, ...] = ()
    repo_url: str = ""
    commit: str = ""
    root: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    change: ChangeSet | None = None  # set when the check was diff-aware (--base, CI, pre-push)
    delta: CoverageDelta | None = None  # set when the base commit was scanned too
    as_of: str = ""  # the date of the check (citations in force on it)
    waivers: tuple[WaiverUse, ...] = ()
