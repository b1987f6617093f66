"""The only module that runs every stage: request in, TraceResult out.

It never renders or publishes; the CLI picks reporters for the returned value.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracer import catalog as catalog_module
from tracer import config, locate, requirements, trace
from tracer.env import Env
from tracer.errors import InputError, UsageError
from tracer.gitinfo import RepoInfo, repo_info
from tracer.model import Classification, RequirementSet, ScanResult, Ticket, TraceResult
from tracer.sources.file import FileSource, read_ticket_file


@dataclass(frozen=True)
class CheckRequest:
    path: Path
    ticket_file: Path | None = None
    ticket_key: str = ""
    controls: tuple[str, ...] = ()
    config_path: Path | None = None
    extra_excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deps:
    env: Env
    today: Callable[[], date] = date.today
    repo: Callable[[Path, Env], RepoInfo] = field(default=repo_info)


def load_config(request_path: Path, config_path: Path | None) -> config.OrgConfig:
    found = config_path if config_path is not None else config.find_config(request_path)
    return config.load(found)


def load_ticket(request: CheckRequest, root: Path) -> Ticket:
    if request.ticket_file is not None:
        return read_ticket_file(request.ticket_file)
    return FileSource(root / ".vibeward" / "tickets").fetch(request.ticket_key)


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


def run_check(request: CheckRequest, deps: Deps) -> TraceResult:
    root = request.path
    if not root.exists():
        raise InputError(f"{root}: path does not exist", "pass the folder of the repository to check")
    org = load_config(root, request.config_path)
    today = deps.today()
    ticket = None if request.controls else load_ticket(request, root)
    classification, required = plan(ticket, request.controls, org, today)
    excludes = locate.DEFAULT_EXCLUDES + org.exclude + request.extra_excludes
    if required.requirements:
        scan = locate.scan(
            locate.ScanRequest(
                root=root, controls=required.control_ids, excludes=excludes, timeout=org.scan_timeout
            ),
            deps.env,
        )
    else:  # nothing is required, so no engine is started
        scan = ScanResult(findings=(), files_scanned=0, languages=(), rules_run=0, engine="", excluded=excludes)
    nodes = trace.build_nodes(required, scan)
    info = deps.repo(root, deps.env)
    return TraceResult(
        ticket=ticket,
        classification=classification,
        nodes=nodes,
        verdict=trace.verdict(nodes, org.enforcement),
        scan=scan,
        conflicts=required.conflicts,
        repo_url=info.url,
        commit=info.commit,
        root=info.prefix,
        warnings=org.warnings,
    )
