"""GitHub workflow-command annotations for violations and missing controls.

`::error file={path},line={n},endLine={n},title={t}::{msg}`, escaped as @actions/core does
(shared/reference/integrations.md §3.3): `%`, CR and LF in the message; also `:` and `,` in
properties. GitHub shows 10 error and 10 warning annotations per step; `select` keeps the
first of each (errors that block first) and returns the rest for the job summary.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracer.model import Location, Status, TraceNode, TraceResult

MAX_PER_LEVEL = 10
_LEVEL_ORDER = ("error", "warning", "notice")


@dataclass(frozen=True)
class Annotation:
    level: str  # error | warning | notice
    title: str
    message: str
    path: str = ""  # relative to the repository top; "" = not on a file
    line: int = 0
    end_line: int = 0

    def command(self) -> str:
        properties = []
        if self.path:
            properties.append(f"file={escape_property(self.path)}")
            if self.line:
                properties.append(f"line={self.line}")
                properties.append(f"endLine={max(self.line, self.end_line)}")
        properties.append(f"title={escape_property(self.title)}")
        return f"::{self.level} {','.join(properties)}::{escape_data(self.message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def collect(results: Sequence[TraceResult]) -> list[Annotation]:
    """Every violation, and every missing control whose expected file is known, sorted errors first.

    A missing control's file is known when the base commit implemented it (the coverage
    delta kept the place); otherwise it is left to the summary and the comment.
    """
    found: list[Annotation] = []
    for result in results:
        before = {c.control: c.before_location for c in result.delta.controls} if result.delta else {}
        for node in result.nodes:
            if node.status is Status.VIOLATED:
                found.extend(_violation(node, location, result) for location in node.violations)
            elif node.status is Status.MISSING:
                location = before.get(node.requirement.control.id)
                if location is not None:
                    found.append(_missing(node, location, result))
    found.sort(key=lambda a: (_LEVEL_ORDER.index(a.level), a.path, a.line, a.title))
    return found


def select(found: Sequence[Annotation]) -> tuple[list[Annotation], list[Annotation]]:
    """(shown, left over): at most MAX_PER_LEVEL annotations of each level, in order."""
    shown: list[Annotation] = []
    rest: list[Annotation] = []
    count = dict.fromkeys(_LEVEL_ORDER, 0)
    for annotation in found:
        if count[annotation.level] < MAX_PER_LEVEL:
            count[annotation.level] += 1
            shown.append(annotation)
        else:
            rest.append(annotation)
    return shown, rest


def _mode(node: TraceNode, result: TraceResult) -> str:
    return node.enforcement or result.verdict.mode


def _cited(node: TraceNode) -> str:
    refs = [c.printed() for c in node.requirement.citations if not c.general][:3]
    return f" ({' · '.join(refs)})" if refs else ""


def _repo_path(result: TraceResult, path: str) -> str:
    return f"{result.root}/{path}" if result.root else path


def _violation(node: TraceNode, location: Location, result: TraceResult) -> Annotation:
    control = node.requirement.control
    pre_existing = result.change is not None and not location.in_change
    counts = not (pre_existing and result.verdict.new_only)
    blocking = node.requirement.mandatory and counts and _mode(node, result) == "block"
    title = f"vibeward: {control.id} violated" + (" (pre-existing)" if pre_existing else "")
    return Annotation(
        level="error" if blocking else "warning",
        title=title,
        message=f"{location.message} — {control.title}{_cited(node)}",
        path=_repo_path(result, location.path),
        line=location.start_line,
        end_line=location.end_line,
    )


def _missing(node: TraceNode, base_location: Location, result: TraceResult) -> Annotation:
    control = node.requirement.control
    blocking = node.requirement.mandatory and _mode(node, result) == "block"
    return Annotation(
        level="error" if blocking else "warning",
        title=f"vibeward: {control.id} missing",
        message=(
            f"{control.title}: implemented here on the base commit (line {base_location.start_line}),"
            f" not found in this change{_cited(node)}"
        ),
        path=_repo_path(result, base_location.path),
        line=base_location.start_line,
        end_line=base_location.end_line,
    )
