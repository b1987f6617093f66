"""Reporters: `render(result, options) -> str`, one module per format.

A reporter writes no file, reads no environment and no config: it renders the same
TraceResult the pipeline returned. JSON is the canonical form.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracer.model import TraceResult
from tracer.reporters import json_report, markdown, text


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    max_chars: int = 0  # 0: no limit (a PR comment sets one)


Renderer = Callable[[TraceResult, RenderOptions], str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json_report.render,
}
