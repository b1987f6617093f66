"""The commands as a user runs them: exit codes, one-line errors, never a traceback."""
from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from tests.helpers.builders import git_repo, write_files
from tracer.cli import cli

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "trace.schema.json").read_text())
APP = {
    "app/auth.py": """
        import bcrypt

        def register(password):
            # vibeward: implements rate_limiting
            return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=13))
    """,
}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(cli, list(args), env={"NO_COLOR": "1", **(env or {})}, catch_exceptions=False)


def assert_one_line_error(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    first = result.output.splitlines()[0]
    assert first.startswith("vibeward: error: ")
    for needle in needles:
        assert needle in result.output


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return git_repo(write_files(tmp_path / "app", APP))


@pytest.mark.slow
def test_check_controls_json_validates_against_the_schema(app: Path) -> None:
    result = run("check", str(app), "--controls", "rate_limiting,csrf_protection", "--format", "json")
    assert result.exit_code == 1  # csrf_protection is missing
    data = json.loads(result.output)
    jsonschema.validate(data, SCHEMA)
    by_control = {r["control"]: r for r in data["requirements"]}
    assert by_control["rate_limiting"]["status"] == "implemented"
    assert by_control["rate_limiting"]["locations"][0]["path"] == "app/auth.py"
    assert by_control["rate_limiting"]["locations"][0]["start_line"] == 4
    assert by_control["csrf_protection"]["status"] == "missing"
    assert data["repository"]["commit"]  # a real git repository: the commit is known


@pytest.mark.slow
def test_check_passes_with_exit_0_when_every_control_is_met(app: Path) -> None:
    result = run("check", str(app), "--controls", "rate_limiting")
    assert result.exit_code == 0, result.output
    assert "✓ rate_limiting" in result.output
    assert result.output.rstrip().endswith("PASS  1 implemented")


@pytest.mark.slow
def test_check_writes_the_report_to_output(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "trace.md"
    result = run("check", str(app), "--controls", "rate_limiting", "--format", "markdown", "--output", str(out))
    assert result.exit_code == 0
    assert out.read_text().startswith("<!-- vibeward:trace -->")


def test_ticket_file_missing(app: Path, tmp_path: Path) -> None:
    result = run("check", str(app), "--ticket-file", str(tmp_path / "NOPE-1.yml"))
    assert_one_line_error(result, 2, "NOPE-1.yml: ticket file not found")


def test_ticket_file_yaml_error(app: Path, tmp_path: Path) -> None:
    bad = tmp_path / "T-1.yml"
    bad.write_text("key: T-1\ntitle: [oops\n")
    assert_one_line_error(run("check", str(app), "--ticket-file", str(bad)), 2, "T-1.yml", "invalid YAML")


def test_unknown_control_id(app: Path) -> None:
    assert_one_line_error(run("check", str(app), "--controls", "rate_limitin"), 2, "unknown control id 'rate_limitin'")


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "gone"), "--controls", "rate_limiting")
    assert_one_line_error(result, 2, "path does not exist")


def test_empty_repository(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run("check", str(empty), "--controls", "rate_limiting"), 2, "no files to scan")


def test_semgrep_missing_is_exit_3_never_a_pass(app: Path, tmp_path: Path) -> None:
    result = run("check", str(app), "--controls", "rate_limiting", env={"VIBEWARD_SEMGREP": str(tmp_path / "none")})
    assert_one_line_error(result, 3, "semgrep not found")


def test_config_syntax_error_names_file_and_line(app: Path) -> None:
    (app / "compliance-config.yml").write_text("frameworks:\n  PCI-DSS: [\n")
    result = run("check", str(app), "--controls", "rate_limiting")
    assert_one_line_error(result, 2, "compliance-config.yml:", "YAML syntax error")


def test_at_most_one_requirement_source(app: Path) -> None:
    result = run("check", str(app), "--controls", "mfa", "--ticket", "A-1")
    assert_one_line_error(result, 2, "at most one of")


