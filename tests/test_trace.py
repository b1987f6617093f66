from __future__ import annotations

from datetime import date

from tracer import config, requirements, trace
from tracer.catalog import load_catalog
from tracer.model import Finding, RequirementSet, ScanResult, Status


def required(*ids: str) -> RequirementSet:
    return requirements.for_controls(ids, load_catalog(), config.load(None), today=date(2026, 11, 29))


def scanned(*findings: Finding, covered: tuple[str, ...] = ("password_hashing", "rate_limiting")) -> ScanResult:
    return ScanResult(
        findings=findings, files_scanned=3, languages=("python",), rules_run=5, engine="scan", covered_controls=covered
    )


def finding(control: str, kind: str = "evidence", line: int = 1, param: tuple[str, str] = ("", "")) -> Finding:
    return Finding(
        control=control,
        kind=kind,
        rule=f"r.{control}",
        path="app.py",
        start_line=line,
        end_line=line,
        message="found",
        param_name=param[0],
        param_value=param[1],
    )


def statuses(req: RequirementSet, scan: ScanResult) -> dict[str, Status]:
    return {node.requirement.control.id: node.status for node in trace.build_nodes(req, scan)}


def test_each_status() -> None:
    req = required("password_hashing", "rate_limiting", "separation_of_duties", "no_sensitive_data_in_logs")
    scan = scanned(finding("password_hashing", line=4))
    assert statuses(req, scan) == {
        "password_hashing": Status.IMPLEMENTED,
        "rate_limiting": Status.MISSING,
        "separation_of_duties": Status.MANUAL,
        "no_sensitive_data_in_logs": Status.IMPLEMENTED,  # an absence control holds when nothing is found
    }


def test_a_violation_wins_over_evidence() -> None:
    scan = scanned(finding("password_hashing"), finding("password_hashing", "violation", line=9))
    nodes = trace.build_nodes(required("password_hashing"), scan)
    assert nodes[0].status is Status.VIOLATED
    assert [v.start_line for v in nodes[0].violations] == [9]
    assert [loc.start_line for loc in nodes[0].locations] == [1]


def test_weaker_parameter_is_a_violation_with_both_values() -> None:
    scan = scanned(finding("password_hashing", param=("bcrypt_cost", "10")))
    node = trace.build_nodes(required("password_hashing"), scan)[0]
    assert node.status is Status.VIOLATED
    assert node.violations[0].message.startswith("bcrypt cost 10 < 12 (required")


def test_parameter_in_another_unit_is_converted() -> None:
    ok = scanned(finding("session_timeout", param=("idle_timeout_seconds", "900")), covered=("session_timeout",))
    too_long = scanned(finding("session_timeout", param=("idle_timeout_seconds", "3600")), covered=("session_timeout",))
    req = required("session_timeout")
    assert statuses(req, ok)["session_timeout"] is Status.IMPLEMENTED
    node = trace.build_nodes(req, too_long)[0]
    assert node.status is Status.VIOLATED
    assert node.violations[0].message == "idle timeout 60 minutes > 15 minutes (required, org policy)"


def test_code_control_without_rules_for_the_language_goes_to_a_reviewer() -> None:
    node = trace.build_nodes(required("mfa"), scanned())[0]
    assert node.status is Status.MANUAL
    assert "no rule for python yet" in node.note


def test_verdict_fails_only_on_mandatory_missing_or_violated() -> None:
    req = required("password_hashing", "separation_of_duties")
    passing = trace.verdict(trace.build_nodes(req, scanned(finding("password_hashing"))))
    assert passing.passed and passing.summary == "PASS  1 implemented · 1 manual"
    failing = trace.verdict(trace.build_nodes(req, scanned()))
    assert not failing.passed and failing.summary == "FAIL  1 missing · 1 manual"


def test_monitor_mode_reports_without_blocking() -> None:
    result = trace.verdict(trace.build_nodes(required("rate_limiting"), scanned()), enforcement="monitor")
    assert result.passed
    assert result.summary.startswith("WARN")


def test_no_requirements_pass() -> None:
    result = trace.verdict(())
    assert result.passed and "no security requirements" in result.summary


def test_captured_arithmetic_is_evaluated_but_names_are_not() -> None:
    req = required("session_timeout")
    covered = ("session_timeout",)
    long_idle = scanned(finding("session_timeout", param=("idle_timeout_seconds", "60 * 60")), covered=covered)
    unknown = scanned(finding("session_timeout", param=("idle_timeout_seconds", "settings.TTL")), covered=covered)
    assert trace.build_nodes(req, long_idle)[0].status is Status.VIOLATED
    assert trace.build_nodes(req, unknown)[0].status is Status.IMPLEMENTED
