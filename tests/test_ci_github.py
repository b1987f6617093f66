"""GitHub publishing through the real PyGithub client against a local GitHub REST server."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.fake_github import (
    GITHUB_BODY_LIMIT,
    READ_ONLY_TOKEN,
    WRITE_TOKEN,
    FakeGitHubComments,
    closed_port_url,
)
from tests.helpers.samples import sample
from tracer import trace
from tracer.ci import annotate, comment
from tracer.ci.detect import CIContext
from tracer.ci.github import publish, upsert_comment
from tracer.ci.outcome import Rendered
from tracer.env import Env
from tracer.model import ChangeSet, Finding, TraceResult
from tracer.reporters import RenderOptions, render_many
from tracer.reporters.markdown import MARKER

REPO = "acme/shop"


@pytest.fixture
def github() -> Iterator[FakeGitHubComments]:
    with FakeGitHubComments(page_size=2) as fake:
        yield fake


def ctx(api: str, tmp_path: Path, *, fork: bool = False, number: int | None = 7) -> CIContext:
    return CIContext(
        provider="github",
        repository=REPO,
        number=number,
        head_sha="b" * 40,
        base_sha="a" * 40,
        fork=fork,
        api_url=api,
        token_env="GITHUB_TOKEN",
        event="pull_request",
        summary_path=str(tmp_path / "summary.md"),
        output_path=str(tmp_path / "output.txt"),
    )


def rendered(results: tuple[TraceResult, ...], reports: tuple[tuple[str, str], ...] = ()) -> Rendered:
    return Rendered(
        comment=render_many("markdown", results, RenderOptions(max_chars=comment.COMMENT_BUDGET)),
        summary=render_many("markdown", results, RenderOptions(max_chars=comment.SUMMARY_BUDGET)),
        marker=MARKER,
        reports=reports,
    )


def env(token: str = WRITE_TOKEN) -> Env:
    return Env.from_environ({"GITHUB_TOKEN": token})


def test_one_sticky_comment_created_then_edited_in_place(github: FakeGitHubComments, tmp_path: Path) -> None:
    # Other comments fill more than one page, so finding ours again needs the Link pages.
    for index in range(5):
        github.add_comment(REPO, 7, f"review comment {index} mentioning {MARKER} in the middle")
    github.add_comment(REPO, 8, f"{MARKER}\nthe comment on another pull request")
    results = (sample(),)

    first = publish(results, ctx(github.url, tmp_path), rendered(results), env())
    assert first.notes == ()
    ours = [c for c in github.on(REPO, 7) if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and first.comment_url == ours[0]["html_url"]
    assert github.count("POST", r"/issues/7/comments$") == 1

    changed = (dataclasses.replace(sample(), warnings=("second run",)),)
    second = publish(changed, ctx(github.url, tmp_path), rendered(changed), env())
    assert second.notes == () and second.comment_url == first.comment_url
    ours = [c for c in github.on(REPO, 7) if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and "second run" in ours[0]["body"]
    assert github.count("POST", r"/issues/7/comments$") == 1  # never a second comment
    assert github.count("PATCH", rf"/issues/comments/{ours[0]['id']}$") == 1
    pages = {r.param("page", "1") for r in github.requests if r.method == "GET" and r.path.endswith("/7/comments")}
    assert {"1", "2", "3"} <= pages
    assert github.on(REPO, 8)[0]["body"].endswith("another pull request")  # not touched
    assert all(r.headers["authorization"] in (f"token {WRITE_TOKEN}", f"Bearer {WRITE_TOKEN}")
               for r in github.requests)


def test_unchanged_body_is_not_patched_again(github: FakeGitHubComments, tmp_path: Path) -> None:
    results = (sample(),)
    publish(results, ctx(github.url, tmp_path), rendered(results), env())
    publish(results, ctx(github.url, tmp_path), rendered(results), env())
    assert github.count("POST", r"/comments$") == 1 and github.count("PATCH", r".") == 0


def test_fork_token_403_is_one_note_and_the_rest_is_still_published(
    github: FakeGitHubComments, tmp_path: Path
) -> None:
    results = (sample(),)
    outcome = publish(results, ctx(github.url, tmp_path, fork=True), rendered(results, (("sarif", "v.sarif"),)),
                      env(READ_ONLY_TOKEN))
    assert len(outcome.notes) == 1
    note = outcome.notes[0]
    assert "fork" in note and "read-only" in note and "403" in note and "\n" not in note
    assert github.on(REPO, 7) == []
    assert (tmp_path / "summary.md").read_text().startswith(MARKER)
    assert "fork" in (tmp_path / "summary.md").read_text()  # the summary says why there is no comment
    outputs = (tmp_path / "output.txt").read_text()
    assert "verdict=fail\n" in outputs and "sarif-path=v.sarif\n" in outputs
    assert any(c.startswith("::error ") for c in outcome.commands)


def test_missing_permission_403_names_pull_requests_write(github: FakeGitHubComments, tmp_path: Path) -> None:
    url, note = upsert_comment(ctx(github.url, tmp_path), env(READ_ONLY_TOKEN), f"{MARKER}\nbody", MARKER)
    assert url == "" and "pull-requests: write" in note


def test_bad_token_and_no_token(github: FakeGitHubComments, tmp_path: Path) -> None:
    _, note = upsert_comment(ctx(github.url, tmp_path), env("ghs_wrong_token_000000"), f"{MARKER}\nx", MARKER)
    assert "refused the token" in note and "401" in note
    _, note = upsert_comment(ctx(github.url, tmp_path), Env.from_environ({}), f"{MARKER}\nx", MARKER)
    assert "no GitHub token" in note and "github.token" in note
    assert github.requests == [] or all(r.method == "GET" for r in github.requests)


def test_network_failure_is_one_line(tmp_path: Path) -> None:
    url, note = upsert_comment(ctx(closed_port_url(), tmp_path), env(), f"{MARKER}\nx", MARKER)
    assert url == "" and note.startswith("no comment on pull request #7: cannot reach GitHub at http://127.0.0.1:")


def test_body_is_truncated_below_the_limit_with_a_note(github: FakeGitHubComments, tmp_path: Path) -> None:
    huge = dataclasses.replace(sample(), warnings=tuple(f"note {i} " + "x" * 200 for i in range(600)))
    results = (huge,)
    outcome = publish(results, ctx(github.url, tmp_path), rendered(results), env())
    assert outcome.notes == ()
    body = github.on(REPO, 7)[0]["body"]
    assert body.startswith(MARKER) and len(body) <= GITHUB_BODY_LIMIT
    assert "truncated" in body


def test_422_is_retried_shorter_then_explained(github: FakeGitHubComments, tmp_path: Path) -> None:
    from tests.helpers.fake_trackers import Reply

    too_long = {
        "message": "Validation Failed",
        "errors": [{"message": "body is too long (maximum is 65536 characters)"}],
    }
    body = MARKER + "\n" + "y" * 50_000
    github.script("POST", r"/issues/7/comments$", Reply(422, too_long))
    url, note = upsert_comment(ctx(github.url, tmp_path), env(), body, MARKER)
    assert note == "" and url
    kept = github.on(REPO, 7)[0]["body"]
    assert len(kept) <= 30_000 and "truncated" in kept

    github.script("PATCH", r"/issues/comments/", Reply(422, too_long), Reply(422, too_long))
    url, note = upsert_comment(ctx(github.url, tmp_path), env(), MARKER + "\n" + "w" * 50_000, MARKER)
    assert url == "" and "422" in note and "body is too long" in note and "job summary" in note


def test_monitor_posts_no_comment_but_still_summarises(github: FakeGitHubComments, tmp_path: Path) -> None:
    results = (sample(),)
    quiet = dataclasses.replace(rendered(results), post_comment=False)
    outcome = publish(results, ctx(github.url, tmp_path), quiet, env())
    assert github.requests == [] and outcome.notes == ()
    assert (tmp_path / "summary.md").exists()


def test_summary_is_appended_and_capped_at_one_mebibyte(github: FakeGitHubComments, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step output\n", encoding="utf-8")
    results = (sample(),)
    big = dataclasses.replace(rendered(results), summary=MARKER + "\n" + "é" * 800_000, post_comment=False)
    publish(results, ctx(github.url, tmp_path), big, env())
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step output\n")
    assert len(text.encode("utf-8")) <= comment.SUMMARY_LIMIT and "truncated" in text


def test_outputs_are_written_for_the_action(github: FakeGitHubComments, tmp_path: Path) -> None:
    results = (sample(),)
    reports = (("sarif", "out/vibeward.sarif"), ("junit", "out/report.xml"))
    outcome = publish(results, ctx(github.url, tmp_path), rendered(results, reports), env())
    text = (tmp_path / "output.txt").read_text()
    verdict = results[0].verdict
    assert "verdict=fail\n" in text
    assert f"implemented={verdict.implemented}\nmissing={verdict.missing}\nviolated={verdict.violated}\n" in text
    assert "sarif-path=out/vibeward.sarif\n" in text
    assert f"comment-url={outcome.comment_url}\n" in text
    # a multi-line value goes in a delimited block
    assert "report-paths<<ghadelimiter_" in text and "\nout/vibeward.sarif\nout/report.xml\nghadelimiter_" in text


def with_violations(count: int, path: str = "app/orders,v2:x.py") -> TraceResult:
    base = sample()
    findings = tuple(
        Finding("parameterized_queries", "violation", "vibeward.python.parameterized_queries.fstring", path,
                10 + i, 11 + i, f"100% bad\nline {i}: {{x}}", "")
        for i in range(count)
    )
    scan = dataclasses.replace(base.scan, findings=base.scan.findings + findings)
    nodes = tuple(
        dataclasses.replace(
            node,
            violations=node.violations
            + tuple(
                trace._location(f, None)  # the same Location records build_nodes makes
                for f in findings
            ),
        )
        if node.requirement.control.id == "parameterized_queries"
        else node
        for node in base.nodes
    )
    return dataclasses.replace(base, nodes=nodes, scan=scan, root="services/api")


def test_annotations_are_escaped_and_relative_to_the_repository() -> None:
    found = annotate.collect((with_violations(1),))
    ours = [a for a in found if a.path.startswith("services/api/app/orders,v2:x.py")]
    command = ours[0].command()
    assert command.startswith("::error file=services/api/app/orders%2Cv2%3Ax.py,line=10,endLine=11,title=")
    assert "title=vibeward%3A parameterized_queries violated::" in command
    message = command.split("::", 2)[2]
    assert message.startswith("100%25 bad%0Aline 0: {x}")


def test_annotations_are_capped_at_ten_errors_and_ten_warnings_with_the_rest_in_the_summary(
    github: FakeGitHubComments, tmp_path: Path
) -> None:
    many = with_violations(14)
    changed = ChangeSet(base="main", files={"app/orders,v2:x.py": ((10, 16),)})
    # Lines 10-16 changed: the 7 violations touching them block (errors); the other 7, and the
    # sample's own on app/orders.py:88, are pre-existing (warnings).
    marked = dataclasses.replace(
        many,
        change=changed,
        verdict=dataclasses.replace(many.verdict, new_only=True),
        nodes=tuple(
            dataclasses.replace(
                n,
                violations=tuple(
                    dataclasses.replace(v, in_change=changed.touches(v.path, v.start_line, v.end_line))
                    for v in n.violations
                ),
            )
            for n in many.nodes
        ),
    )
    results = (marked,)
    outcome = publish(results, ctx(github.url, tmp_path), dataclasses.replace(rendered(results), post_comment=False),
                      env())
    errors = [c for c in outcome.commands if c.startswith("::error ")]
    warnings = [c for c in outcome.commands if c.startswith("::warning ")]
    assert len(errors) == 7 and len(warnings) == 8
    assert all("pre-existing" in w for w in warnings)
    summary = (tmp_path / "summary.md").read_text()
    assert "more finding(s) not annotated" not in summary

    many_more = dataclasses.replace(with_violations(25), verdict=dataclasses.replace(many.verdict, new_only=False))
    outcome = publish((many_more,), ctx(github.url, tmp_path),
                      dataclasses.replace(rendered((many_more,)), post_comment=False), env())
    assert sum(c.startswith("::error ") for c in outcome.commands) == 10
    summary = (tmp_path / "summary.md").read_text()
    assert "16 more finding(s) not annotated" in summary
    assert "`services/api/app/orders,v2:x.py:34`" in summary


def test_a_publishing_bug_is_a_note_not_a_lost_verdict(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tracer.ci import publish as publishing

    def broken(*args: object) -> object:
        raise KeyError("bug")

    monkeypatch.setitem(publishing.PUBLISHERS, "github", broken)
    outcome = publishing.publish((sample(),), ctx("http://127.0.0.1:9", tmp_path), rendered((sample(),)), env())
    assert outcome.notes == ("publishing to github failed unexpectedly (KeyError)",)
