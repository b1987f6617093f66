"""Which CI host runs us, and what it says about the change: one frozen class per provider.

`detect(env)` asks each provider of CI_PROVIDERS in turn and returns the first context, or
None outside CI. Variables: shared/reference/integrations.md §2.3 (GitHub Actions:
docs.github.com/actions/reference/variables; GitLab: doc/ci/variables/predefined_variables.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from tracer.env import Env

GITHUB_API = "https://api.github.com"
GITHUB_TOKEN_VARIABLES = ("VIBEWARD_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")
# CI_JOB_TOKEN is left out on purpose: it cannot write merge request notes (gitlab issue 545150).
GITLAB_TOKEN_VARIABLES = ("VIBEWARD_GITLAB_TOKEN", "GITLAB_TOKEN")
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
# Report files written by default in a CI host (format, path), when that reporter exists.
DEFAULT_REPORTS: dict[str, tuple[tuple[str, str], ...]] = {
    "gitlab": (("gitlab-codequality", "gl-code-quality-report.json"), ("junit", "vibeward-junit.xml")),
}


@dataclass(frozen=True)
class CIContext:
    provider: str  # "github" | "gitlab"
    repository: str  # owner/repo (GitHub); the project id or path (GitLab)
    number: int | None  # the pull request number / merge request iid; None outside one
    head_sha: str
    base_sha: str  # where the change starts: the PR base, the MR diff base, a push's `before`
    fork: bool  # the change comes from another repository (GitHub: its token is read-only)
    api_url: str  # GITHUB_API_URL / CI_API_V4_URL
    token_env: str  # the variable holding the token to write with; "" when none is set
    event: str = ""  # pull_request, push, merge_request_event, ...
    summary_path: str = ""  # GITHUB_STEP_SUMMARY
    output_path: str = ""  # GITHUB_OUTPUT
    warnings: tuple[str, ...] = ()

    @property
    def change_name(self) -> str:
        if self.number is None:
            return "this commit"
        return f"merge request !{self.number}" if self.provider == "gitlab" else f"pull request #{self.number}"


class Provider(Protocol):
    name: ClassVar[str]

    def matches(self, env: Env) -> bool: ...

    def context(self, env: Env) -> CIContext: ...


@dataclass(frozen=True)
class GitHubActions:
    """GITHUB_ACTIONS=true; the change comes from the event payload at GITHUB_EVENT_PATH."""

    name: ClassVar[str] = "github"

    def matches(self, env: Env) -> bool:
        return env.get("GITHUB_ACTIONS") == "true"

    def context(self, env: Env) -> CIContext:
        event, warnings = _event(env.get("GITHUB_EVENT_PATH"))
        name = env.get("GITHUB_EVENT_NAME")
        pull = _mapping(event.get("pull_request"))
        number: int | None = None
        head, base, fork = env.get("GITHUB_SHA"), "", False
        if pull and (name in PULL_REQUEST_EVENTS or not name):
            raw_number = pull.get("number", event.get("number"))
            number = raw_number if isinstance(raw_number, int) else None
            head_side, base_side = _mapping(pull.get("head")), _mapping(pull.get("base"))
            head = _text(head_side.get("sha")) or head
            base = _text(base_side.get("sha"))
            head_repo = _mapping(head_side.get("repo"))
            base_repo = _mapping(base_side.get("repo"))
            # A deleted fork leaves head.repo null; treat it as a fork (its token is read-only too).
            fork = not head_repo or (
                _text(head_repo.get("full_name")) != _text(base_repo.get("full_name"))
                if base_repo
                else head_repo.get("fork") is True
            )
        else:
            before = _text(event.get("before"))
            base = "" if not before or set(before) == {"0"} else before
        return CIContext(
            provider=self.name,
            repository=env.get("GITHUB_REPOSITORY"),
            number=number,
            head_sha=head,
            base_sha=base,
            fork=fork,
            api_url=(env.get("GITHUB_API_URL") or GITHUB_API).rstrip("/"),
            token_env=_first_set(env, GITHUB_TOKEN_VARIABLES),
            event=name,
            summary_path=env.get("GITHUB_STEP_SUMMARY"),
            output_path=env.get("GITHUB_OUTPUT"),
            warnings=warnings,
        )


@dataclass(frozen=True)
class GitLabCI:
    """GITLAB_CI=true; merge request pipelines add CI_MERGE_REQUEST_* variables."""

    name: ClassVar[str] = "gitlab"

    def matches(self, env: Env) -> bool:
        return env.get("GITLAB_CI") == "true"

    def context(self, env: Env) -> CIContext:
        iid = env.get("CI_MERGE_REQUEST_IID")
        project = env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID")
        source = env.get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID")
        before = env.get("CI_COMMIT_BEFORE_SHA")
        if iid:
            base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        else:  # a branch pipeline: the push's previous tip (all zeros for a new branch)
            base = "" if not before or set(before) == {"0"} else before
        return CIContext(
            provider=self.name,
            repository=project,
            number=int(iid) if iid.isdigit() else None,
            head_sha=env.get("CI_COMMIT_SHA"),
            base_sha=base,
            fork=bool(source) and source != env.get("CI_MERGE_REQUEST_PROJECT_ID"),
            api_url=(env.get("CI_API_V4_URL") or f"{env.get('CI_SERVER_URL') or 'https://gitlab.com'}/api/v4").rstrip(
                "/"
            ),
            token_env=_first_set(env, GITLAB_TOKEN_VARIABLES),
            event=env.get("CI_PIPELINE_SOURCE"),
        )


CI_PROVIDERS: dict[str, Provider] = {
    GitHubActions.name: GitHubActions(),
    GitLabCI.name: GitLabCI(),
}


def detect(env: Env) -> CIContext | None:
    """The CI context, or None when no known CI host runs this process."""
    for provider in CI_PROVIDERS.values():
        if provider.matches(env):
            return provider.context(env)
    return None


def _event(path: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    if not path:
        return {}, ()
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, (f"cannot read the GitHub event payload {path} ({exc.__class__.__name__})",)
    return (loaded if isinstance(loaded, dict) else {}), ()


def _first_set(env: Env, names: tuple[str, ...]) -> str:
    return next((name for name in names if env.get(name)), "")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
