"""Check results built through the real stages (derive, trace), and a ledger filled with them on given days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from tracer import config, requirements, trace
from tracer.catalog import load_catalog
from tracer.env import Env
from tracer.evidence.records import check_record, fingerprints
from tracer.evidence.store import open_ledger
from tracer.model import (
    Classification,
    Finding,
    FrameworkHit,
    IndicatorHit,
    RequirementSet,
    RiskScore,
    ScanResult,
    Ticket,
    TraceResult,
)
from tracer.resources import rules_dir

HIPAA_CONTROLS = ("audit_logging", "access_control", "encryption_at_rest", "minimum_necessary", "session_timeout")


@dataclass(frozen=True)
class Check:
    """One check of a ticket: which controls the scan found implemented or violated."""

    key: str
    day: date
    commit: str
    implemented: tuple[str, ...] = ()
    violated: tuple[str, ...] = ()
    title: str = "Export patient visit history"
    frameworks: tuple[str, ...] = ("HIPAA",)
    indicators: tuple[str, ...] = ("health_data", "authentication", "logging_audit")
    controls: tuple[str, ...] = HIPAA_CONTROLS
    url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def result_for(check: Check, org: config.OrgConfig) -> TraceResult:
    ticket = Ticket(key=check.key, title=check.title, url=check.url or f"https://jira.example.com/browse/{check.key}")
    classification = Classification(
        security_relevant=True,
        indicators=tuple(IndicatorHit(name, 2.0, ()) for name in check.indicators),
        frameworks=tuple(FrameworkHit(name, "trigger", ()) for name in check.frameworks),
        risk=RiskScore(7.0, "high", ()),
    )
    derived = requirements.derive(classification, load_catalog(), org, today=check.day, ticket_key=check.key)
    chosen = RequirementSet(tuple(r for r in derived.requirements if r.control.id in check.controls))
    findings = [
        Finding(c, "evidence", f"vibeward.python.{c}.found", f"app/{c}.py", 10 + n, 12 + n, f"{c} found")
        for n, c in enumerate(check.implemented)
    ] + [
        Finding(c, "violation", f"vibeward.python.{c}.bad", f"app/{c}.py", 40 + n, 40 + n, f"{c} violated")
        for n, c in enumerate(check.violated)
    ]
    scan = ScanResult(
        findings=tuple(findings),
        files_scanned=9,
        languages=("python",),
        rules_run=20,
        engine="semgrep",
        covered_controls=tuple(check.controls),
        omitted=tuple((c, 7) for c in check.implemented[:1]),  # more evidence than a check lists
    )
    nodes = trace.build_nodes(chosen, scan)
    return TraceResult(
        ticket=ticket,
        classification=classification,
        nodes=nodes,
        verdict=trace.verdict(nodes),
        scan=scan,
        repo_url="https://github.com/acme/clinic",
        commit=check.commit,
    )


def fill(url: str, checks: Sequence[Check], org: config.OrgConfig) -> None:
    """Append each check on its own day (noon UTC), in the order given."""
    prints = fingerprints(org, rules_dir(), Env.from_environ({}))
    for check in checks:
        moment = datetime(check.day.year, check.day.month, check.day.day, 12, tzinfo=timezone.utc)
        with open_ledger(url, clock=lambda moment=moment: moment) as ledger:
            ledger.append(
                [check_record(result_for(check, org), prints, "https://github.com/acme/clinic")],
                policies={prints.policy_sha256: prints.policy_json},
            )


def org_from(tmp: Path, text: str) -> config.OrgConfig:
    path = tmp / "compliance-config.yml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


def ticket_result(
    ticket: Ticket,
    org: config.OrgConfig,
    *,
    day: date,
    commit: str,
    missing: tuple[str, ...] = (),
    violated: tuple[str, ...] = (),
    bcrypt_cost: str = "12",
) -> TraceResult:
    """A check of a real ticket under `org` (real classify and derive): every required code control
    is found, except `missing` and `violated`; bcrypt is found with the given cost."""
    from tracer import classify

    classification = classify.classify(ticket, org)
    required = requirements.derive(classification, load_catalog(), org, today=day, ticket_key=ticket.key)
    code = [r.control.id for r in required.requirements if r.control.verification == "code"]
    findings = []
    for n, control in enumerate(code):
        if control in violated:
            findings.append(Finding(control, "violation", f"r.{control}.bad", f"app/{control}.py", 40, 40, "bad"))
        elif control not in missing:
            param = ("bcrypt_cost", bcrypt_cost) if control == "password_hashing" else ("", "")
            findings.append(
                Finding(control, "evidence", f"r.{control}", f"app/{control}.py", 10 + n, 10 + n, "found", "", *param)
            )
    scan = ScanResult(tuple(findings), 5, ("python",), 30, "semgrep", covered_controls=tuple(code))
    nodes = trace.build_nodes(required, scan)
    return TraceResult(
        ticket=ticket,
        classification=classification,
        nodes=nodes,
        verdict=trace.verdict(nodes, org.enforcement),
        scan=scan,
        repo_url="https://github.com/acme/shop",
        commit=commit,
    )


def append_results(url: str, results: Sequence[TraceResult], org: config.OrgConfig) -> None:
    prints = fingerprints(org, rules_dir(), Env.from_environ({}))
    with open_ledger(url) as ledger:
        ledger.append([check_record(r, prints, r.repo_url) for r in results])
