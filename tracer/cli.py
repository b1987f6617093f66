"""The click layer: options -> a request, one pipeline call, a reporter, an exit code.

This is the only module that prints or exits; errors from the core arrive as
TracerError subclasses and one decorator maps them to the exit-code table.
"""
from __future__ import annotations

import functools
import gc
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from tracer import __version__, errors, native
from tracer.env import Env
from tracer.reporters.formats import REPORT_FORMATS

if TYPE_CHECKING:
    from tracer.ci.detect import CIContext
    from tracer.model import Ticket, TraceResult
    from tracer.pipeline import TicketPlan

F = TypeVar("F", bound=Callable[..., Any])


def redact(text: str, env: Env) -> str:
    for secret in env.secrets():
        text = text.replace(secret, "****")
    return text


def handle_errors(func: F) -> F:
    """Map TracerError to its exit code with a one-line message; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        env = Env.from_environ()
        try:
            return func(*args, **kwargs)
        except errors.TracerError as exc:
            click.echo(f"vibeward: error: {redact(exc.message, env)}", err=True)
            if exc.hint:
                click.echo(f"  hint: {redact(exc.hint, env)}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("vibeward: interrupted", err=True)
            sys.exit(errors.INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly, as other Unix tools do on SIGPIPE.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(errors.BROKEN_PIPE)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: keep the details in a log, print one line
            log = Path(tempfile.gettempdir()) / "vibeward-crash.log"
            details = f"vibeward {__version__}, Python {sys.version.split()[0]}\n{traceback.format_exc()}"
            try:
                log.write_text(redact(details, env), encoding="utf-8")
                where = f"details in {log}"
            except OSError:
                where = "no log could be written"
            click.echo(f"vibeward: internal error: {exc.__class__.__name__} ({where})", err=True)
            sys.exit(errors.RUNTIME_FAILURE)

    return cast(F, wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    f"{__version__} (classifier {'compiled' if native.active else 'plain Python'})", prog_name="vibeward"
)
def cli() -> None:
    """vibeward: security and compliance requirements from the ticket to the code."""


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise errors.InputError(f"{output}: cannot write the report ({exc.strerror})") from None


def _control_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class ChangeOptions:
    """check's options for CI, diff awareness and the pre-push hook, as one record."""

    reports: tuple[tuple[str, Path], ...] = ()
    base: str | None = None
    publish: bool = True
    delta: bool | None = None  # None: when a PR/MR comment is posted
    pre_push: bool = False
    enforcement: str | None = None  # replaces the config's global enforcement mode


@dataclass(frozen=True)
class _Range:
    base: str = ""
    required: bool = False  # the user named the base: failing to diff against it is an error
    head: str = ""  # a commit to check in a worktree instead of the working tree


def _report_targets(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, Path], ...]:
    targets = []
    for value in values:
        name, equals, target = value.partition("=")
        if not equals or not target:
            raise click.BadParameter(f"{value!r}: expected FORMAT=PATH, e.g. sarif=vibeward.sarif")
        if name not in REPORT_FORMATS:
            raise click.BadParameter(f"{name!r} is not a report format ({', '.join(REPORT_FORMATS)})")
        targets.append((name, Path(target)))
    return tuple(targets)


_CHANGE_OPTIONS = (
    click.option(
        "--report",
        "report",
        multiple=True,
        metavar="FORMAT=PATH",
        callback=_report_targets,
        help="Also write this report file (repeatable), e.g. --report sarif=vibeward.sarif.",
    ),
    click.option("--base", help="Diff-aware: only violations on lines changed since this ref fail (base...HEAD)."),
    click.option("--no-publish", is_flag=True, help="In CI, post no comment, summary, annotations or outputs."),
    click.option(
        "--delta/--no-delta",
        default=None,
        help="Scan the base commit too, for the coverage delta (default: when a PR/MR comment is posted).",
    ),
    click.option("--pre-push", is_flag=True, help="Check the commits a `git push` sends (the pre-push hook)."),
    click.option(
        "--enforcement",
        type=click.Choice(("monitor", "comment", "block")),
        help="Replace the config's global mode: block fails, comment never fails, monitor also posts nothing.",
    ),
)


