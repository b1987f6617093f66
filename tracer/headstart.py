"""A head start for `vibeward check`: the engine starts before the rest of vibeward is imported.

Most checks of a repository are the check before them again, a few files later: the same
command, the same controls, the same rules. The last check leaves a record of what it ran;
the next one, before importing its stages (~0.1 s), walks the tree, finds the changed files
and starts the engine on them with the recorded rules. The check then plans as always and
*claims* that run only if it is exactly the run it would start itself (same rules, files,
options and environment); otherwise the early run is stopped and the right one started, so
a head start changes when the engine starts, never what a check finds.

The record is a hint, read from the cache folder: nothing in it is executed (the engine
command comes from this process), the results cache it names is opened read-only, and a
record that does not match is only a missed head start.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracer.cache import ResultCache
from tracer.engine import (
    EngineRun,
    Inventory,
    Launch,
    ScanRequest,
    engine_version,
    launch_for,
    rules_for_files,
    stale_files,
    take_inventory,
    whole_tree,
)
from tracer.env import Env
from tracer.errors import TracerError

RECORD_FORMAT = "vibeward-headstart/1"
_MAX_RECORD_BYTES = 16 << 20


@dataclass(frozen=True)
class _Invocation:
    argv: tuple[str, ...]
    record: Path  # where this command's record is kept


@dataclass
class _Start:
    request: ScanRequest  # what the inventory was taken for
    inventory: Inventory
    run: EngineRun | None
    record_text: str  # as read: rewritten only when the check's plan differs


_invocation: _Invocation | None = None
_start: _Start | None = None


def begin(argv: list[str], environ: Mapping[str, str], cwd: Path) -> None:
    """For `check`: note the invocation and, if the last identical one left a record, start its engine run."""
    global _invocation, _start
    _invocation, _start = None, None
    if not argv or argv[0] != "check" or environ.get("VIBEWARD_CACHE") == "off":
        return
    env = Env.from_environ(environ)
    where = hashlib.sha256(str(cwd).encode("utf-8")).hexdigest()[:16]
    _invocation = _Invocation(tuple(argv), env.vibeward_cache() / "headstart" / f"{where}.json")
    try:
        text = _read_record(_invocation.record)
        record = _parse(text, _invocation.argv)
        if record is None:
            return
        request, rules, keys = record
        _start = _Start(request, *_speculate(request, rules, keys, env), record_text=text)
    except (TracerError, OSError, ValueError):
        return  # no head start: the check does everything itself


def take(request: ScanRequest, env: Env) -> Inventory:
    """The inventory for this scan: the head start's if it was taken for the same request."""
    if _start is not None and _inventory_key(_start.request) == _inventory_key(request):
        return _start.inventory
    return take_inventory(request, env)


def claim(launch: Launch) -> EngineRun | None:
    """The early engine run if it is exactly `launch` (then it belongs to the caller); else None,
    and an early run that does not match is stopped."""
    if _start is None or _start.run is None:
        return None
    run, _start.run = _start.run, None
    if run.launch == launch:
        return run
    run.close()
    return None


def remember(request: ScanRequest, rules: list[dict[str, Any]], keys: list[str]) -> None:
    """Record what this check runs, for the next identical command (one that came through begin()).

    Only the first scan of a check: the check's own (a coverage delta's base scan comes after).
    """
    global _invocation
    if _invocation is None or request.cache_dir is None:
        return
    invocation, _invocation = _invocation, None
    text = json.dumps(
        {
            "format": RECORD_FORMAT,
            "argv": list(invocation.argv),
            "root": str(request.root),
            "excludes": list(request.excludes),
            "cache_dir": str(request.cache_dir),
            "timeout": request.timeout,
            "rules": rules,  # in their own key order: the engine's rule file is compared as text
            "keys": keys,
        }
    )
    if _start is not None and _start.record_text == text:
        return
    try:
        invocation.record.parent.mkdir(parents=True, exist_ok=True)
        partial = invocation.record.with_name(f"{invocation.record.name}.{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, invocation.record)  # whole or not at all, with checks running at once
    except OSError:
        return  # only a head start is lost


def finish() -> None:
    """Stop an early run nobody claimed (the check needed other rules, or failed before its scan)."""
    global _start
    if _start is not None and _start.run is not None:
        _start.run.close()
    _start = None


def _read_record(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(_MAX_RECORD_BYTES + 1)
    if len(data) > _MAX_RECORD_BYTES:
        raise ValueError("record too large")
    return data.decode("utf-8")


def _parse(text: str, argv: tuple[str, ...]) -> tuple[ScanRequest, list[dict[str, Any]], list[str]] | None:
    record = json.loads(text)
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT or record.get("argv") != list(argv):
        return None
    excludes, rules, keys, timeout = (record.get(name) for name in ("excludes", "rules", "keys", "timeout"))
    if not (
        isinstance(record.get("root"), str)
        and isinstance(record.get("cache_dir"), str)
        and isinstance(excludes, list)
        and all(isinstance(e, str) for e in excludes)
        and isinstance(timeout, int)
        and isinstance(rules, list)
        and all(isinstance(r, dict) and isinstance(r.get("metadata"), dict) and "id" in r for r in rules)
        and isinstance(keys, list)
        and all(isinstance(k, str) for k in keys)
    ):
        return None
    root, cache_dir = Path(record["root"]), Path(record["cache_dir"])
    request = ScanRequest(root=root, controls=(), excludes=tuple(excludes), timeout=timeout, cache_dir=cache_dir)
    return request, rules, keys


def _speculate(
    request: ScanRequest, rules: list[dict[str, Any]], keys: list[str], env: Env
) -> tuple[Inventory, EngineRun | None]:
    """The inventory, and the engine started on the changed files with the recorded rules.

    Files whose rules changed since are left to the check (no `lacking` query here): it would
    start another run anyway, and the common case is kept short.
    """
    assert request.cache_dir is not None
    cache = ResultCache.existing(request.cache_dir, engine_version(env))
    if cache is None:
        raise ValueError("no cache to start from")
    try:
        inventory = take_inventory(request, env, cache)
        stale = stale_files(cache, inventory, keys, unchanged=False)
    finally:
        cache.close()
    if not stale or whole_tree(inventory, stale):
        return inventory, None  # nothing to run, or a long whole-tree run a head start hardly shortens
    targets = sorted(stale)
    return inventory, EngineRun(launch_for(request.root, rules_for_files(rules, targets), request, env, targets))


def _inventory_key(request: ScanRequest) -> tuple[Path, tuple[str, ...], Path | None]:
    """What an inventory depends on."""
    return request.root, request.excludes, request.cache_dir
