"""What every tracker module shares: bounded retries, one-line errors, redaction.

Each client library's own retrying is switched off so that one policy applies to all
trackers: 429 waits for `Retry-After` (capped at `max_delay`), 5xx, timeouts and dropped
connections back off exponentially, and after `max_retries` the call gives up with a
`TrackerError`. Writes that are not idempotent (a new comment) are retried only where
the server said it did nothing (429, 503).

Nothing here prints or logs a secret: every text that came from a server or an exception
goes through `redact` with the source's secrets before it is shown.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TypeVar

from tracer.errors import InputError, TracerError, TrackerError
from tracer.model import Ticket
from tracer.sources.file import ticket_from_mapping

LOG = logging.getLogger("tracer.sources")
T = TypeVar("T")
MAX_DETAIL = 200  # characters of a server's own error message kept in ours


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff: float = 1.0  # first wait after a 5xx or timeout; doubles each retry
    max_delay: float = 30.0  # no single wait is longer, whatever Retry-After says
    timeout: float = 20.0  # seconds per request
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)


@dataclass(frozen=True)
class Problem:
    """A failed request, reduced to what the retry and message logic needs."""

    kind: str  # "status", "timeout", "connection", "malformed", "not_found", "other"
    status: int = 0
    retry_after: float | None = None
    detail: str = ""  # the server's message; redacted before it is shown


class Failed(Exception):
    """Raised by a tracker's call to say how it failed; `run` decides to retry or give up."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.kind)
        self.problem = problem


@dataclass(frozen=True)
class Service:
    """How errors name the tracker: "JIRA at https://x", auth method and env vars to check."""

    name: str
    url: str
    auth: str  # e.g. "JIRA Cloud API token (basic auth)"
    check: str  # e.g. "JIRA_EMAIL and JIRA_API_TOKEN"
    secrets: tuple[str, ...] = field(default=(), repr=False)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # only for the rare HTTP-date form

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable


def run(
    call: Callable[[], T],
    policy: RetryPolicy,
    service: Service,
    subject: str,
    *,
    idempotent: bool = True,
) -> T:
    """Call, retrying as the policy allows; a final failure becomes a one-line TracerError."""
    attempt = 0
    while True:
        try:
            with redacted_logs(service.secrets):
                return call()
        except Failed as exc:
            problem = exc.problem
        attempt += 1
        delay = _retry_delay(problem, policy, attempt, idempotent)
        if delay is None or attempt > policy.max_retries:
            raise to_error(problem, service, subject, attempt) from None
        LOG.info(
            "%s: %s for %s; retry %d/%d in %.2fs",
            service.name,
            _problem_words(problem),
            subject,
            attempt,
            policy.max_retries,
            delay,
        )
        policy.sleep(delay)


def _retry_delay(problem: Problem, policy: RetryPolicy, attempt: int, idempotent: bool) -> float | None:
    backoff = min(policy.max_delay, policy.backoff * 2.0 ** (attempt - 1))
    if problem.kind == "status" and problem.status in (429, 503):
        # The server did nothing; it says when to come back, and we wait no longer than max_delay.
        if problem.retry_after is not None:
            return min(policy.max_delay, problem.retry_after)
        return backoff
    if not idempotent:
        return None
    if problem.kind in ("timeout", "connection") or (problem.kind == "status" and problem.status >= 500):
        return backoff
    return None


def _problem_words(problem: Problem) -> str:
    if problem.kind == "status":
        return f"HTTP {problem.status}"
    return problem.kind.replace("_", " ")


