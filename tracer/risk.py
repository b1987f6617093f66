"""Indicators + ticket + policy -> RiskScore (0 to 10, with the factors that made it).

The score is a plain sum that a reviewer can redo by hand: a base for any security-relevant
ticket, the org's weight for each indicator (`risk.weights` in the policy), a little per
framework, the strongest exposure signal found in the text (a leak, an injection, data in
clear text), and the ticket's priority and issue type. Levels follow design.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from tracer.config import OrgConfig
from tracer.model import INDICATORS, Evidence, FrameworkHit, IndicatorHit, RiskFactor, RiskScore, Ticket
from tracer.speedups import maker, rounded

LEVELS: tuple[tuple[float, str], ...] = ((8.5, "critical"), (6.0, "high"), (3.0, "medium"), (0.0, "low"))
MAX_SCORE = 10.0
# The records a ticket's score is made of, without their __init__'s Python frame
_make_factor: Final = maker(RiskFactor)
_make_score: Final = maker(RiskScore)


@dataclass(frozen=True)
class RiskSignal:
    """Words that raise risk beyond the areas touched, e.g. "stored in clear text"."""

    name: str
    weight: float
    evidence: Evidence


@dataclass(frozen=True)
class RiskModel:
    """The shape of the sum; numbers come from the `risk:` section of lexicon.yml."""

    base: float = 2.0
    per_framework: float = 0.5
    max_framework_bonus: float = 1.0
    priorities: Mapping[str, float] = field(default_factory=dict)
    issue_types: Mapping[str, float] = field(default_factory=dict)
    security_labels: tuple[str, ...] = ()
    security_label_weight: float = 0.0


def risk_model_from(data: Mapping[str, Any]) -> RiskModel:
    """Build the model from the parsed `risk:` mapping (values already checked as numbers)."""

    def numbers(value: Any) -> dict[str, float]:
        if not isinstance(value, Mapping):
            return {}
        return {str(k).lower(): float(v) for k, v in value.items() if isinstance(v, (int, float))}

    labels = data.get("security_labels", {})
    labels = labels if isinstance(labels, Mapping) else {}
    return RiskModel(
        base=float(data.get("base", 2.0)),
        per_framework=float(data.get("per_framework", 0.5)),
        max_framework_bonus=float(data.get("max_framework_bonus", 1.0)),
        priorities=numbers(data.get("priorities")),
        issue_types=numbers(data.get("issue_types")),
        security_labels=tuple(str(w).lower() for w in labels.get("words", ()) or ()),
        security_label_weight=float(labels.get("weight", 0.0)),
    )


def level_for(score: float) -> str:
    for floor, level in LEVELS:
        if score >= floor:
            return level
    return "low"


_PRIORITY_LABEL = re.compile(r"^\s*(?:priority|prio|severity|sev)\s*[:/=_-]?\s*([a-z0-9]+)\s*$", re.IGNORECASE)
_P_LEVEL = re.compile(r"^\s*(p[0-4])\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


def score_risk(
    indicators: Sequence[IndicatorHit],
    ticket: Ticket,
    config: OrgConfig,
    *,
    frameworks: Sequence[FrameworkHit] = (),
    signals: Sequence[RiskSignal] = (),
    model: RiskModel | None = None,
) -> RiskScore:
    """Score one ticket; a ticket with no indicator is not security-relevant and scores 0."""
    exposure = [(s.name, s.weight, s.evidence.text, s.evidence.field) for s in signals]
    return RiskScorer(config, model or RiskModel()).score(indicators, ticket, frameworks, exposure)


Exposure = tuple[str, float, str, str]  # a risk signal: name, strength, the words and their field


class RiskScorer:
    """`score_risk` for one policy and model: what every ticket shares is worked out once
    (the factor of each indicator, priority and level), so a ticket only adds up its own."""

    __slots__ = (
        "_actions", "_base", "_by_indicator", "_flags", "_issues", "_model", "_priorities", "_regulated", "_wanted",
        "quiet",
    )  # fmt: skip

    def __init__(self, config: OrgConfig, model: RiskModel) -> None:
        self._model = model
        self._base = _factor("security-relevant", model.base, "base score of a security-relevant ticket")
        self._by_indicator = tuple(
            (name, _factor(name, float(config.risk.weights.get(name, 1.0)), f"indicator {name} (risk.weights.{name})"))
            for name in INDICATORS
        )
        self._priorities = {
            priority: _factor("priority", weight, f"priority {priority}")
            for priority, weight in model.priorities.items()
            if weight
        }
        self._actions = {level: tuple(config.risk.actions.get(level, ())) for _, level in LEVELS}
        wanted = model.security_labels if model.security_label_weight else ()
        self._wanted = frozenset(wanted)
        self._regulated: dict[tuple[str, ...], RiskFactor] = {}  # by framework names: at most 2**5
        self._flags: dict[str, bool] = {}  # label -> whether it holds a security word
        self._issues: dict[str, RiskFactor | None] = {}  # issue type as written -> its factor
        self.quiet = RiskScore(score=0.0, level="low", factors=(), actions=self._actions["low"])

    def score(
        self,
        indicators: Sequence[IndicatorHit],
        ticket: Ticket,
        frameworks: Sequence[FrameworkHit] = (),
        exposure: Sequence[Exposure] = (),
    ) -> RiskScore:
        if not indicators:
            return self.quiet
        model = self._model
        factors: list[RiskFactor] = [self._base]
        names = {hit.name for hit in indicators}
        factors += [factor for name, factor in self._by_indicator if name in names]
        if frameworks:
            factors.append(self._regulated_factor(tuple(hit.name for hit in frameworks)))
        strongest: dict[str, Exposure] = {}
        for signal in exposure:
            kept = strongest.get(signal[0])
            if kept is None or signal[1] > kept[1]:
                strongest[signal[0]] = signal
        for name in sorted(strongest):
            _, weight, text, where = strongest[name]
            factors.append(_make_factor(name, rounded(weight, 2), f'"{text}" ({where})'))
        priority = _priority(ticket)
        if priority:
            factor = self._priorities.get(priority)
            if factor is not None:
                factors.append(factor)
        factor = self._issue_factor(ticket.issue_type)
        if factor is not None:
            factors.append(factor)
        flagged = self._flagged(ticket)
        if flagged:
            factors.append(RiskFactor("flagged", model.security_label_weight, f"labelled {flagged!r}"))
        total = sum(factor.weight for factor in factors)
        score = rounded(min(max(total, 0.0), MAX_SCORE), 1)
        level = level_for(score)
        return _make_score(score, level, tuple(factors), self._actions[level])

    def _issue_factor(self, written: str) -> RiskFactor | None:
        """The factor of an issue type as the ticket writes it, if the model weighs it."""
        if written in self._issues:
            return self._issues[written]
        issue_type = written.strip().lower()
        weight = self._model.issue_types.get(issue_type)
        factor = _factor("issue type", weight, f"issue type {written.strip()}") if weight else None
        if len(self._issues) >= _LABEL_CACHE:
            self._issues.clear()
        self._issues[written] = factor
        return factor

    def _regulated_factor(self, names: tuple[str, ...]) -> RiskFactor:
        factor = self._regulated.get(names)
        if factor is None:
            model = self._model
            bonus = min(model.per_framework * len(names), model.max_framework_bonus)
            factor = RiskFactor("regulated", bonus, f"in scope of {', '.join(names)}")
            if len(self._regulated) < _REGULATED_CACHE:
                self._regulated[names] = factor
        return factor

    def _flagged(self, ticket: Ticket) -> str:
        """The first label holding one of the model's security words, or ""."""
        wanted = self._wanted
        if not wanted:
            return ""
        flags = self._flags
        for label in ticket.labels:
            flagged = flags.get(label)
            if flagged is None:
                if len(flags) >= _LABEL_CACHE:
                    flags.clear()
                flagged = flags[label] = not wanted.isdisjoint([word.lower() for word in _WORD.findall(label)])
            if flagged:
                return label
        return ""


_REGULATED_CACHE = 64  # distinct framework lists; a classifier makes at most 2**5 - 1
_LABEL_CACHE = 4096  # distinct labels (and issue types): they recur from ticket to ticket


@functools.lru_cache(maxsize=1024, typed=True)
def _factor(name: str, weight: float, reason: str) -> RiskFactor:
    """Factors that recur from ticket to ticket (the base, each indicator, priorities):
    immutable, so built once and shared."""
    return RiskFactor(name, weight, reason)


def _priority(ticket: Ticket) -> str:
    """The priority field, else a `priority: high` / `P1` style label."""
    if ticket.priority.strip():
        return ticket.priority.strip().lower()
    for label in ticket.labels:
        match = _PRIORITY_LABEL.match(label) or _P_LEVEL.match(label)
        if match:
            return match.group(1).lower()
    return ""
