"""Reporters: `render(result, options) -> str`, one module per format.

A reporter writes no file, reads no environment and no config: it renders the same
TraceResult the pipeline returned. JSON is the canonical form.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tracer.model import TraceResult
from tracer.reporters import codequality, json_report, junit, markdown, sarif, text


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    max_chars: int = 0  # 0: no limit (a PR comment sets one)


Renderer = Callable[[TraceResult, RenderOptions], str]

def render_many(fmt: str, results: Sequence[TraceResult], options: RenderOptions) -> str:
    """Several tickets of one change: one document for the machine formats, else the reports one after another."""
    if fmt == "json" and len(results) != 1:
        return json_report.render_set(results)
    if fmt in DOCUMENT_SETS:
        return DOCUMENT_SETS[fmt](results)
    return "\n".join(REPORTERS[fmt](result, options) for result in results)


REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "gitlab-codequality": codequality.render,
}
# Formats whose readers take one document per job: one SARIF run, one <testsuites>, one array.
DOCUMENT_SETS: dict[str, Callable[[Sequence[TraceResult]], str]] = {
    "sarif": sarif.render_set,
    "junit": junit.render_set,
    "gitlab-codequality": codequality.render_set,
}
