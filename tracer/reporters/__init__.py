"""Reporters: `render(result, options) -> str`, one module per format.

A reporter writes no file, reads no environment and no config: it renders the same
TraceResult the pipeline returned. JSON is the canonical form.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tracer.model import TraceResult
from tracer.reporters import json_report, markdown, text


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    max_chars: int = 0  # 0: no limit (a PR comment sets one)


Renderer = Callable[[TraceResult, RenderOptions], str]

def render_many(fmt: str, results: Sequence[TraceResult], options: RenderOptions) -> str:
    """Several tickets of one change: one JSON document, or the reports one after another."""
    if fmt == "json" and len(results) != 1:
        return json_report.render_set(results)
    return "\n".join(REPORTERS[fmt](result, options) for result in results)


REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json_report.render,
}
