"""GitHub Actions: one sticky pull request comment, the job summary, annotations and step outputs.

- The comment starts with a hidden marker; the next run finds it (paging through the
  comments) and edits it in place, so a pull request has one vibeward comment, ever.
- Bodies stay under 65,536 characters; a 422 (body too long) is retried once, shorter.
- A fork's read-only token (403), a missing `pull-requests: write`, a bad token or no
  network end in one note: the summary, annotations, outputs and exit code are unaffected.
Reference: shared/reference/integrations.md §3.2-§3.4. API base: GITHUB_API_URL.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tracer.ci import annotate, comment
from tracer.ci.detect import CIContext
from tracer.ci.outcome import Outcome, Rendered, verdict_word
from tracer.env import Env
from tracer.model import TraceResult

if TYPE_CHECKING:
    from github.Issue import Issue

TIMEOUT = 15
SHORT_BODY = 30_000  # the second try after a 422


def publish(results: Sequence[TraceResult], context: CIContext, rendered: Rendered, env: Env) -> Outcome:
    notes = list(context.warnings)
    url = ""
    if context.number is not None and rendered.post_comment:
        body = comment.comment_body(rendered.comment, results, rendered.marker, comment.GITHUB_COMMENT_LIMIT)
        url, note = upsert_comment(context, env, body, rendered.marker)
        if note:
            notes.append(note)
    shown, left_over = annotate.select(annotate.collect(results))
    if context.summary_path:
        summary = comment.summary_body(rendered.summary, results, left_over, notes)
        note = write_summary(Path(context.summary_path), summary)
        if note:
            notes.append(note)
    if context.output_path:
        note = write_outputs(Path(context.output_path), outputs(results, rendered, url))
        if note:
            notes.append(note)
    return Outcome(commands=tuple(a.command() for a in shown), notes=tuple(notes), comment_url=url)


def upsert_comment(context: CIContext, env: Env, body: str, marker: str) -> tuple[str, str]:
    """(the comment's URL, "") or ("", a one-line note saying why there is no comment)."""
    where = context.change_name
    token = env.get(context.token_env) if context.token_env else ""
    if not token:
        return "", (
            f"no comment on {where}: no GitHub token; give the step `env: GITHUB_TOKEN: ${{{{ github.token }}}}`"
        )
    import requests
    from github import Auth, Github, GithubException

    client = Github(
        base_url=context.api_url,
        auth=Auth.Token(token),
        timeout=TIMEOUT,
        retry=None,
        per_page=100,
        lazy=True,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    try:
        issue = client.get_repo(context.repository).get_issue(context.number or 0)
        try:
            return _write(issue, body, marker), ""
        except GithubException as exc:
            if exc.status != 422 or len(body) <= SHORT_BODY:
                raise
            return _write(issue, comment.fit(body, SHORT_BODY), marker), ""
    except GithubException as exc:
        return "", f"no comment on {where}: {_explain(exc.status, _message(exc.data), context)}"
    except (requests.RequestException, OSError) as exc:
        return "", f"no comment on {where}: cannot reach GitHub at {context.api_url} ({exc.__class__.__name__})"
    finally:
        client.close()


def _write(issue: Issue, body: str, marker: str) -> str:
    for existing in issue.get_comments():  # PyGithub follows the Link pages
        if (existing.body or "").startswith(marker):
            if existing.body != body:
                existing.edit(body)
            return existing.html_url
    return issue.create_comment(body).html_url


def _message(data: object) -> str:
    if isinstance(data, Mapping):
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping) and errors[0].get("message"):
            return str(errors[0]["message"])
        if data.get("message"):
            return str(data["message"])
    return ""


def _explain(status: int, message: str, context: CIContext) -> str:
    said = f"{status} {message}".strip()
    if status == 403 and context.fork:
        return (
            f"the pull request comes from a fork, whose token is read-only ({said});"
            " the job summary and annotations carry the result"
        )
    if status == 403:
        return f"the token may not write comments ({said}); give the job `permissions: pull-requests: write`"
    if status == 401:
        return f"GitHub refused the token ({said})"
    if status == 404:
        return f"repository {context.repository} or the pull request not found with this token ({said})"
    if status == 422:
        return f"GitHub rejected the comment ({said}); the full trace is in the job summary"
    return f"GitHub answered {said}"


def write_summary(path: Path, text: str) -> str:
    """Append to the step's summary within its 1 MiB; a note instead of an exception on failure."""
    try:
        used = path.stat().st_size if path.exists() else 0
        with path.open("a", encoding="utf-8") as handle:
            handle.write(comment.fit_bytes(text, max(0, comment.SUMMARY_LIMIT - used)))
    except OSError as exc:
        return f"cannot write the job summary {path} ({exc.strerror or exc.__class__.__name__})"
    return ""


def outputs(results: Sequence[TraceResult], rendered: Rendered, comment_url: str) -> dict[str, str]:
    total = {
        name: sum(getattr(r.verdict, attribute) for r in results)
        for name, attribute in (
            ("implemented", "implemented"),
            ("missing", "missing"),
            ("violated", "violated"),
            ("manual", "manual"),
            ("waived", "waived"),
            ("pre-existing", "pre_existing"),
        )
    }
    reports = dict(rendered.reports)
    return {
        "verdict": verdict_word(results),
        **{name: str(count) for name, count in total.items()},
        "sarif-path": reports.get("sarif", ""),
        "report-paths": "\n".join(path for _, path in rendered.reports),
        "comment-url": comment_url,
    }


def write_outputs(path: Path, values: Mapping[str, str]) -> str:
    """Append `name=value` lines to GITHUB_OUTPUT (a delimited block for multi-line values)."""
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(lines))
    except OSError as exc:
        return f"cannot write the step outputs {path} ({exc.strerror or exc.__class__.__name__})"
    return ""
