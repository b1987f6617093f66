"""Ticket keys from PR/MR titles, branches, bodies and commits, in real git repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tracer.env import Env
from tracer.keys import Change, discover, discover_from, find_keys


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit(repo: Path, message: str) -> None:
    log = repo / "log.txt"
    log.write_text((log.read_text() if log.exists() else "") + message + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: one commit; feature/PAY-42-login: three commits, one naming SEC-7."""
    root = tmp_path / "origin"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    commit(root, "Initial commit (ISO-27001 notes)")
    git(root, "checkout", "-q", "-b", "feature/PAY-42-login")
    commit(root, "SEC-7: hash passwords with bcrypt\n\nUses SHA-256 and AES-256 elsewhere; see CWE-79.")
    commit(root, "Refactor login form (UTF-8)")
    commit(root, "Add MFA prompt, refs PAY-42")
    return root


def env(**values: str) -> Env:
    return Env.from_environ(values)


# -- the pattern -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("feature/ABC-123-add-login", ["ABC-123"]),
        ("[PAY-42] fix", ["PAY-42"]),
        ("PAY-42_x", ["PAY-42"]),
        ("ABC_DEF-9 and (ABC-12)", ["ABC_DEF-9", "ABC-12"]),
        ("thisNOT-123 CVE-2021-44228 ABC-0123 X-1", []),
        ("AES-256 SHA-256 RSA-2048 UTF-8 ISO-27001 CWE-79 TLS-13 PCI-4 SOC-2 HTTP-2", []),
        ("PAY-1 PAY-1 SEC-2 PAY-1", ["PAY-1", "SEC-2"]),
        ("lowercase pay-42 is not a key", []),
    ],
)
def test_find_keys(text: str, keys: list[str]) -> None:
    assert find_keys(text) == keys


def test_allowlist_replaces_the_stoplist_and_admits_lowercase_branches() -> None:
    assert find_keys("SEC-7 PAY-42 AES-256", ["PAY"]) == ["PAY-42"]
    assert find_keys("SOC-2 controls", ["SOC"]) == ["SOC-2"]  # a project really named SOC
    assert find_keys("feature/pay-42-login", ["PAY"], branch=True) == ["PAY-42"]
    assert find_keys("feature/pay-42-login", branch=True) == []
    assert find_keys("fix pay-42 in commit", ["PAY"]) == []  # lowercase only in branch names


@pytest.mark.parametrize(
    "branch",
    ["release-2024-01", "RELEASE-2024-01", "RELEASE-2024", "hotfix/SPRINT-2025_03", "backup/DB-2024.06.01"],
)
def test_no_keys_from_date_like_branches(branch: str) -> None:
    assert find_keys(branch, branch=True) == []


def test_a_four_digit_ticket_number_in_a_branch_still_counts() -> None:
    assert find_keys("feature/PAY-2024-login", branch=True) == ["PAY-2024"]


def test_order_and_places() -> None:
    change = Change(provider="github", title="OPS-5 rotate keys", branch="feature/PAY-42", body="also SEC-7, OPS-5")
    found = discover_from(change, [("a" * 40, "SEC-7 fix"), ("b" * 40, "PAY-42 again")])
    assert found.keys == ("OPS-5", "PAY-42", "SEC-7")
    assert found.where_found == {
        "OPS-5": ("pull request title", "pull request description"),
        "PAY-42": ("branch feature/PAY-42", f"commit {'b' * 12}"),
        "SEC-7": ("pull request description", f"commit {'a' * 12}"),
    }
    assert found.warnings == () and found.shallow is False


# -- locally, with git -----------------------------------------------------------------


def test_local_branch_and_commits_since_the_merge_base(repo: Path) -> None:
    found = discover(env(), repo)
    assert found.keys == ("PAY-42", "SEC-7")
    assert found.where_found["PAY-42"][0] == "branch feature/PAY-42-login"
    assert len(found.where_found["PAY-42"]) == 2  # the branch and the "refs PAY-42" commit
    assert found.where_found["SEC-7"][0].startswith("commit ")
    assert found.warnings == () and not found.shallow


def test_local_with_allowlist(repo: Path) -> None:
    assert discover(env(), repo, ["SEC"]).keys == ("SEC-7",)


def test_not_a_repository(tmp_path: Path) -> None:
    found = discover(env(), tmp_path)
    assert found.keys == ()
    assert "is not a git repository" in found.warnings[0]


def test_on_main_with_no_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    found = discover(env(), repo)
    assert found.keys == ()
    assert "no base branch" in found.warnings[0]


# -- GitHub Actions --------------------------------------------------------------------


