"""JIRA Cloud and Data Center, through the `jira` client (pycontribs, >= 3.10).

Auth: Cloud uses basic auth with JIRA_EMAIL + JIRA_API_TOKEN; Data Center a personal access
token in JIRA_PAT (bearer). Descriptions come as wiki markup (API v2, the default) or as
ADF (API v3, JIRA_API_VERSION=3 on Cloud); both are flattened to text. Search uses the
enhanced `/search/jql` with `nextPageToken` on Cloud (the old `/search` answers 410 there)
and `/search` with `startAt` on Data Center.

The client's own retrying is off (max_retries=0); tracer/sources/transport.py retries.
JIRAError is never turned into text: its str() carries the request headers, and so the token.
Reference: shared/reference/integrations.md §1.
"""
from __future__ import annotations

import base64
import json
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from tracer import adf
from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.errors import ConfigError, InputError
from tracer.model import Ticket
from tracer.sources import transport
from tracer.sources.transport import Failed, Problem, RetryPolicy, Service

NAME = "jira"
KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
FIELDS = ("summary", "description", "labels", "components", "priority", "issuetype", "status", "project")
PAGE_SIZE = 50
MAX_PROPERTY_BYTES = 32_768  # JIRA's limit for one entity property value
T = TypeVar("T")


@dataclass(frozen=True)
class JiraAuth:
    kind: str  # "cloud" (email + API token, basic auth) or "pat" (Data Center bearer token)
    email: str = ""
    token: str = field(default="", repr=False)
    origin: str = ""  # where the token came from, e.g. "JIRA_API_TOKEN" or "keyring"

    @property
    def method(self) -> str:
        if self.kind == "pat":
            return "Data Center personal access token"
        return "Cloud API token, basic auth"

    @property
    def check(self) -> str:
        return "JIRA_PAT" if self.kind == "pat" else "JIRA_EMAIL and JIRA_API_TOKEN"

    def secrets(self) -> tuple[str, ...]:
        if not self.token:
            return ()
        basic = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        return (self.token, basic)