def to_error(problem: Problem, service: Service, subject: str, attempts: int = 1) -> TracerError:
    """The one-line error, with the design's exit code, for a request that failed for good."""
    where = f"{service.name} at {service.url}"
    tried = f"gave up after {attempts} attempts" if attempts > 1 else "no retry"
    detail = clean_detail(problem.detail, service.secrets)
    said = f": {detail}" if detail else ""
    status = problem.status
    if problem.kind == "not_found" or (problem.kind == "status" and status == 404):
        return InputError(
            f"{subject} not found in {where}",
            f"check the key, and that the account behind {service.check} can see it",
        )
    if problem.kind == "status" and status == 401:
        return TrackerError(
            f"{where} rejected the credentials (HTTP 401, {service.auth})",
            f"check {service.check}",
        )
    if problem.kind == "status" and status == 403:
        return TrackerError(
            f"{where} refused access to {subject} (HTTP 403, {service.auth}){said}",
            f"check {service.check} and that this account may read it",
        )
    if problem.kind == "status" and status == 429:
        return TrackerError(f"{where} is rate limiting requests (HTTP 429, {tried})", "wait a minute and re-run")
    if problem.kind == "status" and status == 410:
        return TrackerError(f"{where} has removed the API used for {subject} (HTTP 410){said}")
    if problem.kind == "status" and status == 400:
        return InputError(f"{where} refused the request for {subject} (HTTP 400){said}")
    if problem.kind == "status" and status >= 500:
        return TrackerError(f"{where} failed with HTTP {status} for {subject} ({tried})")
    if problem.kind == "status":
        return TrackerError(f"{where} answered HTTP {status} for {subject}{said}")
    if problem.kind == "timeout":
        return TrackerError(f"{where} did not answer {subject} in time ({tried})")
    if problem.kind == "connection":
        return TrackerError(f"cannot reach {where} ({tried}){said}")
    if problem.kind == "malformed":
        return TrackerError(f"{where} answered {subject} with malformed data{said}")
    return TrackerError(f"{where} failed on {subject}{said}")


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "****")
    return text


def clean_detail(text: str, secrets: Iterable[str]) -> str:
    """A server's message as one short, secret-free line."""
    text = redact(" ".join(str(text).split()), secrets)
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def display_url(url: str) -> str:
    """The URL as shown in messages: no credentials, no trailing slash."""
    return re.sub(r"^(\w+://)[^/@]*@", r"\1", url.strip()).rstrip("/")


def connection_reason(exc: BaseException) -> str:
    """A short reason for a failed connection, without the URL or the library's nesting."""
    text = str(exc)
    for needle, reason in (
        ("Connection refused", "connection refused"),
        ("Name or service not known", "host not found"),
        ("nodename nor servname", "host not found"),
        ("getaddrinfo failed", "host not found"),
        ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
        ("Connection reset", "connection reset"),
        ("RemoteDisconnected", "connection closed by the server"),
    ):
        if needle in text:
            return reason
    return exc.__class__.__name__


def build_ticket(source: str, **fields: object) -> Ticket:
    """A Ticket from a tracker's fields, cleaned as file tickets are (control characters, 1 MB cap)."""
    ticket = ticket_from_mapping(fields, f"{source} ticket {fields.get('key', '')}")
    return replace(ticket, source=source)


def keyring_secret(url: str) -> tuple[str, str]:
    """(secret, "") from the OS keyring (service "vibeward", user = tracker URL), or ("", why not)."""
    try:
        import keyring  # optional: pip install keyring
    except ImportError:
        return "", "the keyring package is not installed"
    try:
        secret = keyring.get_password("vibeward", url)
    except Exception as exc:  # any backend failure means "no secret from the keyring"
        return "", f"the OS keyring is not available ({exc.__class__.__name__})"
    return (secret, "") if secret else ("", f"the keyring holds no secret for vibeward / {url}")


class _Redactor(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


@contextmanager
def redacted_logs(secrets: tuple[str, ...]) -> Iterator[None]:
    """While a tracker call runs, every log handler masks the secrets, whoever logs.

    Client libraries log response bodies (jira logs a body it cannot parse) and a server
    may echo a token back; filters on the handlers catch records from any logger.
    """
    if not any(secrets):
        yield
        return
    redactor = _Redactor(tuple(s for s in secrets if s))
    handlers: set[logging.Handler] = set(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.update(logger.handlers)
    if logging.lastResort is not None:
        handlers.add(logging.lastResort)
    for handler in handlers:
        handler.addFilter(redactor)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(redactor)
