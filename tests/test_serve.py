"""`vibeward serve`: a real server on 127.0.0.1:0, real HTTP requests, the real `jira` client
writing back to the fake JIRA. Rejected requests must leave no trace: no JIRA call, no ledger row.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers.fake_trackers import FakeJira, Reply
from tracer import config
from tracer.catalog import load_catalog
from tracer.cli import cli
from tracer.evidence.records import policy_sha256
from tracer.evidence.writeback import MARKER
from tracer.serve import Intake, make_server, signature
from tracer.sources.jira import JiraAuth, JiraSource
from tracer.sources.transport import RetryPolicy

EMAIL, TOKEN = "dev@example.com", "tok-cloud-1234567890"
SECRET = b"webhook-secret-0123456789"
PAYMENT = "Customers pay by credit card at checkout; staff log in with a password."
ORG = config.load(None)  # one config object for the module: the classifier is compiled once per object


@dataclass
class Served:
    fake: FakeJira
    port: int
    ledger: Path
    log: list[str]

    def post(self, body: bytes, headers: dict[str, str] | None = None, path: str = "/webhook/jira") -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        data = json.loads(response.read() or b"null")
        conn.close()
        return response.status, data

    def deliver(self, payload: dict[str, Any], delivery: str | None = None, secret: bytes = SECRET) -> tuple[int, Any]:
        body = json.dumps(payload).encode()
        headers = {"X-Hub-Signature": signature(secret, body)}
        if delivery:
            headers["X-Atlassian-Webhook-Identifier"] = delivery
        return self.post(body, headers)

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        if not self.ledger.exists():
            return []
        conn = sqlite3.connect(self.ledger)
        try:
            return list(conn.execute(f"SELECT * FROM {table}"))
        except sqlite3.OperationalError:
            return []
        finally:
            conn.close()


def event(key: str, kind: str = "jira:issue_created", timestamp: int = 1_780_000_000_000) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "webhookEvent": kind,
        "issue_event_type_name": kind.split(":")[-1],
        "user": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Dev"},
        "issue": {"id": "10001", "key": key, "fields": {"summary": "from the payload, not used"}},
    }


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    fake = FakeJira(email=EMAIL, token=TOKEN)
    fake.add_issue("PAY-1", "Card payment at checkout", wiki=PAYMENT)
    fake.add_issue("PAY-2", "Fix typo in footer", wiki="")
    org = ORG
    ledger = tmp_path / "ledger.sqlite"
    source = JiraSource(fake.url, JiraAuth("cloud", EMAIL, TOKEN), retry=RetryPolicy(max_retries=0, timeout=5))
    intake = Intake(
        ledger_url=f"sqlite:///{ledger}",
        root=tmp_path,
        tracker=source,
        org=org,
        catalog=load_catalog(),
        policy_sha256=policy_sha256(org),
        today=lambda: date(2026, 11, 1),
    )
    log: list[str] = []
    server = make_server("127.0.0.1", 0, SECRET, intake, log.append, max_body=64 * 1024)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Served(fake, int(server.server_address[1]), ledger, log)
    finally:
        server.shutdown()
        server.server_close()
        fake.close()


def writes(fake: FakeJira) -> int:
    return sum(1 for r in fake.requests if r.method in ("POST", "PUT"))


def test_a_signed_delivery_writes_the_requirements_back(served: Served) -> None:
    status, body = served.deliver(event("PAY-1"), delivery="d-1")
    assert status == 200 and body["status"] == "written" and body["issue"] == "PAY-1"
    assert "password_hashing" in body["requirements"] and "tokenization" in body["requirements"]
    (comment,) = served.fake.comments["PAY-1"]
    assert MARKER in comment["body"] and "PCI DSS v4.0.1 8.3.2" in comment["body"]
    assert "vibeward-security" in served.fake.issues["PAY-1"]["labels"]
    assert "vibeward-pci-dss" in served.fake.issues["PAY-1"]["labels"]
    assert served.rows("vibeward_deliveries")[0][0] == "jira:d-1"
    assert any(line.startswith("POST /webhook/jira 200 PAY-1 written") for line in served.log)


def test_a_repeated_delivery_writes_once(served: Served) -> None:
    assert served.deliver(event("PAY-1"), delivery="d-1")[0] == 200
    before = writes(served.fake)
    status, body = served.deliver(event("PAY-1"), delivery="d-1")
    assert status == 200 and body == {"status": "duplicate", "issue": "PAY-1", "first_outcome": "written"}
    assert writes(served.fake) == before and len(served.fake.comments["PAY-1"]) == 1
    # Without the identifier header, the timestamp, issue id and body hash identify the delivery.
    assert served.deliver(event("PAY-1", timestamp=5))[1]["status"] == "unchanged"
    assert served.deliver(event("PAY-1", timestamp=5))[1]["status"] == "duplicate"
    assert writes(served.fake) == before


def test_our_own_label_edit_does_not_write_again_but_a_real_change_updates_in_place(served: Served) -> None:
    served.deliver(event("PAY-1"), delivery="d-1")
    before = writes(served.fake)
    status, body = served.deliver(event("PAY-1", "jira:issue_updated"), delivery="d-2")  # the labels we added
    assert status == 200 and body["status"] == "unchanged"
    assert writes(served.fake) == before
    served.fake.issues["PAY-1"]["wiki"] = PAYMENT + " We keep patient medical records too (PHI)."
    status, body = served.deliver(event("PAY-1", "jira:issue_updated"), delivery="d-3")
    assert status == 200 and body["status"] == "written"
    (comment,) = served.fake.comments["PAY-1"]  # updated, not repeated
    assert comment["edits"] == 1 and "HIPAA" in comment["body"]
    assert "vibeward-hipaa" in served.fake.issues["PAY-1"]["labels"]


def test_a_ticket_with_no_requirements_gets_no_comment(served: Served) -> None:
    status, body = served.deliver(event("PAY-2"), delivery="d-9")
    assert status == 200 and body["status"] == "not security-relevant"
    assert "PAY-2" not in served.fake.comments and served.fake.issues["PAY-2"]["labels"] == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature": "sha256=" + "0" * 64},
        {"X-Hub-Signature": "sha1=abc"},
        {"X-Hub-Signature": "sha256=ünïcode"},
    ],
)
def test_a_bad_signature_is_401_with_no_side_effect(served: Served, headers: dict[str, str]) -> None:
    status, body = served.post(json.dumps(event("PAY-1")).encode(), headers)
    assert status == 401 and "signature" in body["error"]
    assert served.fake.requests == [] and served.rows("vibeward_deliveries") == []


def test_a_signature_with_another_secret_is_401(served: Served) -> None:
    assert served.deliver(event("PAY-1"), secret=b"not-the-secret")[0] == 401
    assert served.fake.requests == []


def test_an_oversized_body_is_413_unread(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    conn.putrequest("POST", "/webhook/jira")
    conn.putheader("Content-Length", str(10 * 1024 * 1024))
    conn.putheader("X-Hub-Signature", "sha256=" + "0" * 64)
    conn.endheaders()  # the body is never sent: the answer comes first
    response = conn.getresponse()
    assert response.status == 413 and response.getheader("Connection") == "close"
    conn.close()
    big = json.dumps({**event("PAY-1"), "pad": "x" * 70_000}).encode()
    assert served.post(big, {"X-Hub-Signature": signature(SECRET, big)})[0] == 413
    assert served.fake.requests == [] and served.rows("vibeward_deliveries") == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"issue": {"key": "PAY-1"}}',
        b'{"webhookEvent": "jira:issue_created"}',
        b'{"webhookEvent": "jira:issue_created", "issue": {"key": "not a key"}}',
    ],
)
def test_malformed_json_is_400_with_no_side_effect(served: Served, body: bytes) -> None:
    status, _ = served.post(body, {"X-Hub-Signature": signature(SECRET, body)})
    assert status == 400
    assert served.fake.requests == [] and served.rows("vibeward_deliveries") == []


def test_other_events_methods_and_paths(served: Served) -> None:
    status, body = served.deliver(event("PAY-1", "comment_created"))
    assert status == 202 and body["status"] == "ignored"
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    conn.request("GET", "/healthz")
    health = conn.getresponse()
    assert health.status == 200 and json.loads(health.read()) == {"status": "ok"}
    conn.request("PUT", "/webhook/jira", body=b"{}")
    assert conn.getresponse().status == 405
    conn.close()
    assert served.post(b"{}", path="/elsewhere")[0] == 404
    assert served.fake.requests == []


def test_a_tracker_failure_is_502_and_the_retry_is_processed(served: Served) -> None:
    served.fake.script("GET", r"/issue/PAY-1$", Reply(503, {"errorMessages": ["down"]}))
    status, body = served.deliver(event("PAY-1"), delivery="d-7")
    assert status == 502 and body["issue"] == "PAY-1"
    assert served.rows("vibeward_deliveries") == []  # released: JIRA's retry is not a duplicate
    status, body = served.deliver(event("PAY-1"), delivery="d-7")
    assert status == 200 and body["status"] == "written"


def test_serve_needs_the_secret(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", str(tmp_path)], env={"VIBEWARD_WEBHOOK_SECRET": ""})
    assert result.exit_code == 2 and "VIBEWARD_WEBHOOK_SECRET is not set" in result.output


def test_sync_writes_changed_tickets_once(tmp_path: Path) -> None:
    with FakeJira(email=EMAIL, token=TOKEN) as fake:
        fake.add_issue("PAY-1", "Card payment at checkout", wiki=PAYMENT)
        fake.add_issue("PAY-2", "Fix typo in footer", wiki="")
        env = {
            "JIRA_URL": fake.url,
            "JIRA_EMAIL": EMAIL,
            "JIRA_API_TOKEN": TOKEN,
            "VIBEWARD_EVIDENCE_URL": f"sqlite:///{tmp_path / 'ledger.sqlite'}",
        }
        first = CliRunner().invoke(
            cli, ["sync", str(tmp_path), "--jql", "project = PAY"], env=env, catch_exceptions=False
        )
        assert first.exit_code == 0, first.output
        assert first.output.splitlines()[0].startswith("PAY-1  written  password_hashing")
        assert first.output.splitlines()[1] == "PAY-2  not security-relevant"
        second = CliRunner().invoke(cli, ["sync", str(tmp_path), "--jql", "project = PAY"], env=env)
        assert second.output.splitlines() == ["PAY-1  unchanged", "PAY-2  unchanged"]
        assert len(fake.comments["PAY-1"]) == 1


@pytest.mark.slow
def test_the_serve_command_listens_and_answers(tmp_path: Path) -> None:
    import os
    import re
    import subprocess
    import sys

    with FakeJira(email=EMAIL, token=TOKEN) as fake:
        fake.add_issue("PAY-1", "Card payment at checkout", wiki=PAYMENT)
        env = {
            **os.environ,
            "JIRA_URL": fake.url,
            "JIRA_EMAIL": EMAIL,
            "JIRA_API_TOKEN": TOKEN,
            "VIBEWARD_WEBHOOK_SECRET": SECRET.decode(),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "tracer", "serve", str(tmp_path), "--port", "0"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stderr is not None
            first = server.stderr.readline()
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/webhook/jira", first)
            assert match, first
            port = int(match.group(1))
            served = Served(fake, port, tmp_path / "unused.sqlite", [])
            status, body = served.deliver(event("PAY-1"), delivery="cli-1")
            assert status == 200 and body["status"] == "written"
            assert served.deliver(event("PAY-1"), delivery="cli-1")[1]["status"] == "duplicate"
            assert "POST /webhook/jira 200 PAY-1 written" in server.stderr.readline()
        finally:
            server.terminate()
            server.wait(timeout=10)
        rest = server.stderr.read()
        server.stderr.close()
        assert len(fake.comments["PAY-1"]) == 1
        assert SECRET.decode() not in rest
