"""Merging across frameworks, effective dates, conflicts, waivers and attestations (issue #7)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from tracer import config, requirements, trace
from tracer.catalog import load_catalog
from tracer.catalog.conflicts import load_conflict_rules
from tracer.errors import ConfigError
from tracer.model import (
    Classification,
    Finding,
    FrameworkHit,
    IndicatorHit,
    Param,
    RequirementSet,
    RiskScore,
    ScanResult,
    Status,
    Ticket,
    TraceNode,
    TraceResult,
)
from tracer.reporters import REPORTERS, RenderOptions

TODAY = date(2026, 11, 29)
EVERYTHING = ("payment", "personal_data", "health_data", "authentication", "logging_audit", "financial_records")


def classified(indicators: tuple[str, ...], frameworks: tuple[str, ...]) -> Classification:
    return Classification(
        security_relevant=bool(indicators),
        indicators=tuple(IndicatorHit(name, 1.0, ()) for name in indicators),
        frameworks=tuple(FrameworkHit(name, "trigger", ()) for name in frameworks),
        risk=RiskScore(0.0, "low", ()),
    )


def derive(
    indicators: tuple[str, ...],
    frameworks: tuple[str, ...],
    org: config.OrgConfig | None = None,
    *,
    today: date = TODAY,
    key: str = "PAY-1",
) -> RequirementSet:
    org = org if org is not None else config.load(None)
    return requirements.derive(classified(indicators, frameworks), load_catalog(), org, today=today, ticket_key=key)


def write_config(tmp_path: Path, text: str) -> config.OrgConfig:
    path = tmp_path / "compliance-config.yml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


def params_of(required: RequirementSet, control: str) -> dict[str, Param]:
    return {p.name: p for p in next(r for r in required.requirements if r.control.id == control).params}


def by_id(required: RequirementSet) -> dict[str, requirements.Requirement]:
    return {r.control.id: r for r in required.requirements}


# -- merging ---------------------------------------------------------------------------------


def test_one_requirement_per_control_with_every_framework_and_citation() -> None:
    required = derive(("payment", "health_data", "personal_data", "cryptography"), ("PCI-DSS", "HIPAA", "GDPR"))
    ids = required.control_ids
    assert len(ids) == len(set(ids))
    at_rest = by_id(required)["encryption_at_rest"]
    assert at_rest.frameworks == ("PCI-DSS", "HIPAA", "GDPR")
    refs = {c.ref for c in at_rest.citations}
    assert {"PCI DSS v4.0.1 3.5.1", "45 CFR 164.312(a)(2)(iv)", "GDPR Art. 32(1)(a)"} <= refs
    assert {c.source for c in at_rest.citations} >= {"PCI-DSS", "HIPAA", "GDPR", "ASVS", "CWE"}
    # A framework that is not active contributes no citation.
    assert not any(c.source == "SOX" for r in required.requirements for c in r.citations)


def test_strictest_wins_and_every_value_keeps_who_set_it(tmp_path: Path) -> None:
    org = write_config(
        tmp_path,
        "frameworks:\n  PCI-DSS:\n    requirements:\n      - bcrypt_cost: 12\n"
        "  HIPAA:\n    requirements:\n      - bcrypt_cost: 14\n",
    )
    cost = params_of(derive(("authentication", "health_data"), ("PCI-DSS", "HIPAA"), org), "password_hashing")[
        "bcrypt_cost"
    ]
    assert (cost.value, cost.set_by, cost.is_policy) == (14, "org policy, HIPAA", True)
    assert (12, "org policy, PCI-DSS") in cost.considered
    assert (14, "org policy, HIPAA") in cost.considered
    assert (10, "OWASP ASVS v4.0.3-2.4.4") in cost.considered
    # The standard's floor stays apart from the policy value.
    assert cost.floor is not None and (cost.floor.value, cost.floor.citation) == (10, "OWASP ASVS v4.0.3-2.4.4")


def test_a_floor_of_another_framework_raises_the_value_and_is_named() -> None:
    idle = params_of(derive(("authentication", "health_data"), ("PCI-DSS", "HIPAA")), "session_timeout")[
        "idle_timeout_minutes"
    ]
    assert (idle.value, idle.set_by, idle.is_policy) == (15, "PCI DSS v4.0.1 8.2.8", False)


def test_config_below_its_floor_names_the_value_the_floor_and_who_set_it(tmp_path: Path) -> None:
    org = write_config(tmp_path, "frameworks:\n  HIPAA:\n    requirements:\n      - bcrypt_cost: 8\n")
    with pytest.raises(ConfigError) as raised:
        derive(("authentication",), ("HIPAA",), org)
    message = raised.value.message
    assert f"{tmp_path / 'compliance-config.yml'}:4" in message
    assert "bcrypt_cost = 8" in message and "set by org policy, HIPAA" in message
    assert "weaker than 10, the floor of OWASP ASVS v4.0.3-2.4.4" in message
    errors, _ = requirements.validate_policy(org, load_catalog())
    assert any("bcrypt_cost = 8" in e and "OWASP ASVS v4.0.3-2.4.4" in e for e in errors)


def test_a_number_given_as_words_is_a_config_error(tmp_path: Path) -> None:
    org = write_config(tmp_path, "frameworks:\n  PCI-DSS:\n    requirements:\n      - bcrypt_cost: twelve\n")
    errors, _ = requirements.validate_policy(org, load_catalog())
    assert any("bcrypt_cost needs a number" in e for e in errors)


# -- effective dates ----------------------------------------------------------------------------


def test_the_date_of_the_check_decides_future_dated_citations_and_requirements() -> None:
    before = derive(("payment", "session", "authentication"), ("PCI-DSS",), today=date(2025, 3, 30))
    after = derive(("payment", "session", "authentication"), ("PCI-DSS",), today=date(2025, 3, 31))
    assert before.as_of == "2025-03-30" and after.as_of == "2025-03-31"
    # PCI asks for security headers only through 6.4.3 / 11.6.1, future-dated to 31 March 2025.
    assert "PCI-DSS" not in by_id(before)["security_headers"].frameworks
    assert "PCI-DSS" in by_id(after)["security_headers"].frameworks
    refs_before = {c.ref for c in by_id(before)["password_strength"].citations}
    assert "PCI DSS v4.0.1 8.3.6" not in refs_before
    assert "PCI DSS v4.0.1 8.3.6" in {c.ref for c in by_id(after)["password_strength"].citations}
    # The 12-character floor is then carried by ASVS alone; from the date on, PCI names it.
    assert params_of(before, "password_strength")["min_length"].set_by == "OWASP ASVS v4.0.3-2.1.1"
    assert params_of(after, "password_strength")["min_length"].set_by == "PCI DSS v4.0.1 8.3.6"


# -- conflicts ------------------------------------------------------------------------------------


def test_erasure_vs_retention_needs_both_sides() -> None:
    gdpr_only = derive(("personal_data",), ("GDPR",))
    assert "erasure_vs_retention" not in {c.id for c in gdpr_only.conflicts}
    both = derive(EVERYTHING, ("PCI-DSS", "HIPAA", "GDPR", "SOX"))
    conflict = next(c for c in both.conflicts if c.id == "erasure_vs_retention")
    assert conflict.controls == ("data_deletion", "audit_logging", "data_retention")
    cited = {"GDPR Art. 17", "PCI DSS v4.0.1 10.5.1", "SOX §802 (18 U.S.C. 1519, 1520)", "45 CFR 164.316(b)(2)(i)"}
    assert cited <= set(conflict.citations)
    assert "17(3)(b)" in conflict.description
    assert not conflict.resolved
    assert conflict.resolution.startswith("unresolved: choose one")
    assert "resolutions: {erasure_vs_retention: ...}" in conflict.resolution


def test_the_resolution_the_config_chose_is_recorded_with_its_line(tmp_path: Path) -> None:
    org = write_config(
        tmp_path,
        "resolutions:\n"
        '  erasure_vs_retention: "retain audit records under legal hold; erase everything else"\n'
        '  pci_composition_vs_asvs: "PCI wins in PCI scope; ASVS deviation recorded in SEC-9"\n',
    )
    required = derive(EVERYTHING, ("PCI-DSS", "GDPR"), org)
    conflict = next(c for c in required.conflicts if c.id == "erasure_vs_retention")
    assert conflict.resolved
    assert conflict.resolution == "retain audit records under legal hold; erase everything else"
    assert conflict.resolved_by.startswith(f"{tmp_path / 'compliance-config.yml'}:2")
    unresolved = {c.id for c in required.conflicts if not c.resolved}
    assert unresolved == {"pci_rotation_history_vs_asvs"}


def test_pci_password_rules_conflict_with_asvs_only_in_pci_scope() -> None:
    assert not derive(("authentication",), ()).conflicts
    ids = {c.id for c in derive(("authentication",), ("PCI-DSS",)).conflicts}
    assert ids == {"pci_composition_vs_asvs", "pci_rotation_history_vs_asvs"}


def test_a_framework_config_turning_off_what_another_makes_mandatory(tmp_path: Path) -> None:
    org = write_config(
        tmp_path,
        "frameworks:\n  HIPAA:\n    requirements:\n      - password_hashing: false\n"
        "  PCI-DSS:\n    requirements:\n      - password_hashing: true\n",
    )
    required = derive(("authentication", "health_data"), ("PCI-DSS", "HIPAA"), org)
    assert "password_hashing" in required.control_ids  # strictest wins: still required
    conflict = next(c for c in required.conflicts if c.id == "config_override.password_hashing")
    assert "the HIPAA config" in conflict.description and "compliance-config.yml:4" in conflict.description
    assert "PCI-DSS (PCI DSS v4.0.1 8.3.2)" in conflict.description
    assert not conflict.resolved


def test_a_waiver_scoped_to_one_framework_does_not_cover_another(tmp_path: Path) -> None:
    org = write_config(
        tmp_path,
        "waivers:\n"
        "  - control: rate_limiting\n    reason: the API gateway throttles\n    owner: platform\n"
        "    approver: ciso\n    expires: 2027-06-30\n    scope:\n      frameworks: [SOC2]\n",
    )
    soc2 = derive(("authentication",), ("SOC2",), org)
    assert by_id(soc2)["rate_limiting"].waiver is not None
    both = derive(("authentication",), ("PCI-DSS", "SOC2"), org)
    assert by_id(both)["rate_limiting"].waiver is None  # PCI DSS 8.3.4 makes it mandatory
    conflict = next(c for c in both.conflicts if c.id == "waiver_override.rate_limiting")
    assert "PCI-DSS (PCI DSS v4.0.1 8.3.4)" in conflict.description
    assert "scope.frameworks: SOC2" in conflict.description
    assert [u.status for u in both.waivers] == ["out_of_framework_scope"]


def test_a_waiver_of_a_control_the_own_config_requires_is_a_conflict(tmp_path: Path) -> None:
    org = write_config(
        tmp_path,
        "frameworks:\n  PCI-DSS:\n    requirements:\n      - mfa: true\n"
        "waivers:\n  - control: mfa\n    reason: SSO handles it\n    approver: ciso\n    expires: 2027-01-31\n",
    )
    required = derive(("authentication",), ("PCI-DSS",), org)
    assert by_id(required)["mfa"].waiver is None
    assert "waiver_override.mfa" in {c.id for c in required.conflicts}


def test_conflict_rules_cite_only_what_the_catalog_cites() -> None:
    catalog = load_catalog()
    rules = load_conflict_rules()
    ids = {r.id for r in rules.rules}
    assert ids == {"erasure_vs_retention", "pci_composition_vs_asvs", "pci_rotation_history_vs_asvs"}
    for rule in rules.rules:
        for side in (rule.when, *rule.against):
            refs = {c.ref for c in catalog.get(side.control).citations}
            assert set(side.citations) <= refs, (rule.id, side.control)
        assert rule.options


def test_unknown_resolution_ids_are_warned(tmp_path: Path) -> None:
    org = write_config(tmp_path, "resolutions:\n  erasure_vs_retentoin: typo\n  config_override.mfa: ok\n")
    _, warnings = requirements.validate_policy(org, load_catalog())
    assert any("erasure_vs_retentoin" in w for w in warnings)
    assert not any("config_override.mfa" in w for w in warnings)


# -- waivers and attestations ------------------------------------------------------------------


WAIVERS = """\
waivers:
  - control: rate_limiting
    reason: the API gateway throttles logins
    owner: platform-team
    approver: ciso
    expires: 2027-06-30
    scope:
      ticket: PAY-1
  - control: csrf_protection
    reason: token API, no cookies
    owner: api-team
    approver: appsec
    expires: 2026-01-31
  - control: pan_masking
    reason: not shown anywhere
    approver: appsec
    expires: 2027-01-01
