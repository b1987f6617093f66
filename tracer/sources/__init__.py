"""Ticket sources: one module per tracker behind the TicketSource protocol.

Each tracker module (jira, github, gitlab, linear) has `claims(key, env)` and
`open_source(env, tracker, root)` and is named in TRACKER_MODULES; a tracker module is
imported when it is asked for, and client libraries inside those modules' functions, so
importing this package (every check does, for ticket files) stays cheap.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, cast

from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.model import Ticket
from tracer.sources.file import FileSource


class TicketSource(Protocol):
    name: str

    def fetch(self, key: str) -> Ticket: ...

    def search(self, query: str) -> Iterator[Ticket]: ...


class Tracker(Protocol):
    """What a tracker module offers for selection."""

    def claims(self, key: str, env: Env) -> bool: ...

    def open_source(self, env: Env, tracker: TrackerConfig, root: Path) -> TicketSource: ...


class _FileTracker:
    """The built-in tracker: ticket files in .vibeward/tickets/ (or tracker.url as a folder path)."""

    def claims(self, key: str, env: Env) -> bool:
        return True

    def open_source(self, env: Env, tracker: TrackerConfig, root: Path) -> TicketSource:
        return FileSource(root / ".vibeward" / "tickets")


TRACKER_MODULES: dict[str, str] = {
    "jira": "tracer.sources.jira",
    "github": "tracer.sources.github",
    "gitlab": "tracer.sources.gitlab",
    "linear": "tracer.sources.linear",
}


def tracker(name: str) -> Tracker:
    """The tracker called `name` (`tracker.type`), its module imported now."""
    if name == "file":
        return _FileTracker()
    return cast(Tracker, importlib.import_module(TRACKER_MODULES[name]))


# Without `tracker.type`, the first tracker that claims the key (by its shape and the
# environment variables set) is used; the file tracker claims everything else.
AUTO_ORDER = ("jira", "github", "gitlab", "linear", "file")


def select_source(key: str, env: Env, tracker_config: TrackerConfig, root: Path) -> TicketSource:
    """The tracker for `key`: `tracker.type` from config if set, else by key shape and environment."""
    if tracker_config.type:
        return tracker(tracker_config.type).open_source(env, tracker_config, root)
    for name in AUTO_ORDER:
        if tracker(name).claims(key, env):
            return tracker(name).open_source(env, tracker_config, root)
    return tracker("file").open_source(env, tracker_config, root)


def open_tracker(env: Env, tracker_config: TrackerConfig, root: Path) -> TicketSource:
    """The tracker for searches, with no key to choose by: `tracker.type`, else JIRA when a JIRA URL
    is set (tracker.url or JIRA_URL), else the file tracker."""
    if tracker_config.type:
        return tracker(tracker_config.type).open_source(env, tracker_config, root)
    if tracker_config.url or env.get("JIRA_URL"):
        return tracker("jira").open_source(env, tracker_config, root)
    return tracker("file").open_source(env, tracker_config, root)
