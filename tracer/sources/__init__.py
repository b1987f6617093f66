"""Ticket sources: one module per tracker behind the TicketSource protocol.

Each tracker module (jira, github, gitlab, linear) has `claims(key, env)` and
`open_source(env, tracker, root)` and is registered in SOURCES; client libraries are
imported inside those modules' functions, so importing this package stays cheap.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.model import Ticket
from tracer.sources import github, gitlab, jira, linear
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


SOURCES: dict[str, Tracker] = {
    "jira": jira,
    "github": github,
    "gitlab": gitlab,
    "linear": linear,
    "file": _FileTracker(),
}
# Without `tracker.type`, the first tracker that claims the key (by its shape and the
# environment variables set) is used; the file tracker claims everything else.
AUTO_ORDER = ("jira", "github", "gitlab", "linear", "file")


def select_source(key: str, env: Env, tracker_config: TrackerConfig, root: Path) -> TicketSource:
    """The tracker for `key`: `tracker.type` from config if set, else by key shape and environment."""
    if tracker_config.type:
        return SOURCES[tracker_config.type].open_source(env, tracker_config, root)
    for name in AUTO_ORDER:
        if SOURCES[name].claims(key, env):
            return SOURCES[name].open_source(env, tracker_config, root)
    return SOURCES["file"].open_source(env, tracker_config, root)


def open_tracker(env: Env, tracker_config: TrackerConfig, root: Path) -> TicketSource:
    """The tracker for searches, with no key to choose by: `tracker.type`, else JIRA when a JIRA URL
    is set (tracker.url or JIRA_URL), else the file tracker."""
    if tracker_config.type:
        return SOURCES[tracker_config.type].open_source(env, tracker_config, root)
    if tracker_config.url or env.get("JIRA_URL"):
        return SOURCES["jira"].open_source(env, tracker_config, root)
    return SOURCES["file"].open_source(env, tracker_config, root)