def test_no_ticket_key_in_the_change_fails_by_default(app: Path) -> None:
    result = run("check", str(app), env={"GITHUB_ACTIONS": "", "GITLAB_CI": ""})
    assert_one_line_error(result, 2, "no ticket key found", "hint: name the ticket in the branch")


@pytest.mark.slow
def test_ticket_key_from_the_branch_name_is_found_and_checked(app: Path) -> None:
    import subprocess

    subprocess.run(["git", "checkout", "-q", "-b", "feature/SEC-42-login-throttle"], cwd=app, check=True)
    tickets = app / ".vibeward" / "tickets"
    tickets.mkdir(parents=True)
    (tickets / "SEC-42.yml").write_text(
        "key: SEC-42\ntitle: Throttle failed login attempts\n"
        "description: Lock the account after repeated failed password logins.\n"
    )
    result = run("check", str(app), "--format", "json", env={"GITHUB_ACTIONS": "", "GITLAB_CI": ""})
    data = json.loads(result.output)
    assert data["ticket"]["key"] == "SEC-42"
    assert any("SEC-42 found in the branch feature/SEC-42-login-throttle" in w for w in data["warnings"])
    statuses = {r["control"]: r["status"] for r in data["requirements"]}
    assert statuses["rate_limiting"] == "implemented"  # the annotation in app/auth.py


@pytest.mark.slow
def test_several_tickets_share_one_scan_and_one_json_document(app: Path) -> None:
    tickets = app / ".vibeward" / "tickets"
    tickets.mkdir(parents=True)
    (tickets / "SEC-1.yml").write_text("key: SEC-1\ntitle: Hash passwords with bcrypt\n")
    (tickets / "SEC-2.yml").write_text("key: SEC-2\ntitle: Fix typo in footer\n")
    result = run("check", str(app), "--ticket", "SEC-1,SEC-2", "--format", "json")
    data = json.loads(result.output)
    assert data["schema"] == "vibeward.trace-set/v1"
    assert [r["ticket"]["key"] for r in data["results"]] == ["SEC-1", "SEC-2"]
    assert data["results"][1]["requirements"] == []
    for item in data["results"]:
        jsonschema.validate(item, SCHEMA)


def test_ticket_key_not_found_in_the_ticket_folder(app: Path) -> None:
    assert_one_line_error(run("check", str(app), "--ticket", "SEC-404"), 2, "ticket SEC-404 not found")


def test_validate_config_ok_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.yml"
    good.write_text("frameworks:\n  PCI-DSS:\n    requirements:\n      - bcrypt_cost: 13\n")
    result = run("validate-config", str(good))
    assert result.exit_code == 0 and "OK" in result.output
    bad = tmp_path / "bad.yml"
    bad.write_text("frameworks:\n  PCI-DSS:\n    requirements:\n      - bcrypt_cost: 8\n      - mfaa: true\n")
    result = run("validate-config", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:4" in result.output and "weaker than 10" in result.output
    assert f"{bad}:5" in result.output and "unknown control or parameter 'mfaa'" in result.output


def test_controls_lists_the_catalog_for_one_framework() -> None:
    result = run("controls", "--framework", "HIPAA")
    assert result.exit_code == 0
    assert "audit_logging" in result.output
    assert "45 CFR 164.312(b)" in result.output
    assert "PCI DSS" not in result.output  # other frameworks' citations are left out
    data = json.loads(run("controls", "--format", "json").output)
    assert len(data["controls"]) == 30


def test_secrets_are_redacted_from_errors(app: Path, tmp_path: Path) -> None:
    token = "s3cr3t-token-value"
    missing = tmp_path / f"{token}.yml"
    result = run("check", str(app), "--ticket-file", str(missing), env={"JIRA_API_TOKEN": token})
    assert result.exit_code == 2
    assert token not in result.output
    assert "****" in result.output


def test_python_dash_m_works(app: Path) -> None:
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "tracer", "--version"], capture_output=True, text=True, env={**os.environ}, check=False
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("vibeward, version")