class JiraSource:
    """Reads tickets from JIRA and writes results back (comment, labels, remote link, property)."""

    name = NAME

    def __init__(
        self,
        url: str,
        auth: JiraAuth,
        *,
        api_version: str = "2",
        retry: RetryPolicy | None = None,
        project_keys: tuple[str, ...] = (),
    ) -> None:
        if api_version not in ("2", "3"):
            raise ConfigError(f"JIRA API version must be 2 or 3, got {api_version!r}")
        self.url = transport.display_url(url)
        self.api_version = api_version
        self.project_keys = project_keys
        self._auth = auth
        self._retry = retry or RetryPolicy()
        self._service = Service("JIRA", self.url, auth.method, auth.check, auth.secrets())
        self._client: Any = None

    def __repr__(self) -> str:
        return f"JiraSource(url={self.url!r}, auth={self._auth.kind!r}, api_version={self.api_version!r})"

    # -- reading ---------------------------------------------------------------------

    def fetch(self, key: str) -> Ticket:
        key = self._check_key(key)
        client = self._jira()
        raw = self._call(lambda: client.issue(key, fields=",".join(FIELDS)).raw, f"ticket {key}")
        return self._ticket(raw, f"ticket {key}")

    def search(self, query: str) -> Iterator[Ticket]:
        """Tickets matching a JQL query (bounded, e.g. `project = PAY AND updated > -30d`), page by page."""
        client = self._jira()
        if self.is_cloud:
            yield from self._search_cloud(client, query)
        else:
            yield from self._search_dc(client, query)

    def _search_cloud(self, client: Any, jql: str) -> Iterator[Ticket]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self._call(
                partial(
                    client.enhanced_search_issues,
                    jql,
                    nextPageToken=token,
                    maxResults=PAGE_SIZE,
                    fields=list(FIELDS),
                    json_result=True,
                ),
                "the search",
            )
            yield from self._page_tickets(page)
            token = page.get("nextPageToken")
            if page.get("isLast") or not isinstance(token, str) or not token or token in seen:
                return
            seen.add(token)

    def _search_dc(self, client: Any, jql: str) -> Iterator[Ticket]:
        start = 0
        while True:
            page = self._call(
                partial(
                    client.search_issues,
                    jql,
                    startAt=start,
                    maxResults=PAGE_SIZE,
                    fields=list(FIELDS),
                    json_result=True,
                ),
                "the search",
            )
            count = 0
            for ticket in self._page_tickets(page):
                count += 1
                yield ticket
            start += count
            total = page.get("total")
            if count == 0 or (isinstance(total, int) and start >= total):
                return

    def _page_tickets(self, page: Any) -> Iterator[Ticket]:
        if not isinstance(page, dict) or not isinstance(page.get("issues"), list):
            raise transport.to_error(Problem("malformed", detail="no issue list"), self._service, "the search")
        for raw in page["issues"]:
            yield self._ticket(raw, "the search")

    @property
    def is_cloud(self) -> bool:
        return bool(self._jira().deploymentType == "Cloud")

    def server_info(self) -> dict[str, Any]:
        client = self._jira()
        info = self._call(client.server_info, "server info")
        if not isinstance(info, dict):
            raise transport.to_error(Problem("malformed"), self._service, "server info")
        return info

    def project_name(self, project: str) -> str:
        """The project's name; InputError if JIRA does not know it."""
        client = self._jira()
        return str(self._call(lambda: client.project(project).name, f"project {project}"))

    # -- writing back ----------------------------------------------------------------

    def add_comment(self, key: str, text: str) -> str:
        """Post a comment (wiki text on v2, ADF on v3); returns its id. Not retried after a 5xx."""
        key = self._check_key(key)
        client = self._jira()
        body: Any = text if self.api_version == "2" else adf.text_to_adf(text)
        comment = self._call(lambda: client.add_comment(key, body), f"a comment on {key}", idempotent=False)
        return str(comment.id)

    def upsert_comment(self, key: str, marker: str, text: str) -> tuple[str, bool]:
        """Update the comment that holds `marker`, else add one: (comment id, created). Re-runs never repeat it."""
        key = self._check_key(key)
        client = self._jira()

        def find() -> Any:
            start = 0
            while True:
                page = client.comments(key, start_at=start, max_results=PAGE_SIZE)
                for comment in page:
                    body = comment.raw.get("body")
                    if marker in (adf.to_text(body) if isinstance(body, dict) else str(body or "")):
                        return comment
                if len(page) < PAGE_SIZE:
                    return None
                start += len(page)

        existing = self._call(find, f"the comments of {key}")
        if existing is None:
            return self.add_comment(key, text), True
        body: Any = text if self.api_version == "2" else adf.text_to_adf(text)
        self._call(lambda: existing.update(body=body), f"comment {existing.id} on {key}")
        return str(existing.id), False

    def add_labels(self, key: str, labels: tuple[str, ...]) -> tuple[str, ...]:
        """Add labels with an `update` operation, keeping the ones there; returns the labels now set."""
        key = self._check_key(key)
        for label in labels:
            if not label or len(label) > 255 or any(ch.isspace() for ch in label):
                raise InputError(f"JIRA label {label!r} must be 1-255 characters without spaces")
        client = self._jira()

        def update() -> tuple[str, ...]:
            issue = client.issue(key, fields="labels")
            issue.update(update={"labels": [{"add": label} for label in labels]})
            return tuple(str(label) for label in (issue.raw.get("fields", {}).get("labels") or ()))

        return self._call(update, f"the labels of {key}")

    def upsert_remote_link(
        self,
        key: str,
        url: str,
        title: str,
        *,
        global_id: str = "",
        summary: str = "",
        resolved: bool | None = None,
    ) -> str:
        """Create or update the link with this globalId (default: from the URL), so re-runs add no duplicate."""
        key = self._check_key(key)
        gid = (global_id or "vibeward:" + re.sub(r"^\w+://", "", url))[:255]
        link: dict[str, Any] = {"url": url, "title": title[:255] or url[:255]}
        if summary:
            link["summary"] = summary
        if resolved is not None:
            link["status"] = {"resolved": resolved}
        client = self._jira()

        def post() -> str:
            # add_remote_link first lists application links and warns when that is not allowed,
            # which is the usual case for a non-admin account; the link is still created.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                created = client.add_remote_link(
                    key,
                    destination=link,
                    globalId=gid,
                    application={"type": "dev.vibeward", "name": "vibeward"},
                    relationship="compliance trace",
                )
            return str(created.id)

        return self._call(post, f"the remote link on {key}")

    def set_property(self, key: str, name: str, value: Any) -> None:
        """Store a JSON value as the issue's entity property `name` (e.g. "vibeward")."""
        key = self._check_key(key)
        try:
            size = len(json.dumps(value).encode())
        except (TypeError, ValueError):
            raise InputError(f"the {name} property of {key} must be JSON data") from None
        if size > MAX_PROPERTY_BYTES:
            raise InputError(f"the {name} property of {key} is {size} bytes; JIRA allows {MAX_PROPERTY_BYTES}")
        client = self._jira()
        self._call(lambda: client.add_issue_property(key, name, value), f"the {name} property of {key}")

    # -- plumbing --------------------------------------------------------------------

    def _check_key(self, key: str) -> str:
        key = key.strip().upper()
        if not KEY.match(key):
            raise InputError(f"{key!r} is not a JIRA key (like PAY-123)")
        project = key.rsplit("-", 1)[0]
        if self.project_keys and project not in self.project_keys:
            allowed = ", ".join(self.project_keys)
            raise InputError(f"ticket {key} is in project {project}, not in tracker.project_keys ({allowed})")
        return key

    def _jira(self) -> Any:
        if self._client is None:
            try:
                self._client = self._call(self._connect, "server info")
            except InputError:  # a 404 on serverInfo: this URL is not a JIRA
                raise ConfigError(
                    f"no JIRA REST API at {self.url} (serverInfo not found)",
                    "check JIRA_URL or tracker.url, including a context path such as /jira",
                ) from None
        return self._client

    def _connect(self) -> Any:
        from jira import JIRA

        credentials: dict[str, Any] = {}
        if self._auth.kind == "pat":
            credentials["token_auth"] = self._auth.token
        else:
            credentials["basic_auth"] = (self._auth.email, self._auth.token)
        try:
            # get_server_info stays on: "Cloud" comes from serverInfo.deploymentType.
            return JIRA(
                self.url,
                options={"rest_api_version": self.api_version, "check_update": False},
                max_retries=0,
                timeout=self._retry.timeout,
                **credentials,
            )
        except (KeyError, TypeError):
            raise Failed(Problem("malformed", detail="serverInfo without versionNumbers")) from None

    def _call(self, fn: Callable[[], T], subject: str, *, idempotent: bool = True) -> T:
        def attempt() -> T:
            try:
                return fn()
            except Failed:
                raise
            except Exception as exc:
                problem = _problem(exc)
                if problem is None:
                    raise
                raise Failed(problem) from None

        return transport.run(attempt, self._retry, self._service, subject, idempotent=idempotent)

    def _ticket(self, raw: Any, subject: str) -> Ticket:
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) or not isinstance(raw.get("fields"), dict):
            raise transport.to_error(Problem("malformed", detail="issue without key or fields"), self._service, subject)
        fields: dict[str, Any] = raw["fields"]
        key = raw["key"]
        project = _name(fields.get("project"), "key") or key.rsplit("-", 1)[0]
        if self.project_keys and project not in self.project_keys:
            raise InputError(f"ticket {key} is in project {project}, not in tracker.project_keys")
        description = fields.get("description")
        if isinstance(description, dict):
            text = adf.to_text(description)
        elif isinstance(description, str):
            text = adf.wiki_to_text(description)
        else:
            text = ""
        return transport.build_ticket(
            NAME,
            key=key,
            title=_str(fields.get("summary")),
            description=text,
            labels=[str(label) for label in fields.get("labels") or () if label is not None],
            components=[_name(c, "name") for c in fields.get("components") or () if _name(c, "name")],
            priority=_name(fields.get("priority"), "name"),
            issue_type=_name(fields.get("issuetype"), "name"),
            status=_name(fields.get("status"), "name"),
            url=f"{self.url}/browse/{key}",
            project=_project_label(fields.get("project"), project),
        )


