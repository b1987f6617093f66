"""GitLab issues through the real python-gitlab client against a local fake GitLab API."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.fake_trackers import FakeGitLab, Reply
from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.errors import InputError, TrackerError
from tracer.sources import select_source
from tracer.sources.github import GitHubSource
from tracer.sources.gitlab import GitLabSource
from tracer.sources.transport import RetryPolicy

TOKEN = "glpat-fake1234567890"


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    server = FakeGitLab(TOKEN)
    server.add_issue(
        "group/sub/shop",
        7,
        "Login with MFA",
        "Users *must* use TOTP.",
        labels=("security", "priority::high", "component::auth"),
    )
    server.add_issue("group/shop", 8, "Login outage", None, issue_type="incident", severity="CRITICAL")
    yield server
    server.close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def gitlab(fake: FakeGitLab, sleeps: list[float], token: str = TOKEN) -> GitLabSource:
    retry = RetryPolicy(max_retries=2, backoff=0.01, max_delay=0.05, timeout=2, sleep=sleeps.append)
    return GitLabSource(token, url=fake.url, retry=retry)


def test_fetch_with_scoped_labels(fake: FakeGitLab, sleeps: list[float]) -> None:
    ticket = gitlab(fake, sleeps).fetch("group/sub/shop#7")
    assert ticket.key == "group/sub/shop#7"
    assert ticket.title == "Login with MFA"
    assert ticket.description == "Users *must* use TOTP."
    assert ticket.labels == ("security", "priority::high", "component::auth")
    assert (ticket.priority, ticket.components) == ("high", ("auth",))
    assert (ticket.issue_type, ticket.status) == ("issue", "opened")
    assert ticket.url == "https://gitlab.example.com/group/sub/shop/-/issues/7"
    assert ticket.project == "group/sub/shop"
    assert ticket.source == "gitlab"
    request = fake.requests[-1]
    assert request.path == "/api/v4/projects/group%2Fsub%2Fshop/issues/7"
    assert request.headers["private-token"] == TOKEN


def test_incident_severity_is_the_priority(fake: FakeGitLab, sleeps: list[float]) -> None:
    ticket = gitlab(fake, sleeps).fetch("group/shop#8")
    assert (ticket.issue_type, ticket.priority, ticket.description) == ("incident", "critical", "")


def test_search(fake: FakeGitLab, sleeps: list[float]) -> None:
    assert [t.key for t in gitlab(fake, sleeps).search("login")] == ["group/shop#8", "group/sub/shop#7"]
    search = fake.requests[-1]
    assert (search.param("scope"), search.param("search")) == ("all", "login")


def test_not_found(fake: FakeGitLab, sleeps: list[float]) -> None:
    with pytest.raises(InputError) as caught:
        gitlab(fake, sleeps).fetch("group/shop#99")
    assert caught.value.message == f"issue group/shop#99 not found in GitLab at {fake.url}"
    assert caught.value.exit_code == 2


def test_rate_limit_honours_retry_after_then_5xx_gives_up(fake: FakeGitLab, sleeps: list[float]) -> None:
    fake.script("GET", r"/issues/7$", Reply(429, {"message": "Retry later"}, {"Retry-After": "0.03"}))
    assert gitlab(fake, sleeps).fetch("group/sub/shop#7").title == "Login with MFA"
    assert sleeps == [0.03]
    fake.script("GET", r"/issues/7$", *[Reply(503, {"message": "503 Service Unavailable"})] * 3)
    with pytest.raises(TrackerError, match=r"failed with HTTP 503 .* \(gave up after 3 attempts\)"):
        gitlab(fake, sleeps).fetch("group/sub/shop#7")


def test_malformed_json(fake: FakeGitLab, sleeps: list[float]) -> None:
    fake.script("GET", r"/issues/7$", Reply(200, "{oops"))
    with pytest.raises(TrackerError, match="answered issue group/sub/shop#7 with malformed data"):
        gitlab(fake, sleeps).fetch("group/sub/shop#7")


def test_slow_server_times_out(fake: FakeGitLab, sleeps: list[float]) -> None:
    fake.script("GET", r"/issues/7$", Reply(200, {}, delay=5), Reply(200, {}, delay=5))
    retry = RetryPolicy(max_retries=1, backoff=0.01, timeout=0.2, sleep=sleeps.append)
    started = time.perf_counter()
    with pytest.raises(TrackerError, match=r"did not answer issue group/sub/shop#7 in time \(gave up after 2"):
        GitLabSource(TOKEN, url=fake.url, retry=retry).fetch("group/sub/shop#7")
    assert time.perf_counter() - started < 1.5


def test_token_is_never_shown(fake: FakeGitLab, sleeps: list[float], caplog: pytest.LogCaptureFixture) -> None:
    secret = "glpat-SECRET-0a1b2c3d4e"
    caplog.set_level(logging.DEBUG)
    source = gitlab(fake, sleeps, token=secret)
    with pytest.raises(TrackerError) as caught:  # the fake's 401 message echoes the token
        source.fetch("group/sub/shop#7")
    assert "rejected the credentials (HTTP 401, private token)" in caught.value.message
    assert "GITLAB_TOKEN" in caught.value.hint
    error = caught.value
    for text in (str(error), repr(error), error.hint, "".join(traceback.format_exception(error)), repr(source)):
        assert secret not in text
    assert secret not in caplog.text


def test_selection(tmp_path: Path) -> None:
    env = Env.from_environ({"GITLAB_TOKEN": TOKEN, "CI_SERVER_URL": "https://gitlab.example.com"})
    chosen = select_source("group/shop#7", env, TrackerConfig(), tmp_path)
    assert isinstance(chosen, GitLabSource) and chosen.url == "https://gitlab.example.com"
    both = Env.from_environ({"GITLAB_TOKEN": TOKEN, "GITHUB_TOKEN": "ghp_x1234567"})
    assert isinstance(select_source("group/shop#7", both, TrackerConfig(), tmp_path), GitHubSource)
    assert isinstance(select_source("group/sub/shop#7", both, TrackerConfig(), tmp_path), GitLabSource)
    in_gitlab_ci = Env.from_environ({"GITLAB_TOKEN": TOKEN, "GITHUB_TOKEN": "ghp_x1234567", "GITLAB_CI": "true"})
    assert isinstance(select_source("group/shop#7", in_gitlab_ci, TrackerConfig(), tmp_path), GitLabSource)
