"""`vibeward check` in a simulated GitHub Actions pull_request (and a GitLab MR pipeline), end to end.

The real CLI through CliRunner, a real git repository, the real engine, and the real PyGithub /
python-gitlab clients talking to local servers; only the CI host itself is simulated.
"""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers.builders import git_repo, write_files
from tests.helpers.fake_github import (
    GITLAB_TOKEN,
    READ_ONLY_TOKEN,
    WRITE_TOKEN,
    FakeGitHubComments,
    FakeGitLabNotes,
)
from tests.test_ci_detect import pull_request_event
from tracer.cli import cli
from tracer.reporters.markdown import MARKER

pytestmark = pytest.mark.slow
TICKET = """
key: SEC-1
title: Customer search with SQL queries against the orders database
description: Users search their orders; the query reads customer records from the database. Personal data.
labels: [database]
"""
OLD = 'def old(conn, user_id):\n    return conn.execute(f"SELECT * FROM u WHERE id = {user_id}")\n'
NEW = '\n\ndef new(conn, name):\n    return conn.execute(f"SELECT * FROM u WHERE n = {name}")\n'
POLICY = """
# Only the control under test blocks; whatever else the rule pack requires is reported.
enforcement: monitor
enforcement_overrides:
  controls:
    parameterized_queries: block
"""
CI_VARIABLES = ("GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "VIBEWARD_GITHUB_TOKEN")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main with an old violation; the PR branch adds a new one on line 6."""
    files = {".vibeward/tickets/SEC-1.yml": TICKET, "compliance-config.yml": POLICY, "app/db.py": OLD}
    root = git_repo(write_files(tmp_path / "repo", files))
    git(root, "checkout", "-q", "-b", "SEC-1-search")
    with (root / "app" / "db.py").open("a", encoding="utf-8") as handle:
        handle.write(NEW)
    git(root, "commit", "-q", "-am", "search by name")
    return root


@pytest.fixture
def github() -> Iterator[FakeGitHubComments]:
    with FakeGitHubComments() as fake:
        yield fake


def actions_env(repo: Path, tmp_path: Path, api: str, token: str = WRITE_TOKEN, fork: bool = False) -> dict[str, str]:
    event = pull_request_event(number=7, fork=fork)
    event["pull_request"]["title"] = "SEC-1 search customers by name"
    event["pull_request"]["base"]["sha"] = git(repo, "rev-parse", "main")
    event["pull_request"]["head"]["sha"] = git(repo, "rev-parse", "HEAD")
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": api,
        "GITHUB_HEAD_REF": "SEC-1-search",
        "GITHUB_BASE_REF": "main",
        "GITHUB_SHA": git(repo, "rev-parse", "HEAD"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "GITHUB_TOKEN": token,
        "VIBEWARD_CACHE": "off",
        "NO_COLOR": "1",
    }


def check(repo: Path, env: dict[str, str], *extra: str) -> Result:
    cleared: dict[str, str | None] = {name: None for name in CI_VARIABLES if name in os.environ}
    return CliRunner().invoke(
        cli, ["check", str(repo), "--no-evidence", *extra], env={**cleared, **env}, catch_exceptions=False
    )


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and "<<" not in line)


def test_pull_request_comment_summary_annotations_outputs_and_reports(
    repo: Path, tmp_path: Path, github: FakeGitHubComments
) -> None:
    env = actions_env(repo, tmp_path, github.url)
    sarif, junit = tmp_path / "out" / "vibeward.sarif", tmp_path / "out" / "report.xml"
    result = check(repo, env, "--report", f"sarif={sarif}", "--report", f"junit={junit}")
    assert result.exit_code == 1, result.output  # the new violation on a changed line blocks

    # annotations: the new violation is an error, the old one a pre-existing warning
    assert "::error file=app/db.py,line=6,endLine=6,title=vibeward%3A parameterized_queries violated::" in result.stdout
    assert "::warning file=app/db.py,line=2,endLine=2,title=vibeward%3A parameterized_queries violated " \
           "(pre-existing)::" in result.stdout

    comments = github.on("acme/shop", 7)
    assert len(comments) == 1
    body = comments[0]["body"]
    assert body.startswith(MARKER) and "SEC-1" in body
    assert "Coverage against the base" in body and "1 violation(s) on changed lines" in body

    summary = (tmp_path / "step_summary.md").read_text()
    assert summary.startswith(MARKER) and "Coverage against the base" in summary
    values = outputs(tmp_path / "github_output")
    assert values["verdict"] == "fail" and values["violated"] == "1" and values["sarif-path"] == str(sarif)
    assert values["comment-url"] == comments[0]["html_url"]
    assert json.loads(sarif.read_text())["version"] == "2.1.0" and junit.read_text().startswith("<?xml")

    # The author fixes the query: the same comment is updated, the check passes.
    (repo / "app" / "db.py").write_text(
        OLD + '\n\ndef new(conn, name):\n    return conn.execute("SELECT * FROM u WHERE n = ?", (name,))\n'
    )
    git(repo, "commit", "-q", "-am", "parameterize")
    result = check(repo, actions_env(repo, tmp_path, github.url))
    assert result.exit_code == 0, result.output
    comments = github.on("acme/shop", 7)
    assert len(comments) == 1 and "0 violation(s) on changed lines" in comments[0]["body"]
    assert github.count("POST", r"/comments$") == 1 and github.count("PATCH", r"/comments/\d+$") == 1
    # The later value wins in Actions; "warn" when other, monitored requirements are still open.
    assert outputs(tmp_path / "github_output")["verdict"] in {"pass", "warn"}


