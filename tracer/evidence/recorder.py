"""The one call `vibeward check` makes into the evidence ledger, after its verdict.

Recording never changes the verdict. A ledger that cannot be written is a one-line warning,
unless the policy says `evidence.required: true`: then it is an error (exit 3), because the
organisation has said a check without its evidence does not count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from tracer import config
from tracer.env import Env
from tracer.errors import UsageError
from tracer.evidence.records import check_record, fingerprints
from tracer.evidence.store import (
    URL_VARIABLE,
    Entry,
    Ledger,
    LedgerError,
    ledger_url,
    open_ledger,
    sqlite_path,
    utc_now,
)
from tracer.model import TraceResult
from tracer.resources import rules_dir


def repository_root(path: Path) -> Path:
    """The top of the git checkout holding `path`, else `path` (or its folder) itself."""
    start = path.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def record_checks(
    results: Sequence[TraceResult],
    *,
    path: Path,
    config_path: Path | None,
    env: Env,
    clock: Callable[[], datetime] = utc_now,
) -> tuple[str, ...]:
    """Append one record per ticket result, in one transaction; returns warnings to show.

    Raises LedgerError (exit 3) instead of warning when the config sets `evidence.required: true`.
    """
    tickets = [result for result in results if result.ticket is not None]
    if not tickets:
        return ()
    org = config.load(config_path if config_path is not None else config.find_config(path))
    root = repository_root(path)
    try:
        prints = fingerprints(org, rules_dir(), env)
        url = ledger_url(env.get(URL_VARIABLE), org.evidence.url, root)
        with open_ledger(url, root=root, clock=clock) as ledger:
            ledger.append(
                [check_record(result, prints, result.repo_url or str(root)) for result in tickets],
                policies={prints.policy_sha256: prints.policy_json},
            )
    except (LedgerError, UsageError, OSError) as exc:
        message = f"evidence not recorded: {exc}"
        if org.evidence.required:
            where = org.where("evidence.required")
            raise LedgerError(message, f"{where} is true, so the check cannot pass without its evidence") from None
        return (message,)
    return ()


def resolve(path: Path, config_path: Path | None, env: Env, url: str = "") -> tuple[str, Path, config.OrgConfig]:
    """(ledger URL, repository root, config) as `check` would find them; `url` (--url) wins over both."""
    org = config.load(config_path if config_path is not None else config.find_config(path))
    root = repository_root(path)
    return url or ledger_url(env.get(URL_VARIABLE), org.evidence.url, root), root, org


def open_configured(path: Path, config_path: Path | None, env: Env, url: str = "") -> Ledger:
    """The ledger `check` appends to (for `evidence verify|export` and `report`); it must exist.

    A missing SQLite file is an error, not an empty ledger: it may have been deleted.
    """
    found, root, _ = resolve(path, config_path, env, url)
    if found.startswith("sqlite:///") and not sqlite_path(found, root).is_file():
        raise LedgerError(
            f"no evidence ledger at {sqlite_path(found, root)}",
            f"nothing was recorded there yet, or the file was removed; {URL_VARIABLE} or --url names another",
        )
    return open_ledger(found, root=root)


def recorded_checks(path: Path, config_path: Path | None, env: Env) -> tuple[Entry, ...]:
    """Every check record of the ledger, or none when there is no ledger yet (for `reflag`)."""
    found, root, _ = resolve(path, config_path, env)
    if found.startswith("sqlite:///") and not sqlite_path(found, root).is_file():
        return ()
    with open_ledger(found, root=root) as ledger:
        return ledger.entries(kind="check")
