"""The pre-push hook: pushed ranges from stdin or pre-commit, install-hook, and a real `git push`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.builders import git_repo, write_files
from tracer import hooks
from tracer.cli import cli
from tracer.env import Env
from tracer.gitrepo import ZERO_SHA, Git

ROOT = Path(__file__).resolve().parent.parent
TICKET = """
key: SEC-1
title: Customer search with SQL queries against the orders database
description: Users search their orders; the query reads customer records from the database. Personal data.
labels: [database]
"""

POLICY = """
# Only the control under test blocks; whatever else the rule pack requires is reported.
enforcement: monitor
enforcement_overrides:
  controls:
    parameterized_queries: block
"""


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False, env=env)


def sha(root: Path, ref: str = "HEAD") -> str:
    return git(root, "rev-parse", ref).stdout.strip()


@pytest.fixture
def pushed(tmp_path: Path) -> tuple[Path, Path]:
    """A clone of a bare remote with main pushed, on a new branch with two commits."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    repo = git_repo(write_files(tmp_path / "repo", {"app/a.py": "x = 1\n"}))
    git(repo, "remote", "add", "origin", str(remote))
    assert git(repo, "push", "-q", "origin", "main").returncode == 0
    git(repo, "checkout", "-q", "-b", "feature")
    for n in (2, 3):
        (repo / "app" / "a.py").write_text(f"x = {n}\n", encoding="utf-8")
        git(repo, "commit", "-q", "-am", f"change {n}")
    return repo, remote


def test_parse_push_lines() -> None:
    text = f"refs/heads/f {'1' * 40} refs/heads/f {ZERO_SHA}\n(delete) {ZERO_SHA} refs/heads/old {'2' * 40}\nbad\n"
    refs = hooks.parse_push_lines(text)
    assert [(r.local_ref, r.creates, r.deletes) for r in refs] == [
        ("refs/heads/f", True, False),
        ("(delete)", False, True),
    ]


def test_push_ranges_from_stdin(pushed: tuple[Path, Path]) -> None:
    repo, _ = pushed
    repo_git = Git.open(repo, Env.from_environ({}))
    assert repo_git is not None
    head, main = sha(repo), sha(repo, "main")
    env = Env.from_environ({hooks.REMOTE_VARIABLE: "origin"})
    # A new branch starts after what the remote has: the parent of its first new commit (main).
    new_branch = f"refs/heads/feature {head} refs/heads/feature {ZERO_SHA}\n"
    assert hooks.push_range(env, new_branch, repo_git) == hooks.PushRange(main, head, "refs/heads/feature")
    # An update starts at the remote's tip; deletions and up-to-date refs are skipped.
    update = (
        f"(delete) {ZERO_SHA} refs/heads/old {main}\n"
        f"refs/heads/main {main} refs/heads/main {main}\n"
        f"refs/heads/feature {head} refs/heads/feature {sha(repo, 'HEAD~1')}\n"
    )
    assert hooks.push_range(env, update, repo_git) == hooks.PushRange(sha(repo, "HEAD~1"), head, "refs/heads/feature")
    assert hooks.push_range(env, f"(delete) {ZERO_SHA} refs/heads/old {main}\n", repo_git) is None
    # pre-commit's variables win over stdin
    pre_commit = Env.from_environ({"PRE_COMMIT_FROM_REF": main, "PRE_COMMIT_TO_REF": head})
    assert hooks.push_range(pre_commit, new_branch, repo_git) == hooks.PushRange(main, head, "")


def test_install_hook_is_idempotent_and_refuses_a_foreign_hook(pushed: tuple[Path, Path]) -> None:
    repo, _ = pushed
    runner = CliRunner()
    first = runner.invoke(cli, ["install-hook", str(repo)])
    assert first.exit_code == 0 and first.output.startswith("installed: ")
    hook = repo / ".git" / "hooks" / "pre-push"
    assert os.access(hook, os.X_OK) and hooks.HOOK_MARK in hook.read_text()
    again = runner.invoke(cli, ["install-hook", str(repo)])
    assert again.exit_code == 0 and again.output.startswith("unchanged: ")

    hook.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    refused = runner.invoke(cli, ["install-hook", str(repo)])
    assert refused.exit_code == 2 and "is not vibeward's" in refused.output and "--force" in refused.output
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    forced = runner.invoke(cli, ["install-hook", str(repo), "--force"])
    assert forced.exit_code == 0 and forced.output.startswith("replaced: ")
    assert (hook.parent / "pre-push.vibeward-backup").read_text() == "#!/bin/sh\necho mine\n"


