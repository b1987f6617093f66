"""Linear through its GraphQL API over plain HTTP: keys like `ENG-123`, key in LINEAR_API_KEY.

A personal API key goes in `Authorization` as it is (no "Bearer"). Linear reports errors in
GraphQL `errors[]`, sometimes with HTTP 200, so both the status and `extensions` are read.
Priority numbers: 0 none, 1 urgent, 2 high, 3 normal (medium), 4 low.
Reference: shared/reference/integrations.md §6.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.errors import ConfigError, InputError
from tracer.model import Ticket
from tracer.sources import transport
from tracer.sources.transport import Failed, Problem, RetryPolicy, Service

NAME = "linear"
DEFAULT_URL = "https://api.linear.app/graphql"
KEY = re.compile(r"^[A-Z][A-Z0-9]{0,6}-[1-9][0-9]*$")
PRIORITIES = {0: "", 1: "urgent", 2: "high", 3: "medium", 4: "low"}
PAGE_SIZE = 50
MAX_BODY = 16 * 1024 * 1024

_ISSUE_FIELDS = """identifier title description priority priorityLabel url
  state { name type } team { key name } labels { nodes { name } } project { name }"""
ISSUE_QUERY = f"query Issue($id: String!) {{ issue(id: $id) {{ {_ISSUE_FIELDS} }} }}"
SEARCH_QUERY = f"""query Search($term: String!, $first: Int!, $after: String) {{
  searchIssues(term: $term, first: $first, after: $after) {{
    nodes {{ {_ISSUE_FIELDS} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}"""


class LinearSource:
    name = NAME

    def __init__(self, api_key: str, *, url: str = DEFAULT_URL, retry: RetryPolicy | None = None) -> None:
        self.url = transport.display_url(url)
        self._key = api_key
        self._retry = retry or RetryPolicy()
        self._service = Service("Linear", self.url, "personal API key", "LINEAR_API_KEY", (api_key,) if api_key else ())

    def __repr__(self) -> str:
        return f"LinearSource(url={self.url!r})"

    def fetch(self, key: str) -> Ticket:
        key = key.strip().upper()
        if not KEY.match(key):
            raise InputError(f"{key!r} is not a Linear issue key (like ENG-123)")
        subject = f"issue {key}"
        data = self._query(ISSUE_QUERY, {"id": key}, subject)
        issue = data.get("issue")
        if issue is None:
            raise transport.to_error(Problem("not_found"), self._service, subject)
        return self._ticket(issue, subject)

    def search(self, query: str) -> Iterator[Ticket]:
        """Issues found by Linear's full-text search for `query`."""
        after: str | None = None
        while True:
            data = self._query(SEARCH_QUERY, {"term": query, "first": PAGE_SIZE, "after": after}, "the search")
            result = data.get("searchIssues")
            if not isinstance(result, dict) or not isinstance(result.get("nodes"), list):
                raise transport.to_error(Problem("malformed", detail="no searchIssues"), self._service, "the search")
            for node in result["nodes"]:
                yield self._ticket(node, "the search")
            info = _dict(result.get("pageInfo"))
            cursor = info.get("endCursor")
            if not info.get("hasNextPage") or not isinstance(cursor, str) or cursor == after:
                return
            after = cursor

    def _query(self, query: str, variables: dict[str, Any], subject: str) -> dict[str, Any]:
        import urllib.error
        import urllib.request

        body = json.dumps({"query": query, "variables": variables}).encode()

        def attempt() -> dict[str, Any]:
            request = urllib.request.Request(  # noqa: S310 - the URL is the configured https API
                self.url,
                data=body,
                method="POST",
                headers={"Authorization": _authorization(self._key), "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=self._retry.timeout) as response:  # noqa: S310
                    status, raw = response.status, response.read(MAX_BODY)
            except urllib.error.HTTPError as exc:
                status, raw = exc.code, _read(exc)
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                payload = _json(raw)
                raise Failed(_graphql_problem(payload, status, retry_after)) from None
            except TimeoutError:
                raise Failed(Problem("timeout")) from None
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    raise Failed(Problem("timeout")) from None
                raise Failed(Problem("connection", detail=transport.connection_reason(exc))) from None
            except (ConnectionError, OSError) as exc:
                raise Failed(Problem("connection", detail=transport.connection_reason(exc))) from None
            payload = _json(raw)
            if not isinstance(payload, dict):
                raise Failed(Problem("malformed", detail="the body is not a JSON object"))
            if payload.get("errors"):
                raise Failed(_graphql_problem(payload, status, None))
            data = payload.get("data")
            if not isinstance(data, dict):
                raise Failed(Problem("malformed", detail="no data"))
            return data

        return transport.run(attempt, self._retry, self._service, subject)

    def _ticket(self, issue: Any, subject: str) -> Ticket:
        if not isinstance(issue, dict) or not isinstance(issue.get("identifier"), str):
            raise transport.to_error(Problem("malformed", detail="no issue in the answer"), self._service, subject)
        labels = _dict(issue.get("labels"))
        names = [str(n.get("name")) for n in labels.get("nodes") or () if isinstance(n, dict) and n.get("name")]
        project, state, team = _dict(issue.get("project")), _dict(issue.get("state")), _dict(issue.get("team"))
        priority = issue.get("priority")
        return transport.build_ticket(
            NAME,
            key=issue["identifier"],
            title=issue.get("title") or "",
            description=issue.get("description") or "",
            labels=names,
            components=[str(project["name"])] if project.get("name") else [],
            priority=PRIORITIES.get(priority, "") if isinstance(priority, int) else "",
            issue_type="Issue",
            status=str(state.get("name") or ""),
            url=str(issue.get("url") or ""),
            project=str(team.get("name") or team.get("key") or ""),
        )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _authorization(key: str) -> str:
    # A personal key is sent as it is; an OAuth access token needs "Bearer".
    return f"Bearer {key}" if key.startswith("lin_oauth_") else key


def _read(exc: Any) -> bytes:  # an urllib HTTPError
    try:
        return bytes(exc.read(MAX_BODY))
    except OSError:
        return b""


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _graphql_problem(payload: Any, status: int, retry_after: str | None) -> Problem:
    """Linear's errors[] -> a Problem; the extension code says more than the HTTP status."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    first = _dict(errors[0]) if isinstance(errors, list) and errors else {}
    extensions = _dict(first.get("extensions"))
    code = " ".join(str(extensions.get(name, "")) for name in ("code", "type")).lower().replace("_", " ")
    message = str(first.get("message") or "")
    wait = transport.parse_retry_after(retry_after)
    if "ratelimited" in code or status == 429:
        return Problem("status", status=429, retry_after=wait, detail=message)
    if "authentication" in code:
        return Problem("status", status=401, detail=message)
    if "forbidden" in code:
        return Problem("status", status=403, detail=message)
    if "not found" in message.lower() or status == 404:
        return Problem("not_found", detail=message)
    if status >= 500 or status in (401, 403):
        return Problem("status", status=status, retry_after=wait, detail=message)
    if payload is None:
        return Problem("malformed", detail=f"HTTP {status} without a JSON body")
    return Problem("status", status=status if status >= 400 else 400, detail=message)


def claims(key: str, env: Env) -> bool:
    return bool(env.get("LINEAR_API_KEY")) and bool(KEY.match(key.strip()))


def open_source(env: Env, tracker: TrackerConfig, root: Path) -> LinearSource:
    api_key = env.get("LINEAR_API_KEY")
    if not api_key:
        raise ConfigError("no Linear key: LINEAR_API_KEY is not set", "export LINEAR_API_KEY; see docs/trackers.md")
    return LinearSource(api_key, url=tracker.url or DEFAULT_URL)
