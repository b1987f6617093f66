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


# An Evidence not built yet: weight (rounded as Evidence carries it), field, start, end, text,
# rule. The classifier weighs many matches and shows few; only the shown become objects.
Item = tuple[float, str, int, int, str, str]


def evidence_score(evidence: Sequence[Evidence], repeat_cap: float) -> float:
    """Sum over rules; repeats of one rule add up to at most `repeat_cap` x its best match."""
    return _score([(item.weight, item.rule) for item in evidence], repeat_cap)


def _score(weighted: Sequence[tuple[float, str]], repeat_cap: float) -> float:
    by_rule: dict[str, list[float]] = {}
    for weight, rule in weighted:
        by_rule.setdefault(rule, []).append(weight)
    total = 0.0
    for weights in by_rule.values():
        total += min(sum(weights), repeat_cap * max(weights))
    return round(total, 3)


def strongest(evidence: Sequence[Evidence], limit: int) -> tuple[Evidence, ...]:
    """The evidence worth showing: best first, one line per rule and place, deterministic."""
    return strongest_items([_item(e) for e in evidence], limit)


def strongest_items(
    items: Sequence[Item], limit: int, built: dict[Item, Evidence] | None = None
) -> tuple[Evidence, ...]:
    """`strongest` for evidence not built yet; builds only what it keeps.

    `built` shares the objects between calls: one match is often shown, with the same
    weight, for an indicator and for a framework.
    """
    # Best first by (weight, field, start, rule), ties in the given order (the position).
    ordered = sorted([(-item[0], item[1], item[2], item[5], index) for index, item in enumerate(items)])
    seen: set[tuple[str, str, int]] = set()
    kept: list[Evidence] = []
    for _, field, start, rule, index in ordered:
        key = (rule, field, start)
        if key not in seen:
            seen.add(key)
            item = items[index]
            evidence = built.get(item) if built is not None else None
            if evidence is None:
                evidence = Evidence(field=field, text=item[4], start=start, end=item[3], weight=item[0], rule=rule)
                if built is not None:
                    built[item] = evidence
            kept.append(evidence)
        if len(kept) >= limit:
            break
    return tuple(kept)


def _item(evidence: Evidence) -> Item:
    return (evidence.weight, evidence.field, evidence.start, evidence.end, evidence.text, evidence.rule)


def detect_frameworks(
    signals: Sequence[FrameworkSignal],
    indicators: Sequence[IndicatorHit],
    config: OrgConfig,
    rules: FrameworkRules | None = None,
) -> tuple[FrameworkHit, ...]:
    """Frameworks in FRAMEWORKS order; none for a ticket without indicators."""
    return frameworks_for(
        [(signal.framework, signal.trigger, _item(signal.evidence)) for signal in signals], indicators, config, rules
    )


def frameworks_for(
    signals: Sequence[tuple[str, bool, Item]],
    indicators: Sequence[IndicatorHit],
    config: OrgConfig,
    rules: FrameworkRules | None = None,
    built: dict[Item, Evidence] | None = None,
) -> tuple[FrameworkHit, ...]:
    """`detect_frameworks` for signals given as (framework, trigger, evidence not built yet)."""
    rules = rules or FrameworkRules()
    if not indicators:
        return ()
    fired = {hit.name for hit in indicators}
    gates = rules.gates or {}
    by_framework: dict[str, tuple[list[Item], list[Item]]] = {}
    for framework, trigger, item in signals:
        triggers, lexical = by_framework.setdefault(framework, ([], []))
        (triggers if trigger else lexical).append(item)
    hits: list[FrameworkHit] = []
    for name in FRAMEWORKS:
        policy = config.frameworks.get(name)
        if policy is not None and not policy.enabled:
            continue
        gate = gates.get(name, ())
        gate_open = not gate or bool(fired.intersection(gate))
        triggers, lexical = by_framework.get(name, ([], []))
        lexical = lexical if gate_open else []
        trigger_score = _score([(item[0], item[5]) for item in triggers], rules.repeat_cap) if triggers else 0.0
        if lexical:
            total = _score([(item[0], item[5]) for item in triggers + lexical], rules.repeat_cap)
        else:
            total = trigger_score  # the same sum: no lexicon evidence counts
        if total >= rules.threshold:
            reason = "trigger" if trigger_score >= rules.threshold else "indicator"
            hits.append(FrameworkHit(name, reason, strongest_items(triggers + lexical, rules.max_evidence, built)))
        elif policy is not None and policy.baseline:
            baseline = Evidence(
                field="policy",
                text=f"frameworks.{name}.baseline: true",
                weight=0.0,
                rule=f"policy:frameworks.{name}.baseline",
            )
            hits.append(FrameworkHit(name, "baseline", (baseline,)))
    return tuple(hits)
