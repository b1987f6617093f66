"""GitHub Issues through PyGithub: keys like `owner/repo#123`, token in GITHUB_TOKEN.

An issue has a title, a Markdown body, labels, a state and a URL; there are no priority or
component fields, so the priority comes from a label (`priority: high`, `P1`) and the
issue type from GitHub's issue types where an organisation uses them.
API base: GITHUB_API_URL (set by GitHub Actions; GitHub Enterprise: https://HOST/api/v3).
Reference: shared/reference/integrations.md §6.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.errors import ConfigError, InputError
from tracer.model import Ticket
from tracer.sources import transport
from tracer.sources.transport import Failed, Problem, RetryPolicy, Service

NAME = "github"
DEFAULT_API = "https://api.github.com"
KEY = re.compile(r"^(?P<repo>[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})#(?P<number>[1-9][0-9]{0,9})$")
_PRIORITY_LABEL = re.compile(r"^\s*(?:priority|prio)\s*[:/=_ -]\s*(\S.*?)\s*$|^\s*(P[0-4])\s*$", re.IGNORECASE)
PAGE_SIZE = 100
MAX_SEARCH_RESULTS = 1000  # GitHub's search API stops there
T = TypeVar("T")


def priority_from_labels(labels: tuple[str, ...], pattern: re.Pattern[str] = _PRIORITY_LABEL) -> str:
    """`priority: high` -> "high", `P1` -> "P1"; the first such label wins."""
    for label in labels:
        match = pattern.match(label)
        if match:
            return next(group for group in match.groups() if group)
    return ""


class GitHubSource:
    name = NAME

    def __init__(self, token: str, *, base_url: str = DEFAULT_API, retry: RetryPolicy | None = None) -> None:
        self.base_url = transport.display_url(base_url)
        self._token = token
        self._retry = retry or RetryPolicy()
        self._service = Service("GitHub", self.base_url, "token", "GITHUB_TOKEN", (token,) if token else ())
        self._client: Any = None

    def __repr__(self) -> str:
        return f"GitHubSource(base_url={self.base_url!r})"

    def fetch(self, key: str) -> Ticket:
        match = KEY.match(key.strip())
        if not match:
            raise InputError(f"{key!r} is not a GitHub issue reference (like owner/repo#123)")
        repo, number = match.group("repo"), int(match.group("number"))
        client = self._github()
        raw = self._call(lambda: client.get_repo(repo).get_issue(number).raw_data, f"issue {key}")
        return self._ticket(raw, repo, f"issue {key}")

    def search(self, query: str) -> Iterator[Ticket]:
        """Issues matching a GitHub search query (e.g. `repo:o/r label:security is:open`)."""
        requester = self._github().requester
        page, seen = 1, 0
        while True:
            parameters = {"q": query, "per_page": PAGE_SIZE, "page": page}
            _, data = self._call(
                partial(requester.requestJsonAndCheck, "GET", "/search/issues", parameters=parameters), "the search"
            )
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise transport.to_error(Problem("malformed", detail="no items"), self._service, "the search")
            for raw in items:
                yield self._ticket(raw, _repo_of(raw), "the search")
            seen += len(items)
            total = data.get("total_count")
            if not items or not isinstance(total, int) or seen >= min(total, MAX_SEARCH_RESULTS):
                return
            page += 1

    def _github(self) -> Any:
        if self._client is None:
            from github import Auth, Github

            self._client = Github(
                base_url=self.base_url,
                auth=Auth.Token(self._token) if self._token else None,
                timeout=max(1, round(self._retry.timeout)),
                retry=None,  # transport.run retries, with one policy for every tracker
                seconds_between_requests=None,
                seconds_between_writes=None,
                lazy=True,
            )
        return self._client

    def _call(self, fn: Callable[[], T], subject: str) -> T:
        def attempt() -> T:
            try:
                return fn()
            except Exception as exc:
                problem = _problem(exc)
                if problem is None:
                    raise
                raise Failed(problem) from None

        return transport.run(attempt, self._retry, self._service, subject)

    def _ticket(self, raw: Any, repo: str, subject: str) -> Ticket:
        if not isinstance(raw, dict) or not isinstance(raw.get("number"), int) or "title" not in raw:
            raise transport.to_error(Problem("malformed", detail="no issue in the answer"), self._service, subject)
        labels = tuple(
            str(label.get("name") if isinstance(label, dict) else label)
            for label in raw.get("labels") or ()
            if label is not None
        )
        kind = raw.get("type")
        issue_type = str(kind.get("name", "")) if isinstance(kind, dict) else ""
        if not issue_type:
            issue_type = "Pull request" if raw.get("pull_request") else "Issue"
        return transport.build_ticket(
            NAME,
            key=f"{repo}#{raw['number']}",
            title=raw.get("title") or "",
            description=raw.get("body") or "",
            labels=list(labels),
            components=[],
            priority=priority_from_labels(labels),
            issue_type=issue_type,
            status=str(raw.get("state") or ""),
            url=str(raw.get("html_url") or ""),
            project=repo,
        )


def _repo_of(raw: Any) -> str:
    url = raw.get("repository_url", "") if isinstance(raw, dict) else ""
    parts = str(url).rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else ""


def _problem(exc: BaseException) -> Problem | None:
    import requests
    from github import GithubException

    if isinstance(exc, GithubException):
        headers = exc.headers or {}
        retry_after = headers.get("retry-after") or headers.get("Retry-After")
        data = exc.data
        detail = str(data.get("message", "")) if isinstance(data, dict) else ""
        status = exc.status
        if status == 403 and (str(headers.get("x-ratelimit-remaining", "")) == "0" or retry_after):
            status = 429  # GitHub answers 403 to primary and secondary rate limits
        return Problem("status", status=status, retry_after=transport.parse_retry_after(retry_after), detail=detail)
    if isinstance(exc, requests.exceptions.Timeout):
        return Problem("timeout")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return Problem("connection", detail=transport.connection_reason(exc))
    if isinstance(exc, json.JSONDecodeError):
        return Problem("malformed", detail="the body is not JSON")
    return None


def claims(key: str, env: Env) -> bool:
    """`owner/repo#123` goes to GitHub when GITHUB_TOKEN is set (and a GitLab token is not the only one)."""
    if not KEY.match(key.strip()) or not env.get("GITHUB_TOKEN"):
        return False
    return not (env.get("GITLAB_TOKEN") and env.get("GITLAB_CI") == "true")


def open_source(env: Env, tracker: TrackerConfig, root: Path) -> GitHubSource:
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not token:
        raise ConfigError("no GitHub token: GITHUB_TOKEN is not set", "export GITHUB_TOKEN; see docs/trackers.md")
    return GitHubSource(token, base_url=tracker.url or env.get("GITHUB_API_URL") or DEFAULT_API)
