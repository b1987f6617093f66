from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracer import config
from tracer.errors import InputError
from tracer.evaluate import evaluate, render_eval

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "tickets" / "dev.jsonl"


@pytest.mark.skipif(not DEV_SET.is_file(), reason=f"labeled dev set not found at {DEV_SET} (CI has it beside the repo)")
def test_dev_set_targets() -> None:
    report = evaluate(DEV_SET, config.load(None), keep_going=False)
    shown = render_eval(report)
    assert report.tickets >= 60, shown
    assert report.framework_micro_without_soc2.f1 >= 0.92, shown
    assert report.indicator_micro.f1 >= 0.85, shown
    assert report.non_security_framework_share <= 0.03, shown
    assert report.security_accuracy >= 0.9, shown


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _row(key: str, title: str, expected: dict[str, object]) -> dict[str, object]:
    return {"id": key, "title": title, "description": "", "expected": expected}


SECURE = {"security_relevant": True, "indicators": ["payment"], "frameworks": ["PCI-DSS"], "risk": "high"}
PLAIN = {"security_relevant": False, "indicators": [], "frameworks": [], "risk": "low"}


def test_scores_and_mistakes(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "set.jsonl",
        [
            _row("A", "Mask the credit card number on receipts", SECURE),
            _row("B", "Fix footer colour", PLAIN),
            # Labeled security-relevant, but nothing in the text says so: a miss.
            _row("C", "Improve the widget", {**SECURE, "frameworks": ["HIPAA"], "indicators": ["health_data"]}),
        ],
    )
    report = evaluate(path, config.load(None), keep_going=False)
    assert report.tickets == 3
    assert report.frameworks["PCI-DSS"].tp == 1 and report.frameworks["PCI-DSS"].fp == 0
    assert report.frameworks["HIPAA"].fn == 1 and report.frameworks["HIPAA"].recall == 0.0
    assert report.framework_micro.precision == 1.0 and report.framework_micro.recall == 0.5
    assert report.non_security == 1 and report.non_security_with_framework == 0
    assert report.security_accuracy == pytest.approx(2 / 3)
    keys = [m.key for m in report.mistakes]
    assert "C" in keys and "B" not in keys
    text = render_eval(report)
    assert "framework micro-F1 (without SOC2)" in text and "indicator micro-F1" in text
    assert "- C: Improve the widget" in text
    assert "frameworks: expected HIPAA; got -" in text


def test_wrong_ticket_lists_the_evidence_that_fired(tmp_path: Path) -> None:
    path = _write(tmp_path / "set.jsonl", [_row("F", "Patient records are emailed in plain text", PLAIN)])
    text = render_eval(evaluate(path, config.load(None), keep_going=False))
    assert 'health_data: "Patient records" (title) hd.phi' in text


def test_bad_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "set.jsonl", [_row("A", "Fix footer colour", PLAIN), "{not json", {"id": "B", "title": "no labels"}]
    )
    with pytest.raises(InputError):
        evaluate(path, config.load(None), keep_going=False)
    report = evaluate(path, config.load(None), keep_going=True)
    assert report.tickets == 1
    assert len(report.skipped) == 2
    assert "skipped 2 lines" in render_eval(report)