def change_options(func: F) -> F:
    """Adds _CHANGE_OPTIONS and hands them to the command as one `change: ChangeOptions`."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        report: tuple[tuple[str, Path], ...],
        base: str | None,
        no_publish: bool,
        delta: bool | None,
        pre_push: bool,
        enforcement: str | None,
        **kwargs: Any,
    ) -> Any:
        options = ChangeOptions(
            reports=report,
            base=base,
            publish=not no_publish,
            delta=delta,
            pre_push=pre_push,
            enforcement=enforcement,
        )
        return func(*args, change=options, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_CHANGE_OPTIONS):
        decorated = option(decorated)
    return cast(F, decorated)


def _change_range(change: ChangeOptions, context: CIContext | None, env: Env, path: Path) -> _Range | None:
    """The base (and pushed commit) to check against; None when a push sends nothing to check."""
    if not change.pre_push:
        if change.base:
            return _Range(base=change.base, required=True)
        return _Range(base=context.base_sha if context is not None else "")
    from tracer import hooks
    from tracer.gitrepo import Git

    git = Git.open(path, env)
    if git is None:
        raise errors.GitError(f"{path} is not in a git checkout", "run the pre-push check inside the repository")
    stdin = "" if env.get("PRE_COMMIT_TO_REF") or sys.stdin.isatty() else sys.stdin.read()
    pushed = hooks.push_range(env, stdin, git)
    if pushed is None:
        return None
    in_place = git.commit("HEAD") == git.commit(pushed.head) and git.is_clean()
    return _Range(base=pushed.base, required=True, head="" if in_place else pushed.head)


def _publish(
    results: Sequence[TraceResult], change: ChangeOptions, context: CIContext | None, env: Env, stdout_report: bool
) -> None:
    """Write the --report files, then (in CI) comment, summarise, annotate; failures only add notes."""
    if not change.reports and context is None:
        return  # nothing to write or post: a local check imports none of it
    from tracer.ci import comment, outcome
    from tracer.ci.detect import DEFAULT_REPORTS
    from tracer.reporters import RenderOptions, render_many
    from tracer.reporters.markdown import MARKER

    targets = dict(change.reports)
    if context is not None and not change.pre_push:
        for name, default in DEFAULT_REPORTS.get(context.provider, ()):
            if name in REPORT_FORMATS and name not in targets:
                targets[name] = Path(default)
    for name, target in targets.items():
        _write(render_many(name, results, RenderOptions()), target)
    if context is None or not change.publish or change.pre_push:
        return
    from tracer.ci.publish import publish

    share = max(1, len(results))
    rendered = outcome.Rendered(
        comment=render_many("markdown", results, RenderOptions(max_chars=comment.COMMENT_BUDGET // share)),
        summary=render_many("markdown", results, RenderOptions(max_chars=comment.SUMMARY_BUDGET // share)),
        marker=MARKER,
        reports=tuple((name, str(target)) for name, target in targets.items()),
        post_comment=outcome.wants_comment(results),
    )
    published = publish(results, context, rendered, env)
    for command in published.commands:  # the runner reads workflow commands on stdout and stderr
        click.echo(command, err=stdout_report)
    for note in published.notes:
        click.echo(f"vibeward: warning: {redact(note, env)}", err=True)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--ticket-file", type=click.Path(path_type=Path), help="A ticket in YAML or JSON.")
@click.option("--ticket", "ticket_keys", help="Ticket key(s), comma-separated, fetched from the tracker.")
@click.option("--controls", help="Require these control ids directly, with no ticket (comma-separated).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@click.option("--exclude", multiple=True, help="Another path pattern to leave out of the scan.")
@click.option("--no-cache", is_flag=True, help="Scan every file; neither read nor write the result cache.")
@click.option(
    "--all-locations",
    is_flag=True,
    help="List every evidence location (default: the first 50 per requirement and a count of the rest).",
)
@click.option("--no-evidence", is_flag=True, help="Do not append this check to the evidence ledger.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Check as on this date (YYYY-MM-DD).")
@change_options
@handle_errors
def check(
    path: Path,
    ticket_file: Path | None,
    ticket_keys: str | None,
    controls: str | None,
    config_path: Path | None,
    fmt: str,
    output: Path | None,
    exclude: tuple[str, ...],
    no_cache: bool,
    all_locations: bool,
    no_evidence: bool,
    as_of: datetime | None,
    change: ChangeOptions,
) -> None:
    """Trace a ticket's requirements to the code under PATH; exit 1 if one is missing or violated.

    With no ticket option, the ticket keys come from the branch name, the pull request and
    the commit messages (GitHub Actions, GitLab CI, or the local git history). In GitHub
    Actions or GitLab CI it also comments on the PR/MR and, with a base, only violations on
    changed lines fail (docs/ci.md).
    """
    from tracer.ci.detect import detect
    from tracer.pipeline import CheckRequest, Deps, run_checks
    from tracer.reporters import RenderOptions, render_many

    if sum([bool(ticket_file), bool(ticket_keys), bool(controls)]) > 1:
        raise errors.UsageError("give at most one of --ticket-file, --ticket or --controls")
    env = Env.from_environ()
    context = None if change.pre_push else detect(env)
    span = _change_range(change, context, env, path)
    if span is None:
        click.echo("vibeward: nothing to check in this push", err=True)
        sys.exit(errors.PASSED)
    request = CheckRequest(
        path=path,
        ticket_file=ticket_file,
        ticket_keys=_control_list(ticket_keys),
        controls=_control_list(controls),
        config_path=config_path,
        extra_excludes=exclude,
        discover_keys=not (ticket_file or ticket_keys or controls),
        use_cache=not no_cache,
        all_locations=all_locations,
        as_of=as_of.date() if as_of else None,
        base=span.base,
        base_required=span.required,
        head=span.head,
        delta=change.delta if change.delta is not None else bool(change.publish and context and context.number),
        enforcement=change.enforcement or "",
    )
    # A check builds a few objects per finding and keeps them to the end, none in cycles: the
    # cyclic collector would only re-walk them (~15% of a warm check), so it waits.
    gc.disable()
    try:
        results = run_checks(request, Deps(env=env))
        color = fmt == "text" and output is None and sys.stdout.isatty() and not env.no_color
        _write(render_many(fmt, results, RenderOptions(color=color)), output)
    finally:
        gc.enable()
    _publish(results, change, context, env, stdout_report=output is None and fmt != "text")
    passed = all(result.verdict.passed for result in results)
    if output is not None:
        for result in results:
            click.echo(result.verdict.summary, err=True)
    if not no_evidence and any(result.ticket is not None for result in results):  # after the verdict (docs/evidence.md)
        from tracer.evidence.recorder import record_checks

        for warning in record_checks(results, path=path, config_path=config_path, env=env):
            click.echo(f"vibeward: warning: {warning}", err=True)
    sys.exit(errors.PASSED if passed else errors.CONTROLS_FAILED)


@cli.command()
@click.option("--ticket-file", type=click.Path(path_type=Path), help="One ticket in YAML or JSON.")
@click.option("--input", "input_path", type=click.Path(path_type=Path), help="Tickets, one JSON object a line.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "jsonl")), default=None)
@click.option("--keep-going", is_flag=True, help="Report bad lines of --input and go on.")
@handle_errors
def classify(
    ticket_file: Path | None, input_path: Path | None, config_path: Path | None, fmt: str | None, keep_going: bool
) -> None:
    """Detect what makes tickets security-sensitive, with the evidence."""
    from tracer import classify as classifier
    from tracer import config
    from tracer.sources.file import iter_ticket_file, read_ticket_file

    if bool(ticket_file) == bool(input_path):
        raise errors.UsageError("give exactly one of --ticket-file or --input")
    org = config.load(config_path if config_path is not None else config.find_config(Path.cwd()))
    if ticket_file is not None:
        ticket = read_ticket_file(ticket_file)
        result = classifier.classify(ticket, org)
        if fmt in ("json", "jsonl"):
            data = classifier.classification_record(ticket, result, with_evidence=fmt == "json")
            click.echo(json.dumps(data, ensure_ascii=False, indent=None if fmt == "jsonl" else 2))
        else:
            click.echo(classifier.render_classification_text(ticket, result), nl=False)
        return
    assert input_path is not None
    with_evidence = fmt == "json"
    bad = 0
    for line in iter_ticket_file(input_path, keep_going=keep_going):
        if line.ticket is None:
            bad += 1
            click.echo(f"vibeward: skipped {line.error}", err=True)
            continue
        record = classifier.classification_record(line.ticket, classifier.classify(line.ticket, org), with_evidence)
        click.echo(json.dumps(record, ensure_ascii=False))
    if bad:
        click.echo(f"vibeward: {bad} bad line(s) skipped", err=True)
        sys.exit(errors.USAGE_ERROR)


@cli.command()
@click.option("--framework", type=click.Choice(("PCI-DSS", "HIPAA", "GDPR", "SOX", "SOC2")))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@handle_errors
def controls(framework: str | None, fmt: str) -> None:
    """The control catalog: citations, parameters, how each is verified."""
    from tracer.catalog import load_catalog
    from tracer.reporters.catalog import render_catalog, render_catalog_json

    catalog = load_catalog()
    chosen = catalog.for_framework(framework) if framework else catalog.controls
    click.echo(render_catalog_json(chosen) if fmt == "json" else render_catalog(chosen, framework), nl=False)


@cli.command("validate-config")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@handle_errors
def validate_config(file: Path | None) -> None:
    """Check compliance-config.yml: syntax, names, values, the standards' floors and waiver dates."""
    from tracer import config, requirements
    from tracer.catalog import load_catalog

    path = file if file is not None else config.find_config(Path.cwd())
    if path is None:
        raise errors.ConfigError("no compliance-config.yml here or at the repository root", "pass the file's path")
    org = config.load(path)
    problems, warnings = requirements.validate_policy(org, load_catalog())
    problems += requirements.expired_waivers(org, datetime.now().date())  # a waiver past its date fails
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(errors.USAGE_ERROR)
    enabled = ", ".join(name for name, policy in org.frameworks.items() if policy.enabled)
    click.echo(f"{path}: OK (frameworks: {enabled})")


