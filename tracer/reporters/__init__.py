"""Reporters: `render(result, options) -> str`, one module per format.

A reporter writes no file, reads no environment and no config: it renders the same
TraceResult the pipeline returned. JSON is the canonical form.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from tracer.model import TraceResult


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    max_chars: int = 0  # 0: no limit (a PR comment sets one)


Renderer = Callable[[TraceResult, RenderOptions], str]

def render_many(fmt: str, results: Sequence[TraceResult], options: RenderOptions) -> str:
    """Several tickets of one change: one document for the machine formats, else the reports one after another."""
    if fmt == "json" and len(results) != 1:
        from tracer.reporters import json_report

        return json_report.render_set(results)
    if fmt in DOCUMENT_SETS:
        return DOCUMENT_SETS[fmt](results)
    return "\n".join(REPORTERS[fmt](result, options) for result in results)


T = TypeVar("T")
# Format -> module; a check imports only the reporters it renders with (a CLI start-up cost).
_MODULES: Mapping[str, str] = {
    "text": "text",
    "markdown": "markdown",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "gitlab-codequality": "codequality",
}


class _Registry(Mapping[str, T], Generic[T]):
    """format -> a function of its module, imported on first use."""

    def __init__(self, function: str, formats: Sequence[str]) -> None:
        self.function = function
        self.formats = tuple(formats)

    def __getitem__(self, fmt: str) -> T:
        if fmt not in self.formats:
            raise KeyError(fmt)
        module = importlib.import_module(f"tracer.reporters.{_MODULES[fmt]}")
        return cast(T, getattr(module, self.function))

    def __iter__(self) -> Iterator[str]:
        return iter(self.formats)

    def __len__(self) -> int:
        return len(self.formats)


REPORTERS: Mapping[str, Renderer] = _Registry("render", tuple(_MODULES))
# Formats whose readers take one document per job: one SARIF run, one <testsuites>, one array.
DOCUMENT_SETS: Mapping[str, Callable[[Sequence[TraceResult]], str]] = _Registry(
    "render_set", ("sarif", "junit", "gitlab-codequality")
)
