"""GitHub Issues through the real PyGithub client against a local fake GitHub API."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.fake_trackers import FakeGitHub, Reply
from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.errors import ConfigError, InputError, TrackerError
from tracer.sources import select_source
from tracer.sources.github import GitHubSource, priority_from_labels
from tracer.sources.transport import RetryPolicy

TOKEN = "ghp_fake1234567890"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub(TOKEN)
    server.add_issue(
        "acme/shop", 12, "Store card numbers safely", "Use **tokenization**.", labels=("security", "priority: high")
    )
    server.add_issue("acme/shop", 13, "Login rate limit", None, labels=("P1",), pull_request=True)
    server.add_issue("acme/shop", 14, "Audit log", "", issue_type="Feature")
    yield server
    server.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def github(fake: FakeGitHub, sleeps: list[float], token: str = TOKEN) -> GitHubSource:
    retry = RetryPolicy(max_retries=2, backoff=0.01, max_delay=0.05, timeout=2, sleep=sleeps.append)
    return GitHubSource(token, base_url=fake.url, retry=retry)


def test_fetch(fake: FakeGitHub, sleeps: list[float]) -> None:
    ticket = github(fake, sleeps).fetch("acme/shop#12")
    assert ticket.key == "acme/shop#12"
    assert ticket.title == "Store card numbers safely"
    assert ticket.description == "Use **tokenization**."
    assert ticket.labels == ("security", "priority: high")
    assert (ticket.priority, ticket.issue_type, ticket.status) == ("high", "Issue", "open")
    assert ticket.url == "https://github.com/acme/shop/issues/12"
    assert ticket.project == "acme/shop"
    assert ticket.source == "github"
    assert fake.requests[-1].path == "/repos/acme/shop/issues/12"
    assert fake.requests[-1].headers["authorization"] == f"token {TOKEN}"


def test_pull_requests_null_bodies_and_issue_types(fake: FakeGitHub, sleeps: list[float]) -> None:
    source = github(fake, sleeps)
    pull = source.fetch("acme/shop#13")
    assert (pull.issue_type, pull.description, pull.priority) == ("Pull request", "", "P1")
    assert source.fetch("acme/shop#14").issue_type == "Feature"


def test_search_pages(fake: FakeGitHub, sleeps: list[float]) -> None:
    found = list(github(fake, sleeps).search("repo:acme/shop is:open"))
    assert [t.key for t in found] == ["acme/shop#12", "acme/shop#13", "acme/shop#14"]
    assert [r.param("page") for r in fake.requests if r.path == "/search/issues"] == ["1", "2"]


def test_not_found(fake: FakeGitHub, sleeps: list[float]) -> None:
    with pytest.raises(InputError) as caught:
        github(fake, sleeps).fetch("acme/shop#99")
    assert caught.value.message == f"issue acme/shop#99 not found in GitHub at {fake.url}"


def test_bad_token(fake: FakeGitHub, sleeps: list[float]) -> None:
    with pytest.raises(TrackerError) as caught:
        github(fake, sleeps, token="ghp_wrong_0000000").fetch("acme/shop#12")
    assert "rejected the credentials (HTTP 401, token)" in caught.value.message
    assert "GITHUB_TOKEN" in caught.value.hint


def test_rate_limit_then_success(fake: FakeGitHub, sleeps: list[float]) -> None:
    limited = Reply(429, {"message": "API rate limit exceeded"}, {"Retry-After": "0.02"})
    primary = Reply(403, {"message": "API rate limit exceeded"}, {"x-ratelimit-remaining": "0", "Retry-After": "9"})
    fake.script("GET", r"/issues/12$", limited, primary)
    assert github(fake, sleeps).fetch("acme/shop#12").key == "acme/shop#12"
    assert sleeps == [0.02, 0.05]  # the second asked for 9 s and got max_delay


def test_server_errors_retry_then_give_up(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.script("GET", r"/issues/12$", *[Reply(502, {"message": "Server Error"})] * 3)
    with pytest.raises(TrackerError) as caught:
        github(fake, sleeps).fetch("acme/shop#12")
    assert (
        caught.value.message
        == f"GitHub at {fake.url} failed with HTTP 502 for issue acme/shop#12 (gave up after 3 attempts)"
    )
    assert sleeps == [0.01, 0.02]


def test_malformed_json(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.script("GET", r"/issues/12$", Reply(200, "{broken"), Reply(200, "plain text"))
    source = github(fake, sleeps)
    for _ in range(2):
        with pytest.raises(TrackerError, match="answered issue acme/shop#12 with malformed data"):
            source.fetch("acme/shop#12")


def test_token_is_never_shown(fake: FakeGitHub, sleeps: list[float], caplog: pytest.LogCaptureFixture) -> None:
    secret = "ghp_SECRET_9f8e7d6c5b"
    caplog.set_level(logging.DEBUG)
    source = github(fake, sleeps, token=secret)
    with pytest.raises(TrackerError) as caught:  # the fake echoes the header in its 401 message
        source.fetch("acme/shop#12")
    fake.token = secret
    fake.script("GET", r"/issues/12$", Reply(403, {"message": f"forbidden for {secret}"}))
    with pytest.raises(TrackerError) as forbidden:
        source.fetch("acme/shop#12")
    assert "forbidden for ****" in forbidden.value.message
    for error in (caught.value, forbidden.value):
        for text in (str(error), repr(error), error.hint, "".join(traceback.format_exception(error))):
            assert secret not in text
    assert secret not in repr(source)
    assert secret not in caplog.text


def test_bad_references(fake: FakeGitHub, sleeps: list[float]) -> None:
    with pytest.raises(InputError, match="not a GitHub issue reference"):
        github(fake, sleeps).fetch("acme/shop/../x#1")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("labels", "priority"),
    [
        (("bug", "priority: high"), "high"),
        (("Priority/Critical",), "Critical"),
        (("prio-low",), "low"),
        (("P0",), "P0"),
        (("p2",), "p2"),
        (("P7", "urgent"), ""),
        ((), ""),
    ],
)
def test_priority_from_labels(labels: tuple[str, ...], priority: str) -> None:
    assert priority_from_labels(labels) == priority


def test_selection(tmp_path: Path) -> None:
    env = Env.from_environ({"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": "https://ghe.example.com/api/v3"})
    chosen = select_source("acme/shop#12", env, TrackerConfig(), tmp_path)
    assert isinstance(chosen, GitHubSource) and chosen.base_url == "https://ghe.example.com/api/v3"
    with pytest.raises(ConfigError, match="GITHUB_TOKEN is not set"):
        select_source("acme/shop#12", Env.from_environ({}), TrackerConfig(type="github"), tmp_path)
