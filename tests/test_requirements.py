from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracer import config, requirements
from tracer.catalog import load_catalog
from tracer.errors import ConfigError
from tracer.model import Classification, FrameworkHit, IndicatorHit, RiskScore

TODAY = date(2026, 11, 29)


def classified(indicators: tuple[str, ...], frameworks: tuple[str, ...]) -> Classification:
    return Classification(
        security_relevant=bool(indicators),
        indicators=tuple(IndicatorHit(name, 1.0, ()) for name in indicators),
        frameworks=tuple(FrameworkHit(name, "trigger", ()) for name in frameworks),
        risk=RiskScore(0.0, "low", ()),
    )


def params_of(req_set: requirements.RequirementSet, control: str) -> dict[str, requirements.Param]:
    req = next(r for r in req_set.requirements if r.control.id == control)
    return {p.name: p for p in req.params}


def test_non_security_ticket_gets_nothing() -> None:
    result = requirements.derive(classified((), ()), load_catalog(), config.load(None), today=TODAY)
    assert result.requirements == ()


def test_payment_ticket_under_pci_gets_card_controls_with_pci_citations() -> None:
    result = requirements.derive(
        classified(("payment", "authentication"), ("PCI-DSS",)), load_catalog(), config.load(None), today=TODAY
    )
    ids = set(result.control_ids)
    assert {"tokenization", "no_sensitive_auth_data_storage", "password_hashing", "session_timeout"} <= ids
    assert "data_deletion" not in ids  # personal-data rights are not a payment ticket's business
    hashing = next(r for r in result.requirements if r.control.id == "password_hashing")
    assert hashing.frameworks == ("PCI-DSS",)
    refs = [c.ref for c in hashing.citations]
    assert "PCI DSS v4.0.1 8.3.2" in refs
    assert not any(ref.startswith("45 CFR") for ref in refs)  # HIPAA is not active


def test_pci_idle_timeout_is_the_standard_floor_and_named_as_such() -> None:
    result = requirements.derive(
        classified(("authentication",), ("PCI-DSS",)), load_catalog(), config.load(None), today=TODAY
    )
    idle = params_of(result, "session_timeout")["idle_timeout_minutes"]
    assert idle.value == 15
    assert idle.set_by == "PCI DSS v4.0.1 8.2.8"
    assert not idle.is_policy


def test_org_policy_stays_policy_with_the_floor_beside_it() -> None:
    result = requirements.derive(
        classified(("authentication",), ("PCI-DSS",)), load_catalog(), config.load(None), today=TODAY
    )
    cost = params_of(result, "password_hashing")["bcrypt_cost"]
    assert (cost.value, cost.is_policy) == (12, True)
    assert cost.floor is not None and cost.floor.value == 10


def test_strictest_wins_across_frameworks(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(
        "frameworks:\n"
        "  PCI-DSS:\n    requirements:\n      - bcrypt_cost: 12\n"
        "  HIPAA:\n    requirements:\n      - bcrypt_cost: 14\n",
        encoding="utf-8",
    )
    result = requirements.derive(
        classified(("authentication", "health_data"), ("PCI-DSS", "HIPAA")),
        load_catalog(),
        config.load(path),
        today=TODAY,
    )
    cost = params_of(result, "password_hashing")["bcrypt_cost"]
    assert cost.value == 14
    assert cost.set_by == "org policy, HIPAA"


def test_lowering_a_floor_is_a_config_error_naming_value_floor_and_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("frameworks:\n  PCI-DSS:\n    requirements:\n      - idle_timeout_minutes: 30\n", encoding="utf-8")
    org = config.load(path)
    errors, _ = requirements.validate_policy(org, load_catalog())
    assert any(f"{path}:4" in e and "30" in e and "PCI DSS v4.0.1 8.2.8" in e for e in errors)
    with pytest.raises(ConfigError, match="weaker than 15"):
        requirements.derive(classified(("session",), ("PCI-DSS",)), load_catalog(), org, today=TODAY)


def test_config_can_require_a_control_the_indicators_did_not(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("frameworks:\n  PCI-DSS:\n    requirements:\n      - mfa: true\n", encoding="utf-8")
    result = requirements.derive(
        classified(("payment",), ("PCI-DSS",)), load_catalog(), config.load(path), today=TODAY
    )
    mfa = next(r for r in result.requirements if r.control.id == "mfa")
    assert "named in" in mfa.reason


def test_unknown_requirement_name_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("frameworks:\n  GDPR:\n    requirements:\n      - bcrypt_rounds: 12\n", encoding="utf-8")
    errors, _ = requirements.validate_policy(config.load(path), load_catalog())
    assert errors == (f"{path}:4: frameworks.GDPR.requirements[0]: unknown control or parameter 'bcrypt_rounds'",)


def test_security_ticket_without_framework_gets_the_owasp_baseline() -> None:
    result = requirements.derive(classified(("database",), ()), load_catalog(), config.load(None), today=TODAY)
    query = next(r for r in result.requirements if r.control.id == "parameterized_queries")
    assert query.frameworks == ()
    assert "security baseline" in query.reason
    assert all(c.source not in {"PCI-DSS", "HIPAA", "GDPR", "SOX", "SOC2"} for c in query.citations)


def test_controls_requested_directly_are_mandatory() -> None:
    result = requirements.for_controls(
        ("rate_limiting", "password_hashing", "rate_limiting"), load_catalog(), config.load(None), today=TODAY
    )
    assert result.control_ids == ("rate_limiting", "password_hashing")
    assert all(r.mandatory for r in result.requirements)


def test_waiver_applies_until_it_expires(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(
        "waivers:\n  - control: rate_limiting\n    reason: gateway throttles\n    approver: ciso\n"
        "    expires: 2026-12-31\n",
        encoding="utf-8",
    )
    org = config.load(path)
    catalog = load_catalog()
    before = requirements.for_controls(("rate_limiting",), catalog, org, today=date(2026, 12, 31))
    after = requirements.for_controls(("rate_limiting",), catalog, org, today=date(2027, 1, 1))
    assert before.requirements[0].waiver is not None
    assert after.requirements[0].waiver is None


@pytest.mark.parametrize(
    ("a", "b", "direction", "expected"),
    [(13, 12, "higher", True), (12, 12, "higher", False), (10, 15, "lower", True), ("1.3", "1.2", "newer", True),
     ("TLSv1.2", "1.3", "newer", False)],
)
def test_stricter(a: int | str, b: int | str, direction: str, expected: bool) -> None:
    assert requirements.stricter(a, b, direction) is expected
