"""The only module that runs every stage: request in, TraceResult out.

It never renders or publishes; the CLI picks reporters for the returned value.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from tracer import catalog as catalog_module
from tracer import config, delta, diff, engine, headstart, locate, requirements, trace
from tracer.env import Env
from tracer.errors import GitError, InputError, TracerError, TrackerError, UsageError
from tracer.gitrepo import DST_PREFIX, Git, RepoInfo, repo_info
from tracer.model import ChangeSet, Classification, RequirementSet, ScanResult, Ticket, TraceResult
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
    all_locations: bool = False  # list every evidence location, not the first of each requirement
    as_of: date | None = None  # the date that decides which citations apply (--as-of); None = today
    base: str = ""  # diff-aware against this ref or sha (--base, the PR/MR base, a pushed range)
    base_required: bool = False  # True: a base that cannot be diffed is an error, not a warning
    head: str = ""  # check this commit (in a temporary worktree) instead of the working tree
    delta: bool = False  # also scan the base commit, for the coverage delta of the PR/MR comment
    enforcement: str = ""  # replaces the config's global `enforcement` (its overrides still apply)


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
    if org.scan_cache_dir and not env.get("VIBEWARD_CACHE_DIR"):
        base = Path(org.scan_cache_dir)
        if not base.is_absolute() and org.path.endswith((".yml", ".yaml")):
            base = Path(org.path).parent / base
        return base / key
    return env.vibeward_cache() / key


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
    """One trace per ticket (or one for --controls), all from a single engine run.

    With request.head, the commit is checked out in a temporary worktree and checked there
    (a pre-push hook checks what is pushed, not the working tree).
    """
    root = request.path
    if not root.exists():
        raise InputError(f"{root}: path does not exist", "pass the folder of the repository to check")
    if not request.head:
        return _run_checks(request, deps, root)
    git = _git(root, deps.env, "checking a pushed commit")
    commit = git.commit(request.head)
    if commit is None:
        raise GitError(f"commit {request.head} is not in this repository")
    with git.worktree(commit) as tree:
        return _run_checks(request, deps, tree / git.prefix())


def _git(root: Path, env: Env, purpose: str) -> Git:
    git = Git.open(root, env)
    if git is None:
        raise GitError(f"{root} is not in a git checkout, which {purpose} needs")
    return git


def changes_for(request: CheckRequest, root: Path, env: Env) -> tuple[ChangeSet | None, tuple[str, ...]]:
    """The lines the change adds or modifies, or None (with a note) when there is no usable base.

    A base the user named (--base, a pushed range) that cannot be diffed is an error; a base
    from the CI context only degrades the check to "every violation counts", never to a pass.
    """
    if not request.base:
        return None, ()
    try:
        git = _git(root, env, "--base")
        return diff.parse(git.diff(request.base), base=request.base, prefix=DST_PREFIX), ()
    except GitError as exc:
        if request.base_required:
            raise
        hint = f"; {exc.hint}" if exc.hint else ""
        return None, (f"not diff-aware: {exc.message}{hint}; every violation counts as new",)


def base_scan(
    request: CheckRequest, root: Path, scan_request: engine.ScanRequest, env: Env
) -> tuple[ScanResult | None, str, tuple[str, ...]]:
    """The same scan on a worktree of the change's merge base (for the coverage delta), or a note why not."""
    git = Git.open(root, env)
    commit = git.merge_base(request.base) if git is not None else None
    if git is None or commit is None:
        hint = " (the clone is shallow: `fetch-depth: 0`)" if git is not None and git.is_shallow() else ""
        return None, "", (f"coverage delta skipped: the base commit {request.base} is not available{hint}",)
    try:
        prefix = git.prefix()
        with git.worktree(commit) as tree:
            folder = tree / prefix
            if not folder.is_dir():
                return None, commit, (f"coverage delta skipped: {prefix} does not exist on the base",)
            cache = worktree_cache(scan_request.cache_dir)
            return locate.scan(replace(scan_request, root=folder, cache_dir=cache), env), commit, ()
    except TracerError as exc:  # the delta is information; failing to get it never changes the verdict
        return None, commit, (f"coverage delta skipped: {exc.message}",)


def worktree_cache(cache: Path | None) -> Path | None:
    """Temporary worktrees keep their own cache beside the checkout's, so their files never mix."""
    if cache is None or cache.name.endswith("-worktree"):
        return cache
    return cache.with_name(cache.name + "-worktree")