@cli.group("eval")
def eval_group() -> None:
    """Measure vibeward on labeled data."""


@eval_group.command("tickets")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path))
@click.option("--keep-going", is_flag=True, help="Skip bad lines instead of stopping.")
@handle_errors
def eval_tickets(file: Path, config_path: Path | None, keep_going: bool) -> None:
    """Precision, recall and F1 of the classifier on a labeled JSON Lines file."""
    from tracer import config, evaluate

    org = config.load(config_path)
    report = evaluate.evaluate(file, org, keep_going=keep_going)
    click.echo(evaluate.render_eval(report), nl=False)


@cli.group()
def connect() -> None:
    """Remember a tracker connection for this user (never a secret) and check it."""


@connect.command("jira")
@click.option("--url", required=True, help="JIRA base URL, e.g. https://acme.atlassian.net")
@click.option("--project", required=True, help="The project key tickets live in, e.g. PAY.")
@click.option("--auth", "auth_kind", type=click.Choice(("cloud", "pat")), help="cloud: email + API token; pat: DC.")
@click.option("--email", help="The Atlassian account for --auth cloud (else JIRA_EMAIL).")
@click.option("--no-check", is_flag=True, help="Only save; do not call JIRA.")
@handle_errors
def connect_jira(url: str, project: str, auth_kind: str | None, email: str | None, no_check: bool) -> None:
    """Save the JIRA URL, project and auth kind; check serverInfo and the project live."""
    from tracer import connect as connecting

    env = Env.from_environ()
    connection = connecting.jira_connection(url, project, auth_kind, email, env)
    path = connecting.save(connection, env)
    click.echo(f"saved: JIRA {connection.url}, project {connection.project}, auth {connection.auth} -> {path}")
    if no_check:
        return
    result = connecting.check_jira(connection, env)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"connected: JIRA {result.deployment} {result.version}; project {result.project} ({result.project_name})"
        f" found; token from {result.token_from}"
    )


