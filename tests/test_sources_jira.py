"""JIRA through the real `jira` client against a local fake JIRA (Cloud and Data Center, v2 and v3)."""

from __future__ import annotations

import base64
import logging
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.fake_trackers import FakeJira, Reply, jira_error
from tracer.config import TRACKER_TYPES, TrackerConfig
from tracer.env import Env
from tracer.errors import ConfigError, InputError, TrackerError
from tracer.sources import select_source, tracker
from tracer.sources.file import FileSource
from tracer.sources.jira import FIELDS, JiraAuth, JiraSource, auth_from_env
from tracer.sources.transport import RetryPolicy, parse_retry_after

EMAIL, TOKEN, PAT = "dev@example.com", "tok-cloud-1234567890", "pat-dc-1234567890"

WIKI = "h2. Scope\nStore the *card number* only as a token.\n{code}\npan = tokenize(pan)\n{code}"
ADF = {
    "version": 1,
    "type": "doc",
    "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Scope"}]},
        {
            "type": "paragraph",
            "content": [
                {"type": "text", "text": "Store the "},
                {"type": "text", "text": "card number", "marks": [{"type": "strong"}]},
                {"type": "text", "text": " only as a token."},
            ],
        },
        {"type": "codeBlock", "content": [{"type": "text", "text": "pan = tokenize(pan)"}]},
    ],
}
FLAT = "Scope\nStore the card number only as a token.\n```\npan = tokenize(pan)\n```"


