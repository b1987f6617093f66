from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tracer import config
from tracer.classify import classify
from tracer.config import OrgConfig, RiskPolicy
from tracer.model import Evidence, IndicatorHit, Ticket
from tracer.risk import RiskModel, RiskSignal, level_for, score_risk


@pytest.fixture(scope="module")
def default_config() -> OrgConfig:
    return config.load(None)


def hit(name: str) -> IndicatorHit:
    return IndicatorHit(name, 1.0, (Evidence(field="title", text=name, start=0, end=len(name), rule="t"),))


TICKET = Ticket(key="R-1", title="x")


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0.0, "low"),
        (2.99, "low"),
        (3.0, "medium"),
        (5.99, "medium"),
        (6.0, "high"),
        (8.49, "high"),
        (8.5, "critical"),
        (10.0, "critical"),
    ],
)
def test_levels_follow_the_design(score: float, level: str) -> None:
    assert level_for(score) == level


def test_non_security_tickets_are_low(default_config: OrgConfig) -> None:
    risk = score_risk((), TICKET, default_config)
    assert (risk.score, risk.level, risk.factors) == (0.0, "low", ())


def test_score_is_the_sum_of_its_factors(default_config: OrgConfig) -> None:
    risk = score_risk((hit("payment"), hit("database")), TICKET, default_config, model=RiskModel(base=2.0))
    assert risk.score == pytest.approx(sum(f.weight for f in risk.factors))
    assert [f.name for f in risk.factors] == ["security-relevant", "payment", "database"]
    assert risk.score == pytest.approx(2.0 + 3.0 + 1.0)
    assert risk.level == "high"
    assert risk.actions == default_config.risk.actions["high"]


def test_weights_come_from_the_policy(default_config: OrgConfig) -> None:
    cheap = replace(default_config, risk=RiskPolicy(weights={"payment": 0.5}, actions={}))
    assert (
        score_risk((hit("payment"),), TICKET, cheap).score < score_risk((hit("payment"),), TICKET, default_config).score
    )


def test_policy_file_changes_weights(tmp_path: Path) -> None:
    path = tmp_path / "compliance-config.yml"
    path.write_text(
        "risk:\n  weights:\n    file_upload: 6\n  actions:\n    critical: [page someone]\n", encoding="utf-8"
    )
    cfg = config.load(path)
    risk = score_risk((hit("file_upload"),), TICKET, cfg, model=RiskModel(base=3.0))
    assert risk.level == "critical"
    assert risk.actions == ("page someone",)


def test_priority_and_issue_type_count(default_config: OrgConfig) -> None:
    model = RiskModel(priorities={"critical": 1.5, "low": -0.5}, issue_types={"bug": 0.5})
    plain = score_risk((hit("authentication"),), TICKET, default_config, model=model).score
    urgent = replace(TICKET, priority="Critical", issue_type="Bug")
    assert score_risk((hit("authentication"),), urgent, default_config, model=model).score == pytest.approx(plain + 2.0)
    labelled = replace(TICKET, labels=("priority: low",))
    assert score_risk((hit("authentication"),), labelled, default_config, model=model).score == pytest.approx(
        plain - 0.5
    )


def test_strongest_signal_counts_once_and_score_is_capped(default_config: OrgConfig) -> None:
    signals = [
        RiskSignal("exposure", 2.0, Evidence(field="description", text="leaked", rule="risk.exposure")),
        RiskSignal("exposure", 2.5, Evidence(field="title", text="SQL injection", rule="db.injection")),
    ]
    names = ["payment", "health_data", "financial_records", "personal_data", "authentication"]
    risk = score_risk([hit(n) for n in names], TICKET, default_config, signals=signals)
    exposure = [f for f in risk.factors if f.name == "exposure"]
    assert len(exposure) == 1 and exposure[0].weight == 2.5 and "SQL injection" in exposure[0].reason
    assert risk.score == 10.0


def test_classified_risk_examples(default_config: OrgConfig) -> None:
    leak = classify(
        Ticket(
            key="K-1", title="Full card numbers and CVV stored in plain text", description="Found in the orders table."
        ),
        default_config,
    )
    assert leak.risk.level == "critical"
    minor = classify(Ticket(key="K-2", title="Add a logout button to the mobile menu", priority="Low"), default_config)
    assert minor.risk.level in {"low", "medium"}
    none = classify(Ticket(key="K-3", title="Fix footer colour", priority="Critical"), default_config)
    assert none.risk.level == "low"
