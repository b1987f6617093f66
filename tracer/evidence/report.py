"""An AuditReport as Markdown, JSON (vibeward.audit/v1), CSV or one self-contained HTML file.

Ticket text is untrusted: it is escaped in Markdown, guarded against formula injection in CSV,
and autoescaped by Jinja2 in HTML (templates/audit-report.html.j2). The HTML carries its CSS and
its charts (inline SVG, drawn here as coordinates) and loads nothing: its Content-Security-Policy
forbids every fetch. Citations are printed exactly as the catalog prints them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracer.evidence.audit import AuditReport, Rate, TicketSection, counted
from tracer.evidence.store import Verification

SCHEMA = "vibeward.audit/v1"
FORMATS = ("md", "html", "json", "csv")
RATE_DEFINITION = (
    "share of mandatory requirements implemented or waived at the latest check of each ticket in the period"
)
STATUS_ICON = {"implemented": "✅", "missing": "❌", "violated": "⛔", "manual": "📝", "waived": "⏭️"}
STATUS_MARK = {"implemented": "✓", "missing": "✗", "violated": "!", "manual": "?", "waived": "~"}  # any font has these
PALETTE = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df")  # one colour per framework line
_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]|~#!])")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def render(report: AuditReport, fmt: str) -> str:
    renderers: dict[str, Callable[[AuditReport], str]] = {"md": markdown, "json": as_json, "csv": as_csv, "html": html}
    return renderers[fmt](report)


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def short(commit: str) -> str:
    return commit[:12]


def safe_url(url: str) -> str:
    """Only http(s) links are kept: a ticket's URL is untrusted (javascript: and data: are dropped)."""
    return url if re.match(r"^https?://[^\s\"'<>]+$", url or "") else ""


def integrity(verification: Verification) -> str:
    if verification.ok:
        return (
            f"chain verified: {verification.records} records, head {verification.head_seq} "
            f"{verification.head_hash[:16]}…"
        )
    return f"VERIFICATION FAILED: {len(verification.problems)} problem(s); the figures below rest on a damaged ledger"


# -- JSON --------------------------------------------------------------------------------------


def as_dict(report: AuditReport) -> dict[str, Any]:
    request = report.request
    return {
        "schema": SCHEMA,
        "frameworks": list(report.frameworks),
        "period": {"from": request.start.isoformat(), "to": request.end.isoformat()},
        "generated_at": request.generated_at,
        "rate_definition": RATE_DEFINITION,
        "ledger": {
            "location": report.ledger,
            "verified": report.verification.ok,
            "records": report.verification.records,
            "head_seq": report.verification.head_seq,
            "head_hash": report.verification.head_hash,
            "problems": [p.describe() for p in report.verification.problems],
        },
        "rates": [_rate(r) for r in report.quarters],
        "trend": [_rate(r) for r in report.trend],
        "gaps": [
            {
                "framework": g.framework,
                "control": g.control,
                "title": g.title,
                "open": len(g.tickets),
                "tickets": list(g.tickets),
            }
            for g in report.gaps
        ],
        "tickets": [_ticket(t, report.frameworks) for t in report.tickets],
    }


def _rate(rate: Rate) -> dict[str, Any]:
    value = rate.rate
    return {
        "framework": rate.framework,
        "period": rate.period,
        "from": rate.start.isoformat(),
        "to": rate.end.isoformat(),
        "tickets": rate.tickets,
        "mandatory": rate.mandatory,
        "satisfied": rate.satisfied,
        "rate": None if value is None else round(value, 4),
    }


def _ticket(section: TicketSection, frameworks: Sequence[str]) -> dict[str, Any]:
    latest = section.latest
    return {
        "key": section.key,
        "title": section.title,
        "url": section.url,
        "checks": [
            {
                "seq": c.seq,
                "recorded_at": c.recorded_at,
                "commit": c.commit,
                "repository": c.repository,
                "passed": c.passed,
                "run_url": c.run_url,
            }
            for c in section.checks
        ],
        "policy": latest.get("policy"),
        "rules": latest.get("rules"),
        "vibeward_version": latest.get("vibeward_version"),
        "requirements": [
            {**dict(r), "counted_for": [f for f in frameworks if counted(r, f)]} for r in section.requirements
        ],
    }


def as_json(report: AuditReport) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


# -- Markdown ----------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Inline-safe Markdown for untrusted text: no HTML, links, headings, tables or line breaks."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_ESCAPE.sub(r"\\\1", text).replace("@", "&#64;")


def _locations(requirement: Mapping[str, Any], key: str) -> list[str]:
    shown = []
    for loc in requirement.get(key) or ():
        lines = (
            f"{loc['start_line']}" if loc["end_line"] <= loc["start_line"] else f"{loc['start_line']}-{loc['end_line']}"
        )
        shown.append(f"{loc['path']}:{lines}")
    return shown


