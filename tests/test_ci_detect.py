"""CI detection: one provider class each, from the variables and event payload the hosts set."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tracer.ci.detect import CI_PROVIDERS, detect
from tracer.env import Env

BASE_SHA = "a" * 40
HEAD_SHA = "b" * 40


def pull_request_event(number: int = 7, fork: bool = False, head_repo: bool = True) -> dict[str, Any]:
    """The fields of a real `pull_request` payload that vibeward reads (plus a few around them)."""
    base_repo = {"full_name": "acme/shop", "fork": False}
    head = {"full_name": "mallory/shop" if fork else "acme/shop", "fork": fork}
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "title": "PAY-101 card payments",
            "body": None,
            "head": {"ref": "feature/PAY-101", "sha": HEAD_SHA, "repo": head if head_repo else None},
            "base": {"ref": "main", "sha": BASE_SHA, "repo": base_repo},
            "user": {"login": "dev"},
        },
        "repository": {"full_name": "acme/shop"},
    }


def github_env(tmp_path: Path, event: dict[str, Any], name: str = "pull_request", **extra: str) -> Env:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return Env.from_environ(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": name,
            "GITHUB_EVENT_PATH": str(path),
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_SHA": "c" * 40,
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "output"),
            **extra,
        }
    )


def test_outside_ci_there_is_no_context() -> None:
    assert detect(Env.from_environ({"CI": "true"})) is None
    assert set(CI_PROVIDERS) == {"github", "gitlab"}


def test_github_pull_request(tmp_path: Path) -> None:
    env = github_env(tmp_path, pull_request_event(), GITHUB_TOKEN="ghs_x123456", GITHUB_API_URL="https://ghe/api/v3/")
    context = detect(env)
    assert context is not None
    assert (context.provider, context.repository, context.number) == ("github", "acme/shop", 7)
    assert (context.base_sha, context.head_sha, context.fork) == (BASE_SHA, HEAD_SHA, False)
    assert context.api_url == "https://ghe/api/v3" and context.token_env == "GITHUB_TOKEN"
    assert context.summary_path.endswith("summary.md") and context.output_path.endswith("output")
    assert context.change_name == "pull request #7"


def test_github_fork_and_deleted_fork(tmp_path: Path) -> None:
    context = detect(github_env(tmp_path, pull_request_event(fork=True)))
    assert context is not None and context.fork and context.token_env == ""
    context = detect(github_env(tmp_path, pull_request_event(head_repo=False)))
    assert context is not None and context.fork
    assert context.api_url == "https://api.github.com"


def test_github_push_uses_before_and_no_number(tmp_path: Path) -> None:
    context = detect(github_env(tmp_path, {"before": BASE_SHA, "after": HEAD_SHA, "commits": []}, name="push"))
    assert context is not None and context.number is None and context.base_sha == BASE_SHA
    context = detect(github_env(tmp_path, {"before": "0" * 40}, name="push"))
    assert context is not None and context.base_sha == ""


def test_github_unreadable_payload_is_a_warning(tmp_path: Path) -> None:
    env = Env.from_environ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")})
    context = detect(env)
    assert context is not None and context.number is None
    assert "cannot read the GitHub event payload" in context.warnings[0]


def test_gitlab_merge_request_pipeline() -> None:
    env = Env.from_environ(
        {
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_MERGE_REQUEST_IID": "12",
            "CI_MERGE_REQUEST_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "42",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": BASE_SHA,
            "CI_COMMIT_SHA": HEAD_SHA,
            "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
            "CI_JOB_TOKEN": "job-123456",
            "GITLAB_TOKEN": "glpat-123456",
        }
    )
    context = detect(env)
    assert context is not None
    assert (context.provider, context.repository, context.number, context.base_sha) == ("gitlab", "42", 12, BASE_SHA)
    assert context.token_env == "GITLAB_TOKEN" and not context.fork
    assert context.change_name == "merge request !12"


def test_gitlab_branch_pipeline_and_fork_and_job_token_only() -> None:
    env = Env.from_environ(
        {
            "GITLAB_CI": "true",
            "CI_PROJECT_ID": "42",
            "CI_COMMIT_BEFORE_SHA": "0" * 40,
            "CI_MERGE_REQUEST_IID": "",
            "CI_JOB_TOKEN": "job-123456",
            "CI_SERVER_URL": "https://gitlab.example.com",
        }
    )
    context = detect(env)
    assert context is not None and context.number is None and context.base_sha == ""
    assert context.token_env == "" and context.api_url == "https://gitlab.example.com/api/v4"
    forked = detect(
        Env.from_environ(
            {
                "GITLAB_CI": "true",
                "CI_MERGE_REQUEST_IID": "3",
                "CI_MERGE_REQUEST_PROJECT_ID": "42",
                "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "77",
            }
        )
    )
    assert forked is not None and forked.fork
