"""Measure the classifier on a labeled JSON Lines file (`expected` on each line).

Each line is a ticket plus `expected: {security_relevant, indicators, frameworks, risk}`.
The report gives per-framework precision/recall/F1, framework micro-F1 with and without
SOC2 (SOC2 is mostly an org choice), indicator micro-F1, security-relevant accuracy, the
share of non-security tickets given a framework, risk-level accuracy, and every ticket the
classifier got wrong with the evidence that fired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracer.classify import Classifier, build_classifier
from tracer.config import OrgConfig
from tracer.errors import InputError
from tracer.model import FRAMEWORKS, INDICATORS, Classification
from tracer.sources.file import iter_ticket_file


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Expected:
    security_relevant: bool
    indicators: tuple[str, ...]
    frameworks: tuple[str, ...]
    risk: str


@dataclass(frozen=True)
class Mistake:
    """A ticket where something differed, with what fired and why."""

    key: str
    title: str
    expected: Expected
    got: Expected
    evidence: tuple[str, ...]  # `indicator: "text" (field) rule weight` lines


@dataclass(frozen=True)
class EvalReport:
    path: str
    tickets: int
    skipped: tuple[str, ...]  # unreadable or unlabeled lines
    frameworks: Mapping[str, Score]
    indicators: Mapping[str, Score]
    framework_micro: Score
    framework_micro_without_soc2: Score
    indicator_micro: Score
    security_accuracy: float
    non_security: int
    non_security_with_framework: int
    risk_accuracy: float
    mistakes: tuple[Mistake, ...]

    @property
    def non_security_framework_share(self) -> float:
        return self.non_security_with_framework / self.non_security if self.non_security else 0.0


def _expected(raw: Mapping[str, Any]) -> Expected | None:
    data = raw.get("expected")
    if not isinstance(data, Mapping):
        return None

    def names(value: Any, allowed: Sequence[str]) -> tuple[str, ...]:
        items = value if isinstance(value, list) else []
        return tuple(sorted(str(v) for v in items if str(v) in allowed))

    return Expected(
        security_relevant=bool(data.get("security_relevant", False)),
        indicators=names(data.get("indicators"), INDICATORS),
        frameworks=names(data.get("frameworks"), FRAMEWORKS),
        risk=str(data.get("risk", "")),
    )


def _got(result: Classification) -> Expected:
    return Expected(
        security_relevant=result.security_relevant,
        indicators=tuple(sorted(result.indicator_names)),
        frameworks=tuple(sorted(result.framework_names)),
        risk=result.risk.level,
    )


def _score(pairs: Iterable[tuple[tuple[str, ...], tuple[str, ...]]], names: Sequence[str]) -> Score:
    tp = fp = fn = 0
    for expected, got in pairs:
        wanted = set(expected).intersection(names)
        found = set(got).intersection(names)
        tp += len(wanted & found)
        fp += len(found - wanted)
        fn += len(wanted - found)
    return Score(tp, fp, fn)


def _evidence_lines(result: Classification) -> tuple[str, ...]:
    lines: list[str] = []
    for hit in result.indicators:
        for item in hit.evidence:
            lines.append(f'{hit.name}: "{item.text}" ({item.field}) {item.rule} {item.weight:g}')
    for fw in result.frameworks:
        for item in fw.evidence[:3]:
            lines.append(f'{fw.name} [{fw.reason}]: "{item.text}" ({item.field}) {item.rule} {item.weight:g}')
    return tuple(lines)


def evaluate(path: Path, config: OrgConfig, keep_going: bool, classifier: Classifier | None = None) -> EvalReport:
    """Classify every labeled ticket in `path` and compare with its `expected` block."""
    classifier = classifier or build_classifier(config)
    pairs: list[tuple[Expected, Expected]] = []
    skipped: list[str] = []
    mistakes: list[Mistake] = []
    for line in iter_ticket_file(path, keep_going=keep_going):
        if line.ticket is None or line.raw is None:
            skipped.append(line.error)
            continue
        expected = _expected(line.raw)
        if expected is None:
            message = f"{path}:{line.line}: no `expected` labels"
            if not keep_going:
                raise InputError(message, "label the line, or pass --keep-going to skip it")
            skipped.append(message)
            continue
        result = classifier.classify(line.ticket)
        got = _got(result)
        pairs.append((expected, got))
        if got != expected:
            mistakes.append(Mistake(line.ticket.key, line.ticket.title, expected, got, _evidence_lines(result)))
    framework_pairs = [(e.frameworks, g.frameworks) for e, g in pairs]
    indicator_pairs = [(e.indicators, g.indicators) for e, g in pairs]
    non_security = [(e, g) for e, g in pairs if not e.security_relevant]
    count = len(pairs)
    return EvalReport(
        path=str(path),
        tickets=count,
        skipped=tuple(skipped),
        frameworks={name: _score(framework_pairs, (name,)) for name in FRAMEWORKS},
        indicators={name: _score(indicator_pairs, (name,)) for name in INDICATORS},
        framework_micro=_score(framework_pairs, FRAMEWORKS),
        framework_micro_without_soc2=_score(framework_pairs, tuple(n for n in FRAMEWORKS if n != "SOC2")),
        indicator_micro=_score(indicator_pairs, INDICATORS),
        security_accuracy=sum(e.security_relevant == g.security_relevant for e, g in pairs) / count if count else 0.0,
        non_security=len(non_security),
        non_security_with_framework=sum(bool(g.frameworks) for _, g in non_security),
        risk_accuracy=sum(e.risk == g.risk for e, g in pairs) / count if count else 0.0,
        mistakes=tuple(mistakes),
    )


def _row(name: str, score: Score) -> str:
    counts = f"(tp {score.tp}, fp {score.fp}, fn {score.fn})"
    return f"  {name:<22} P {score.precision:5.2f}  R {score.recall:5.2f}  F1 {score.f1:5.2f}   {counts}"


def _names(values: Sequence[str]) -> str:
    return ", ".join(values) or "-"


def render_eval(report: EvalReport) -> str:
    """The report as text: summary numbers first, then each wrong ticket with its evidence."""
    out = [f"Evaluated {report.tickets} tickets from {report.path}"]
    if report.skipped:
        out.append(f"  skipped {len(report.skipped)} lines:")
        out.extend(f"    {message}" for message in report.skipped)
    out.append("")
    out.append("Summary")
    out.append(f"  framework micro-F1 (without SOC2)  {report.framework_micro_without_soc2.f1:.3f}")
    out.append(f"  framework micro-F1 (all)           {report.framework_micro.f1:.3f}")
    out.append(f"  indicator micro-F1                 {report.indicator_micro.f1:.3f}")
    out.append(f"  security-relevant accuracy         {report.security_accuracy:.3f}")
    out.append(
        f"  non-security tickets with a framework  {report.non_security_with_framework}/{report.non_security}"
        f" ({report.non_security_framework_share:.1%})"
    )
    out.append(f"  risk level accuracy                {report.risk_accuracy:.3f}")
    out.append("")
    out.append("Frameworks")
    out.extend(_row(name, score) for name, score in report.frameworks.items())
    out.append("")
    out.append("Indicators")
    out.extend(_row(name, score) for name, score in report.indicators.items())
    out.append("")
    out.append(f"Tickets with a difference: {len(report.mistakes)}")
    for mistake in report.mistakes:
        e, g = mistake.expected, mistake.got
        out.append(f"- {mistake.key}: {mistake.title}")
        if e.security_relevant != g.security_relevant:
            out.append(f"    security-relevant: expected {e.security_relevant}, got {g.security_relevant}")
        if e.indicators != g.indicators:
            out.append(f"    indicators: expected {_names(e.indicators)}; got {_names(g.indicators)}")
        if e.frameworks != g.frameworks:
            out.append(f"    frameworks: expected {_names(e.frameworks)}; got {_names(g.frameworks)}")
        if e.risk != g.risk:
            out.append(f"    risk: expected {e.risk or '-'}, got {g.risk}")
        out.extend(f"      {line}" for line in mistake.evidence)
    return "\n".join(out) + "\n"
