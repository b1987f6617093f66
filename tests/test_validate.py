"""`vibeward validate`: complete and consistent requirements, or exit 1 saying what is wrong."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from tests.helpers.builders import write_ticket
from tracer import config, requirements, validate
from tracer.catalog import load_catalog
from tracer.cli import cli
from tracer.model import Classification, FrameworkHit, IndicatorHit, RequirementSet, RiskScore, Ticket

DOCS = Path(__file__).resolve().parent.parent / "docs"
SCHEMA = json.loads((DOCS / "validation.schema.json").read_text())
TODAY = date(2026, 11, 29)
TICKET = Ticket(key="EHR-12", title="Patient portal login")
HIPAA_LOGIN = {
    "key": "EHR-12",
    "title": "Patient portal login",
    "description": "Patients log in to the EHR portal with a password to read their medical record (PHI).",
    "labels": ["hipaa"],
}
CARD_LOGIN = {
    "key": "PAY-7",
    "title": "Card payments for logged-in users",
    "description": "Users log in with a password and pay with a credit card; we store a token, not the PAN.",
    "labels": ["payments"],
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"}, catch_exceptions=False)


def classified(indicators: tuple[str, ...], frameworks: tuple[str, ...]) -> Classification:
    return Classification(
        security_relevant=bool(indicators),
        indicators=tuple(IndicatorHit(name, 1.0, ()) for name in indicators),
        frameworks=tuple(FrameworkHit(name, "trigger", ()) for name in frameworks),
        risk=RiskScore(0.0, "low", ()),
    )


def check(
    indicators: tuple[str, ...], frameworks: tuple[str, ...], org: config.OrgConfig | None = None,
    required: RequirementSet | None = None,
) -> validate.Validation:
    org = org if org is not None else config.load(None)
    classification = classified(indicators, frameworks)
    catalog = load_catalog()
    if required is None:
        required = requirements.derive(classification, catalog, org, today=TODAY, ticket_key=TICKET.key)
    return validate.validate(TICKET, classification, required, org, catalog, TODAY)


def test_a_complete_set_passes_with_manual_controls_as_warnings() -> None:
    result = check(("authentication", "health_data"), ("HIPAA",))
    assert result.passed, result.problems
    assert any("minimum_necessary is a manual control" in w for w in result.warnings)
    jsonschema.validate(validate.as_dict(result), SCHEMA)


def test_a_missing_mandatory_control_is_named_with_its_citation() -> None:
    full = requirements.derive(
        classified(("payment",), ("PCI-DSS",)), load_catalog(), config.load(None), today=TODAY
    )
    gutted = replace(full, requirements=tuple(r for r in full.requirements if r.control.id != "tokenization"))
    result = check(("payment",), ("PCI-DSS",), required=gutted)
    assert not result.passed
    kinds = {(p.kind, p.control) for p in result.problems}
    assert ("missing_control", "tokenization") in kinds
    message = next(p.message for p in result.problems if p.control == "tokenization" and p.kind == "missing_control")
    assert "PCI-DSS requires tokenization (PCI DSS v4.0.1 3.5.1)" in message


def test_a_dropped_baseline_control_fails() -> None:
    full = requirements.derive(classified(("database",), ()), load_catalog(), config.load(None), today=TODAY)
    gutted = replace(full, requirements=tuple(r for r in full.requirements if r.control.id != "parameterized_queries"))
    result = check(("database",), (), required=gutted)
    assert ("missing_baseline", "parameterized_queries") in {(p.kind, p.control) for p in result.problems}


def test_a_value_below_its_floor_fails() -> None:
    full = requirements.derive(classified(("session",), ("PCI-DSS",)), load_catalog(), config.load(None), today=TODAY)
    weakened = []
    for requirement in full.requirements:
        params = tuple(
            replace(p, value=30, set_by="a hand edit") if p.name == "idle_timeout_minutes" else p
            for p in requirement.params
        )
        weakened.append(replace(requirement, params=params))
    result = check(("session",), ("PCI-DSS",), required=replace(full, requirements=tuple(weakened)))
    problem = next(p for p in result.problems if p.kind == "below_floor")
    assert "idle_timeout_minutes = 30 (set by a hand edit) is weaker than 15, the floor of PCI DSS v4.0.1 8.2.8" in (
        problem.message
    )


def test_unresolved_conflicts_and_expired_waivers_fail(tmp_path: Path) -> None:
    path = tmp_path / "compliance-config.yml"
    path.write_text(
        "waivers:\n  - control: csrf_protection\n    reason: token API\n    approver: appsec\n"
        "    expires: 2026-01-31\n",
        encoding="utf-8",
    )
    result = check(("authentication", "session"), ("PCI-DSS",), config.load(path))
    kinds = [p.kind for p in result.problems]
    assert kinds.count("unresolved_conflict") == 2
    assert "expired_waiver" in kinds
    expired = next(p for p in result.problems if p.kind == "expired_waiver")
    assert f"{path}:2" in expired.message and "expired on 2026-01-31" in expired.message


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return tmp_path


def test_validate_exits_0_when_clean(repo: Path) -> None:
    ticket = write_ticket(repo / "t.yml", **HIPAA_LOGIN)
    result = run("validate", str(repo), "--ticket-file", str(ticket))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("PASS")


def test_validate_exits_1_and_says_what_is_wrong(repo: Path) -> None:
    ticket = write_ticket(repo / "t.yml", **CARD_LOGIN)
    result = run("validate", str(repo), "--ticket-file", str(ticket))
    assert result.exit_code == 1, result.output
    assert "✗ conflict pci_composition_vs_asvs" in result.output
    assert "resolutions: {pci_composition_vs_asvs: ...}" in result.output
    assert result.output.splitlines()[-1].startswith("FAIL")


def test_validate_passes_once_the_config_resolves_the_conflicts(repo: Path) -> None:
    (repo / "compliance-config.yml").write_text(
        "resolutions:\n"
        "  pci_composition_vs_asvs: PCI wins in PCI scope; ASVS deviation recorded\n"
        "  pci_rotation_history_vs_asvs: MFA for every account; last-4 history kept\n"
        "  erasure_vs_retention: retain audit records under legal hold; erase everything else\n",
        encoding="utf-8",
    )
    ticket = write_ticket(repo / "t.yml", **CARD_LOGIN)
    result = run("validate", str(repo), "--ticket-file", str(ticket), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    jsonschema.validate(data, SCHEMA)
    assert data["passed"] is True


def test_validate_exits_2_on_a_config_error(repo: Path) -> None:
    (repo / "compliance-config.yml").write_text(
        "frameworks:\n  PCI-DSS:\n    requirements:\n      - idle_timeout_minutes: 30\n", encoding="utf-8"
    )
    ticket = write_ticket(repo / "t.yml", **CARD_LOGIN)
    result = run("validate", str(repo), "--ticket-file", str(ticket))
    assert result.exit_code == 2, result.output
    assert "idle_timeout_minutes = 30" in result.output and "PCI DSS v4.0.1 8.2.8" in result.output
    assert "Traceback" not in result.output


def test_validate_as_of_decides_what_applies(repo: Path) -> None:
    ticket = write_ticket(repo / "t.yml", **CARD_LOGIN)
    result = run("validate", str(repo), "--ticket-file", str(ticket), "--as-of", "2025-03-30", "--format", "json")
    data = json.loads(result.output)
    assert data["as_of"] == "2025-03-30"
    # Before 8.3.6 applied, PCI's composition rule did not conflict with ASVS.
    assert not any("pci_composition_vs_asvs" in p["message"] for p in data["problems"])


def test_validate_config_fails_on_an_expired_waiver(repo: Path) -> None:
    path = repo / "compliance-config.yml"
    path.write_text(
        "waivers:\n  - control: mfa\n    reason: SSO enforces it\n    owner: iam\n    approver: ciso\n"
        "    expires: 2020-01-01\n",
        encoding="utf-8",
    )
    result = run("validate-config", str(path))
    assert result.exit_code == 2
    assert f"{path}:2: the waiver of mfa expired on 2020-01-01 (owner iam)" in result.output


@pytest.mark.slow
def test_check_as_of_is_shown_in_every_report(repo: Path) -> None:
    (repo / "app.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    result = run("check", str(repo), "--controls", "rate_limiting", "--as-of", "2025-03-30", "--format", "json",
                 "--no-evidence")
    data = json.loads(result.output)
    assert data["as_of"] == "2025-03-30"
    jsonschema.validate(data, json.loads((DOCS / "trace.schema.json").read_text()))
    text = run("check", str(repo), "--controls", "rate_limiting", "--as-of", "2025-03-30", "--no-evidence")
    assert "As of       2025-03-30" in text.output