@cli.command("install-hook")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Replace a pre-push hook that is not vibeward's (kept as a backup).")
@click.option("--post-checkout", is_flag=True, help="Install the post-checkout hook (re-inject AI files) instead.")
@handle_errors
def install_hook(path: Path, force: bool, post_checkout: bool) -> None:
    """Write .git/hooks/pre-push: `vibeward check --pre-push` on the commits each push sends.

    With --post-checkout, write .git/hooks/post-checkout instead: on a branch checkout it
    re-injects the branch's ticket into the assistants chosen with `vibeward config ai`.
    """
    from tracer import hooks
    from tracer.gitrepo import Git

    git = Git.open(path, Env.from_environ())
    if git is None:
        raise errors.UsageError(f"{path} is not in a git checkout", "run install-hook inside the repository")
    if post_checkout:
        hook, state = hooks.install_post_checkout(git, sys.executable, force=force)
        click.echo(f"{state}: {hook} (re-injects on branch checkout when `vibeward config ai --auto-inject true`)")
        return
    hook, state = hooks.install(git, sys.executable, force=force)
    click.echo(f"{state}: {hook} (vibeward checks what each push sends; `git push --no-verify` skips it)")


# -- evidence: the ledger, reports, policy changes, ticket-time detection (docs/evidence.md) ----

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@cli.group()
def evidence() -> None:
    """The evidence ledger: every check, hash-chained, in SQLite or PostgreSQL."""


@evidence.command("verify")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@click.option("--url", default="", help="Ledger URL (else VIBEWARD_EVIDENCE_URL, evidence.url, .vibeward/).")
@handle_errors
def evidence_verify(path: Path, config_path: Path | None, url: str) -> None:
    """Walk the hash chain; name every record that was edited or deleted (exit 3 if any)."""
    from tracer.evidence.recorder import open_configured
    from tracer.evidence.store import LedgerError

    with open_configured(path, config_path, Env.from_environ(), url) as ledger:
        result = ledger.verify()
        shown = ledger.shown
    for problem in result.problems:
        click.echo(f"BAD  {problem.describe()}")
    if not result.ok:
        problems = f"{len(result.problems)} problem(s) in {result.records} records"
        raise LedgerError(f"{shown}: {problems}", "each BAD line above names a record")
    click.echo(f"OK   {shown}: {result.records} records, chain intact; head {result.head_seq} {result.head_hash}")


