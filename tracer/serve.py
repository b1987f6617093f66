"""Ticket-time detection: a JIRA webhook receiver (`vibeward serve`) and a scheduled sync (`vibeward sync`).

A delivery is taken only when it is small enough (413), signed with the shared secret
(`X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time; 401)
and JSON of the expected shape (400); a rejected request has no side effect. Accepted deliveries
of `jira:issue_created` / `jira:issue_updated` are claimed in the ledger database by their id
(the `X-Atlassian-Webhook-Identifier` header, else the payload's timestamp, the issue id and a
hash of the body), so a repeated delivery writes nothing; then the ticket is read from JIRA,
classified, and its requirements written back (tracer/evidence/writeback.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tracer.catalog import Catalog
from tracer.config import OrgConfig
from tracer.errors import TracerError
from tracer.evidence.store import LedgerError, open_ledger
from tracer.evidence.writeback import Outcome, Tracker, write_back
from tracer.model import Ticket

MAX_BODY = 1_048_576  # JIRA's issue payloads are far smaller; anything bigger is refused unread
PATHS = ("/webhook/jira", "/")
EVENTS = ("jira:issue_created", "jira:issue_updated")
SIGNATURE_HEADER = "X-Hub-Signature"
DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")


@dataclass(frozen=True)
class Reply:
    status: int
    body: Mapping[str, Any]


def signature(secret: bytes, body: bytes) -> str:
    """The header value a sender computes: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    expected = signature(secret, body).encode("ascii")
    given = header.strip().encode("utf-8", "replace")
    return hmac.compare_digest(expected, given)


def delivery_id(headers: Mapping[str, str], payload: Mapping[str, Any], body: bytes) -> str:
    given = (headers.get(DELIVERY_HEADER.lower()) or "").strip()
    if given:
        return f"jira:{given[:200]}"
    issue = payload.get("issue") or {}
    body_hash = hashlib.sha256(body).hexdigest()[:32]
    return f"jira:ts:{payload.get('timestamp', '')}:issue:{issue.get('id', '')}:body:{body_hash}"


class Intake:
    """What processing a ticket needs; one ticket at a time (JIRA client and ledger are not shared across threads)."""

    def __init__(
        self,
        *,
        ledger_url: str,
        root: Path,
        tracker: Tracker,
        org: OrgConfig,
        catalog: Catalog,
        policy_sha256: str,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.ledger_url = ledger_url
        self.root = root
        self.tracker = tracker
        self.org = org
        self.catalog = catalog
        self.policy_sha256 = policy_sha256
        self.today = today
        self._lock = threading.Lock()

    def ticket(self, ticket_key: str) -> Outcome:
        """Read the ticket and write its requirements back (unless its content did not change)."""
        return self.write(self.tracker.fetch(ticket_key))

    def write(self, ticket: Ticket) -> Outcome:
        with self._lock, open_ledger(self.ledger_url, root=self.root) as ledger:
            return write_back(
                ticket,
                org=self.org,
                catalog=self.catalog,
                today=self.today(),
                policy_sha256=self.policy_sha256,
                writer=self.tracker,
                seen=ledger,
            )

    def delivery(self, delivery: str, ticket_key: str) -> Reply:
        """One accepted webhook delivery: claimed once, processed, released again if processing failed."""
        try:
            with open_ledger(self.ledger_url, root=self.root) as ledger:
                if not ledger.claim_delivery(delivery, ticket_key):
                    outcome = ledger.delivery_outcome(delivery) or "pending"
                    return Reply(200, {"status": "duplicate", "issue": ticket_key, "first_outcome": outcome})
        except LedgerError as exc:
            return Reply(503, {"error": "the ledger database is unavailable", "detail": exc.message})
        try:
            result = self.ticket(ticket_key)
        except TracerError as exc:
            self._release(delivery)
            return Reply(
                502, {"error": "the ticket could not be processed", "detail": exc.message, "issue": ticket_key}
            )
        except BaseException:
            self._release(delivery)
            raise
        try:
            with open_ledger(self.ledger_url, root=self.root) as ledger:
                ledger.finish_delivery(delivery, result.status)
        except LedgerError:
            pass  # the write-back is done; the claim stays 'pending' and still blocks a repeat
        return Reply(200, {"status": result.status, "issue": ticket_key, "requirements": list(result.requirements)})

    def _release(self, delivery: str) -> None:
        try:
            with open_ledger(self.ledger_url, root=self.root) as ledger:
                ledger.release_delivery(delivery)
        except LedgerError:
            pass


def handle(secret: bytes, intake: Intake, headers: Mapping[str, str], body: bytes) -> Reply:
    """A POSTed webhook body, after the size check: signature, then JSON, then the event.

    `headers` has lower-case names.
    """
    if not signature_ok(secret, body, headers.get(SIGNATURE_HEADER.lower())):
        return Reply(401, {"error": f"missing or wrong {SIGNATURE_HEADER} signature"})
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Reply(400, {"error": "the body is not JSON"})
    if not isinstance(payload, dict) or not isinstance(payload.get("webhookEvent"), str):
        return Reply(400, {"error": "not a JIRA webhook payload (no webhookEvent)"})
    event = payload["webhookEvent"]
    if event not in EVENTS:
        return Reply(202, {"status": "ignored", "event": event[:100]})
    issue = payload.get("issue")
    key = issue.get("key") if isinstance(issue, dict) else None
    if not isinstance(key, str) or not _KEY.match(key):
        return Reply(400, {"error": "the payload has no issue key"})
    return intake.delivery(delivery_id(headers, payload, body), key)


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:200]


