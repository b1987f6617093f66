"""Local servers speaking the GitHub REST API for PR comments and the GitLab API for MR notes.

Real `ThreadingHTTPServer`s on 127.0.0.1:0 (the FakeServer of fake_trackers), so the real
PyGithub and python-gitlab clients talk HTTP to them. Shapes follow
shared/reference/integrations.md §3.4 and §4: comments listed with `Link` paging, created
with POST, edited with PATCH; 403 for a read-only (fork) token; 422 past 65,536 characters.
"""
from __future__ import annotations

import itertools
import re
import socket
from typing import Any
from urllib.parse import unquote

from tests.helpers.fake_trackers import FakeServer, Recorded, Reply

GITHUB_BODY_LIMIT = 65_536
WRITE_TOKEN = "ghs_write_token_0123456789"
READ_ONLY_TOKEN = "ghs_fork_readonly_0123456789"
GITLAB_TOKEN = "glpat-notes-0123456789"


def closed_port_url() -> str:
    """An http:// URL where nothing listens: a network failure."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeGitHubComments(FakeServer):
    def __init__(self, page_size: int = 2) -> None:
        self.tokens = {WRITE_TOKEN: "write", READ_ONLY_TOKEN: "read"}
        self.comments: dict[int, dict[str, Any]] = {}
        self.page_size = page_size
        self._ids = itertools.count(9001)
        super().__init__()

    def add_comment(self, repo: str, number: int, body: str, login: str = "octocat", kind: str = "User") -> int:
        comment_id = next(self._ids)
        self.comments[comment_id] = self._comment(comment_id, repo, number, body, login, kind)
        return comment_id

    def on(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["_where"] == (repo, number)]

    def _comment(self, comment_id: int, repo: str, number: int, body: str, login: str, kind: str) -> dict[str, Any]:
        return {
            "_where": (repo, number),
            "id": comment_id,
            "node_id": f"IC_{comment_id}",
            "url": f"{self.url}/repos/{repo}/issues/comments/{comment_id}",
            "html_url": f"https://github.com/{repo}/pull/{number}#issuecomment-{comment_id}",
            "issue_url": f"{self.url}/repos/{repo}/issues/{number}",
            "body": body,
            "user": {"login": login, "id": 41898282 if kind == "Bot" else 1, "type": kind},
            "author_association": "NONE",
            "created_at": "2026-11-29T06:00:00Z",
            "updated_at": "2026-11-29T06:00:00Z",
        }

    @staticmethod
    def _public(comment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in comment.items() if not k.startswith("_")}

    def handle(self, request: Recorded) -> Reply:
        auth = request.headers.get("authorization", "")
        token = auth.split(" ", 1)[-1]
        access = self.tokens.get(token)
        if access is None:
            return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        writing = request.method in ("POST", "PATCH")
        if writing and access == "read":
            return Reply(403, {"message": "Resource not accessible by integration", "status": "403"})
        if writing:
            body = (request.json() or {}).get("body", "")
            if len(body) > GITHUB_BODY_LIMIT:
                return Reply(
                    422,
                    {
                        "message": "Validation Failed",
                        "errors": [
                            {
                                "resource": "IssueComment",
                                "code": "custom",
                                "field": "body",
                                "message": "body is too long (maximum is 65536 characters)",
                            }
                        ],
                    },
                )
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", request.path):
            repo, number = match.group(1), int(match.group(2))
            if request.method == "POST":
                comment_id = next(self._ids)
                self.comments[comment_id] = self._comment(comment_id, repo, number, body, "github-actions[bot]", "Bot")
                return Reply(201, self._public(self.comments[comment_id]))
            listed = self.on(repo, number)
            page = int(request.param("page", "1"))
            size = min(int(request.param("per_page", "30")), self.page_size)
            items = listed[(page - 1) * size : page * size]
            headers = {}
            if page * size < len(listed):
                base = f"{self.url}{request.path}?per_page={size}"
                last = (len(listed) + size - 1) // size
                headers["Link"] = f'<{base}&page={page + 1}>; rel="next", <{base}&page={last}>; rel="last"'
            return Reply(200, [self._public(c) for c in items], headers)
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", request.path):
            comment = self.comments.get(int(match.group(2)))
            if comment is None:
                return Reply(404, {"message": "Not Found"})
            if request.method == "PATCH":
                comment["body"] = body
                comment["updated_at"] = "2026-11-29T07:00:00Z"
            return Reply(200, self._public(comment))
        return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})


class FakeGitLabNotes(FakeServer):
    def __init__(self, page_size: int = 2) -> None:
        self.token = GITLAB_TOKEN
        self.notes: dict[int, dict[str, Any]] = {}
        self.page_size = page_size
        self._ids = itertools.count(501)
        super().__init__()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v4"

    def add_note(self, project: str, iid: int, body: str, system: bool = False) -> int:
        note_id = next(self._ids)
        self.notes[note_id] = self._note(note_id, project, iid, body, system)
        return note_id

    def on(self, project: str, iid: int, *, system: bool = False) -> list[dict[str, Any]]:
        return [n for n in self.notes.values() if n["_where"] == (project, iid) and (system or not n["system"])]

    @staticmethod
    def _note(note_id: int, project: str, iid: int, body: str, system: bool) -> dict[str, Any]:
        return {
            "_where": (project, iid),
            "id": note_id,
            "type": None,
            "body": body,
            "author": {"id": 7, "username": "project_42_bot", "name": "vibeward"},
            "created_at": "2026-11-29T06:00:00.000Z",
            "updated_at": "2026-11-29T06:00:00.000Z",
            "system": system,
            "noteable_id": 7000 + iid,
            "noteable_type": "MergeRequest",
            "noteable_iid": iid,
            "resolvable": False,
        }

    def handle(self, request: Recorded) -> Reply:
        if request.headers.get("private-token") != self.token:
            return Reply(401, {"message": "401 Unauthorized"})
        match = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes(?:/(\d+))?", request.path)
        if not match:
            return Reply(404, {"message": "404 Not found"})
        project, iid = unquote(match.group(1)), int(match.group(2))
        public = lambda note: {k: v for k, v in note.items() if not k.startswith("_")}  # noqa: E731
        if match.group(3):
            note = self.notes.get(int(match.group(3)))
            if note is None:
                return Reply(404, {"message": "404 Note Not Found"})
            if request.method == "PUT":
                note["body"] = (request.json() or {}).get("body", note["body"])
            return Reply(200, public(note))
        if request.method == "POST":
            note_id = next(self._ids)
            self.notes[note_id] = self._note(note_id, project, iid, (request.json() or {}).get("body", ""), False)
            return Reply(201, public(self.notes[note_id]))
        listed = self.on(project, iid, system=True)
        page = int(request.param("page", "1"))
        size = min(int(request.param("per_page", "20")), self.page_size)
        items = listed[(page - 1) * size : page * size]
        headers = {"X-Page": str(page), "X-Per-Page": str(size), "X-Total": str(len(listed))}
        if page * size < len(listed):
            headers["X-Next-Page"] = str(page + 1)
            headers["Link"] = f'<{self.url}{request.path}?page={page + 1}&per_page={size}>; rel="next"'
        return Reply(200, [public(n) for n in items], headers)