def _problem(exc: BaseException) -> Problem | None:
    """What went wrong, from the exceptions the jira client and requests raise; None: a bug."""
    import requests
    from jira.exceptions import JIRAError

    if isinstance(exc, JIRAError):
        if exc.status_code is None:
            return Problem("other", detail=str(exc.text or ""))
        response = exc.response
        retry_after = response.headers.get("Retry-After") if response is not None else None
        return Problem(
            "status",
            status=int(exc.status_code),
            retry_after=transport.parse_retry_after(retry_after),
            detail=str(exc.text or ""),
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return Problem("timeout")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return Problem("connection", detail=transport.connection_reason(exc))
    if isinstance(exc, (json.JSONDecodeError, requests.exceptions.JSONDecodeError)):
        return Problem("malformed", detail="the body is not JSON")
    if isinstance(exc, requests.exceptions.RequestException):
        return Problem("other", detail=exc.__class__.__name__)
    if isinstance(exc, (NotImplementedError, KeyError, TypeError, AttributeError)):
        # How the client's resource classes fail on JSON of the wrong shape (e.g. `[]` for an issue).
        return Problem("malformed", detail=f"unexpected JSON ({exc.__class__.__name__})")
    return None


def _project_label(value: Any, key: str) -> str:
    """"Electronic Health Records (EHR)": the name says what the software is, the key often too."""
    name = _name(value, "name")
    return f"{name} ({key})" if name and key and key != name else name or key


def _name(value: Any, attr: str) -> str:
    return _str(value.get(attr)) if isinstance(value, dict) else ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


# -- selection -------------------------------------------------------------------------


def claims(key: str, env: Env) -> bool:
    """Without a `tracker:` section, a PAY-123 key goes to JIRA when JIRA_URL is set."""
    return bool(env.get("JIRA_URL")) and bool(KEY.match(key.strip()))


def auth_from_env(
    env: Env, kind: str = "", url: str = "", *, email: str = "", use_keyring: bool | None = None
) -> JiraAuth:
    """Credentials from JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center).

    Without the token variable, and outside CI (or with use_keyring=True), the OS keyring is
    asked for the secret stored under service "vibeward" and the JIRA URL.
    """
    if not kind:
        kind = "pat" if env.get("JIRA_PAT") and not env.get("JIRA_API_TOKEN") else "cloud"
    if kind not in ("cloud", "pat"):
        raise ConfigError(f"JIRA auth must be cloud or pat, got {kind!r}")
    name = "JIRA_PAT" if kind == "pat" else "JIRA_API_TOKEN"
    token, origin, why = env.get(name), name, ""
    if not token and (not env.ci if use_keyring is None else use_keyring) and url:
        token, why = transport.keyring_secret(transport.display_url(url))
        origin = "keyring"
    email = env.get("JIRA_EMAIL") or email
    if not token:
        more = f"; {why}" if why else ""
        raise ConfigError(f"no JIRA token: {name} is not set{more}", _setup_hint(kind))
    if kind == "cloud" and not email:
        raise ConfigError("JIRA Cloud needs JIRA_EMAIL with JIRA_API_TOKEN", _setup_hint(kind))
    return JiraAuth(kind=kind, email=email, token=token, origin=origin)


def _setup_hint(kind: str) -> str:
    if kind == "pat":
        return "export JIRA_PAT (a Data Center personal access token); see docs/trackers.md"
    return "export JIRA_EMAIL and JIRA_API_TOKEN (id.atlassian.com > Security > API tokens); see docs/trackers.md"


def open_source(env: Env, tracker: TrackerConfig, root: Path) -> JiraSource:
    url = tracker.url or env.get("JIRA_URL")
    if not url:
        raise ConfigError("JIRA has no URL", "set JIRA_URL, or tracker.url in compliance-config.yml")
    auth = auth_from_env(env, tracker.auth, url)
    return JiraSource(
        url,
        auth,
        api_version=env.get("JIRA_API_VERSION") or "2",
        project_keys=tracker.project_keys,
    )
