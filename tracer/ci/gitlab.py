"""GitLab merge requests: one sticky note, found again by its hidden marker and updated in place.

The token comes from VIBEWARD_GITLAB_TOKEN or GITLAB_TOKEN (a project, group or personal
token with `api` scope): CI_JOB_TOKEN cannot write merge request notes. System notes
("added 1 commit") are skipped when looking for ours. A failure ends in one note; the
report files (Code Quality, JUnit) and the exit code are unaffected.
Reference: shared/reference/integrations.md §4. API base: CI_API_V4_URL.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracer.ci import comment
from tracer.ci.detect import CIContext
from tracer.ci.outcome import Outcome, Rendered
from tracer.env import Env
from tracer.model import TraceResult

if TYPE_CHECKING:
    from gitlab.v4.objects import ProjectMergeRequest

TIMEOUT = 15
API_SUFFIX = "/api/v4"


def publish(results: Sequence[TraceResult], context: CIContext, rendered: Rendered, env: Env) -> Outcome:
    notes = list(context.warnings)
    url = ""
    if context.number is not None and rendered.post_comment:
        body = comment.comment_body(rendered.comment, results, rendered.marker, comment.GITLAB_NOTE_LIMIT)
        url, note = upsert_note(context, env, body, rendered.marker)
        if note:
            notes.append(note)
    return Outcome(notes=tuple(notes), comment_url=url)


def upsert_note(context: CIContext, env: Env, body: str, marker: str) -> tuple[str, str]:
    """(the note's id as "note_<id>", "") or ("", a one-line note saying why there is none)."""
    where = context.change_name
    token = env.get(context.token_env) if context.token_env else ""
    if not token:
        job_only = " (CI_JOB_TOKEN cannot write merge request notes)" if env.get("CI_JOB_TOKEN") else ""
        return "", f"no note on {where}: set GITLAB_TOKEN to a token with `api` scope{job_only}"
    import gitlab
    import requests

    server = context.api_url.removesuffix(API_SUFFIX)
    client = gitlab.Gitlab(
        url=server, private_token=token, timeout=TIMEOUT, retry_transient_errors=False, keep_base_url=True
    )
    try:
        request = client.projects.get(context.repository, lazy=True).mergerequests.get(context.number or 0, lazy=True)
        return _write(request, body, marker), ""
    except gitlab.exceptions.GitlabError as exc:
        status = exc.response_code or 0
        said = f"{status} {exc.error_message}".strip() if status else str(exc.error_message)
        if status in (401, 403):
            return "", f"no note on {where}: GitLab refused the token ({said}); it needs `api` scope and Reporter role"
        return "", f"no note on {where}: GitLab answered {said}"
    except (requests.RequestException, OSError) as exc:
        return "", f"no note on {where}: cannot reach GitLab at {server} ({exc.__class__.__name__})"


def _write(request: ProjectMergeRequest, body: str, marker: str) -> str:
    for note in request.notes.list(iterator=True, sort="asc", order_by="updated_at"):
        if note.system or not str(note.body or "").startswith(marker):
            continue
        if note.body != body:
            note.body = body
            note.save()
        return f"note_{note.id}"
    created = request.notes.create({"body": body})
    return f"note_{created.id}"
