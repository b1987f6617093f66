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
from typing import Any

from tracer.config import OrgConfig
from tracer.model import INDICATORS, Evidence, FrameworkHit, IndicatorHit, RiskFactor, RiskScore, Ticket

LEVELS: tuple[tuple[float, str], ...] = ((8.5, "critical"), (6.0, "high"), (3.0, "medium"), (0.0, "low"))
MAX_SCORE = 10.0


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
    if not indicators:
        return RiskScore(score=0.0, level="low", factors=(), actions=tuple(config.risk.actions.get("low", ())))
    model = model or RiskModel()
    factors: list[RiskFactor] = [_factor("security-relevant", model.base, "base score of a security-relevant ticket")]
    names = {hit.name for hit in indicators}
    for name in INDICATORS:
        if name in names:
            weight = float(config.risk.weights.get(name, 1.0))
            factors.append(_factor(name, weight, f"indicator {name} (risk.weights.{name})"))
    if frameworks:
        bonus = min(model.per_framework * len(frameworks), model.max_framework_bonus)
        listed = ", ".join(hit.name for hit in frameworks)
        factors.append(_factor("regulated", bonus, f"in scope of {listed}"))
    strongest: dict[str, RiskSignal] = {}
    for signal in signals:
        kept = strongest.get(signal.name)
        if kept is None or signal.weight > kept.weight:
            strongest[signal.name] = signal
    for name in sorted(strongest):
        signal = strongest[name]
        factors.append(RiskFactor(name, round(signal.weight, 2), f'"{signal.evidence.text}" ({signal.evidence.field})'))
    priority = _priority(ticket)
    if priority and priority in model.priorities and model.priorities[priority]:
        factors.append(_factor("priority", model.priorities[priority], f"priority {priority}"))
    issue_type = ticket.issue_type.strip().lower()
    if model.issue_types.get(issue_type):
        factors.append(_factor("issue type", model.issue_types[issue_type], f"issue type {ticket.issue_type.strip()}"))
    flagged = _security_label(ticket, model)
    if flagged:
        factors.append(RiskFactor("flagged", model.security_label_weight, f"labelled {flagged!r}"))
    total = sum(factor.weight for factor in factors)
    score = round(min(max(total, 0.0), MAX_SCORE), 1)
    level = level_for(score)
    return RiskScore(
        score=score, level=level, factors=tuple(factors), actions=tuple(config.risk.actions.get(level, ()))
    )


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


def _security_label(ticket: Ticket, model: RiskModel) -> str:
    if not model.security_labels or not model.security_label_weight:
        return ""
    wanted = set(model.security_labels)
    for label in ticket.labels:
        if wanted.intersection(word.lower() for word in _WORD.findall(label)):
            return label
    return ""