@evidence.command("export")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@click.option("--url", default="", help="Ledger URL (else VIBEWARD_EVIDENCE_URL, evidence.url, .vibeward/).")
@click.option("--format", "fmt", type=click.Choice(("jsonl",)), default="jsonl", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@handle_errors
def evidence_export(path: Path, config_path: Path | None, url: str, fmt: str, output: Path | None) -> None:
    """Every record with its hashes, one JSON object a line, in chain order."""
    from tracer.evidence.recorder import open_configured

    lines: list[str] = []
    with open_configured(path, config_path, Env.from_environ(), url) as ledger:
        count = ledger.export(lines.append)
    _write("".join(lines), output)
    if output is not None:
        click.echo(f"{count} records -> {output}", err=True)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    type=click.Choice(("PCI-DSS", "HIPAA", "GDPR", "SOX", "SOC2")),
    help="Report on this framework (repeatable; default: every framework found).",
)
@click.option("--from", "start", type=_DAY, required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", type=_DAY, required=True, help="Last day (included), YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(("md", "html", "json", "csv")), default="md", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write the report here instead of stdout.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@click.option("--url", default="", help="Ledger URL (else VIBEWARD_EVIDENCE_URL, evidence.url, .vibeward/).")
@handle_errors
def report(
    path: Path, frameworks: tuple[str, ...], start: Any, end: Any, fmt: str, output: Path | None,
    config_path: Path | None, url: str,
) -> None:
    """Compliance report from the ledger: tickets, requirements, rates per framework per quarter."""
    from tracer.evidence.audit import ReportRequest, collect
    from tracer.evidence.recorder import open_configured
    from tracer.evidence.report import render
    from tracer.evidence.store import TIME_FORMAT, utc_now

    if start.date() > end.date():
        raise errors.UsageError(f"--from {start.date()} is after --to {end.date()}")
    request = ReportRequest(frameworks, start.date(), end.date(), utc_now().strftime(TIME_FORMAT))
    with open_configured(path, config_path, Env.from_environ(), url) as ledger:
        audit = collect(ledger, request)
    _write(render(audit, fmt), output)
    if not audit.verification.ok:
        click.echo("vibeward: warning: the evidence ledger failed verification; see the report", err=True)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--since", help="The git revision whose compliance-config.yml is the old policy.")
@click.option("--old", "old_file", type=click.Path(path_type=Path), help="The old config file (with --new).")
@click.option("--new", "new_file", type=click.Path(path_type=Path), help="The new config file (with --old).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@click.option("--jql", help="The open tickets to re-classify (default: statusCategory != Done).")
@click.option("--apply", "apply_changes", is_flag=True, help="Comment on and label the affected tickets.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@handle_errors
def reflag(
    path: Path, since: str | None, old_file: Path | None, new_file: Path | None, config_path: Path | None,
    jql: str | None, apply_changes: bool, fmt: str,
) -> None:
    """What a policy change means for open tickets and recorded evidence (dry run unless --apply)."""
    import tempfile

    from tracer import config
    from tracer.catalog import load_catalog
    from tracer.evidence import reflag as reflagging
    from tracer.evidence.recorder import recorded_checks, repository_root
    from tracer.evidence.writeback import TicketWriter
    from tracer.pipeline import tracker_settings
    from tracer.sources import open_tracker

    env = Env.from_environ()
    if bool(since) == bool(old_file or new_file) or bool(old_file) != bool(new_file):
        raise errors.UsageError("give --since REV, or both --old FILE and --new FILE")
    with tempfile.TemporaryDirectory(prefix="vibeward-reflag-") as scratch:
        if since:
            old = reflagging.config_at_revision(path, config_path, since, Path(scratch))
            new = config.load(config_path if config_path is not None else config.find_config(path))
        else:
            old, new = config.load(old_file), config.load(new_file)
    tracker = tracker_settings(new, env)
    source = open_tracker(env, tracker, repository_root(path))
    tickets = reflagging.open_tickets(source, jql or reflagging.default_query(tracker.project_keys))
    entries = recorded_checks(path, config_path, env)
    result = reflagging.review(old, new, tickets, entries, source.fetch, load_catalog(), date.today())
    applied: list[str] = []
    if apply_changes:
        if not isinstance(source, TicketWriter):
            raise errors.UsageError(f"the {source.name} tracker takes no comments", "--apply needs JIRA")
        applied = reflagging.apply(result, source)
    if fmt == "json":
        click.echo(json.dumps({**reflagging.as_dict(result), "applied": applied}, indent=2, ensure_ascii=False))
    else:
        click.echo(reflagging.render_text(result, applied), nl=False)


def _intake(path: Path, config_path: Path | None, env: Env) -> Any:
    """The JIRA tracker, config and ledger that `serve` and `sync` write back with."""
    from tracer.catalog import load_catalog
    from tracer.evidence.recorder import resolve
    from tracer.evidence.records import policy_sha256
    from tracer.pipeline import tracker_settings
    from tracer.serve import Intake
    from tracer.sources import jira

    url, root, org = resolve(path, config_path, env)
    tracker = tracker_settings(org, env)
    if tracker.type and tracker.type != "jira":
        raise errors.ConfigError(f"tracker.type is {tracker.type}; ticket-time write-back speaks JIRA")
    source = jira.open_source(env, tracker, root)
    return Intake(
        ledger_url=url, root=root, tracker=source, org=org, catalog=load_catalog(), policy_sha256=policy_sha256(org)
    )


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@handle_errors
def serve(path: Path, host: str, port: int, config_path: Path | None) -> None:
    """Receive JIRA webhooks (signed with VIBEWARD_WEBHOOK_SECRET) and write requirements to new tickets."""
    from tracer.serve import make_server

    env = Env.from_environ()
    secret = env.get("VIBEWARD_WEBHOOK_SECRET")
    if not secret:
        raise errors.ConfigError("VIBEWARD_WEBHOOK_SECRET is not set", "use the secret configured on the JIRA webhook")
    intake = _intake(path, config_path, env)
    server = make_server(host, port, secret.encode("utf-8"), intake, lambda line: click.echo(line, err=True))
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"vibeward: listening on http://{bound_host!s}:{bound_port}/webhook/jira", err=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--jql", required=True, help="The tickets to look at, e.g. 'project = PAY AND updated > -1d'.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml to use.")
@handle_errors
def sync(path: Path, jql: str, config_path: Path | None) -> None:
    """Write requirements to the tickets a JQL query finds (the webhook's scheduled alternative)."""
    from tracer.serve import sync as syncing

    intake = _intake(path, config_path, Env.from_environ())
    outcomes, failures = syncing(intake.tracker.search(jql), intake)
    for outcome in outcomes:
        click.echo(f"{outcome.key}  {outcome.status}  {', '.join(outcome.requirements)}".rstrip())
    for failure in failures:
        click.echo(f"vibeward: error: {failure}", err=True)
    if failures:
        sys.exit(errors.RUNTIME_FAILURE)



# -- requirements for AI assistants and reviewers (docs/requirements.md) ---------------------


def _ticket_options(func: F) -> F:
    """TICKET as `check` takes it: --ticket KEY or --ticket-file FILE, else the branch's keys."""
    for option in reversed(
        (
            click.option("--ticket-file", type=click.Path(path_type=Path), help="A ticket in YAML or JSON."),
            click.option("--ticket", "ticket_keys", help="Ticket key(s), comma-separated, fetched from the tracker."),
            click.option("--config", "config_path", type=click.Path(path_type=Path), help="compliance-config.yml."),
            click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="As on this date (YYYY-MM-DD)."),
        )
    ):
        func = option(func)
    return func


def _ticket_plans(
    path: Path, ticket_file: Path | None, ticket_keys: str | None, config_path: Path | None, as_of: datetime | None
) -> tuple[TicketPlan, ...]:
    from tracer.pipeline import CheckRequest, Deps, plan_tickets

    if ticket_file and ticket_keys:
        raise errors.UsageError("give at most one of --ticket-file or --ticket")
    request = CheckRequest(
        path=path,
        ticket_file=ticket_file,
        ticket_keys=_control_list(ticket_keys),
        config_path=config_path,
        discover_keys=not (ticket_file or ticket_keys),
        as_of=as_of.date() if as_of else None,
    )
    plans, notes = plan_tickets(request, Deps(env=Env.from_environ()))
    for note in notes:
        click.echo(f"vibeward: {note}", err=True)
    if not plans:
        raise errors.InputError("no ticket to work on", "pass --ticket KEY or --ticket-file FILE")
    return plans


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_ticket_options
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), help="Write the block here instead of stdout.")
@handle_errors
def requirements(
    path: Path,
    ticket_file: Path | None,
    ticket_keys: str | None,
    config_path: Path | None,
    as_of: datetime | None,
    fmt: str,
    output: Path | None,
) -> None:
    """A ticket's requirements grouped by theme, with parameters (policy vs floor) and citations."""
    from tracer import blocks

    plans = _ticket_plans(path, ticket_file, ticket_keys, config_path, as_of)
    rendered = [blocks.render_requirements(fmt, p.ticket, p.classification, p.requirements, p.catalog) for p in plans]
    if fmt == "json" and len(rendered) > 1:
        items = [json.loads(text) for text in rendered]
        rendered = [json.dumps({"schema": "vibeward.requirements-set/v1", "tickets": items}, indent=2) + "\n"]
    _write("\n".join(rendered), output)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_ticket_options
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@handle_errors
def validate(
    path: Path,
    ticket_file: Path | None,
    ticket_keys: str | None,
    config_path: Path | None,
    as_of: datetime | None,
    fmt: str,
) -> None:
    """Exit 1 unless every mandatory control is present, parameters meet floors, conflicts are resolved
    and no waiver has expired; exit 2 on a configuration error."""
    from tracer import requirements as deriving
    from tracer import validate as validation
    from tracer.catalog import load_catalog
    from tracer.pipeline import load_config

    problems, _ = deriving.validate_policy(load_config(path, config_path), load_catalog())
    if problems:
        raise errors.ConfigError(problems[0], f"{len(problems)} problem(s); `vibeward validate-config` lists them")
    plans = _ticket_plans(path, ticket_file, ticket_keys, config_path, as_of)
    results = [
        validation.validate(p.ticket, p.classification, p.requirements, p.config, p.catalog, p.as_of) for p in plans
    ]
    if fmt == "json":
        data = [validation.as_dict(r) for r in results]
        click.echo(json.dumps(data[0] if len(data) == 1 else {"results": data}, indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(validation.render_text(r) for r in results), nl=False)
    sys.exit(errors.PASSED if all(r.passed for r in results) else errors.CONTROLS_FAILED)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_ticket_options
@click.option("--intent", default="", help="What you want the assistant to do (first in the prompt).")
@click.option("--copy", is_flag=True, help="Also copy the prompt to the clipboard.")
@handle_errors
def prompt(
    path: Path,
    ticket_file: Path | None,
    ticket_keys: str | None,
    config_path: Path | None,
    as_of: datetime | None,
    intent: str,
    copy: bool,
) -> None:
    """The prompt for an AI assistant: your intent, the binding requirements, the ticket fenced as data."""
    from tracer import blocks, clipboard

    plans = _ticket_plans(path, ticket_file, ticket_keys, config_path, as_of)
    text = "\n".join(
        blocks.render_prompt(intent, p.ticket, p.classification, p.requirements, p.catalog) for p in plans
    )
    click.echo(text, nl=False)
    if copy:
        used = clipboard.copy(text)
        if used:
            click.echo(f"vibeward: copied to the clipboard ({used})", err=True)
        else:
            hint = "install pyperclip, or wl-copy, xclip or pbcopy"
            click.echo(f"vibeward: no clipboard here ({hint}); the prompt is printed only", err=True)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_ticket_options
@click.option(
    "--assistant",
    "assistants",
    multiple=True,
    type=click.Choice(("copilot", "cursor", "agents", "claude")),
    help="Where to write (repeatable); default: the `vibeward config ai` choice.",
)
@click.option("--all", "all_assistants", is_flag=True, help="Write for all four assistants.")
@click.option("--clear", is_flag=True, help="Remove vibeward's files and sections (of the ticket, or all).")
@click.option("--apply-to", default="**", show_default=True, help="Globs the rules apply to (applyTo, Cursor globs).")
@handle_errors
def inject(
    path: Path,
    ticket_file: Path | None,
    ticket_keys: str | None,
    config_path: Path | None,
    as_of: datetime | None,
    assistants: tuple[str, ...],
    all_assistants: bool,
    clear: bool,
    apply_to: str,
) -> None:
    """Write the ticket's requirements where Copilot, Cursor, AGENTS.md and CLAUDE.md read them."""
    from tracer import aiconfig
    from tracer import inject as injecting

    chosen = injecting.ASSISTANTS if all_assistants else assistants or aiconfig.load(path).assistants
    if not chosen:
        hint = "pass --assistant X or --all, or run `vibeward config ai --assistant X`"
        raise errors.UsageError("no assistant chosen", hint)
    if clear:  # only the named ticket's files and sections; with no ticket, all of vibeward's
        keys: tuple[str | None, ...] = _control_list(ticket_keys)
        if ticket_file:
            keys = (_one_ticket(ticket_file).key,)
        for key in keys or (None,):
            for done in injecting.clear(path, chosen, key):
                click.echo(f"{done.action}: {done.path}")
        return
    _inject_plans(_ticket_plans(path, ticket_file, ticket_keys, config_path, as_of), path, chosen, apply_to)


def _one_ticket(ticket_file: Path) -> Ticket:
    from tracer.sources.file import read_ticket_file

    return read_ticket_file(ticket_file)


def _inject_plans(plans: tuple[TicketPlan, ...], root: Path, assistants: tuple[str, ...], apply_to: str) -> None:
    from tracer import inject as injecting

    broken = False
    for plan in plans:
        results = injecting.inject(
            root, plan.ticket, plan.classification, plan.requirements, plan.catalog, assistants, apply_to=apply_to
        )
        for done in results:
            cut = f"; cut to fit {injecting.BUDGET} bytes: {', '.join(done.cut)}" if done.cut else ""
            click.echo(f"{done.action}: {done.path} ({done.size} bytes{cut})")
            for problem in done.lint:
                broken = True
                click.echo(f"vibeward: lint: {done.path}: {problem}", err=True)
    if broken:
        raise errors.TracerError("an instruction file failed its lint", "please report this as a vibeward bug")


@cli.group("config")
def config_group() -> None:
    """This repository's local vibeward settings (.vibeward/config.yml)."""


@config_group.command("ai")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--assistant", "assistants", multiple=True, required=True,
              type=click.Choice(("copilot", "cursor", "agents", "claude")), help="Assistant to write for (repeatable).")
