"""What CI adds to the rendered Markdown: the change and its coverage delta, left-over findings, notes.

The markdown reporter renders the trace (RenderOptions.max_chars keeps it within
COMMENT_BUDGET); these sections follow it, and `fit` guarantees the host's hard limit.
Paths, messages and notes can carry repository or ticket text, so they are escaped.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from tracer.ci.annotate import Annotation
from tracer.model import CoverageDelta, Status, TraceResult

GITHUB_COMMENT_LIMIT = 65_536  # characters; past it GitHub answers 422 "Body is too long"
GITLAB_NOTE_LIMIT = 1_000_000  # characters
COMMENT_BUDGET = 60_000  # for the markdown reporter; the rest is room for the sections below
SUMMARY_LIMIT = 1024 * 1024  # bytes per step summary (GitHub drops a larger one)
SUMMARY_BUDGET = 900_000  # characters for the markdown reporter in the summary
SECTION_LIMIT = 4_000  # characters of CI sections per result
TRUNCATED = "\n\n_… truncated: the full trace is in the job summary and the report files._\n"
_ICON = {
    Status.IMPLEMENTED: "✅",
    Status.MISSING: "❌",
    Status.VIOLATED: "⛔",
    Status.MANUAL: "📝",
    Status.WAIVED: "⏭️",
}
_SPECIAL = re.compile(r"([\\`*_{}\[\]|~#])")
_DETAILS = "\n\n<details>"  # where the markdown reporter's per-requirement details begin


def escape(text: str) -> str:
    """Inline-safe Markdown, as the markdown reporter escapes: no HTML, links, mentions or line breaks."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text).replace("@", "&#64;")


def fit(text: str, limit: int) -> str:
    """text, or its beginning and a truncation note, within limit characters."""
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED)] + TRUNCATED


def fit_bytes(text: str, limit: int) -> str:
    """text within limit bytes of UTF-8 (the job summary limit counts bytes)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = max(0, limit - len(TRUNCATED.encode("utf-8")))
    return data[:room].decode("utf-8", "ignore") + TRUNCATED


def comment_body(rendered: str, results: Sequence[TraceResult], marker: str, limit: int) -> str:
    """The PR/MR comment: marker first (so the next run finds it), the trace, and the change."""
    body = rendered if rendered.startswith(marker) else f"{marker}\n{rendered}"
    return fit(with_sections(body, results), limit)


def with_sections(rendered: str, results: Sequence[TraceResult]) -> str:
    """The change sections after the requirements table of a single trace (before its details),
    where a reviewer reads first; after everything when several tickets are traced."""
    sections = "\n\n".join(s for s in (change_section(r, len(results) > 1) for r in results) if s)
    if not sections:
        return rendered
    table_end = rendered.find(_DETAILS) if len(results) == 1 else -1
    if table_end > 0:
        return f"{rendered[:table_end]}\n\n{sections}\n{rendered[table_end:]}"
    return rendered.rstrip("\n") + "\n\n" + sections + "\n"


def summary_body(
    rendered: str, results: Sequence[TraceResult], left_over: Sequence[Annotation], notes: Sequence[str]
) -> str:
    """The job summary: the trace, the change, the findings not annotated, and what publishing said."""
    parts = [with_sections(rendered, results).rstrip("\n")]
    if left_over:
        lines = [f"#### {len(left_over)} more finding(s) not annotated (10 errors and 10 warnings per step)", ""]
        for annotation in left_over:
            where = f"`{escape(annotation.path)}:{annotation.line}` " if annotation.path else ""
            lines.append(f"- **{annotation.level}** {where}{escape(annotation.title)}: {escape(annotation.message)}")
        parts.append("\n".join(lines))
    if notes:
        parts.append("\n".join(f"> {escape(note)}" for note in notes))
    return "\n\n".join(parts) + "\n"


def change_section(result: TraceResult, with_ticket: bool = False) -> str:
    """The change against its base: new and pre-existing violations, the coverage delta, notes."""
    change = result.change
    if change is None and not result.warnings:
        return ""
    title = "#### Change"
    if with_ticket and result.ticket is not None:
        title += f" · {escape(result.ticket.key)}"
    lines = [title, ""]
    if change is not None:
        violations = [v for node in result.nodes for v in node.violations]
        new = sum(1 for v in violations if v.in_change)
        lines.append(
            f"Against `{_short(change.base)}`: {len(change.files)} changed file(s) · "
            f"{new} violation(s) on changed lines · {len(violations) - new} on lines this change left alone"
            + (" (pre-existing, not blocking)" if result.verdict.new_only and len(violations) > new else "")
        )
        if result.delta is not None:
            lines.extend(["", *_delta_lines(result.delta)])
    if result.warnings:
        lines.extend(["", f"<details><summary>Notes ({len(result.warnings)})</summary>", ""])
        lines.extend(f"- {escape(warning)}" for warning in result.warnings)
        lines.extend(["", "</details>"])
    return fit("\n".join(lines), SECTION_LIMIT)


def _delta_lines(delta: CoverageDelta) -> list[str]:
    newly_met = ", ".join(f"`{c}`" for c in delta.newly_met) or "none"
    newly_broken = ", ".join(f"`{c}`" for c in delta.newly_broken) or "none"
    lines = [
        f"Coverage against the base `{delta.base_commit[:12]}`: requirements met **{delta.met_before} → "
        f"{delta.met_after}** · newly met: {newly_met} · newly broken: {newly_broken}",
    ]
    moved = [entry for entry in delta.controls if entry.before is not entry.after]
    if not moved:
        return lines
    lines.extend(["", "| Requirement | Base | This change |", "|---|---|---|"])
    for entry in moved:
        before, after = entry.before, entry.after
        lines.append(f"| `{entry.control}` | {_ICON[before]} {before.value} | {_ICON[after]} {after.value} |")
    return lines


def _short(ref: str) -> str:
    return ref[:12] if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", ref) else escape(ref[:80])