def markdown(report: AuditReport) -> str:
    request = report.request
    names = ", ".join(report.frameworks) or "no framework"
    out = [
        f"# Compliance report: {names}",
        "",
        f"Period {request.start.isoformat()} to {request.end.isoformat()} · generated {request.generated_at}",
        "",
        f"Evidence ledger `{report.ledger}`: {integrity(report.verification)}",
    ]
    for problem in report.verification.problems:
        out.append(f"- ⚠ {md_escape(problem.describe())}")
    out += ["", "## Compliance rate", "", f"The compliance rate is the {RATE_DEFINITION}.", ""]
    out += [
        "| Framework | Quarter | Tickets | Mandatory | Implemented or waived | Rate |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for rate in report.quarters:
        out.append(
            f"| {rate.framework} | {rate.period} ({rate.start.isoformat()} to {rate.end.isoformat()}) | {rate.tickets} "
            f"| {rate.mandatory} | {rate.satisfied} | {percent(rate.rate)} |"
        )
    out += ["", "## Open gaps by control", ""]
    if report.gaps:
        out += ["| Framework | Control | Open | Tickets |", "|---|---|---:|---|"]
        out += [
            f"| {g.framework} | `{g.control}` {md_escape(g.title)} | {len(g.tickets)} | {', '.join(g.tickets)} |"
            for g in report.gaps
        ]
    else:
        out.append("No mandatory requirement is missing or violated at the latest checks.")
    out += ["", "## Tickets", ""]
    if not report.tickets:
        out.append("No ticket with requirements of these frameworks was checked in the period.")
    for section in report.tickets:
        out += _md_ticket(section, report.frameworks)
    return "\n".join(out).rstrip() + "\n"


def _md_ticket(section: TicketSection, frameworks: Sequence[str]) -> list[str]:
    latest = section.latest
    title = md_escape(section.title)
    url = safe_url(section.url)
    out = [f"### {section.key}: {title}", ""]
    if url:
        out += [f"Ticket: <{url}>", ""]
    checks = "; ".join(
        f"{c.recorded_at[:10]} `{short(c.commit) or 'no commit'}` {'PASS' if c.passed else 'FAIL'}"
        for c in section.checks
    )
    out.append(f"Checks in the period: {checks}")
    policy, rules = latest.get("policy") or {}, latest.get("rules") or {}
    repository = latest.get("repository") or {}
    out.append(
        f"Latest: {str(latest.get('recorded_at', ''))[:10]}, commit `{short(str(repository.get('commit', '')))}`"
        f" of {md_escape(str(repository.get('url', '')))}; policy `{str(policy.get('sha256', ''))[:12]}`,"
        f" rules {rules.get('version', '')} `{str(rules.get('sha256', ''))[:12]}`"
    )
    out.append("")
    for requirement in section.requirements:
        status = str(requirement.get("status", ""))
        counted_for = [f for f in frameworks if counted(requirement, f)]
        mandatory = f" (mandatory, {', '.join(counted_for)})" if counted_for else ""
        title = md_escape(str(requirement.get("title", "")))
        out.append(f"- {STATUS_ICON.get(status, '')} **{requirement['control']}** {title}: {status}{mandatory}")
        citations = [str(c["printed"]) for c in requirement.get("citations") or ()]
        if citations:
            out.append(f"  - Citations: {'; '.join(citations)}")
        for where in _locations(requirement, "locations"):
            out.append(f"  - Implemented at `{where}`")
        omitted = int(requirement.get("locations_omitted") or 0)
        if omitted:
            out.append(f"  - … and {omitted} more evidence locations (counted, not listed)")
        for where in _locations(requirement, "violations"):
            out.append(f"  - Violated at `{where}`")
        waiver = requirement.get("waiver")
        if waiver:
            out.append(f"  - Waiver: {md_escape(_waiver_text(waiver))}")
        attestation = requirement.get("attestation")
        if attestation:
            out.append(f"  - Attestation: {md_escape(_attestation_text(attestation))}")
        if show_note(requirement):
            out.append(f"  - Note: {md_escape(str(requirement['note']))}")
    out.append("")
    return out


def show_note(requirement: Mapping[str, Any]) -> bool:
    """The trace's note, where the waiver or attestation lines do not already say it."""
    status = requirement.get("status")
    return bool(requirement.get("note")) and (
        status in ("missing", "violated") or (status == "manual" and not requirement.get("attestation"))
    )


def _waiver_text(waiver: Mapping[str, Any]) -> str:
    parts = [str(waiver.get("reason", ""))]
    if waiver.get("owner"):
        parts.append(f"owner {waiver['owner']}")
    if waiver.get("approver"):
        parts.append(f"approved by {waiver['approver']}")
    if waiver.get("expires"):
        parts.append(f"expires {waiver['expires']}")
    return "; ".join(parts)


def _attestation_text(attestation: Mapping[str, Any]) -> str:
    text = f"{attestation.get('who', '')} on {attestation.get('when', '')}"
    return text + (f": {attestation['note']}" if attestation.get("note") else "")


# -- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "ticket",
    "title",
    "checked_at",
    "commit",
    "repository",
    "control",
    "control_title",
    "status",
    "mandatory",
    "frameworks",
    "counted_for",
    "citations",
    "locations",
    "violations",
    "waiver",
    "attestation",
)


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: ticket text must not.
    return "'" + value if value.startswith(_CSV_FORMULA) else value


