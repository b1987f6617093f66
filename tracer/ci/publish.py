"""Publish a finished check to the CI host that runs it; one entry point for the CLI.

The CLI renders (reporters) and writes the report files first, then calls `publish`:
whatever fails here becomes a note, so the verdict and the exit code stay the check's.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from tracer.ci import github, gitlab
from tracer.ci.detect import CIContext
from tracer.ci.outcome import Outcome, Rendered
from tracer.env import Env
from tracer.model import TraceResult

Publisher = Callable[[Sequence[TraceResult], CIContext, Rendered, Env], Outcome]
PUBLISHERS: dict[str, Publisher] = {
    "github": github.publish,
    "gitlab": gitlab.publish,
}


def publish(results: Sequence[TraceResult], context: CIContext, rendered: Rendered, env: Env) -> Outcome:
    publisher = PUBLISHERS.get(context.provider)
    if publisher is None:
        return Outcome(notes=(f"publishing to {context.provider} is not supported",))
    try:
        return publisher(results, context, rendered, env)
    except Exception as exc:  # a bug in publishing must not cost the verdict (the check has one already)
        return Outcome(notes=(f"publishing to {context.provider} failed unexpectedly ({exc.__class__.__name__})",))
