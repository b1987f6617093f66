"""A check's TraceResult as a ledger record, and the fingerprints of the policy and rules it ran under.

A record keeps what an auditor needs to follow a verdict later: the ticket, the repository and
commit, the effective policy (its sha256; the policy itself is stored once beside the chain),
the rule pack (vibeward version and sha256 of the rule files), each requirement with its status,
citations as printed, parameters, locations, waiver and attestation, and the verdict.
Snippets of code are left out: the ledger outlives the code and must not copy it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from tracer import __version__
from tracer.config import OrgConfig
from tracer.env import Env
from tracer.evidence.store import canonical, sha256_text
from tracer.model import Attestation, Location, TraceNode, TraceResult, Waiver

# Fields of the config that say where something was written or how to connect, not what is required.
_NOT_POLICY = frozenset(
    {
        "path",
        "warnings",
        "lines",
        "line",
        "where",
        "requirement_lines",
        "tracker",
        "evidence",
        "scan_cache",
        "scan_cache_dir",
    }
)


@dataclass(frozen=True)
class Fingerprints:
    """What the check ran under: identical for every ticket of one check."""

    policy_path: str
    policy_sha256: str
    policy_json: str
    rules_version: str
    rules_sha256: str
    run_url: str = ""


def policy_snapshot(org: OrgConfig) -> dict[str, Any]:
    """The effective policy (built-in defaults merged with compliance-config.yml) as plain data."""
    value = _plain(org)
    assert isinstance(value, dict)
    return value


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in _NOT_POLICY}
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN has no canonical JSON form
        return "NaN"
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def rules_sha256(rules: Path) -> str:
    """sha256 over the rule files (path and content, in path order); test targets do not count."""
    digest = hashlib.sha256()
    if rules.is_dir():
        for path in sorted(p for p in rules.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml")):
            digest.update(path.relative_to(rules).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def fingerprints(org: OrgConfig, rules: Path, env: Env) -> Fingerprints:
    policy_json = canonical(policy_snapshot(org))
    return Fingerprints(
        policy_path=org.path,
        policy_sha256=sha256_text(policy_json),
        policy_json=policy_json,
        rules_version=__version__,
        rules_sha256=rules_sha256(rules),
        run_url=run_url(env),
    )


def run_url(env: Env) -> str:
    """The CI run that made the record (GitHub Actions or GitLab CI), if there is one."""
    server, repository, run_id = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if server and repository and run_id:
        return f"{server}/{repository}/actions/runs/{run_id}"
    return env.get("CI_JOB_URL")


def check_record(result: TraceResult, prints: Fingerprints, repository: str) -> dict[str, Any]:
    """The record for one ticket's check (seq, prev_hash and recorded_at are added by the ledger)."""
    ticket = result.ticket
    classification = result.classification
    return {
        "kind": "check",
        "ticket": None
        if ticket is None
        else {
            "key": ticket.key,
            "title": ticket.title,
            "url": ticket.url,
            "source": ticket.source,
            "status": ticket.status,
        },
        "repository": {"url": repository, "commit": result.commit, "path": result.root},
        "policy": {"path": prints.policy_path, "sha256": prints.policy_sha256},
        "rules": {"version": prints.rules_version, "sha256": prints.rules_sha256, "engine": result.scan.engine},
        "vibeward_version": __version__,
        "run_url": prints.run_url,
        "frameworks": [] if classification is None else list(classification.framework_names),
        "risk": None
        if classification is None
        else {"score": round(classification.risk.score, 2), "level": classification.risk.level},
        "requirements": [_requirement(node) for node in result.nodes],
        "waivers": [
            _waiver(node.requirement.waiver, node.requirement.control.id)
            for node in result.nodes
            if node.requirement.waiver is not None
        ],
        "attestations": [
            _attestation(node.requirement.attestation)
            for node in result.nodes
            if node.requirement.attestation is not None
        ],
        "verdict": {
            "passed": result.verdict.passed,
            "summary": result.verdict.summary,
            "counts": {
                "implemented": result.verdict.implemented,
                "missing": result.verdict.missing,
                "violated": result.verdict.violated,
                "manual": result.verdict.manual,
                "waived": result.verdict.waived,
            },
        },
    }


def _location(location: Location) -> dict[str, Any]:
    return {
        "path": location.path,
        "start_line": location.start_line,
        "end_line": location.end_line,
        "rule": location.rule,
        "message": location.message,
    }


def _waiver(waiver: Waiver, control: str) -> dict[str, Any]:
    return {
        "control": control,
        "reason": waiver.reason,
        "owner": waiver.owner,
        "approver": waiver.approver,
        "expires": waiver.expires,
    }


def _attestation(attestation: Attestation) -> dict[str, Any]:
    return {
        "control": attestation.control,
        "ticket": attestation.ticket,
        "who": attestation.who,
        "when": attestation.when,
        "note": attestation.note,
    }


def _requirement(node: TraceNode) -> dict[str, Any]:
    requirement = node.requirement
    control = requirement.control
    return {
        "control": control.id,
        "title": control.title,
        "verification": control.verification,
        "check": control.check,
        "mandatory": requirement.mandatory,
        "frameworks": list(requirement.frameworks),
        "citations": [{"ref": c.ref, "source": c.source, "printed": c.printed()} for c in requirement.citations],
        "params": {
            p.name: {"value": p.value, "unit": p.unit, "stricter": p.stricter, "set_by": p.set_by}
            for p in requirement.params
        },
        "status": node.status.value,
        "note": node.note,
        "locations": [_location(loc) for loc in node.locations],
        "locations_omitted": node.locations_omitted,
        "violations": [_location(loc) for loc in node.violations],
        "waiver": None if requirement.waiver is None else _waiver(requirement.waiver, control.id),
        "attestation": None if requirement.attestation is None else _attestation(requirement.attestation),
    }


def policy_sha256(org: OrgConfig) -> str:
    """The sha256 of the effective policy, as check records carry it."""
    return sha256_text(canonical(policy_snapshot(org)))