def as_csv(report: AuditReport) -> str:
    """One row per requirement of each ticket's latest check in the period (rates are in md/json/html)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section in report.tickets:
        latest = section.latest
        repository = latest.get("repository") or {}
        for requirement in section.requirements:
            waiver, attestation = requirement.get("waiver"), requirement.get("attestation")
            row = (
                section.key,
                section.title,
                str(latest.get("recorded_at", "")),
                str(repository.get("commit", "")),
                str(repository.get("url", "")),
                str(requirement["control"]),
                str(requirement.get("title", "")),
                str(requirement.get("status", "")),
                "yes" if requirement.get("mandatory") else "no",
                ";".join(requirement.get("frameworks") or ()),
                ";".join(f for f in report.frameworks if counted(requirement, f)),
                "; ".join(str(c["printed"]) for c in requirement.get("citations") or ()),
                "; ".join(_locations(requirement, "locations")),
                "; ".join(_locations(requirement, "violations")),
                _waiver_text(waiver) if waiver else "",
                _attestation_text(attestation) if attestation else "",
            )
            writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


# -- HTML --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: str


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: tuple[Point, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    label: str
    count: int
    colour: str


def line_chart(trend: Sequence[Rate], frameworks: Sequence[str]) -> dict[str, Any]:
    """Coordinates of the rate-over-time chart (one line per framework, one point per month)."""
    width, height, left, right, top, bottom = 640, 240, 48, 16, 20, 40
    inset = 36  # the first and last points keep clear of the axis labels and the edge
    labels = list(dict.fromkeys(r.period for r in trend))
    plot_w, plot_h = width - left - right, height - top - bottom
    step = (plot_w - 2 * inset) / max(len(labels) - 1, 1)

    def x(index: int) -> float:
        return left + (inset + index * step if len(labels) > 1 else plot_w / 2)

    series = []
    for number, framework in enumerate(frameworks):
        points = tuple(
            Point(x(labels.index(r.period)), top + (1 - r.rate) * plot_h, r.period, percent(r.rate))
            for r in trend
            if r.framework == framework and r.rate is not None
        )
        series.append(Series(framework, PALETTE[number % len(PALETTE)], points))
    grid = [(top + (1 - level / 100) * plot_h, f"{level}%") for level in (0, 25, 50, 75, 100)]
    ticks = [(x(i), label) for i, label in enumerate(labels)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "grid": grid,
        "ticks": ticks,
        "series": series,
    }


def bar_chart(report: AuditReport) -> dict[str, Any]:
    """Coordinates of the open-gaps chart: one bar per (framework, control)."""
    width, left, row = 640, 220, 26
    most = max((len(g.tickets) for g in report.gaps), default=1)
    colours = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(report.frameworks)}
    bars = [
        Bar(
            8 + i * row,
            (width - left - 48) * len(g.tickets) / most,
            f"{g.framework} · {g.control}",
            len(g.tickets),
            colours.get(g.framework, PALETTE[0]),
        )
        for i, g in enumerate(report.gaps)
    ]
    return {"width": width, "left": left, "height": 16 + row * max(len(bars), 1), "bars": bars}


def html(report: AuditReport) -> str:
    import jinja2

    from tracer.resources import templates_dir

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,  # every value is escaped, whatever the template's file name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(percent=percent, short=short, safe_url=safe_url)
    template = environment.get_template("audit-report.html.j2")
    sections = [
        {
            "section": section,
            "requirements": [
                {
                    **dict(r),
                    "mark": STATUS_MARK.get(str(r.get("status", "")), ""),
                    "show_note": show_note(r),
                    "counted_for": [f for f in report.frameworks if counted(r, f)],
                    "where": _locations(r, "locations"),
                    "violated_at": _locations(r, "violations"),
                    "waiver_text": _waiver_text(r["waiver"]) if r.get("waiver") else "",
                    "attestation_text": _attestation_text(r["attestation"]) if r.get("attestation") else "",
                }
                for r in section.requirements
            ],
        }
        for section in report.tickets
    ]
    return template.render(
        report=report,
        data=as_dict(report),
        integrity=integrity(report.verification),
        definition=RATE_DEFINITION,
        line=line_chart(report.trend, report.frameworks),
        bars=bar_chart(report),
        sections=sections,
    )
