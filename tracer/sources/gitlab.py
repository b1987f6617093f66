"""GitLab issues through python-gitlab: keys like `group/project#123`, token in GITLAB_TOKEN.

An issue has a title, a Markdown description, labels, a state, a type and a URL. There is
no priority field: it comes from a scoped label (`priority::high`), else the incident
severity. Server: tracker.url, else GITLAB_URL, else CI_SERVER_URL, else gitlab.com.
Reference: shared/reference/integrations.md §6.
"""
from __future__ import annotations

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

NAME = "gitlab"
DEFAULT_URL = "https://gitlab.com"
_PATH_PART = r"[A-Za-z0-9_.][A-Za-z0-9_.-]*"
KEY = re.compile(rf"^(?P<project>{_PATH_PART}(?:/{_PATH_PART})+)#(?P<iid>[1-9][0-9]{{0,9}})$")
_PRIORITY_LABEL = re.compile(r"^\s*(?:priority|prio)\s*::?\s*(\S.*?)\s*$|^\s*(P[0-4])\s*$", re.IGNORECASE)
_COMPONENT_LABEL = re.compile(r"^\s*(?:component|area)\s*::?\s*(\S.*?)\s*$", re.IGNORECASE)
PAGE_SIZE = 50
T = TypeVar("T")


class GitLabSource:
    name = NAME

    def __init__(self, token: str, *, url: str = DEFAULT_URL, retry: RetryPolicy | None = None) -> None:
        self.url = transport.display_url(url)
        self._token = token
        self._retry = retry or RetryPolicy()
        self._service = Service("GitLab", self.url, "private token", "GITLAB_TOKEN", (token,) if token else ())
        self._client: Any = None
        self._retry_after: list[str | None] = [None]  # the last response's Retry-After header

    def __repr__(self) -> str:
        return f"GitLabSource(url={self.url!r})"

    def fetch(self, key: str) -> Ticket:
        match = KEY.match(key.strip())
        if not match:
            raise InputError(f"{key!r} is not a GitLab issue reference (like group/project#123)")
        project, iid = match.group("project"), int(match.group("iid"))
        client = self._gitlab()

        def get() -> Any:
            # obey_rate_limit=False: a 429 comes back to transport.run, which caps the wait.
            issue = client.projects.get(project, lazy=True).issues.get(iid, obey_rate_limit=False)
            return issue.attributes

        raw = self._call(get, f"issue {key}")
        return self._ticket(raw, project, f"issue {key}")

    def search(self, query: str) -> Iterator[Ticket]:
        """Issues visible to the token whose title or description matches `query`."""
        client = self._gitlab()
        page = 1
        while True:
            items = self._call(
                partial(
                    client.issues.list,
                    scope="all",
                    search=query,
                    page=page,
                    per_page=PAGE_SIZE,
                    get_all=False,
                    obey_rate_limit=False,
                ),
                "the search",
            )
            for item in items:
                raw = item.attributes
                yield self._ticket(raw, _project_of(raw), "the search")
            if len(items) < PAGE_SIZE:
                return
            page += 1

    def _gitlab(self) -> Any:
        if self._client is None:
            import gitlab
            import requests

            session = requests.Session()
            session.hooks["response"].append(self._remember)
            self._client = gitlab.Gitlab(
                self.url,
                private_token=self._token or None,
                timeout=self._retry.timeout,
                retry_transient_errors=False,
                session=session,
                keep_base_url=True,
            )
        return self._client

    def _remember(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        self._retry_after[0] = response.headers.get("Retry-After")
        return response

    def _call(self, fn: Callable[[], T], subject: str) -> T:
        def attempt() -> T:
            self._retry_after[0] = None
            try:
                return fn()
            except Exception as exc:
                problem = _problem(exc, self._retry_after[0])
                if problem is None:
                    raise
                raise Failed(problem) from None

        return transport.run(attempt, self._retry, self._service, subject)

    def _ticket(self, raw: Any, project: str, subject: str) -> Ticket:
        if not isinstance(raw, dict) or not isinstance(raw.get("iid"), int) or "title" not in raw:
            raise transport.to_error(Problem("malformed", detail="no issue in the answer"), self._service, subject)
        labels = tuple(str(label) for label in raw.get("labels") or () if isinstance(label, (str, int)))
        priority = _first(_PRIORITY_LABEL, labels)
        severity = str(raw.get("severity") or "")
        if not priority and severity and severity.upper() != "UNKNOWN":
            priority = severity.lower()
        return transport.build_ticket(
            NAME,
            key=f"{project}#{raw['iid']}",
            title=raw.get("title") or "",
            description=raw.get("description") or "",
            labels=list(labels),
            components=[c for c in (_first(_COMPONENT_LABEL, (label,)) for label in labels) if c],
            priority=priority,
            issue_type=str(raw.get("issue_type") or raw.get("type") or "issue"),
            status=str(raw.get("state") or ""),
            url=str(raw.get("web_url") or ""),
            project=project,
        )


def _first(pattern: re.Pattern[str], labels: tuple[str, ...]) -> str:
    for label in labels:
        match = pattern.match(label)
        if match:
            return next(group for group in match.groups() if group)
    return ""


def _project_of(raw: Any) -> str:
    refs = raw.get("references") if isinstance(raw, dict) else None
    full = refs.get("full", "") if isinstance(refs, dict) else ""
    return str(full).split("#", 1)[0] if full else str(raw.get("project_id", "")) if isinstance(raw, dict) else ""


def _problem(exc: BaseException, retry_after: str | None) -> Problem | None:
    import requests
    from gitlab.exceptions import GitlabError, GitlabParsingError

    if isinstance(exc, GitlabParsingError):
        return Problem("malformed", detail="the body is not JSON")
    if isinstance(exc, GitlabError) and exc.response_code:
        message = exc.error_message
        detail = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        return Problem(
            "status",
            status=int(exc.response_code),
            retry_after=transport.parse_retry_after(retry_after),
            detail=detail,
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return Problem("timeout")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return Problem("connection", detail=transport.connection_reason(exc))
    return None


def claims(key: str, env: Env) -> bool:
    """`group/project#123` goes to GitLab with GITLAB_TOKEN (deeper paths, or in GitLab CI, win over GitHub)."""
    match = KEY.match(key.strip())
    if not match or not env.get("GITLAB_TOKEN"):
        return False
    nested = match.group("project").count("/") > 1
    return nested or not env.get("GITHUB_TOKEN") or env.get("GITLAB_CI") == "true"


def open_source(env: Env, tracker: TrackerConfig, root: Path) -> GitLabSource:
    token = env.get("GITLAB_TOKEN")
    if not token:
        raise ConfigError("no GitLab token: GITLAB_TOKEN is not set", "export GITLAB_TOKEN; see docs/trackers.md")
    url = tracker.url or env.get("GITLAB_URL") or env.get("CI_SERVER_URL") or DEFAULT_URL
    return GitLabSource(token, url=url)
