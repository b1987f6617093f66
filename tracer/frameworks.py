"""Matched evidence + indicators + the org policy -> the frameworks a ticket falls under.

Two kinds of evidence count towards a framework:
- lexicon evidence: built-in vocabulary tagged with the framework (e.g. "cardholder" for
  PCI-DSS). It counts only when the ticket fired one of the framework's gate indicators
  (`frameworks.<id>.requires_any` in lexicon.yml), so "patient" alone never means HIPAA;
- trigger evidence: the org's `frameworks.<id>.triggers` (keywords, components, labels),
  matched by the same word-aware matcher.

A framework applies when its evidence scores at least the framework threshold, and only to
security-relevant tickets. `frameworks.SOC2.baseline: true` adds SOC2 to every
security-relevant ticket with the reason "baseline".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracer.config import OrgConfig
from tracer.model import FRAMEWORKS, Evidence, FrameworkHit, IndicatorHit


@dataclass(frozen=True)
class FrameworkSignal:
    framework: str
    evidence: Evidence
    trigger: bool  # from the org policy's triggers rather than the lexicon


@dataclass(frozen=True)
class FrameworkRules:
    threshold: float = 1.0
    repeat_cap: float = 1.5
    max_evidence: int = 8
    gates: Mapping[str, tuple[str, ...]] | None = None  # framework -> indicators, one needed


def evidence_score(evidence: Sequence[Evidence], repeat_cap: float) -> float:
    """Sum over rules; repeats of one rule add up to at most `repeat_cap` x its best match."""
    by_rule: dict[str, list[float]] = {}
    for item in evidence:
        by_rule.setdefault(item.rule, []).append(item.weight)
    total = 0.0
    for weights in by_rule.values():
        total += min(sum(weights), repeat_cap * max(weights))
    return round(total, 3)


def strongest(evidence: Sequence[Evidence], limit: int) -> tuple[Evidence, ...]:
    """The evidence worth showing: best first, one line per rule and place, deterministic."""
    ordered = sorted(evidence, key=lambda e: (-e.weight, e.field, e.start, e.rule))
    seen: set[tuple[str, str, int]] = set()
    kept: list[Evidence] = []
    for item in ordered:
        key = (item.rule, item.field, item.start)
        if key not in seen:
            seen.add(key)
            kept.append(item)
        if len(kept) >= limit:
            break
    return tuple(kept)


def detect_frameworks(
    signals: Sequence[FrameworkSignal],
    indicators: Sequence[IndicatorHit],
    config: OrgConfig,
    rules: FrameworkRules | None = None,
) -> tuple[FrameworkHit, ...]:
    """Frameworks in FRAMEWORKS order; none for a ticket without indicators."""
    rules = rules or FrameworkRules()
    if not indicators:
        return ()
    fired = {hit.name for hit in indicators}
    gates = rules.gates or {}
    by_framework: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    for signal in signals:
        triggers, lexical = by_framework.setdefault(signal.framework, ([], []))
        (triggers if signal.trigger else lexical).append(signal.evidence)
    hits: list[FrameworkHit] = []
    for name in FRAMEWORKS:
        policy = config.frameworks.get(name)
        if policy is not None and not policy.enabled:
            continue
        gate = gates.get(name, ())
        gate_open = not gate or bool(fired.intersection(gate))
        triggers, lexical = by_framework.get(name, ([], []))
        lexical = lexical if gate_open else []
        trigger_score = evidence_score(triggers, rules.repeat_cap)
        total = evidence_score(triggers + lexical, rules.repeat_cap)
        if total >= rules.threshold:
            reason = "trigger" if trigger_score >= rules.threshold else "indicator"
            hits.append(FrameworkHit(name, reason, strongest(triggers + lexical, rules.max_evidence)))
        elif policy is not None and policy.baseline:
            baseline = Evidence(
                field="policy",
                text=f"frameworks.{name}.baseline: true",
                weight=0.0,
                rule=f"policy:frameworks.{name}.baseline",
            )
            hits.append(FrameworkHit(name, "baseline", (baseline,)))
    return tuple(hits)
