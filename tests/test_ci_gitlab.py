"""GitLab merge request notes through the real python-gitlab client against a local GitLab API."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from tests.helpers.fake_github import GITLAB_TOKEN, FakeGitLabNotes, closed_port_url
from tests.helpers.samples import sample
from tracer.ci.detect import CIContext
from tracer.ci.gitlab import publish, upsert_note
from tracer.ci.outcome import Rendered
from tracer.env import Env
from tracer.reporters import RenderOptions, render_many
from tracer.reporters.markdown import MARKER

PROJECT = "42"


@pytest.fixture
def gitlab_api() -> Iterator[FakeGitLabNotes]:
    with FakeGitLabNotes(page_size=2) as fake:
        yield fake


def ctx(api_url: str, token_env: str = "GITLAB_TOKEN") -> CIContext:
    return CIContext(
        provider="gitlab",
        repository=PROJECT,
        number=3,
        head_sha="b" * 40,
        base_sha="a" * 40,
        fork=False,
        api_url=api_url,
        token_env=token_env,
        event="merge_request_event",
    )


def rendered(text: str | None = None) -> Rendered:
    body = text if text is not None else render_many("markdown", (sample(),), RenderOptions(max_chars=60_000))
    return Rendered(comment=body, summary=body, marker=MARKER)


def test_one_note_created_then_updated_skipping_system_notes(gitlab_api: FakeGitLabNotes) -> None:
    gitlab_api.add_note(PROJECT, 3, "added 2 commits", system=True)
    gitlab_api.add_note(PROJECT, 3, f"{MARKER} quoted by a system event", system=True)
    gitlab_api.add_note(PROJECT, 3, "LGTM")
    env = Env.from_environ({"GITLAB_TOKEN": GITLAB_TOKEN, "CI_JOB_TOKEN": "job-token-123456"})

    first = publish((sample(),), ctx(gitlab_api.api_url), rendered(), env)
    assert first.notes == ()
    ours = [n for n in gitlab_api.on(PROJECT, 3) if n["body"].startswith(MARKER)]
    assert len(ours) == 1 and first.comment_url == f"note_{ours[0]['id']}"

    second = publish((sample(),), ctx(gitlab_api.api_url), rendered(f"{MARKER}\nsecond run"), env)
    assert second.notes == ()
    ours = [n for n in gitlab_api.on(PROJECT, 3) if n["body"].startswith(MARKER)]
    assert len(ours) == 1 and ours[0]["body"] == f"{MARKER}\nsecond run"
    assert gitlab_api.count("POST", r"/notes$") == 1 and gitlab_api.count("PUT", r"/notes/\d+$") == 1
    system = [n for n in gitlab_api.on(PROJECT, 3, system=True) if n["system"]]
    assert system[1]["body"].endswith("quoted by a system event")  # a system note is never edited
    assert all(r.headers.get("private-token") == GITLAB_TOKEN for r in gitlab_api.requests)
    assert {r.param("page", "1") for r in gitlab_api.requests if r.method == "GET"} >= {"1", "2"}  # Link pages


def test_job_token_alone_is_explained() -> None:
    env = Env.from_environ({"CI_JOB_TOKEN": "job-token-123456"})
    url, note = upsert_note(ctx("https://gitlab.example.com/api/v4", token_env=""), env, f"{MARKER}\nx", MARKER)
    assert url == "" and "GITLAB_TOKEN" in note and "CI_JOB_TOKEN cannot write" in note


def test_refused_token_and_network_failure(gitlab_api: FakeGitLabNotes) -> None:
    env = Env.from_environ({"GITLAB_TOKEN": "glpat-wrong-000000"})
    _, note = upsert_note(ctx(gitlab_api.api_url), env, f"{MARKER}\nx", MARKER)
    assert "refused the token" in note and "401" in note and "\n" not in note
    env = Env.from_environ({"GITLAB_TOKEN": GITLAB_TOKEN})
    _, note = upsert_note(ctx(closed_port_url() + "/api/v4"), env, f"{MARKER}\nx", MARKER)
    assert note.startswith("no note on merge request !3: cannot reach GitLab at http://127.0.0.1:")


def test_monitor_mode_posts_nothing(gitlab_api: FakeGitLabNotes) -> None:
    env = Env.from_environ({"GITLAB_TOKEN": GITLAB_TOKEN})
    outcome = publish((sample(),), ctx(gitlab_api.api_url), dataclasses.replace(rendered(), post_comment=False), env)
    assert outcome.notes == () and gitlab_api.requests == []