"""


def test_every_waiver_is_accounted_for_with_its_scope(tmp_path: Path) -> None:
    org = write_config(tmp_path, WAIVERS)
    required = derive(("authentication",), ("SOC2",), org, key="PAY-1")
    uses = {u.waiver.control: u for u in required.waivers}
    assert uses["rate_limiting"].status == "applied"
    assert uses["csrf_protection"].status == "expired"
    assert uses["pan_masking"].status == "not_required"
    other = derive(("authentication",), ("SOC2",), org, key="PAY-2")
    assert {u.waiver.control: u.status for u in other.waivers}["rate_limiting"] == "other_ticket"
    assert by_id(other)["rate_limiting"].waiver is None
    waiver = by_id(required)["rate_limiting"].waiver
    assert waiver is not None
    shown = (waiver.owner, waiver.approver, waiver.expires, waiver.ticket)
    assert shown == ("platform-team", "ciso", "2027-06-30", "PAY-1")
    assert waiver.where == f"{tmp_path / 'compliance-config.yml'}:2"


def test_expired_waivers_fail_validation(tmp_path: Path) -> None:
    org = write_config(tmp_path, WAIVERS)
    messages = requirements.expired_waivers(org, TODAY)
    assert len(messages) == 1 and "csrf_protection expired on 2026-01-31" in messages[0]
    _, warnings = requirements.validate_policy(org, load_catalog())
    assert not any("no `approver`" in w or "no `expires`" in w for w in warnings)  # each names both
    undated = write_config(tmp_path, "waivers:\n  - control: mfa\n    reason: SSO\n")
    _, warnings = requirements.validate_policy(undated, load_catalog())
    assert any("mfa has no `expires` date" in w for w in warnings)
    assert any("mfa names no `approver`" in w for w in warnings)


def test_a_reasonless_or_undated_waiver_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs a `reason`"):
        write_config(tmp_path, "waivers:\n  - control: mfa\n    reason: '  '\n")
    with pytest.raises(ConfigError, match="expected a date"):
        write_config(tmp_path, "waivers:\n  - control: mfa\n    reason: x\n    expires: next year\n")


def test_attestations_attach_to_their_ticket_and_never_from_the_future(tmp_path: Path) -> None:
    data = {
        "attestations": [
            {"control": "minimum_necessary", "ticket": "PAY-1", "who": "dana (appsec)", "when": "2026-11-20",
             "note": "reviewed the export fields"},
            {"control": "change_management", "who": "release board", "when": "2026-01-02"},
            {"control": "separation_of_duties", "ticket": "PAY-1", "who": "lee", "when": "2026-12-24"},
        ]
    }
    org = write_config(tmp_path, yaml.safe_dump(data))
    required = by_id(derive(("personal_data", "financial_records"), ("PCI-DSS", "GDPR", "SOX"), org, key="pay-1"))
    attested = required["minimum_necessary"].attestation
    assert attested is not None and (attested.who, attested.when) == ("dana (appsec)", "2026-11-20")
    assert required["change_management"].attestation is not None  # organisation-wide
    assert required["separation_of_duties"].attestation is None  # dated after the check
    assert requirements.validate_policy(org, load_catalog())[0] == ()


def test_an_attestation_needs_who_and_when(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs `when`"):
        write_config(tmp_path, "attestations:\n  - control: minimum_necessary\n    who: dana\n")


# -- waivers and attestations in the trace and the reports ------------------------------------------

TRACE_SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "trace.schema.json").read_text())


def _scan(*findings: Finding) -> ScanResult:
    return ScanResult(
        findings=findings, files_scanned=3, languages=("python",), rules_run=4, engine="semgrep",
        covered_controls=("parameterized_queries", "rate_limiting"),
    )


def _violation(path: str) -> Finding:
    return Finding("parameterized_queries", "violation", "vibeward.python.sql.fstring", path, 3, 3, "SQL f-string")


def test_a_path_scoped_waiver_covers_only_violations_under_its_paths(tmp_path: Path) -> None:
    org = write_config(
        tmp_path,
        "waivers:\n  - control: parameterized_queries\n    reason: legacy reports, rewrite in SEC-7\n"
        "    owner: data-team\n    approver: appsec\n    expires: 2027-03-31\n    scope:\n"
        "      paths: ['legacy/**']\n",
    )
    required = derive(("database",), (), org)
    inside = trace.build_nodes(required, _scan(_violation("legacy/report.py")))
    node = next(n for n in inside if n.requirement.control.id == "parameterized_queries")
    assert node.status is Status.MISSING  # the waived violation is set aside; nothing implements it yet
    assert "1 violation(s) under legacy/** waived" in node.note
    mixed = trace.build_nodes(required, _scan(_violation("legacy/report.py"), _violation("app/orders.py")))
    node = next(n for n in mixed if n.requirement.control.id == "parameterized_queries")
    assert node.status is Status.VIOLATED and [v.path for v in node.violations] == ["app/orders.py"]
    # Checking the waived folder itself: the waiver covers the whole requirement.
    scoped = trace.build_nodes(required, _scan(_violation("report.py")), prefix="legacy/reports")
    assert next(n for n in scoped if n.requirement.control.id == "parameterized_queries").status is Status.WAIVED


def test_an_attested_manual_requirement_stays_manual_and_says_who(tmp_path: Path) -> None:
    org = write_config(
        tmp_path,
        "attestations:\n  - control: minimum_necessary\n    ticket: PAY-1\n    who: dana (appsec)\n"
        "    when: 2026-11-20\n    note: export returns only the listed fields\n",
    )
    required = derive(("personal_data",), ("GDPR",), org)
    nodes = trace.build_nodes(required, _scan())
    node = next(n for n in nodes if n.requirement.control.id == "minimum_necessary")
    assert node.status is Status.MANUAL
    assert node.note == "attested by dana (appsec) on 2026-11-20: export returns only the listed fields"
    result = _result(required, nodes)
    data = json.loads(REPORTERS["json"](result, RenderOptions()))
    jsonschema.validate(data, TRACE_SCHEMA)
    entry = next(r for r in data["requirements"] if r["control"] == "minimum_necessary")
    assert entry["status"] == "manual"
    assert entry["attestation"]["who"] == "dana (appsec)" and entry["attestation"]["ticket"] == "PAY-1"


def _result(required: RequirementSet, nodes: tuple[TraceNode, ...]) -> TraceResult:
    return TraceResult(
        ticket=Ticket(key="PAY-1", title="Export <b>orders</b> @team"),
        classification=classified(("personal_data",), ("GDPR",)),
        nodes=nodes,
        verdict=trace.verdict(nodes),
        scan=_scan(),
        conflicts=required.conflicts,
        as_of=required.as_of,
        waivers=required.waivers,
    )


def test_json_and_markdown_list_every_waiver_with_owner_approver_and_expiry(tmp_path: Path) -> None:
    org = write_config(tmp_path, WAIVERS)
    required = derive(("authentication", "session"), ("SOC2",), org, key="PAY-1")
    result = _result(required, trace.build_nodes(required, _scan()))
    data = json.loads(REPORTERS["json"](result, RenderOptions()))
    jsonschema.validate(data, TRACE_SCHEMA)
    assert data["as_of"] == "2026-11-29"
    listed = {w["control"]: w for w in data["waivers"]}
    assert set(listed) == {"rate_limiting", "csrf_protection", "pan_masking"}
    assert listed["rate_limiting"] | {"note": ""} == {
        "control": "rate_limiting", "reason": "the API gateway throttles logins", "owner": "platform-team",
        "approver": "ciso", "expires": "2027-06-30", "status": "applied", "note": "",
        "scope": {"ticket": "PAY-1", "paths": [], "frameworks": []},
        "where": f"{tmp_path / 'compliance-config.yml'}:2",
    }
    assert listed["csrf_protection"]["status"] == "expired"
    body = REPORTERS["markdown"](result, RenderOptions())
    assert "**Waivers**" in body
    row = "| rate\\_limiting | applied | the API gateway throttles logins | platform-team | ciso | 2027-06-30 |"
    assert row in body
    assert "| csrf\\_protection | expired (expired on 2026-01-31; the control is enforced) |" in body
    assert "as of 2026-11-29" in body
    text = REPORTERS["text"](result, RenderOptions())
    assert "waiver  rate_limiting applied" in text and "approver ciso, expires 2027-06-30" in text