def test_evidence_beyond_fifty_is_counted_unless_all_locations(tmp_path: Path, repo_root: Path) -> None:
    app = tmp_path / "app"
    query = 'def q{n}(db, x):\n    return db.execute("SELECT a FROM t WHERE id = ?", (x,))\n'
    write_files(app, {"queries.py": "".join(query.format(n=n) for n in range(60))})
    default = run("check", str(app), "--controls", "parameterized_queries", "--format", "json", "--no-evidence")
    (node,) = json.loads(default.output)["requirements"]
    assert len(node["locations"]) == 50 and node["locations_omitted"] == 10
    schema = json.loads((repo_root / "docs" / "trace.schema.json").read_text())
    jsonschema.validate(json.loads(default.output), schema)
    every = run("check", str(app), "--controls", "parameterized_queries", "--format", "json", "--all-locations")
    (node,) = json.loads(every.output)["requirements"]
    assert len(node["locations"]) == 60 and node["locations_omitted"] == 0
    text = run("check", str(app), "--controls", "parameterized_queries", "--no-evidence").output
    assert "… 57 more (--format json --all-locations lists every location)" in text


# -- classify -------------------------------------------------------------------------------

SENSITIVE = (
    "key: EMR-9\ntitle: Patient records are visible to other clinics\n"
    "description: Any logged-in user can open the medical records of patients at another clinic"
    " by changing the ID in the URL.\npriority: High\nissue_type: Bug\n"
)


def test_classify_shows_each_decision_with_its_words_and_the_actions_of_its_risk(tmp_path: Path) -> None:
    ticket = tmp_path / "EMR-9.yml"
    ticket.write_text(SENSITIVE, encoding="utf-8")
    text = run("classify", "--ticket-file", str(ticket))
    assert text.exit_code == 0
    assert text.output.startswith("EMR-9: Patient records are visible to other clinics\n")
    assert '"Patient records" (title) → HIPAA applicable [lexicon hd.phi]' in text.output
    assert '"changing the ID" (description)' in text.output
    assert "risk critical" in text.output
    # the org's actions for the level (default policy: critical)
    assert "actions: require security review; notify security team; enhanced monitoring" in text.output
    record = json.loads(run("classify", "--ticket-file", str(ticket), "--format", "json").output)
    assert record["risk"]["level"] == "critical"
    assert record["risk"]["actions"] == ["require security review", "notify security team", "enhanced monitoring"]
    hipaa = next(f for f in record["frameworks"] if f["name"] == "HIPAA")
    best = hipaa["evidence"][0]
    assert (best["field"], best["text"], best["start"], best["end"]) == ("title", "Patient records", 0, 15)


def test_classify_input_reports_a_bad_line_by_number_and_goes_on_only_when_asked(tmp_path: Path) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(
        '{"key": "A-1", "title": "Card numbers are logged in full"}\nnot json\n{"key": "A-3", "title": "Fix footer"}\n',
        encoding="utf-8",
    )
    stopped = run("classify", "--input", str(tickets))
    assert stopped.exit_code == 2
    assert [json.loads(line)["id"] for line in stopped.stdout.splitlines()] == ["A-1"]
    assert f"{tickets}:2: invalid JSON" in stopped.stderr
    going = run("classify", "--input", str(tickets), "--keep-going")
    assert going.exit_code == 2  # a bad line never passes silently
    assert [json.loads(line)["id"] for line in going.stdout.splitlines()] == ["A-1", "A-3"]
    assert "skipped" in going.stderr and ":2:" in going.stderr and "1 bad line(s) skipped" in going.stderr


def test_classify_needs_exactly_one_source_of_tickets(tmp_path: Path) -> None:
    assert_one_line_error(run("classify"), 2, "exactly one of --ticket-file or --input")
