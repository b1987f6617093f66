"""The click layer: options -> a request, one pipeline call, a reporter, an exit code.

This is the only module that prints or exits; errors from the core arrive as
TracerError subclasses and one decorator maps them to the exit-code table.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from tracer import __version__, errors
from tracer.env import Env
from tracer.reporters.formats import REPORT_FORMATS

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
@click.version_option(__version__, prog_name="vibeward")
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
@click.option("--no-evidence", is_flag=True, help="Do not append this check to the evidence ledger.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Check as on this date (YYYY-MM-DD).")
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
    no_evidence: bool,
    as_of: datetime | None,
) -> None:
    """Trace a ticket's requirements to the code under PATH; exit 1 if one is missing or violated.

    With no ticket option, the ticket keys come from the branch name, the pull request and
    the commit messages (GitHub Actions, GitLab CI, or the local git history).
    """
    from tracer.pipeline import CheckRequest, Deps, run_checks
    from tracer.reporters import RenderOptions, render_many

    if sum([bool(ticket_file), bool(ticket_keys), bool(controls)]) > 1:
        raise errors.UsageError("give at most one of --ticket-file, --ticket or --controls")
    env = Env.from_environ()
    request = CheckRequest(
        path=path,
        ticket_file=ticket_file,
        ticket_keys=_control_list(ticket_keys),
        controls=_control_list(controls),
        config_path=config_path,
        extra_excludes=exclude,
        discover_keys=not (ticket_file or ticket_keys or controls),
        use_cache=not no_cache,
        as_of=as_of.date() if as_of else None,
    )
    results = run_checks(request, Deps(env=env))
    color = fmt == "text" and output is None and sys.stdout.isatty() and not env.no_color
    _write(render_many(fmt, results, RenderOptions(color=color)), output)
    passed = all(result.verdict.passed for result in results)
    if output is not None:
        for result in results:
            click.echo(result.verdict.summary, err=True)
    if not no_evidence:  # after the verdict, never changing it (docs/evidence.md)
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
    """Check compliance-config.yml: syntax, names, values and the standards' floors."""
    from tracer import config, requirements
    from tracer.catalog import load_catalog

    path = file if file is not None else config.find_config(Path.cwd())
    if path is None:
        raise errors.ConfigError("no compliance-config.yml here or at the repository root", "pass the file's path")
    org = config.load(path)
    problems, warnings = requirements.validate_policy(org, load_catalog())
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


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="vibeward", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else errors.USAGE_ERROR)
    return 0

