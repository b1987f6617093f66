"""The canonical machine-readable form: schema vibeward.trace/v1 (docs/trace.schema.json)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracer import __version__
from tracer.model import (
    Attestation,
    Classification,
    Conflict,
    Evidence,
    Location,
    Param,
    TraceNode,
    TraceResult,
    Waiver,
    WaiverUse,
)

if TYPE_CHECKING:
    from tracer.reporters import RenderOptions

SCHEMA = "vibeward.trace/v1"
SET_SCHEMA = "vibeward.trace-set/v1"


def render(result: TraceResult, options: RenderOptions) -> str:
    del options
    # One line: the C encoder (no indent) is ~10x faster on repository-wide evidence; pipe to jq to read.
    return json.dumps(as_dict(result), ensure_ascii=False) + "\n"


def render_set(results: Sequence[TraceResult]) -> str:
    """Several tickets in one change (vibeward.trace-set/v1): each result as in vibeward.trace/v1."""
    data = {
        "schema": SET_SCHEMA,
        "passed": all(r.verdict.passed for r in results),
        "results": [as_dict(r) for r in results],
    }
    return json.dumps(data, ensure_ascii=False) + "\n"


def as_dict(result: TraceResult) -> dict[str, Any]:
    ticket = result.ticket
    return {
        "schema": SCHEMA,
        "vibeward_version": __version__,
        "ticket": None
        if ticket is None
        else {
            "key": ticket.key,
            "title": ticket.title,
            "url": ticket.url,
            "labels": list(ticket.labels),
            "components": list(ticket.components),
            "priority": ticket.priority,
            "issue_type": ticket.issue_type,
            "status": ticket.status,
            "source": ticket.source,
            "project": ticket.project,  # evidence from field "project" points here
        },
        "classification": None if result.classification is None else classification_dict(result.classification),
        "requirements": [_requirement(node) for node in result.nodes],
        "conflicts": [conflict_dict(c) for c in result.conflicts],
        "verdict": {
            "passed": result.verdict.passed,
            "summary": result.verdict.summary,
            "counts": {
                "implemented": result.verdict.implemented,
                "missing": result.verdict.missing,
                "violated": result.verdict.violated,
                "manual": result.verdict.manual,
                "waived": result.verdict.waived,
                "pre_existing": result.verdict.pre_existing,
            },
            "enforcement": result.verdict.mode,
        },
        "scan": {
            "engine": result.scan.engine,
            "files_scanned": result.scan.files_scanned,
            "languages": list(result.scan.languages),
            "rules_run": result.scan.rules_run,
            "excluded": list(result.scan.excluded),
            "errors": list(result.scan.errors),
            "notes": list(result.scan.notes),
        },
        "repository": {"url": result.repo_url, "commit": result.commit, "path": result.root},
        "warnings": list(result.warnings),
        "change": _change(result),
        "as_of": result.as_of,
        "waivers": [waiver_use_dict(use) for use in result.waivers],
    }


def _change(result: TraceResult) -> dict[str, Any] | None:
    """The diff base and the coverage delta against it; None when the check was not diff-aware."""
    if result.change is None:
        return None
    coverage = result.delta
    return {
        "base": result.change.base,
        "changed_files": sorted(result.change.files),
        "delta": None
        if coverage is None
        else {
            "base_commit": coverage.base_commit,
            "met_before": coverage.met_before,
            "met_after": coverage.met_after,
            "newly_met": list(coverage.newly_met),
            "newly_broken": list(coverage.newly_broken),
            "controls": [
                {"control": c.control, "before": c.before.value, "after": c.after.value} for c in coverage.controls
            ],
        },
    }


def evidence_dict(evidence: Evidence) -> dict[str, Any]:
    return {
        "field": evidence.field,
        "text": evidence.text,
        "start": evidence.start,
        "end": evidence.end,
        "weight": evidence.weight,
        "rule": evidence.rule,
    }


def classification_dict(classification: Classification) -> dict[str, Any]:
    risk = classification.risk
    return {
        "security_relevant": classification.security_relevant,
        "indicators": [
            {"name": hit.name, "score": round(hit.score, 3), "evidence": [evidence_dict(e) for e in hit.evidence]}
            for hit in classification.indicators
        ],
        "frameworks": [
            {"name": hit.name, "reason": hit.reason, "evidence": [evidence_dict(e) for e in hit.evidence]}
            for hit in classification.frameworks
        ],
        "risk": {
            "score": round(risk.score, 2),
            "level": risk.level,
            "factors": [{"name": f.name, "weight": f.weight, "reason": f.reason} for f in risk.factors],
            "actions": list(risk.actions),
        },
    }


def _location(location: Location, with_message: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": location.path,
        "start_line": location.start_line,
        "end_line": location.end_line,
        "rule": location.rule,
        "snippet": location.snippet,
        "in_change": location.in_change,
    }
    if with_message:
        data["message"] = location.message
    else:
        data["description"] = location.message
    return data


def _param(param: Param) -> dict[str, Any]:
    return {
        "value": param.value,
        "unit": param.unit,
        "stricter": param.stricter,
        "set_by": param.set_by,
        "policy": param.is_policy,
        "floor": None
        if param.floor is None
        else {"value": param.floor.value, "citation": param.floor.citation, "framework": param.floor.framework},
        "considered": [{"value": value, "set_by": who} for value, who in param.considered],
    }


def _requirement(node: TraceNode) -> dict[str, Any]:
    requirement = node.requirement
    control = requirement.control
    waiver = requirement.waiver
    return {
        "control": control.id,
        "title": control.title,
        "statement": control.statement,
        "verification": control.verification,
        "mandatory": requirement.mandatory,
        "params": {param.name: _param(param) for param in requirement.params},
        "citations": [
            {
                "ref": c.ref,
                "source": c.source,
                "note": c.note,
                "general": c.general,
                "practice": c.practice,
                "printed": c.printed(),
            }
            for c in requirement.citations
        ],
        "frameworks": list(requirement.frameworks),
        "reason": requirement.reason,
        "status": node.status.value,
        "note": node.note,
        "locations": [_location(loc, with_message=False) for loc in node.locations],
        "locations_omitted": node.locations_omitted,
        "violations": [_location(loc, with_message=True) for loc in node.violations],
        "waiver": None if waiver is None else waiver_dict(waiver),
        "attestation": None if requirement.attestation is None else attestation_dict(requirement.attestation),
    }


def waiver_dict(waiver: Waiver) -> dict[str, Any]:
    return {
        "control": waiver.control,
        "reason": waiver.reason,
        "owner": waiver.owner,
        "approver": waiver.approver,
        "expires": waiver.expires,
        "scope": {"ticket": waiver.ticket, "paths": list(waiver.paths), "frameworks": list(waiver.frameworks)},
        "where": waiver.where,
    }


def waiver_use_dict(use: WaiverUse) -> dict[str, Any]:
    """A configured waiver and what it did for this ticket (every waiver is listed)."""
    return {**waiver_dict(use.waiver), "status": use.status, "note": use.note}


def attestation_dict(attestation: Attestation) -> dict[str, Any]:
    return {
        "control": attestation.control,
        "ticket": attestation.ticket,
        "who": attestation.who,
        "when": attestation.when,
        "note": attestation.note,
        "where": attestation.where,
    }


def conflict_dict(conflict: Conflict) -> dict[str, Any]:
    return {
        "id": conflict.id,
        "controls": list(conflict.controls),
        "frameworks": list(conflict.frameworks),
        "citations": list(conflict.citations),
        "description": conflict.description,
        "resolution": conflict.resolution,
        "resolved": conflict.resolved,
        "resolved_by": conflict.resolved_by,
    }
