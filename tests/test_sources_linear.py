"""Linear through plain HTTP GraphQL (urllib) against a local fake Linear API."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.fake_trackers import FakeLinear, Reply
from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.errors import InputError, TrackerError
from tracer.sources import select_source
from tracer.sources.jira import JiraSource
from tracer.sources.linear import LinearSource
from tracer.sources.transport import RetryPolicy

KEY = "lin_api_fake1234567890"


@pytest.fixture
def fake() -> Iterator[FakeLinear]:
    server = FakeLinear(KEY)
    server.add_issue(
        "ENG-123", "Encrypt PII at rest", "Use **KMS**.", priority=2, labels=("security",), project="Privacy"
    )
    server.add_issue("ENG-124", "Encrypt backups", None, priority=4)
    server.add_issue("ENG-125", "Encrypt logs", "", priority=0)
    yield server
    server.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def linear(fake: FakeLinear, sleeps: list[float], key: str = KEY, timeout: float = 2) -> LinearSource:
    retry = RetryPolicy(max_retries=2, backoff=0.01, max_delay=0.05, timeout=timeout, sleep=sleeps.append)
    return LinearSource(key, url=fake.graphql_url, retry=retry)


def test_fetch(fake: FakeLinear, sleeps: list[float]) -> None:
    ticket = linear(fake, sleeps).fetch("eng-123")
    assert ticket.key == "ENG-123"
    assert (ticket.title, ticket.description) == ("Encrypt PII at rest", "Use **KMS**.")
    assert (ticket.labels, ticket.components) == (("security",), ("Privacy",))
    assert (ticket.priority, ticket.status, ticket.source) == ("high", "Todo", "linear")
    assert ticket.url == "https://linear.app/acme/issue/eng-123"
    assert ticket.project == "Engineering"  # the team
    request = fake.requests[-1]
    assert request.headers["authorization"] == KEY  # a personal key goes without "Bearer"
    assert request.json()["variables"] == {"id": "ENG-123"}


def test_priority_numbers(fake: FakeLinear, sleeps: list[float]) -> None:
    source = linear(fake, sleeps)
    assert source.fetch("ENG-124").priority == "low"
    assert source.fetch("ENG-125").priority == ""


def test_search_pages(fake: FakeLinear, sleeps: list[float]) -> None:
    assert [t.key for t in linear(fake, sleeps).search("encrypt")] == ["ENG-123", "ENG-124", "ENG-125"]
    cursors = [r.json()["variables"]["after"] for r in fake.requests]
    assert cursors == [None, "2"]


def test_not_found_from_graphql_errors(fake: FakeLinear, sleeps: list[float]) -> None:
    with pytest.raises(InputError) as caught:
        linear(fake, sleeps).fetch("ENG-999")
    assert caught.value.message == f"issue ENG-999 not found in Linear at {fake.graphql_url}"


def test_rate_limited_then_server_errors(fake: FakeLinear, sleeps: list[float]) -> None:
    rate_limited = Reply(
        400,
        {"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]},
        {"Retry-After": "0.02"},
    )
    fake.script("POST", r"/graphql$", rate_limited, Reply(500, "<html>oops</html>"))
    assert linear(fake, sleeps).fetch("ENG-123").key == "ENG-123"
    assert sleeps == [0.02, 0.02]  # Retry-After, then the backoff of a second retry
    fake.script("POST", r"/graphql$", *[Reply(503, "")] * 3)
    with pytest.raises(TrackerError, match=r"failed with HTTP 503 for issue ENG-123 \(gave up after 3 attempts\)"):
        linear(fake, sleeps).fetch("ENG-123")


def test_malformed_json(fake: FakeLinear, sleeps: list[float]) -> None:
    fake.script("POST", r"/graphql$", Reply(200, "{nope"), Reply(200, {"data": "x"}))
    source = linear(fake, sleeps)
    for _ in range(2):
        with pytest.raises(TrackerError, match="answered issue ENG-123 with malformed data"):
            source.fetch("ENG-123")


def test_timeout(fake: FakeLinear, sleeps: list[float]) -> None:
    fake.script("POST", r"/graphql$", Reply(200, {}, delay=5), Reply(200, {}, delay=5))
    retry = RetryPolicy(max_retries=1, backoff=0.01, timeout=0.2, sleep=sleeps.append)
    started = time.perf_counter()
    with pytest.raises(TrackerError, match=r"did not answer issue ENG-123 in time \(gave up after 2 attempts\)"):
        LinearSource(KEY, url=fake.graphql_url, retry=retry).fetch("ENG-123")
    assert time.perf_counter() - started < 1.5


def test_key_is_never_shown(fake: FakeLinear, sleeps: list[float], caplog: pytest.LogCaptureFixture) -> None:
    secret = "lin_api_SECRET_5e6f7a8b9c"
    caplog.set_level(logging.DEBUG)
    source = linear(fake, sleeps, key=secret)
    with pytest.raises(TrackerError) as caught:  # the fake's message echoes the header it got
        source.fetch("ENG-123")
    error = caught.value
    assert "rejected the credentials (HTTP 401, personal API key)" in error.message
    assert "LINEAR_API_KEY" in error.hint
    for text in (str(error), repr(error), error.hint, "".join(traceback.format_exception(error)), repr(source)):
        assert secret not in text
    assert secret not in caplog.text


def test_selection(tmp_path: Path) -> None:
    env = Env.from_environ({"LINEAR_API_KEY": KEY})
    assert isinstance(select_source("ENG-123", env, TrackerConfig(), tmp_path), LinearSource)
    with_jira = Env.from_environ({"LINEAR_API_KEY": KEY, "JIRA_URL": "https://x.atlassian.net", "JIRA_PAT": "p" * 8})
    assert isinstance(select_source("ENG-123", with_jira, TrackerConfig(), tmp_path), JiraSource)
    assert isinstance(select_source("ENG-123", with_jira, TrackerConfig(type="linear"), tmp_path), LinearSource)