class _GitFacts:
    """The diff against the base and where the code lives: git's time, spent while the engine runs."""

    def __init__(self, request: CheckRequest, scan_root: Path, deps: Deps) -> None:
        self.request, self.scan_root, self.deps = request, scan_root, deps
        self.changes: ChangeSet | None = None
        self.notes: tuple[str, ...] = ()
        self.info = RepoInfo()

    def gather(self) -> None:
        self.changes, self.notes = changes_for(self.request, self.scan_root, self.deps.env)
        self.info = self.deps.repo(self.scan_root, self.deps.env)


def _run_checks(request: CheckRequest, deps: Deps, scan_root: Path) -> tuple[TraceResult, ...]:
    root = request.path
    org = load_config(root, request.config_path)
    if request.enforcement:
        org = replace(org, enforcement=request.enforcement)
    today = request.as_of or deps.today()
    excludes = engine.DEFAULT_EXCLUDES + org.exclude + request.extra_excludes
    cache = cache_dir(root, org, deps.env, request.use_cache)
    scan_request = engine.ScanRequest(
        root=scan_root,
        controls=(),
        excludes=excludes,
        timeout=org.scan_timeout,
        cache_dir=cache if scan_root == root else worktree_cache(cache),
        max_locations=0 if request.all_locations else engine.DEFAULT_MAX_LOCATIONS,
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The files are walked and hashed while the tracker answers: the inventory needs no ticket.
        taking = pool.submit(headstart.take, scan_request, deps.env)
        notes: tuple[str, ...] = ()
        plans: list[tuple[Ticket | None, Classification | None, RequirementSet]]
        if request.controls:
            plans = [(None, *plan(None, request.controls, org, today))]
        else:
            tickets, notes = resolve_tickets(request, org, deps.env, root)
            plans = [(ticket, *plan(ticket, (), org, today)) for ticket in tickets]
        wanted = tuple(dict.fromkeys(c for _, _, required in plans for c in required.control_ids))
        scan_request = replace(scan_request, controls=wanted)
        # An inventory that failed (an empty folder) matters only if something is to be scanned.
        inventory = taking.result() if wanted else None
    git = _GitFacts(request, scan_root, deps)
    before: ScanResult | None = None
    base_commit = ""
    if inventory is not None:
        scan = locate.scan(scan_request, deps.env, inventory, while_engine_runs=git.gather)
        changes, info = git.changes, git.info
        notes += git.notes
        if request.delta and changes is not None:
            before, base_commit, delta_notes = base_scan(request, scan_root, scan_request, deps.env)
            notes += delta_notes
    else:  # nothing is required, so no engine is started
        scan = ScanResult(findings=(), files_scanned=0, languages=(), rules_run=0, engine="", excluded=excludes)
        git.gather()
        changes, info = git.changes, git.info
        notes += git.notes
    if not plans:
        plans = [(None, None, RequirementSet(requirements=()))]
    results = []
    policy = org.enforcement_policy
    new_only = changes is not None and org.pre_existing_violations == "report"
    for ticket, classification, required in plans:
        nodes = trace.build_nodes(required, scan, changes, policy, prefix=info.prefix)
        coverage = None
        if before is not None:
            coverage = delta.compare(trace.build_nodes(required, before), nodes, base_commit)
        results.append(
            TraceResult(
                ticket=ticket,
                classification=classification,
                nodes=nodes,
                verdict=trace.verdict(nodes, org.enforcement, new_only=new_only),
                scan=scan,
                conflicts=required.conflicts,
                repo_url=info.url,
                commit=info.commit,
                root=info.prefix,
                warnings=org.warnings + notes,
                change=changes,
                delta=coverage,
                as_of=today.isoformat(),
                waivers=required.waivers,
            )
        )
    return tuple(results)


@dataclass(frozen=True)
class TicketPlan:
    """A ticket's requirements without a scan: for `requirements`, `validate`, `prompt`, `inject`."""

    ticket: Ticket
    classification: Classification
    requirements: RequirementSet
    config: config.OrgConfig
    catalog: catalog_module.Catalog
    as_of: date


def plan_tickets(request: CheckRequest, deps: Deps) -> tuple[tuple[TicketPlan, ...], tuple[str, ...]]:
    """The tickets named as `check` names them (file, keys, or discovery), each classified and derived."""
    root = request.path
    org = load_config(root, request.config_path)
    today = request.as_of or deps.today()
    tickets, notes = resolve_tickets(request, org, deps.env, root)
    catalog = catalog_module.load_catalog()
    plans = []
    for ticket in tickets:
        classification, required = plan(ticket, (), org, today)
        assert classification is not None  # a ticket is always classified
        plans.append(TicketPlan(ticket, classification, required, org, catalog, today))
    return tuple(plans), org.warnings + notes