@click.option("--auto-inject", type=bool, default=False, show_default=True,
              help="Re-inject on branch checkout (with `vibeward install-hook --post-checkout`).")
@handle_errors
def config_ai(path: Path, assistants: tuple[str, ...], auto_inject: bool) -> None:
    """Choose the AI assistants `inject` writes for, and whether checkouts re-inject."""
    from tracer import aiconfig

    saved = aiconfig.save(path, aiconfig.AiSettings(assistants=assistants, auto_inject=auto_inject))
    click.echo(f"saved: assistants {', '.join(assistants)}; auto-inject {'on' if auto_inject else 'off'} -> {saved}")


@cli.group("hook", hidden=True)
def hook_group() -> None:
    """Entry points the git hooks vibeward installs call."""


@hook_group.command("post-checkout")
@click.argument("args", nargs=-1)
def hook_post_checkout(args: tuple[str, ...]) -> None:
    """Re-inject the branch's ticket (auto-inject on); never fails a checkout."""
    from tracer import aiconfig, hooks
    from tracer.gitrepo import Git
    from tracer.pipeline import load_config, tracker_settings

    env = Env.from_environ()
    try:
        git = Git.open(Path.cwd(), env)
        settings = aiconfig.load(Path.cwd())
        if git is None or not settings.auto_inject or not settings.assistants:
            return
        root = Path(git.run("rev-parse", "--show-toplevel"))
        tracker = tracker_settings(load_config(root, None), env)
        branch, keys = hooks.branch_keys(git, tracker.project_keys)
        if not keys:
            click.echo(f"vibeward: no ticket key in branch {branch or '(detached)'}; nothing injected", err=True)
            return
        _inject_plans(_ticket_plans(root, None, ",".join(keys[:1]), None, None), root, settings.assistants, "**")
    except errors.TracerError as exc:
        click.echo(f"vibeward: post-checkout: {redact(exc.message, env)} (checkout not affected)", err=True)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@handle_errors