def make_server(
    host: str, port: int, secret: bytes, intake: Intake, log: Callable[[str], None], max_body: int = MAX_BODY
) -> ThreadingHTTPServer:
    """A ThreadingHTTPServer bound to host:port (0: any free port), not yet serving."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "vibeward"
        sys_version = ""
        protocol_version = "HTTP/1.1"
        timeout = 30  # a client that stops sending is dropped

        def _reply(self, reply: Reply, *, close: bool = False) -> None:
            data = json.dumps(reply.body).encode("utf-8")
            detail = reply.body.get("status") or reply.body.get("error") or ""
            # Logged before the answer goes out, so the log is in the order the client saw.
            log(
                f"{self.command} {_printable(self.path)} {reply.status} {reply.body.get('issue', '')} {detail}".rstrip()
            )
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] not in PATHS:
                self._reply(Reply(404, {"error": "not found"}), close=True)
                return
            if self.headers.get("Transfer-Encoding"):
                self._reply(Reply(411, {"error": "send the body with a Content-Length"}), close=True)
                return
            length_text = self.headers.get("Content-Length")
            if length_text is None:
                self._reply(Reply(411, {"error": "Content-Length is required"}), close=True)
                return
            if not length_text.strip().isdigit():
                self._reply(Reply(400, {"error": "bad Content-Length"}), close=True)
                return
            length = int(length_text)
            if length > max_body:  # refused before reading a byte of it
                self._reply(Reply(413, {"error": f"the body is larger than {max_body} bytes"}), close=True)
                return
            body = self.rfile.read(length)
            if len(body) != length:
                self._reply(Reply(400, {"error": "the body is shorter than Content-Length"}), close=True)
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._reply(handle(secret, intake, headers, body))

        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] == "/healthz":
                self._reply(Reply(200, {"status": "ok"}))
            else:
                self._reply(Reply(404, {"error": "not found"}))

        def _not_allowed(self) -> None:
            self._reply(Reply(405, {"error": "POST the webhook to /webhook/jira"}), close=True)

        do_PUT = do_DELETE = do_PATCH = _not_allowed

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per request is written by _reply, without client-controlled bytes

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def sync(tickets: Iterable[Ticket], intake: Intake) -> tuple[list[Outcome], list[str]]:
    """The scheduled alternative to the webhook: each ticket the query found, written back if it changed."""
    outcomes, failures = [], []
    for ticket in tickets:
        try:
            outcomes.append(intake.write(ticket))
        except TracerError as exc:
            failures.append(f"{ticket.key}: {exc.message}")
    return outcomes, failures
