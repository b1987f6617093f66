"""Statuses on the base commit against the change -> CoverageDelta (what the PR comment shows).

Pure: the pipeline scans a worktree of the base with the same rules and hands both node
tuples here; nothing is re-scanned.
"""
from __future__ import annotations

from collections.abc import Sequence

from tracer.model import ControlDelta, CoverageDelta, TraceNode


def compare(before: Sequence[TraceNode], after: Sequence[TraceNode], base_commit: str) -> CoverageDelta:
    """One entry per requirement of the change, in its order, with the base's status beside it."""
    by_control = {node.requirement.control.id: node for node in before}
    controls = []
    for node in after:
        control = node.requirement.control.id
        old = by_control.get(control)
        if old is None:  # the same requirements are traced on both sides; keep going if not
            continue
        controls.append(
            ControlDelta(
                control=control,
                before=old.status,
                after=node.status,
                before_location=old.locations[0] if old.locations else None,
            )
        )
    return CoverageDelta(base_commit=base_commit, controls=tuple(controls))