class Sleeps(list[float]):
    """Records each wait the retry policy asks for, and really waits (tiny values only)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def policy(sleeps: Sleeps, **overrides: float) -> RetryPolicy:
    settings: dict = {"max_retries": 2, "backoff": 0.01, "max_delay": 0.05, "timeout": 2.0, "sleep": sleeps}
    settings.update(overrides)
    return RetryPolicy(**settings)


@pytest.fixture(params=["cloud-v2", "cloud-v3", "dc-v2", "dc-v3"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake(flavour: str) -> Iterator[FakeJira]:
    server = FakeJira(cloud=flavour.startswith("cloud"), email=EMAIL, token=TOKEN, pat=PAT)
    server.add_issue(
        "PAY-9",
        "Add card payment",
        wiki=WIKI,
        adf=ADF,
        labels=("pci", "payments"),
        components=("checkout", "billing"),
        priority="High",
        issuetype="Story",
        status="In Progress",
    )
    yield server
    server.close()


def auth_for(fake: FakeJira, token: str | None = None) -> JiraAuth:
    if fake.cloud:
        return JiraAuth("cloud", EMAIL, token or TOKEN)
    return JiraAuth("pat", token=token or PAT)


def source(
    fake: FakeJira, flavour: str, sleeps: Sleeps, token: str | None = None, project_keys: tuple[str, ...] = ()
) -> JiraSource:
    version = flavour[-1]
    return JiraSource(
        fake.url, auth_for(fake, token), api_version=version, retry=policy(sleeps), project_keys=project_keys
    )


# -- reading ---------------------------------------------------------------------------


def test_fetch_reads_every_field(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    ticket = source(fake, flavour, sleeps).fetch("PAY-9")
    assert ticket.key == "PAY-9"
    assert ticket.title == "Add card payment"
    assert ticket.description == FLAT  # v2 wiki and v3 ADF read the same
    assert ticket.labels == ("pci", "payments")
    assert ticket.components == ("checkout", "billing")
    assert (ticket.priority, ticket.issue_type, ticket.status) == ("High", "Story", "In Progress")
    assert ticket.url == f"{fake.url}/browse/PAY-9"
    assert ticket.project == "Payments (PAY)"  # what the software is: context for the classifier
    assert ticket.source == "jira"
    version = flavour[-1]
    request = next(r for r in fake.requests if r.path == f"/rest/api/{version}/issue/PAY-9")
    assert request.param("fields").split(",") == list(FIELDS)
    scheme = "Basic" if fake.cloud else "Bearer"
    assert request.headers["authorization"].startswith(scheme + " ")
    assert fake.requests[0].path == f"/rest/api/{version}/serverInfo"


def test_fetch_tolerates_null_fields(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    fake.add_issue("PAY-10", "Bare", wiki=None, adf=None, priority=None)
    ticket = source(fake, flavour, sleeps).fetch("pay-10")
    assert (ticket.key, ticket.description, ticket.priority, ticket.labels) == ("PAY-10", "", "", ())


def test_search_pages_through_every_result(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    for number in range(1, 8):
        fake.add_issue(f"SEC-{number}", f"Security ticket {number}")
    fake.page_cap = 3  # the server returns fewer than asked for, as JIRA may
    found = list(source(fake, flavour, sleeps).search("project = SEC ORDER BY key"))
    assert [t.key for t in found] == [f"SEC-{n}" for n in range(1, 8)]
    assert all(t.title.startswith("Security ticket") for t in found)
    version = flavour[-1]
    if fake.cloud:
        pages = [r for r in fake.requests if r.path == f"/rest/api/{version}/search/jql"]
        assert [r.param("nextPageToken") for r in pages] == ["", "3", "6"]
        assert fake.count("GET", r"/search$") == 0  # the removed endpoint (410 on Cloud) is never used
    else:
        pages = [r for r in fake.requests if r.path == f"/rest/api/{version}/search"]
        assert [r.param("startAt") for r in pages] == ["0", "3", "6"]


def test_search_of_nothing_makes_one_request(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    assert list(source(fake, flavour, sleeps).search("project = SEC")) == []
    assert fake.count("GET", r"/search") == 1


def test_removed_search_api_is_a_tracker_error(sleeps: Sleeps) -> None:
    with FakeJira(cloud=True, email=EMAIL, token=TOKEN) as fake:
        fake.script("GET", r"/search/jql$", jira_error(410, "The requested API has been removed."))
        with pytest.raises(TrackerError) as caught:
            list(source(fake, "cloud-v2", sleeps).search("project = SEC"))
    assert "has removed the API" in caught.value.message and "HTTP 410" in caught.value.message
    assert caught.value.exit_code == 3


def test_huge_description_is_read_and_capped(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    line = "Cardholder data must be encrypted with AES-256 before storage. "
    paragraphs = [{"type": "paragraph", "content": [{"type": "text", "text": line}]} for _ in range(20_000)]
    fake.add_issue("PAY-11", "Huge", wiki=line * 20_000, adf={"version": 1, "type": "doc", "content": paragraphs})
    started = time.perf_counter()
    ticket = source(fake, flavour, sleeps).fetch("PAY-11")
    assert time.perf_counter() - started < 5
    assert len(ticket.description) == 1_000_000  # cut as file tickets are, not refused
    assert ticket.description.startswith("Cardholder data must be encrypted with AES-256")


# -- errors ----------------------------------------------------------------------------


def test_not_found_is_an_input_error(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    with pytest.raises(InputError) as caught:
        source(fake, flavour, sleeps).fetch("PAY-404")
    assert caught.value.message == f"ticket PAY-404 not found in JIRA at {fake.url}"
    assert caught.value.exit_code == 2
    assert sleeps == []  # a 404 is not retried


def test_bad_credentials_name_the_auth_method_and_variables(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    with pytest.raises(TrackerError) as caught:
        source(fake, flavour, sleeps, token="wrong-token-123456").fetch("PAY-9")
    error = caught.value
    assert error.exit_code == 3
    assert "rejected the credentials (HTTP 401" in error.message
    if fake.cloud:
        assert "Cloud API token" in error.message and "JIRA_EMAIL and JIRA_API_TOKEN" in error.hint
    else:
        assert "personal access token" in error.message and "JIRA_PAT" in error.hint
    assert "\n" not in error.message


def test_forbidden_is_a_tracker_error(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    fake.script("GET", r"/issue/PAY-9$", jira_error(403, "You do not have the permission to see the specified issue."))
    with pytest.raises(TrackerError) as caught:
        source(fake, flavour, sleeps).fetch("PAY-9")
    assert "refused access to ticket PAY-9 (HTTP 403" in caught.value.message
    assert "permission to see" in caught.value.message
    assert caught.value.exit_code == 3


def test_rate_limit_waits_as_retry_after_says(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    limited = Reply(429, {"errorMessages": ["Rate limit exceeded."]}, {"Retry-After": "0.03"})
    fake.script("GET", r"/issue/PAY-9$", limited, limited)
    ticket = source(fake, flavour, sleeps).fetch("PAY-9")
    assert ticket.key == "PAY-9"
    assert sleeps == [0.03, 0.03]
    assert fake.count("GET", r"/issue/PAY-9$") == 3


def test_rate_limit_wait_is_bounded_and_gives_up(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    limited = Reply(429, {"errorMessages": ["Rate limit exceeded."]}, {"Retry-After": "3600"})
    fake.script("GET", r"/issue/PAY-9$", *[limited] * 5)
    started = time.perf_counter()
    with pytest.raises(TrackerError) as caught:
        source(fake, flavour, sleeps).fetch("PAY-9")
    assert time.perf_counter() - started < 1
    assert sleeps == [0.05, 0.05]  # an hour asked for, max_delay granted
    assert caught.value.message == f"JIRA at {fake.url} is rate limiting requests (HTTP 429, gave up after 3 attempts)"
    assert caught.value.exit_code == 3


def test_server_errors_are_retried_with_backoff(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    fake.script("GET", r"/issue/PAY-9$", jira_error(502, "Bad gateway"), jira_error(500, "Oops"))
    assert source(fake, flavour, sleeps).fetch("PAY-9").title == "Add card payment"
    assert sleeps == [0.01, 0.02]


def test_server_errors_give_up_after_max_retries(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    fake.script("GET", r"/issue/PAY-9$", *[jira_error(500, "Internal server error")] * 5)
    with pytest.raises(TrackerError) as caught:
        source(fake, flavour, sleeps).fetch("PAY-9")
    assert (
        caught.value.message == f"JIRA at {fake.url} failed with HTTP 500 for ticket PAY-9 (gave up after 3 attempts)"
    )
    assert fake.count("GET", r"/issue/PAY-9$") == 3


def test_a_slow_server_times_out(sleeps: Sleeps) -> None:
    with FakeJira(cloud=True, email=EMAIL, token=TOKEN) as fake:
        fake.add_issue("PAY-9", "Slow")
        fake.script("GET", r"/issue/PAY-9$", Reply(200, {}, delay=5), Reply(200, {}, delay=5))
        jira = JiraSource(fake.url, auth_for(fake), retry=policy(sleeps, timeout=0.2, max_retries=1))
        started = time.perf_counter()
        with pytest.raises(TrackerError) as caught:
            jira.fetch("PAY-9")
        assert time.perf_counter() - started < 1.5
    assert caught.value.message == f"JIRA at {fake.url} did not answer ticket PAY-9 in time (gave up after 2 attempts)"


@pytest.mark.parametrize("body", ["{not json", "<html>Service Unavailable</html>", "[]", '{"id": "1"}'])
def test_malformed_answers_are_tracker_errors(fake: FakeJira, flavour: str, sleeps: Sleeps, body: str) -> None:
    fake.script("GET", r"/issue/PAY-9$", Reply(200, body))
    with pytest.raises(TrackerError) as caught:
        source(fake, flavour, sleeps).fetch("PAY-9")
    assert "answered ticket PAY-9 with malformed data" in caught.value.message
    assert caught.value.exit_code == 3


def test_server_info_without_versions_is_malformed(sleeps: Sleeps) -> None:
    with FakeJira(cloud=True, email=EMAIL, token=TOKEN) as fake:
        fake.script("GET", r"/serverInfo$", Reply(200, {"baseUrl": "x", "deploymentType": "Cloud"}))
        with pytest.raises(TrackerError, match="answered server info with malformed data"):
            source(fake, "cloud-v2", sleeps).fetch("PAY-9")


def test_unreachable_server(sleeps: Sleeps) -> None:
    fake = FakeJira(cloud=True)
    url = fake.url
    fake.close()  # nothing listens there any more
    with pytest.raises(TrackerError) as caught:
        JiraSource(url, JiraAuth("cloud", EMAIL, TOKEN), retry=policy(sleeps, max_retries=1)).fetch("PAY-9")
    assert caught.value.message == f"cannot reach JIRA at {url} (gave up after 2 attempts): connection refused"


@pytest.mark.parametrize("key", ["../../serverInfo", "PAY-0", "PAY 9", "9-PAY", ""])
def test_bad_keys_never_reach_the_server(fake: FakeJira, flavour: str, sleeps: Sleeps, key: str) -> None:
    with pytest.raises(InputError, match="is not a JIRA key"):
        source(fake, flavour, sleeps).fetch(key)
    assert fake.requests == []


def test_project_allowlist(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    jira = source(fake, flavour, sleeps, project_keys=("SEC",))
    with pytest.raises(InputError, match=r"ticket PAY-9 is in project PAY, not in tracker.project_keys \(SEC\)"):
        jira.fetch("PAY-9")
    assert fake.requests == []


# -- the token never shows -------------------------------------------------------------


@pytest.mark.parametrize("cloud", [True, False])
def test_token_never_appears_in_errors_repr_or_logs(
    cloud: bool, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "SECRET-tok-4f9a2b7c1d"
    auth = JiraAuth("cloud", EMAIL, secret) if cloud else JiraAuth("pat", token=secret)
    basic = base64.b64encode(f"{EMAIL}:{secret}".encode()).decode()
    caplog.set_level(logging.DEBUG)
    with FakeJira(cloud=cloud, email=EMAIL, token=TOKEN, pat=PAT) as fake:
        fake.add_issue("PAY-9", "x")
        jira = JiraSource(fake.url, auth, retry=policy(sleeps))
        failures: list[BaseException] = []
        with pytest.raises(TrackerError) as caught:  # 401, and the server echoes the header it got
            jira.fetch("PAY-9")
        failures.append(caught.value)
        fake.expected_auth = f"Basic {basic}" if cloud else f"Bearer {secret}"
        fake.script("GET", r"/issue/PAY-9$", *[jira_error(500, f"backend said: token={secret} auth={basic}")] * 3)
        with pytest.raises(TrackerError) as caught:
            jira.fetch("PAY-9")
        failures.append(caught.value)
        fake.script("GET", r"/issue/PAY-9$", jira_error(403, f"denied for {secret}"))
        with pytest.raises(TrackerError) as caught:
            jira.fetch("PAY-9")
        failures.append(caught.value)
        fake.script("GET", r"/issue/PAY-9$", Reply(200, f"{{broken {secret}"))
        with pytest.raises(TrackerError) as caught:
            jira.fetch("PAY-9")
        failures.append(caught.value)
    shown = [repr(jira), str(auth), caplog.text]
    for failure in failures:
        shown += [str(failure), repr(failure), failure.hint, "".join(traceback.format_exception(failure))]
    for text in shown:
        assert secret not in text
        assert basic not in text
    assert "denied for ****" in str(failures[2])


# -- writing back ----------------------------------------------------------------------


def test_add_comment(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    comment_id = source(fake, flavour, sleeps).add_comment("PAY-9", "vibeward: 2 of 3 controls present")
    stored = fake.comments["PAY-9"]
    assert [c["id"] for c in stored] == [comment_id]
    if flavour.endswith("v3"):  # v3 takes ADF only
        assert stored[0]["body"]["type"] == "doc"
        assert stored[0]["body"]["content"][0]["content"][0]["text"] == "vibeward: 2 of 3 controls present"
    else:
        assert stored[0]["body"] == "vibeward: 2 of 3 controls present"


def test_a_comment_is_not_posted_twice_after_a_server_error(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    fake.script("POST", r"/comment$", jira_error(500, "Internal server error"))
    with pytest.raises(TrackerError, match="failed with HTTP 500"):
        source(fake, flavour, sleeps).add_comment("PAY-9", "hello")
    assert fake.count("POST", r"/comment$") == 1


def test_a_rate_limited_comment_is_retried(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    fake.script("POST", r"/comment$", Reply(429, {"errorMessages": []}, {"Retry-After": "0"}))
    source(fake, flavour, sleeps).add_comment("PAY-9", "hello")
    assert len(fake.comments["PAY-9"]) == 1 and sleeps == [0.0]


def test_add_labels_keeps_the_existing_ones(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    labels = source(fake, flavour, sleeps).add_labels("PAY-9", ("vibeward-pci", "pci"))
    assert labels == ("pci", "payments", "vibeward-pci")
    assert fake.issues["PAY-9"]["labels"] == ["pci", "payments", "vibeward-pci"]
    put = next(r for r in fake.requests if r.method == "PUT")
    assert put.path.endswith(f"/issue/{fake.issues['PAY-9']['id']}")  # the issue's `self`
    assert put.json()["update"] == {"labels": [{"add": "vibeward-pci"}, {"add": "pci"}]}
    assert not put.json().get("fields")  # a `fields.labels` write would replace the set


def test_labels_with_spaces_are_refused(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    with pytest.raises(InputError, match="without spaces"):
        source(fake, flavour, sleeps).add_labels("PAY-9", ("two words",))


def test_remote_link_is_idempotent_by_global_id(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    jira = source(fake, flavour, sleeps)
    first = jira.upsert_remote_link("PAY-9", "https://github.com/acme/shop/pull/42", "PR #42: failing")
    second = jira.upsert_remote_link(
        "PAY-9", "https://github.com/acme/shop/pull/42", "PR #42: passing", summary="3 of 3", resolved=True
    )
    links = fake.links["PAY-9"]
    assert first == second and len(links) == 1
    assert links[0]["globalId"] == "vibeward:github.com/acme/shop/pull/42"
    assert links[0]["object"] == {
        "url": "https://github.com/acme/shop/pull/42",
        "title": "PR #42: passing",
        "summary": "3 of 3",
        "status": {"resolved": True},
    }
    jira.upsert_remote_link("PAY-9", "https://github.com/acme/shop/pull/43", "PR #43", global_id="vibeward:trace:PAY-9")
    assert [link["globalId"] for link in fake.links["PAY-9"]] == [
        "vibeward:github.com/acme/shop/pull/42",
        "vibeward:trace:PAY-9",
    ]


def test_set_property(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    jira = source(fake, flavour, sleeps)
    value = {"schema": "vibeward.trace/v1", "verdict": "passed", "controls": {"tokenization": "present"}}
    jira.set_property("PAY-9", "vibeward", value)
    jira.set_property("PAY-9", "vibeward", {**value, "verdict": "failed"})
    assert fake.properties[("PAY-9", "vibeward")]["verdict"] == "failed"
    with pytest.raises(InputError, match="JIRA allows 32768"):
        jira.set_property("PAY-9", "vibeward", {"blob": "x" * 40_000})
    with pytest.raises(InputError, match="must be JSON data"):
        jira.set_property("PAY-9", "vibeward", {"when": object()})


def test_server_info_and_project(fake: FakeJira, flavour: str, sleeps: Sleeps) -> None:
    jira = source(fake, flavour, sleeps)
    assert jira.server_info()["deploymentType"] == ("Cloud" if fake.cloud else "Server")
    assert jira.is_cloud is fake.cloud
    assert jira.project_name("PAY") == "Payments"
    with pytest.raises(InputError, match=f"project NOPE not found in JIRA at {fake.url}"):
        jira.project_name("NOPE")


# -- credentials and selection ---------------------------------------------------------


def test_auth_from_env() -> None:
    cloud = auth_from_env(Env.from_environ({"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN}))
    assert (cloud.kind, cloud.email, cloud.token, cloud.origin) == ("cloud", EMAIL, TOKEN, "JIRA_API_TOKEN")
    pat = auth_from_env(Env.from_environ({"JIRA_PAT": PAT}))
    assert (pat.kind, pat.token) == ("pat", PAT)
    assert TOKEN not in repr(cloud)
    with pytest.raises(ConfigError, match="JIRA Cloud needs JIRA_EMAIL") as caught:
        auth_from_env(Env.from_environ({"JIRA_API_TOKEN": TOKEN}))
    assert caught.value.exit_code == 2
    with pytest.raises(ConfigError, match="no JIRA token: JIRA_PAT is not set"):
        auth_from_env(Env.from_environ({"JIRA_API_TOKEN": TOKEN}), "pat", use_keyring=False)


def test_select_source_by_environment(tmp_path: Path) -> None:
    none = TrackerConfig()
    env = Env.from_environ({"JIRA_URL": "https://acme.atlassian.net", "JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN})
    chosen = select_source("PAY-9", env, none, tmp_path)
    assert isinstance(chosen, JiraSource) and chosen.url == "https://acme.atlassian.net"
    assert isinstance(select_source("PAY-9", Env.from_environ({}), none, tmp_path), FileSource)
    # Every `tracker.type` the config accepts names a tracker (its module imported on demand).
    assert all(callable(tracker(name).claims) and callable(tracker(name).open_source) for name in TRACKER_TYPES)


def test_select_source_by_config(tmp_path: Path) -> None:
    env = Env.from_environ({"JIRA_PAT": PAT})
    tracker = TrackerConfig(type="jira", url="https://jira.example.com", project_keys=("PAY",), auth="pat")
    chosen = select_source("PAY-9", env, tracker, tmp_path)
    assert isinstance(chosen, JiraSource)
    assert chosen.project_keys == ("PAY",)
    assert repr(chosen) == "JiraSource(url='https://jira.example.com', auth='pat', api_version='2')"
    with pytest.raises(ConfigError, match="JIRA has no URL"):
        select_source("PAY-9", env, TrackerConfig(type="jira"), tmp_path)
    assert isinstance(select_source("PAY-9", env, TrackerConfig(type="file"), tmp_path), FileSource)


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None


def test_a_url_that_is_not_jira_is_a_config_error(sleeps: Sleeps) -> None:
    with FakeJira(cloud=True, email=EMAIL, token=TOKEN) as fake:
        fake.script("GET", r"/serverInfo$", jira_error(404, "Not Found"))
        with pytest.raises(ConfigError, match=r"no JIRA REST API at http://127\.0\.0\.1:\d+ \(serverInfo not found\)"):
            source(fake, "cloud-v2", sleeps).fetch("PAY-9")
