"""The only module that runs every stage: request in, TraceResult out.

It never renders or publishes; the CLI picks reporters for the returned value.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from tracer import catalog as catalog_module
from tracer import config, locate, requirements, trace
from tracer.env import Env
from tracer.errors import InputError, TrackerError, UsageError
from tracer.gitinfo import RepoInfo, repo_info
from tracer.model import Classification, RequirementSet, ScanResult, Ticket, TraceResult
from tracer.sources.file import read_ticket_file


@dataclass(frozen=True)
class CheckRequest:
    path: Path
    ticket_file: Path | None = None
    ticket_keys: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    config_path: Path | None = None
    extra_excludes: tuple[str, ...] = ()
    discover_keys: bool = False  # find the keys in the branch, PR/MR and commits
    use_cache: bool = True


@dataclass(frozen=True)
class Deps:
    env: Env
    today: Callable[[], date] = date.today
    repo: Callable[[Path, Env], RepoInfo] = field(default=repo_info)


def load_config(request_path: Path, config_path: Path | None) -> config.OrgConfig:
    found = config_path if config_path is not None else config.find_config(request_path)
    return config.load(found)


def cache_dir(root: Path, org: config.OrgConfig, env: Env, wanted: bool) -> Path | None:
    """VIBEWARD_CACHE_DIR, else scan.cache_dir, else a per-repository folder in the user's cache."""
    if not wanted or not org.scan_cache or env.get("VIBEWARD_CACHE") == "off":
        return None
    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
    if env.get("VIBEWARD_CACHE_DIR"):
        return Path(env.get("VIBEWARD_CACHE_DIR")) / key
    if org.scan_cache_dir:
        base = Path(org.scan_cache_dir)
        if not base.is_absolute() and org.path.endswith((".yml", ".yaml")):
            base = Path(org.path).parent / base
        return base / key
    return env.cache_home() / "vibeward" / key


def tracker_settings(org: config.OrgConfig, env: Env) -> config.TrackerConfig:
    """The repository's `tracker:` section, else the connection saved by `vibeward connect`."""
    if org.tracker.type or org.tracker.url:
        return org.tracker
    from tracer.connect import user_tracker

    saved = user_tracker(env)
    if saved is None:
        return org.tracker
    tracker = saved[0]
    return replace(
        tracker,
        on_tracker_error=org.tracker.on_tracker_error,
        on_missing_key=org.tracker.on_missing_key,
        project_keys=org.tracker.project_keys or tracker.project_keys,
    )


def resolve_tickets(
    request: CheckRequest, org: config.OrgConfig, env: Env, root: Path
) -> tuple[tuple[Ticket, ...], tuple[str, ...]]:
    """The tickets to check, and what the user should know about how they were found."""
    if request.ticket_file is not None:
        return (read_ticket_file(request.ticket_file),), ()
    tracker = tracker_settings(org, env)
    keys = request.ticket_keys
    notes: list[str] = []
    if not keys and request.discover_keys:
        from tracer import keys as key_discovery

        found = key_discovery.discover(env, root, tracker.project_keys)
        notes.extend(found.warnings)
        keys = found.keys
        notes.extend(f"ticket {key} found in the {', '.join(found.where_found.get(key, ()))}" for key in keys)
        if not keys:
            message = "no ticket key found in the branch name, the pull request or the commit messages"
            if tracker.on_missing_key == "fail":
                hint = "name the ticket in the branch (PAY-123-…) or the PR title, or pass --ticket"
                raise InputError(message, hint + ("; " + key_discovery.SHALLOW_HINT if found.shallow else ""))
            notes.append(f"{message} (on_missing_key: {tracker.on_missing_key})")
            return (), tuple(notes)
    from tracer.sources import select_source

    tickets: list[Ticket] = []
    for key in keys:
        try:
            tickets.append(select_source(key, env, tracker, root).fetch(key))
        except TrackerError as exc:
            if tracker.on_tracker_error != "warn":
                raise
            notes.append(f"{key}: {exc.message} (on_tracker_error: warn, not checked)")
    return tuple(tickets), tuple(notes)


def plan(
    ticket: Ticket | None, controls: tuple[str, ...], org: config.OrgConfig, today: date
) -> tuple[Classification | None, RequirementSet]:
    """The requirements for a ticket (classified) or for controls named directly."""
    catalog = catalog_module.load_catalog()
    if controls:
        return None, requirements.for_controls(controls, catalog, org, today=today)
    if ticket is None:
        raise UsageError("give a ticket (--ticket-file or --ticket) or --controls")
    from tracer import classify  # only a ticket needs the classifier's lexicon

    classification = classify.classify(ticket, org)
    return classification, requirements.derive(classification, catalog, org, today=today, ticket_key=ticket.key)


def run_checks(request: CheckRequest, deps: Deps) -> tuple[TraceResult, ...]:
    """One trace per ticket (or one for --controls), all from a single engine run."""
    root = request.path
    if not root.exists():
        raise InputError(f"{root}: path does not exist", "pass the folder of the repository to check")
    org = load_config(root, request.config_path)
    today = deps.today()
    notes: tuple[str, ...] = ()
    plans: list[tuple[Ticket | None, Classification | None, RequirementSet]]
    if request.controls:
        plans = [(None, *plan(None, request.controls, org, today))]
    else:
        tickets, notes = resolve_tickets(request, org, deps.env, root)
        plans = [(ticket, *plan(ticket, (), org, today)) for ticket in tickets]
    wanted = tuple(dict.fromkeys(c for _, _, required in plans for c in required.control_ids))
    excludes = locate.DEFAULT_EXCLUDES + org.exclude + request.extra_excludes
    if wanted:
        scan = locate.scan(
            locate.ScanRequest(
                root=root,
                controls=wanted,
                excludes=excludes,
                timeout=org.scan_timeout,
                cache_dir=cache_dir(root, org, deps.env, request.use_cache),
            ),
            deps.env,
        )
    else:  # nothing is required, so no engine is started
        scan = ScanResult(findings=(), files_scanned=0, languages=(), rules_run=0, engine="", excluded=excludes)
    info = deps.repo(root, deps.env)
    if not plans:
        plans = [(None, None, RequirementSet(requirements=()))]
    results = []
    for ticket, classification, required in plans:
        nodes = trace.build_nodes(required, scan)
        results.append(
            TraceResult(
                ticket=ticket,
                classification=classification,
                nodes=nodes,
                verdict=trace.verdict(nodes, org.enforcement),
                scan=scan,
                conflicts=required.conflicts,
                repo_url=info.url,
                commit=info.commit,
                root=info.prefix,
                warnings=org.warnings + notes,
            )
        )
    return tuple(results)