def test_fork_pull_request_keeps_the_verdict_and_the_reports(
    repo: Path, tmp_path: Path, github: FakeGitHubComments
) -> None:
    env = actions_env(repo, tmp_path, github.url, token=READ_ONLY_TOKEN, fork=True)
    sarif = tmp_path / "vibeward.sarif"
    result = check(repo, env, "--report", f"sarif={sarif}", "--no-delta")
    assert result.exit_code == 1
    notes = [line for line in result.stderr.splitlines() if line.startswith("vibeward: warning: no comment")]
    assert len(notes) == 1 and "fork" in notes[0] and "read-only" in notes[0]
    assert READ_ONLY_TOKEN not in result.output
    assert github.on("acme/shop", 7) == [] and sarif.exists()
    assert (tmp_path / "step_summary.md").exists() and "::error file=app/db.py" in result.stdout


def test_unreachable_api_and_shallow_clone_degrade_with_notes(repo: Path, tmp_path: Path) -> None:
    from tests.helpers.fake_github import closed_port_url

    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "SEC-1-search", f"file://{repo}", str(shallow))
    env = actions_env(repo, tmp_path, closed_port_url())
    result = check(shallow, env, "--format", "json", "--output", str(tmp_path / "trace.json"))
    assert result.exit_code == 1  # not diff-aware: every violation counts, never a pass
    assert "cannot reach GitHub" in result.stderr
    data = json.loads((tmp_path / "trace.json").read_text())
    assert data["change"] is None
    assert any("fetch-depth: 0" in warning for warning in data["warnings"])
    assert "fetch-depth: 0" in (tmp_path / "step_summary.md").read_text()


def test_monitor_mode_reports_without_a_comment(repo: Path, tmp_path: Path, github: FakeGitHubComments) -> None:
    (repo / "compliance-config.yml").write_text("enforcement: monitor\n", encoding="utf-8")
    result = check(repo, actions_env(repo, tmp_path, github.url), "--no-delta")
    assert result.exit_code == 0 and github.requests == []
    assert outputs(tmp_path / "github_output")["verdict"] == "warn"
    assert "::warning file=app/db.py,line=6" in result.stdout


def test_gitlab_merge_request_pipeline(repo: Path, tmp_path: Path) -> None:
    with FakeGitLabNotes() as gitlab_api:
        env = {
            "GITLAB_CI": "true",
            "CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_MERGE_REQUEST_IID": "3",
            "CI_MERGE_REQUEST_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_TITLE": "SEC-1 search customers by name",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "SEC-1-search",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": git(repo, "rev-parse", "main"),
            "CI_COMMIT_SHA": git(repo, "rev-parse", "HEAD"),
            "CI_API_V4_URL": gitlab_api.api_url,
            "GITLAB_TOKEN": GITLAB_TOKEN,
            "VIBEWARD_CACHE": "off",
        }
        runner = CliRunner()
        with runner.isolated_filesystem(temp_dir=tmp_path):
            cleared: dict[str, str | None] = {name: None for name in CI_VARIABLES if name in os.environ}
            result = runner.invoke(cli, ["check", str(repo), "--no-evidence"], env={**cleared, **env})
            assert result.exit_code == 1, result.output
            assert json.loads(Path("gl-code-quality-report.json").read_text())  # written by default
            assert Path("vibeward-junit.xml").read_text().startswith("<?xml")
        notes = gitlab_api.on("42", 3)
        assert len(notes) == 1 and notes[0]["body"].startswith(MARKER)
        assert "Coverage against the base" in notes[0]["body"]
