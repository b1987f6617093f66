"""What the CLI hands the publishers (rendered strings) and what they hand back (lines to print)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracer.model import Status, TraceResult


@dataclass(frozen=True)
class Rendered:
    comment: str  # the markdown reporter's output for the PR/MR, within comment.COMMENT_BUDGET
    summary: str  # the markdown reporter's output for the job summary
    marker: str  # the hidden marker the comment starts with (reporters.markdown.MARKER)
    reports: tuple[tuple[str, str], ...] = ()  # (format, path) of the report files written
    post_comment: bool = True  # False: enforcement monitor (report only) or no comment wanted


@dataclass(frozen=True)
class Outcome:
    commands: tuple[str, ...] = ()  # workflow commands (annotations) for stdout
    notes: tuple[str, ...] = ()  # one line each: what could not be published, and why
    comment_url: str = ""


def verdict_word(results: Sequence[TraceResult]) -> str:
    """fail (the check fails), warn (mandatory controls missing or violated, not blocking), or pass."""
    if not all(r.verdict.passed for r in results):
        return "fail"
    for result in results:
        for node in result.nodes:
            if not node.requirement.mandatory:
                continue
            if node.status is Status.MISSING:
                return "warn"
            if node.status is Status.VIOLATED and (
                not result.verdict.new_only or any(v.in_change for v in node.violations)
            ):
                return "warn"
    return "pass"


def wants_comment(results: Sequence[TraceResult]) -> bool:
    """monitor reports only: a comment is posted when some requirement is enforced as comment or block."""
    return any(r.verdict.mode != "monitor" for r in results)
