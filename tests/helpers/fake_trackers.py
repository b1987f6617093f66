"""Local HTTP servers that answer like JIRA, GitHub, GitLab and Linear.

Each fake is a real `ThreadingHTTPServer` on 127.0.0.1:0, so the real client libraries
(jira, PyGithub, python-gitlab, urllib) talk HTTP to it. Payload shapes follow
shared/reference/integrations.md (§1.7 for JIRA, §6 for the others).

`server.script(method, path_regex, Reply(...), ...)` queues answers for matching requests
(429s, 5xx, slow or malformed answers); once used up, the fake answers normally again.
Every request is recorded in `server.requests`.

On a failed login the fakes put the Authorization header they received into the error
message, as a careless proxy might: the redaction tests rely on it.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list: sent as JSON; str/bytes: sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (interrupted when the server stops)


class FakeServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: list[tuple[str, re.Pattern[str], list[Reply]]] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, method: str, path: str, *replies: Reply) -> None:
        with self._lock:
            self._script.append((method.upper(), re.compile(path), list(replies)))

    def count(self, method: str, path: str) -> int:
        pattern = re.compile(path)
        return sum(1 for r in self.requests if r.method == method.upper() and pattern.search(r.path))

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reply_for(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            for method, pattern, replies in self._script:
                if replies and method == request.method and pattern.search(request.path):
                    return replies.pop(0)
        return self.handle(request)

    def handle(self, request: Recorded) -> Reply:
        return Reply(404, {"message": "Not Found"})


def _handler_for(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else every answer waits ~40 ms for a delayed ACK

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Recorded(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            reply = fake.reply_for(request)
            if reply.delay and fake.stopping.wait(reply.delay):
                return
            if isinstance(reply.body, (dict, list)):
                data = json.dumps(reply.body).encode()
                content_type = "application/json;charset=UTF-8"
            elif isinstance(reply.body, str):
                data, content_type = reply.body.encode(), "application/json;charset=UTF-8"
            elif isinstance(reply.body, bytes):
                data, content_type = reply.body, "application/json;charset=UTF-8"
            else:
                data, content_type = b"", "application/json;charset=UTF-8"
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# ---------------------------------------------------------------------------------------
# JIRA (Cloud or Data Center, REST v2 and v3)

JIRA_FIELDS = [
    {"id": "summary", "name": "Summary", "clauseNames": ["summary"]},
    {"id": "description", "name": "Description", "clauseNames": ["description"]},
    {"id": "labels", "name": "Labels", "clauseNames": ["labels"]},
    {"id": "components", "name": "Component/s", "clauseNames": ["component"]},
    {"id": "priority", "name": "Priority", "clauseNames": ["priority"]},
    {"id": "issuetype", "name": "Issue Type", "clauseNames": ["issuetype", "type"]},
    {"id": "status", "name": "Status", "clauseNames": ["status"]},
    {"id": "project", "name": "Project", "clauseNames": ["project"]},
]


def jira_error(status: int, *messages: str) -> Reply:
    return Reply(status, {"errorMessages": list(messages), "errors": {}})


class FakeJira(FakeServer):
    def __init__(
        self,
        *,
        cloud: bool = True,
        email: str = "dev@example.com",
        token: str = "tok-cloud-1234567890",
        pat: str = "pat-dc-1234567890",
        page_cap: int = 50,
    ) -> None:
        self.cloud = cloud
        self.expected_auth = (
            "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode() if cloud else f"Bearer {pat}"
        )
        self.page_cap = page_cap
        self.issues: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.links: dict[str, list[dict[str, Any]]] = {}
        self.properties: dict[tuple[str, str], Any] = {}
        self.projects = {"PAY": "Payments", "SEC": "Security"}
        self._ids = itertools.count(10001)
        super().__init__()

    def add_issue(
        self,
        key: str,
        summary: str,
        *,
        wiki: str | None = "",
        adf: dict[str, Any] | None = None,
        labels: tuple[str, ...] = (),
        components: tuple[str, ...] = (),
        priority: str | None = "High",
        issuetype: str = "Story",
        status: str = "To Do",
    ) -> dict[str, Any]:
        project = key.rsplit("-", 1)[0]
        issue = {
            "id": str(next(self._ids)),
            "key": key,
            "summary": summary,
            "wiki": wiki,
            "adf": adf,
            "labels": list(labels),
            "components": [{"id": str(10100 + i), "name": name} for i, name in enumerate(components)],
            "priority": {"id": "2", "name": priority} if priority else None,
            "issuetype": {"id": "10004", "name": issuetype, "subtask": False},
            "status": {"id": "1", "name": status, "statusCategory": {"key": "new"}},
            "project": {"id": "10000", "key": project, "name": self.projects.get(project, project)},
        }
        self.issues[key] = issue
        return issue

    def _find(self, id_or_key: str) -> dict[str, Any] | None:
        if id_or_key in self.issues:
            return self.issues[id_or_key]
        return next((i for i in self.issues.values() if i["id"] == id_or_key), None)

    def _issue_json(self, issue: dict[str, Any], version: str, wanted: set[str] | None) -> dict[str, Any]:
        fields = {
            "summary": issue["summary"],
            "description": issue["adf"] if version == "3" else issue["wiki"],
            "labels": issue["labels"],
            "components": issue["components"],
            "priority": issue["priority"],
            "issuetype": issue["issuetype"],
            "status": issue["status"],
            "project": issue["project"],
        }
        if wanted and "*all" not in wanted:
            fields = {name: value for name, value in fields.items() if name in wanted}
        return {
            "expand": "renderedFields,names,schema",
            "id": issue["id"],
            "key": issue["key"],
            "self": f"{self.url}/rest/api/{version}/issue/{issue['id']}",
            "fields": fields,
        }

    def handle(self, request: Recorded) -> Reply:
        auth = request.headers.get("authorization", "")
        if auth != self.expected_auth:
            return jira_error(401, f"You are not authenticated. Authentication required; got {auth!r}")
        path = request.path
        if match := re.fullmatch(r"/rest/api/(2|3|latest)/serverInfo", path):
            return Reply(200, self.server_info())
        if re.fullmatch(r"/rest/api/(2|3)/field", path):
            return Reply(200, JIRA_FIELDS)
        if match := re.fullmatch(r"/rest/api/(2|3)/search/jql", path):
            if not self.cloud:
                return jira_error(404, "null for uri: " + path)
            return self._search_jql(request, match.group(1))
        if match := re.fullmatch(r"/rest/api/(2|3)/search", path):
            if self.cloud:
                return jira_error(
                    410, "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
                )
            return self._search_dc(request, match.group(1))
        if match := re.fullmatch(r"/rest/api/(2|3)/project/([^/]+)", path):
            key = unquote(match.group(2))
            if key not in self.projects:
                return jira_error(404, f"No project could be found with key '{key}'.")
            return Reply(200, {"id": "10000", "key": key, "name": self.projects[key], "self": f"{self.url}{path}"})
        if path == "/rest/applinks/latest/listApplicationlinks":
            return Reply(403, {"message": "You must be an administrator"})
        if match := re.fullmatch(
            r"/rest/api/(2|3)/issue/([^/]+)(?:/(comment|remotelink|properties)(?:/([^/]+))?)?", path
        ):
            version, id_or_key, sub, name = match.groups()
            issue = self._find(unquote(id_or_key))
            if issue is None:
                return jira_error(404, "Issue does not exist or you do not have permission to see it.")
            if sub is None:
                return self._issue(request, issue, version)
            if sub == "comment" and request.method == "POST":
                return self._comment(request, issue, version)
            if sub == "comment":
                return self._comment_list_or_edit(request, issue, version, name)
            if sub == "remotelink":
                return self._remote_link(request, issue, version)
            if sub == "properties" and name:
                return self._property(request, issue, unquote(name))
        return jira_error(404, "null for uri: " + path)

    def server_info(self) -> dict[str, Any]:
        return {
            "baseUrl": self.url,
            "version": "1001.0.0-SNAPSHOT" if self.cloud else "9.12.4",
            "versionNumbers": [1001, 0, 0] if self.cloud else [9, 12, 4],
            "deploymentType": "Cloud" if self.cloud else "Server",
            "buildNumber": 100288,
            "serverTitle": "Fake JIRA",
        }

    def _issue(self, request: Recorded, issue: dict[str, Any], version: str) -> Reply:
        if request.method == "GET":
            wanted = {f for value in request.query.get("fields", []) for f in value.split(",") if f}
            return Reply(200, self._issue_json(issue, version, wanted or None))
        if request.method == "PUT":
            data = request.json() or {}
            for name, value in (data.get("fields") or {}).items():
                if name == "labels":
                    issue["labels"] = list(value)  # a `fields` write replaces the whole set
            for operation in (data.get("update") or {}).get("labels", []):
                if "add" in operation and operation["add"] not in issue["labels"]:
                    issue["labels"].append(operation["add"])
                if "remove" in operation and operation["remove"] in issue["labels"]:
                    issue["labels"].remove(operation["remove"])
                if "set" in operation:
                    issue["labels"] = list(operation["set"])
            return Reply(204)
        return jira_error(405, "Method not allowed")

    def _comment(self, request: Recorded, issue: dict[str, Any], version: str) -> Reply:
        body = (request.json() or {}).get("body")
        if version == "3" and not isinstance(body, dict):
            return jira_error(400, "Comment body is not valid!")
        if version == "2" and not isinstance(body, str):
            return jira_error(400, "Comment body is not valid!")
        comment_id = str(next(self._ids))
        comment = {"id": comment_id, "self": f"{self.url}/rest/api/{version}/issue/{issue['id']}/comment/{comment_id}"}
        comment["body"] = body
        self.comments.setdefault(issue["key"], []).append(comment)
        return Reply(201, comment)

    def _comment_list_or_edit(
        self, request: Recorded, issue: dict[str, Any], version: str, comment_id: str | None
    ) -> Reply:
        """GET the comments (paged with startAt/maxResults), GET or PUT (edit) one comment."""
        comments = self.comments.setdefault(issue["key"], [])
        if comment_id is None and request.method == "GET":
            start, size = int(request.param("startAt", "0")), int(request.param("maxResults", "50"))
            page = comments[start : start + size]
            return Reply(200, {"startAt": start, "maxResults": size, "total": len(comments), "comments": page})
        comment = next((c for c in comments if c["id"] == comment_id), None)
        if comment is None:
            return jira_error(404, "Can not find a comment for the id.")
        if request.method == "PUT":
            body = (request.json() or {}).get("body")
            if not isinstance(body, dict if version == "3" else str):
                return jira_error(400, "Comment body is not valid!")
            comment["body"] = body
            comment["edits"] = comment.get("edits", 0) + 1
        elif request.method != "GET":
            return jira_error(405, "Method not allowed")
        return Reply(200, comment)

    def _remote_link(self, request: Recorded, issue: dict[str, Any], version: str) -> Reply:
        links = self.links.setdefault(issue["key"], [])
        if request.method == "GET":
            return Reply(200, links)
        data = request.json() or {}
        link_object = data.get("object") or {}
        if not link_object.get("url") or not link_object.get("title"):
            return jira_error(400, "object.url and object.title are required")
        existing = next(
            (link for link in links if data.get("globalId") and link.get("globalId") == data["globalId"]), None
        )
        if existing is not None:  # create or update, keyed by globalId
            existing.update({k: v for k, v in data.items() if k != "id"})
            return Reply(200, {"id": existing["id"], "self": existing["self"]})
        link_id = next(self._ids)
        link = {
            **data,
            "id": link_id,
            "self": f"{self.url}/rest/api/{version}/issue/{issue['key']}/remotelink/{link_id}",
        }
        links.append(link)
        return Reply(201, {"id": link_id, "self": link["self"]})

    def _property(self, request: Recorded, issue: dict[str, Any], name: str) -> Reply:
        slot = (issue["key"], name)
        if request.method == "PUT":
            created = slot not in self.properties
            self.properties[slot] = request.json()
            return Reply(201 if created else 200)
        if slot not in self.properties:
            return jira_error(404, f"The property with key '{name}' does not exist.")
        return Reply(200, {"key": name, "value": self.properties[slot]})

    def _matching(self, jql: str) -> list[dict[str, Any]]:
        match = re.search(r"project\s*=\s*\"?([A-Z][A-Z0-9_]*)", jql)
        issues = sorted(self.issues.values(), key=lambda i: int(i["id"]))
        return [i for i in issues if not match or i["project"]["key"] == match.group(1)]

    def _search_jql(self, request: Recorded, version: str) -> Reply:
        jql = request.param("jql")
        if not jql:
            return jira_error(400, "The JQL query is unbounded; add a restriction.")
        size = min(int(request.param("maxResults", "50")), self.page_cap)
        start = int(request.param("nextPageToken", "0") or 0)
        found = self._matching(jql)
        page = found[start : start + size]
        wanted = {f for value in request.query.get("fields", []) for f in value.split(",") if f}
        body: dict[str, Any] = {"issues": [self._issue_json(i, version, wanted or {"id"}) for i in page]}
        if start + size < len(found):
            body["nextPageToken"] = str(start + size)
            body["isLast"] = False
        else:
            body["isLast"] = True
        return Reply(200, body)

    def _search_dc(self, request: Recorded, version: str) -> Reply:
        jql = request.param("jql")
        size = min(int(request.param("maxResults", "50")), self.page_cap)
        start = int(request.param("startAt", "0"))
        found = self._matching(jql)
        wanted = {f for value in request.query.get("fields", []) for f in value.split(",") if f}
        page = [self._issue_json(i, version, wanted or None) for i in found[start : start + size]]
        return Reply(200, {"startAt": start, "maxResults": size, "total": len(found), "issues": page})


# ---------------------------------------------------------------------------------------
# GitHub REST v3


class FakeGitHub(FakeServer):
    def __init__(self, token: str = "ghp_fake1234567890") -> None:
        self.token = token
        self.issues: dict[tuple[str, int], dict[str, Any]] = {}
        self.page_size = 2
        super().__init__()

    def add_issue(
        self,
        repo: str,
        number: int,
        title: str,
        body: str | None = "",
        labels: tuple[str, ...] = (),
        state: str = "open",
        pull_request: bool = False,
        issue_type: str | None = None,
    ) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "url": f"{self.url}/repos/{repo}/issues/{number}",
            "repository_url": f"{self.url}/repos/{repo}",
            "html_url": f"https://github.com/{repo}/issues/{number}",
            "id": 1000 + number,
            "node_id": f"I_{number}",
            "number": number,
            "title": title,
            "body": body,
            "labels": [{"id": i, "name": name, "color": "ededed"} for i, name in enumerate(labels)],
            "state": state,
            "user": {"login": "octocat", "id": 1},
            "assignees": [],
            "milestone": None,
            "type": {"name": issue_type} if issue_type else None,
        }
        if pull_request:
            issue["pull_request"] = {"url": f"{self.url}/repos/{repo}/pulls/{number}"}
        self.issues[(repo, number)] = issue
        return issue

    def handle(self, request: Recorded) -> Reply:
        auth = request.headers.get("authorization", "")
        if auth not in (f"token {self.token}", f"Bearer {self.token}"):
            return Reply(
                401, {"message": f"Bad credentials ({auth})", "documentation_url": "https://docs.github.com/rest"}
            )
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", request.path):
            issue = self.issues.get((match.group(1), int(match.group(2))))
            if issue is None:
                return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
            return Reply(200, issue)
        if request.path == "/search/issues":
            query = request.param("q")
            found = [i for (repo, _), i in sorted(self.issues.items()) if f"repo:{repo}" in query or not query]
            page = int(request.param("page", "1"))
            size = min(int(request.param("per_page", "30")), self.page_size)
            items = found[(page - 1) * size : page * size]
            headers = {}
            if page * size < len(found):
                headers["Link"] = f'<{self.url}/search/issues?q={query}&page={page + 1}>; rel="next"'
            return Reply(200, {"total_count": len(found), "incomplete_results": False, "items": items}, headers)
        return Reply(404, {"message": "Not Found"})


# ---------------------------------------------------------------------------------------
# GitLab REST v4


class FakeGitLab(FakeServer):
    def __init__(self, token: str = "glpat-fake1234567890") -> None:
        self.token = token
        self.issues: dict[tuple[str, int], dict[str, Any]] = {}
        super().__init__()

    def add_issue(
        self,
        project: str,
        iid: int,
        title: str,
        description: str | None = "",
        labels: tuple[str, ...] = (),
        issue_type: str = "issue",
        severity: str = "UNKNOWN",
    ) -> dict[str, Any]:
        issue = {
            "id": 5000 + iid,
            "iid": iid,
            "project_id": 42,
            "title": title,
            "description": description,
            "state": "opened",
            "labels": list(labels),
            "web_url": f"https://gitlab.example.com/{project}/-/issues/{iid}",
            "issue_type": issue_type,
            "type": issue_type.upper(),
            "severity": severity,
            "confidential": False,
            "milestone": {"title": "v1"},
            "references": {"short": f"#{iid}", "relative": f"#{iid}", "full": f"{project}#{iid}"},
        }
        self.issues[(project, iid)] = issue
        return issue

    def handle(self, request: Recorded) -> Reply:
        if request.headers.get("private-token") != self.token:
            got = request.headers.get("private-token", "")
            return Reply(401, {"message": f"401 Unauthorized (token {got})"})
        if match := re.fullmatch(r"/api/v4/projects/([^/]+)/issues/(\d+)", request.path):
            issue = self.issues.get((unquote(match.group(1)), int(match.group(2))))
            if issue is None:
                return Reply(404, {"message": "404 Not found"})
            return Reply(200, issue)
        if request.path == "/api/v4/issues":
            term = request.param("search").lower()
            found = [i for _, i in sorted(self.issues.items()) if term in i["title"].lower()]
            page, size = int(request.param("page", "1")), int(request.param("per_page", "20"))
            items = found[(page - 1) * size : page * size]
            return Reply(200, items, {"X-Page": str(page), "X-Per-Page": str(size), "X-Total": str(len(found))})
        return Reply(404, {"message": "404 Not found"})


# ---------------------------------------------------------------------------------------
# Linear GraphQL


class FakeLinear(FakeServer):
    def __init__(self, api_key: str = "lin_api_fake1234567890") -> None:
        self.api_key = api_key
        self.issues: dict[str, dict[str, Any]] = {}
        self.page_size = 2
        super().__init__()

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    def add_issue(
        self,
        identifier: str,
        title: str,
        description: str | None = "",
        priority: int = 0,
        labels: tuple[str, ...] = (),
        project: str | None = None,
        state: str = "Todo",
    ) -> dict[str, Any]:
        labels_text = {0: "No priority", 1: "Urgent", 2: "High", 3: "Medium", 4: "Low"}
        issue = {
            "identifier": identifier,
            "title": title,
            "description": description,
            "priority": priority,
            "priorityLabel": labels_text[priority],
            "url": f"https://linear.app/acme/issue/{identifier.lower()}",
            "state": {"name": state, "type": "unstarted"},
            "team": {"key": identifier.split("-")[0], "name": "Engineering"},
            "labels": {"nodes": [{"name": name} for name in labels]},
            "project": {"name": project} if project else None,
        }
        self.issues[identifier] = issue
        return issue

    def handle(self, request: Recorded) -> Reply:
        if request.method != "POST" or request.path != "/graphql":
            return Reply(404, {"errors": [{"message": "Not found"}]})
        auth = request.headers.get("authorization", "")
        if auth != self.api_key:
            return Reply(
                400,
                {
                    "errors": [
                        {
                            "message": f"Authentication required, not authenticated (got {auth})",
                            "extensions": {
                                "type": "authentication error",
                                "code": "AUTHENTICATION_ERROR",
                                "userPresentableMessage": "You need to authenticate to access this operation.",
                            },
                        }
                    ]
                },
            )
        payload = request.json() or {}
        query, variables = payload.get("query", ""), payload.get("variables") or {}
        if "searchIssues" in query:
            term = str(variables.get("term", "")).lower()
            found = [i for _, i in sorted(self.issues.items()) if term in i["title"].lower()]
            start = int(variables.get("after") or 0)
            size = min(int(variables.get("first") or 50), self.page_size)
            nodes = found[start : start + size]
            more = start + size < len(found)
            return Reply(
                200,
                {
                    "data": {
                        "searchIssues": {
                            "nodes": nodes,
                            "pageInfo": {"hasNextPage": more, "endCursor": str(start + size) if more else None},
                        }
                    }
                },
            )
        if "issue(" in query:
            issue = self.issues.get(str(variables.get("id", "")))
            if issue is None:
                return Reply(
                    200,
                    {
                        "errors": [
                            {
                                "message": "Entity not found: Issue",
                                "extensions": {
                                    "type": "invalid input",
                                    "code": "INVALID_INPUT",
                                    "userPresentableMessage": "Could not find referenced Issue.",
                                },
                            }
                        ],
                        "data": None,
                    },
                )
            return Reply(200, {"data": {"issue": issue}})
        return Reply(
            400, {"errors": [{"message": "Unknown query", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}
        )