def mcp(path: Path) -> None:
    """Serve get_requirements, validate and check_path over MCP (stdio, JSON-RPC 2.0)."""
    import io

    from tracer.mcp import Server
    from tracer.pipeline import Deps

    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=True)
    Server(Deps(env=Env.from_environ()), path).serve(stdin, stdout)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_ticket_options
@handle_errors
def annotate(
    path: Path, ticket_file: Path | None, ticket_keys: str | None, config_path: Path | None, as_of: datetime | None
) -> None:
    """Write the requirements to the JIRA ticket: one comment updated in place, labels, the risk property."""
    from tracer import annotate as annotating
    from tracer.pipeline import load_config, tracker_settings
    from tracer.sources import select_source

    if ticket_file:
        raise errors.UsageError("annotate writes to the tracker: pass --ticket KEY")
    env = Env.from_environ()
    tracker = tracker_settings(load_config(path, config_path), env)
    for plan in _ticket_plans(path, None, ticket_keys, config_path, as_of):
        source = select_source(plan.ticket.key, env, tracker, path)
        done = annotating.annotate(source, plan.ticket, plan.classification, plan.requirements, plan.catalog)
        verb = "added" if done.created else "updated"
        added = ", ".join(done.labels_added) or "none new"
        click.echo(f"{done.key}: comment {done.comment_id} {verb}; labels {added}; risk {done.risk['score']} "
                   f"{done.risk['level']} -> property {annotating.PROPERTY}")


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="vibeward", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else errors.USAGE_ERROR)
    return 0