def test_install_hook_outside_a_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["install-hook", str(tmp_path)])
    assert result.exit_code == 2 and "not in a git checkout" in result.output


def test_pre_push_with_nothing_to_push_passes(pushed: tuple[Path, Path]) -> None:
    repo, _ = pushed
    main = sha(repo, "main")
    result = CliRunner().invoke(
        cli, ["check", str(repo), "--pre-push", "--no-evidence"], input=f"(delete) {ZERO_SHA} refs/heads/x {main}\n"
    )
    assert result.exit_code == 0 and "nothing to check in this push" in result.stderr


@pytest.mark.slow
def test_git_push_runs_the_installed_hook(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    files = {
        ".vibeward/tickets/SEC-1.yml": TICKET,
        "compliance-config.yml": POLICY,
        "app/db.py": 'def old(conn, user_id):\n    return conn.execute(f"SELECT * FROM u WHERE id = {user_id}")\n',
    }
    repo = git_repo(write_files(tmp_path / "repo", files))
    git(repo, "remote", "add", "origin", str(remote))
    assert git(repo, "push", "-q", "origin", "main").returncode == 0  # no hook yet
    assert hooks.install(Git.open(repo, Env.from_environ({})) or pytest.fail("no git"), sys.executable,
                         force=False)[1] == "installed"
    environ = {**os.environ, "VIBEWARD_CACHE": "off", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    environ.pop("GITHUB_ACTIONS", None)
    environ.pop("GITLAB_CI", None)

    # A branch that only touches other lines: the old violation is pre-existing, the push goes through.
    git(repo, "checkout", "-q", "-b", "SEC-1-search")
    (repo / "app" / "util.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "helper")
    ok = git(repo, "push", "origin", "SEC-1-search", env=environ)
    assert ok.returncode == 0, ok.stderr
    assert "pre-existing, not blocking" in ok.stderr + ok.stdout

    # A new violation on a changed line blocks the push, and names the line.
    with (repo / "app" / "db.py").open("a", encoding="utf-8") as handle:
        handle.write('\n\ndef new(conn, name):\n    return conn.execute(f"SELECT * FROM u WHERE n = {name}")\n')
    git(repo, "commit", "-q", "-am", "search by name")
    blocked = git(repo, "push", "origin", "SEC-1-search", env=environ)
    assert blocked.returncode != 0
    assert "app/db.py:6" in blocked.stdout + blocked.stderr
    assert sha(remote, "SEC-1-search") != sha(repo)  # the remote did not get the commit


@pytest.mark.slow
def test_pre_push_checks_the_pushed_commit_not_the_working_tree(pushed: tuple[Path, Path]) -> None:
    repo, _ = pushed
    git(repo, "checkout", "-q", "-b", "risky", "main")
    (repo / "app" / "db.py").write_text('def q(c, n):\n    return c.execute(f"SELECT {n}")\n', encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "risky query")
    risky = sha(repo)
    git(repo, "checkout", "-q", "main")  # the working tree no longer has the violation
    result = CliRunner().invoke(
        cli,
        ["check", str(repo), "--pre-push", "--controls", "parameterized_queries", "--no-evidence"],
        input=f"refs/heads/risky {risky} refs/heads/risky {ZERO_SHA}\n",
        env={"VIBEWARD_PUSH_REMOTE": "origin", "VIBEWARD_CACHE": "off", "NO_COLOR": "1", "GITHUB_ACTIONS": None},
    )
    assert result.exit_code == 1, result.output
    assert "app/db.py:2" in result.stdout
    assert git(repo, "worktree", "list").stdout.count("\n") == 1  # the temporary worktree is gone
