"""Enforcement modes: monitor | comment | block, globally and per framework or control."""
from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from tracer import config, requirements, trace
from tracer.catalog import load_catalog
from tracer.ci.outcome import verdict_word, wants_comment
from tracer.errors import ConfigError
from tracer.model import ChangeSet, EnforcementPolicy, Finding, RequirementSet, ScanResult, TraceResult


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "compliance-config.yml"
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def test_overrides_are_read_with_their_lines(tmp_path: Path) -> None:
    org = config.load(write(tmp_path, """
enforcement: comment
enforcement_overrides:
  frameworks: {SOC2: monitor, PCI-DSS: block, ISO27001: block}
  controls:
    rate_limiting: block
pre_existing_violations: fail
"""))
    assert org.enforcement == "comment" and org.pre_existing_violations == "fail"
    assert org.enforcement_frameworks == {"SOC2": "monitor", "PCI-DSS": "block"}
    assert org.enforcement_controls == {"rate_limiting": "block"}
    assert any("unknown key 'enforcement_overrides.frameworks.ISO27001'" in w and ":3:" in w for w in org.warnings)
    assert org.enforcement_policy == EnforcementPolicy("comment", {"SOC2": "monitor", "PCI-DSS": "block"},
                                                       {"rate_limiting": "block"})
    assert config.load(None).pre_existing_violations == "report"  # the documented default


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("enforcement_overrides:\n  controls:\n    rate_limiting: strict\n", ":3: enforcement_overrides.controls"),
        ("enforcement_overrides:\n  frameworks:\n    SOC2: off\n", ":3: enforcement_overrides.frameworks.SOC2"),
        ("enforcement_overrides:\n  controls:\n    Rate-Limiting: block\n", ":3: enforcement_overrides.controls"),
        ("enforcement_overrides: [block]\n", ":1: enforcement_overrides: expected a mapping"),
        ("pre_existing_violations: ignore\n", ":1: pre_existing_violations: expected one of report, fail"),
    ],
)
def test_bad_overrides_name_the_file_and_line(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config.load(write(tmp_path, text))
    assert where in raised.value.message and "compliance-config.yml" in raised.value.message


def required(*ids: str) -> RequirementSet:
    return requirements.for_controls(ids, load_catalog(), config.load(None), today=date(2026, 11, 29))


def test_mode_for_a_requirement() -> None:
    req = required("rate_limiting").requirements[0]
    policy = EnforcementPolicy("block", {"SOC2": "monitor"}, {})
    assert policy.mode_for(req) == "block"  # --controls: no framework, the default
    soc2_only = dataclasses.replace(req, frameworks=("SOC2",))
    both = dataclasses.replace(req, frameworks=("SOC2", "PCI-DSS"))
    assert policy.mode_for(soc2_only) == "monitor"
    assert policy.mode_for(both) == "block"  # the strictest framework wins
    assert EnforcementPolicy("block", {}, {"rate_limiting": "comment"}).mode_for(both) == "comment"


def scan(*findings: Finding) -> ScanResult:
    return ScanResult(findings=findings, files_scanned=2, languages=("python",), rules_run=3, engine="scan",
                      covered_controls=("rate_limiting", "password_hashing"))


def violation(line: int) -> Finding:
    return Finding("parameterized_queries", "violation", "r.sql", "app.py", line, line, "SQL from a string")


def test_modes_decide_failing_and_commenting() -> None:
    req = required("rate_limiting", "password_hashing")  # both missing
    policy = EnforcementPolicy("block", {}, {"rate_limiting": "comment", "password_hashing": "monitor"})
    nodes = trace.build_nodes(req, scan(), policy=policy)
    result = trace.verdict(nodes, "block")
    assert result.passed and result.mode == "comment"
    assert result.summary == "WARN  2 missing (enforcement: monitor, comment, not blocking)"
    monitor_only = trace.build_nodes(req, scan(), policy=EnforcementPolicy("monitor"))
    assert trace.verdict(monitor_only, "monitor").mode == "monitor"
    blocking = trace.build_nodes(req, scan(), policy=EnforcementPolicy("comment", {}, {"rate_limiting": "block"}))
    assert not trace.verdict(blocking, "comment").passed


def test_pre_existing_violations_do_not_fail_a_diff_aware_check() -> None:
    req = required("parameterized_queries")
    changes = ChangeSet(base="main", files={"app.py": ((9, 9),)})
    old_only = trace.build_nodes(req, scan(violation(5)), changes)
    assert [v.in_change for v in old_only[0].violations] == [False]
    result = trace.verdict(old_only, new_only=True)
    assert result.passed and result.pre_existing == 1
    assert result.summary == "PASS  1 violated (1 pre-existing, not blocking)"
    assert not trace.verdict(old_only, new_only=False).passed  # pre_existing_violations: fail, or no diff
    both = trace.build_nodes(req, scan(violation(5), violation(9)), changes)
    assert not trace.verdict(both, new_only=True).passed


def as_result(nodes: tuple[trace.TraceNode, ...], *, new_only: bool = False) -> TraceResult:
    return TraceResult(ticket=None, classification=None, nodes=nodes, verdict=trace.verdict(nodes, new_only=new_only),
                       scan=scan())


def test_verdict_word_and_comment_wish() -> None:
    req = required("parameterized_queries")
    changes = ChangeSet(base="main", files={"app.py": ((9, 9),)})
    old_only = trace.build_nodes(req, scan(violation(5)), changes)
    assert verdict_word([as_result(old_only, new_only=True)]) == "pass"
    assert verdict_word([as_result(old_only)]) == "fail"
    warned = trace.build_nodes(req, scan(violation(5)), policy=EnforcementPolicy("comment"))
    assert verdict_word([as_result(warned)]) == "warn"
    assert wants_comment([as_result(warned)])
    quiet = trace.build_nodes(req, scan(violation(5)), policy=EnforcementPolicy("monitor"))
    assert not wants_comment([as_result(quiet)])