def github_event(tmp_path: Path, repo: Path, body: str | None) -> Path:
    event = {
        "action": "opened",
        "number": 7,
        "pull_request": {
            "number": 7,
            "title": "[OPS-5] Login hardening",
            "body": body,
            "head": {"ref": "feature/PAY-42-login", "sha": git(repo, "rev-parse", "HEAD"), "repo": {"fork": False}},
            "base": {"ref": "main", "sha": git(repo, "rev-parse", "main")},
        },
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def test_github_pull_request(repo: Path, tmp_path: Path) -> None:
    event = github_event(tmp_path, repo, "Closes PAY-42. Also touches OPS-6 (uses SHA-256).")
    actions = env(
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_EVENT_PATH=str(event),
        GITHUB_HEAD_REF="feature/PAY-42-login",
        GITHUB_REF="refs/pull/7/merge",
    )
    found = discover(actions, repo)
    assert found.keys == ("OPS-5", "PAY-42", "OPS-6", "SEC-7")
    assert found.where_found["OPS-5"] == ("pull request title",)
    assert found.where_found["PAY-42"][:2] == ("branch feature/PAY-42-login", "pull request description")


def test_github_pull_request_with_null_body(repo: Path, tmp_path: Path) -> None:
    event = github_event(tmp_path, repo, None)
    found = discover(env(GITHUB_ACTIONS="true", GITHUB_EVENT_PATH=str(event)), repo)
    assert found.keys == ("OPS-5", "PAY-42", "SEC-7")


def test_github_push_reads_the_pushed_commits(tmp_path: Path) -> None:
    event = tmp_path / "push.json"
    event.write_text(
        json.dumps(
            {
                "before": "0" * 40,
                "after": "c" * 40,
                "commits": [{"id": "c" * 40, "message": "PAY-77 add audit log"}],
            }
        )
    )
    push = env(
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_PATH=str(event),
        GITHUB_REF="refs/heads/SEC-3-fix",
        GITHUB_REF_NAME="SEC-3-fix",
    )
    found = discover(push, tmp_path)  # no git here: the payload is enough
    assert found.keys == ("SEC-3", "PAY-77")
    assert found.where_found["PAY-77"] == (f"commit {'c' * 12}",)


def test_unreadable_event_payload_is_a_warning(tmp_path: Path) -> None:
    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    found = discover(env(GITHUB_ACTIONS="true", GITHUB_EVENT_PATH=str(bad), GITHUB_REF_NAME="PAY-1-x"), tmp_path)
    assert found.keys == ("PAY-1",)
    assert "cannot read the GitHub event payload" in found.warnings[0]


# -- GitLab CI -------------------------------------------------------------------------


def test_gitlab_merge_request(repo: Path) -> None:
    ci = env(
        GITLAB_CI="true",
        CI_PIPELINE_SOURCE="merge_request_event",
        CI_MERGE_REQUEST_IID="3",
        CI_MERGE_REQUEST_TITLE="Draft: OPS-5 login hardening",
        CI_MERGE_REQUEST_DESCRIPTION="Relates to PAY-42",
        CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED="true",
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME="feature/PAY-42-login",
        CI_MERGE_REQUEST_DIFF_BASE_SHA=git(repo, "rev-parse", "main"),
        CI_COMMIT_SHA=git(repo, "rev-parse", "HEAD"),
        CI_COMMIT_REF_NAME="feature/PAY-42-login",
    )
    found = discover(ci, repo)
    assert found.keys == ("OPS-5", "PAY-42", "SEC-7")
    assert found.where_found["OPS-5"] == ("merge request title",)
    assert found.where_found["PAY-42"][1] == "merge request description"
    assert "2700 characters" in found.warnings[0]


def test_gitlab_branch_pipeline(repo: Path) -> None:
    ci = env(
        GITLAB_CI="true",
        CI_COMMIT_REF_NAME="feature/PAY-42-login",
        CI_COMMIT_BRANCH="feature/PAY-42-login",
        CI_COMMIT_SHA=git(repo, "rev-parse", "HEAD"),
        CI_COMMIT_MESSAGE="Add MFA prompt, refs PAY-42",
        CI_COMMIT_BEFORE_SHA="0" * 40,
    )
    found = discover(ci, repo)
    assert found.keys == ("PAY-42", "SEC-7")  # the base falls back to the merge base with main


# -- shallow clones --------------------------------------------------------------------


@pytest.fixture
def shallow(repo: Path, tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "feature/PAY-42-login",
            f"file://{repo}",
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    return clone


def test_shallow_clone_is_reported_not_silently_missed(shallow: Path) -> None:
    found = discover(env(), shallow)
    assert found.shallow is True
    assert "SEC-7" not in found.keys  # its commit is not in a depth-1 clone...
    assert found.keys == ("PAY-42",)
    assert any("shallow" in w and "fetch-depth: 0" in w and "GIT_DEPTH: 0" in w for w in found.warnings)


def test_shallow_pull_request_base_not_in_clone(shallow: Path, repo: Path, tmp_path: Path) -> None:
    event = github_event(tmp_path, repo, "")
    payload = json.loads(event.read_text())
    payload["pull_request"]["base"]["sha"] = git(repo, "rev-parse", "HEAD~2")  # not fetched at depth 1
    event.write_text(json.dumps(payload))
    found = discover(env(GITHUB_ACTIONS="true", GITHUB_EVENT_PATH=str(event)), shallow)
    assert found.shallow
    assert found.keys == ("OPS-5", "PAY-42")
    assert any("is not in the clone" in w and "fetch-depth: 0" in w for w in found.warnings)


def test_unshallowed_clone_finds_everything(shallow: Path) -> None:
    git(shallow, "fetch", "-q", "--unshallow")
    found = discover(env(), shallow)
    assert (found.shallow, found.keys) == (False, ("PAY-42", "SEC-7"))
