"""`vibeward mcp`: spawned as `python -m tracer mcp`, spoken to in JSON-RPC 2.0 over stdin/stdout."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.helpers.builders import git_repo, write_files, write_ticket

DOCS = Path(__file__).resolve().parent.parent / "docs"
CARD_LOGIN = {
    "key": "PAY-7",
    "title": "Card payments for logged-in users <b>now</b>",
    "description": "Users log in with a password and pay with a credit card; we store a token, not the PAN.",
    "labels": ["payments"],
}
APP = {
    "app/auth.py": """
        import bcrypt

        def register(password):
            # vibeward: implements rate_limiting
            return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=13))
    """,
}


class Session:
    """One server process; each reply line is read on a thread so that a hang fails the test, not the run."""

    def __init__(self, cwd: Path, home: Path) -> None:
        environ = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "VIBEWARD_CACHE_DIR": str(home / "cache"),
            "PYTHONIOENCODING": "utf-8",
        }
        self.stderr = (home / f"mcp-{id(self)}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracer", "mcp"],
            cwd=cwd,
            env=environ,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.next_id = 0

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def send(self, message: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
        self.process.stdin.flush()

    def receive(self, timeout: float = 120) -> Any:
        return json.loads(self.lines.get(timeout=timeout).decode("utf-8"))

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        reply = self.receive()
        assert reply["id"] == self.next_id
        return dict(reply)

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        reply = self.request("tools/call", {"name": tool, "arguments": arguments})
        assert "result" in reply, reply
        return dict(reply["result"])

    def close(self) -> None:
        """End of input ends the session: the server exits 0."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)
        self.process.stdout.close()
        self.stderr.close()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = write_files(tmp_path / "app", {**APP, ".vibeward/tickets/PAY-7.yml": yaml.safe_dump(CARD_LOGIN)})
    return git_repo(folder)


@pytest.fixture
def session(repo: Path, tmp_path: Path) -> Iterator[Session]:
    server = Session(repo, tmp_path)
    reply = server.request(
        "initialize",
        {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "pytest", "version": "1"}},
    )
    assert reply["result"]["protocolVersion"] == "2025-06-18"
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    yield server
    server.close()
    assert server.process.returncode == 0


def test_initialize_and_list_tools(session: Session) -> None:
    assert session.request("ping") == {"jsonrpc": "2.0", "id": session.next_id, "result": {}}
    tools = session.request("tools/list")["result"]["tools"]
    assert [t["name"] for t in tools] == ["get_requirements", "validate", "check_path"]
    for tool in tools:
        assert tool["inputSchema"]["type"] == "object" and tool["description"]
    assert tools[2]["inputSchema"]["required"] == ["path"]


def test_an_older_protocol_version_is_accepted(repo: Path, tmp_path: Path) -> None:
    server = Session(repo, tmp_path)
    result = server.request("initialize", {"protocolVersion": "2024-11-05", "capabilities": {}})["result"]
    assert result["protocolVersion"] == "2024-11-05"
    assert result["serverInfo"]["name"] == "vibeward" and "tools" in result["capabilities"]
    unknown = Session(repo, tmp_path)
    assert unknown.request("initialize", {"protocolVersion": "1999-01-01"})["result"]["protocolVersion"] == "2025-06-18"
    server.close()
    unknown.close()


def test_get_requirements_for_a_ticket_file(session: Session, repo: Path, tmp_path: Path) -> None:
    ticket = write_ticket(tmp_path / "card.yml", **CARD_LOGIN)
    result = session.call("get_requirements", {"ticket_file": str(ticket), "as_of": "2026-11-29"})
    assert result["isError"] is False
    text = result["content"][0]["text"]
    assert text.startswith("### Security and compliance requirements: PAY-7")
    assert "<b>" not in text  # ticket text is escaped
    assert "`bcrypt_cost` ≥ 12" in text
    schema = json.loads((DOCS / "requirements.schema.json").read_text())
    for item in result["structuredContent"]["tickets"]:
        jsonschema.validate(item, schema)


def test_get_requirements_for_the_current_branch(session: Session, repo: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "-b", "feature/PAY-7-card"], cwd=repo, check=True)
    result = session.call("get_requirements", {"format": "json"})
    assert result["isError"] is False, result
    data = json.loads(result["content"][0]["text"])
    assert data["ticket"]["key"] == "PAY-7"


def test_validate_tool(session: Session, tmp_path: Path) -> None:
    ticket = write_ticket(tmp_path / "card.yml", **CARD_LOGIN)
    result = session.call("validate", {"ticket_file": str(ticket)})
    assert result["isError"] is False
    data = result["structuredContent"]
    assert data["passed"] is False  # PCI password rules conflict with ASVS until the config resolves them
    schema = json.loads((DOCS / "validation.schema.json").read_text())
    for item in data["results"]:
        jsonschema.validate(item, schema)
    assert json.loads(result["content"][0]["text"]) == data


@pytest.mark.slow
def test_check_path_returns_the_json_trace(session: Session, repo: Path) -> None:
    result = session.call("check_path", {"path": str(repo), "controls": ["rate_limiting", "csrf_protection"]})
    assert result["isError"] is False, result
    data = result["structuredContent"]
    jsonschema.validate(data, json.loads((DOCS / "trace.schema.json").read_text()))
    statuses = {r["control"]: r["status"] for r in data["requirements"]}
    assert statuses == {"rate_limiting": "implemented", "csrf_protection": "missing"}


def test_errors_are_answered_and_the_session_goes_on(session: Session, tmp_path: Path) -> None:
    session.send({"jsonrpc": "2.0", "id": 99, "method": "resources/list"})
    assert session.receive()["error"]["code"] == -32601
    assert session.process.stdin is not None
    session.process.stdin.write(b"{not json\n")
    session.process.stdin.flush()
    assert session.receive()["error"]["code"] == -32700
    session.send({"jsonrpc": "2.0", "id": 100, "method": "tools/call", "params": {"name": "rm_rf", "arguments": {}}})
    assert session.receive()["error"]["code"] == -32602
    session.send({"jsonrpc": "2.0", "id": 101, "method": "tools/call",
                  "params": {"name": "validate", "arguments": {"bogus": 1}}})
    assert session.receive()["error"]["code"] == -32602
    missing = session.call("get_requirements", {"ticket_file": str(tmp_path / "nope.yml")})
    assert missing["isError"] is True
    assert "ticket file not found" in missing["content"][0]["text"]
    assert session.request("ping")["result"] == {}  # still serving
