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
from typing import Final

from tracer.config import OrgConfig
from tracer.model import FRAMEWORKS, Evidence, FrameworkHit
from tracer.speedups import maker, rounded


@dataclass(frozen=True)
class FrameworkRules:
    threshold: float = 1.0
    repeat_cap: float = 1.5
    max_evidence: int = 8
    gates: Mapping[str, tuple[str, ...]] | None = None  # framework -> indicators, one needed


# Records without their __init__'s Python frame: one per shown match, one per framework
_make_evidence: Final = maker(Evidence)
_make_framework_hit: Final = maker(FrameworkHit)

# An Evidence not built yet: weight (rounded as Evidence carries it), field, start, end, text,
# rule. The classifier weighs many matches and shows few; only the shown become objects.
Item = tuple[float, str, int, int, str, str]


def _score(weighted: Sequence[tuple[float, str]], repeat_cap: float) -> float:
    if len(weighted) == 1:  # what the sums below make of one match (0 + weight: as sum() adds)
        weight = weighted[0][0]
        return rounded(0.0 + min(0 + weight, repeat_cap * weight), 3)
    by_rule: dict[str, list[float]] = {}
    for weight, rule in weighted:
        by_rule.setdefault(rule, []).append(weight)
    total = 0.0
    for weights in by_rule.values():
        total += min(sum(weights), repeat_cap * max(weights))
    return rounded(total, 3)


def strongest_items(items: Sequence[Item], limit: int) -> tuple[Evidence, ...]:
    """`strongest` for evidence not built yet; builds only what it keeps."""
    if len(items) == 1:
        return (_built(items[0]),)
    # Best first by (weight, field, start, rule), ties in the given order (the position).
    ordered = sorted([(-item[0], item[1], item[2], item[5], index) for index, item in enumerate(items)])
    seen: set[tuple[str, str, int]] = set()
    kept: list[Evidence] = []
    for _, field, start, rule, index in ordered:
        key = (rule, field, start)
        if key not in seen:
            seen.add(key)
            kept.append(_built(items[index]))
        if len(kept) >= limit:
            break
    return tuple(kept)


def _built(item: Item) -> Evidence:
    """The Evidence of an item. Made anew each time: a match shown for an indicator is shown
    for a framework with the same weight too seldom (about one in ten) to pay for a dict
    that would share it."""
    return _make_evidence(item[1], item[4], item[2], item[3], item[0], item[5])


class FrameworkJudge:
    """The frameworks of tickets under one policy and set of rules, with what every ticket
    shares worked out once: the enabled frameworks in order, their gates and their baseline hits."""

    __slots__ = ("_frameworks", "_rules", "_sparse")

    def __init__(self, config: OrgConfig, rules: FrameworkRules) -> None:
        self._rules = rules
        gates = rules.gates or {}
        frameworks: list[tuple[str, frozenset[str], FrameworkHit | None]] = []
        for name in FRAMEWORKS:
            policy = config.frameworks.get(name)
            if policy is not None and not policy.enabled:
                continue
            baseline = _baseline_hit(name) if policy is not None and policy.baseline else None
            frameworks.append((name, frozenset(gates.get(name, ())), baseline))
        self._frameworks = tuple(frameworks)
        # Above a threshold of 0 a framework without evidence can only be a baseline: only
        # the frameworks with evidence need weighing.
        self._sparse = rules.threshold > 0

    def judge(
        self,
        evidence: Mapping[str, tuple[list[Item], list[Item]]],  # framework -> (trigger, lexicon) evidence
        fired: set[str],
    ) -> tuple[FrameworkHit, ...]:
        """The frameworks of a ticket whose indicators `fired` (at least one)."""
        rules = self._rules
        threshold = rules.threshold
        hits: list[FrameworkHit] = []
        for name, gate, baseline in self._frameworks:
            found = evidence.get(name)
            if found is None and self._sparse:
                if baseline is not None:
                    hits.append(baseline)
                continue
            triggers, lexical = found or ([], [])
            if lexical and gate and fired.isdisjoint(gate):
                lexical = []
            both = triggers + lexical if triggers and lexical else triggers or lexical
            trigger_score = _score([(item[0], item[5]) for item in triggers], rules.repeat_cap) if triggers else 0.0
            total = _score([(item[0], item[5]) for item in both], rules.repeat_cap) if lexical else trigger_score
            if total >= threshold:
                reason = "trigger" if trigger_score >= threshold else "indicator"
                shown = strongest_items(both, rules.max_evidence)
                hits.append(_make_framework_hit(name, reason, shown))
            elif baseline is not None:
                hits.append(baseline)
        return tuple(hits)


def _baseline_hit(name: str) -> FrameworkHit:
    evidence = Evidence(
        field="policy",
        text=f"frameworks.{name}.baseline: true",
        weight=0.0,
        rule=f"policy:frameworks.{name}.baseline",
    )
    return FrameworkHit(name, "baseline", (evidence,))
