"""Ledger records -> an audit report's content: tickets, compliance rates, open gaps. No I/O.

The compliance rate of a framework over a period is the share of its mandatory requirements
that were implemented or waived at the latest check of each ticket in that period. A
requirement counts for a framework when the framework is among the ones that required it.
Manual requirements (with or without an attestation) and missing or violated ones count
against the rate; the report lists them, with their attestations, so the reader sees why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracer.evidence.store import Entry, Ledger, Verification
from tracer.model import FRAMEWORKS

SATISFIED = ("implemented", "waived")
OPEN = ("missing", "violated")


@dataclass(frozen=True)
class ReportRequest:
    frameworks: tuple[str, ...]  # () = every framework found in the period
    start: date
    end: date  # inclusive
    generated_at: str = ""


@dataclass(frozen=True)
class Rate:
    framework: str
    period: str  # 2026-Q3, or 2026-07 for the trend
    start: date
    end: date
    tickets: int
    mandatory: int
    satisfied: int

    @property
    def rate(self) -> float | None:
        return None if not self.mandatory else self.satisfied / self.mandatory


@dataclass(frozen=True)
class Gap:
    framework: str
    control: str
    title: str
    tickets: tuple[str, ...]


@dataclass(frozen=True)
class CheckRow:
    seq: int
    recorded_at: str
    commit: str
    repository: str
    passed: bool
    run_url: str


@dataclass(frozen=True)
class TicketSection:
    key: str
    title: str
    url: str
    checks: tuple[CheckRow, ...]
    latest: Mapping[str, Any]  # the latest check record in the period
    requirements: tuple[Mapping[str, Any], ...]  # of the latest check, for the report's frameworks


@dataclass(frozen=True)
class AuditReport:
    request: ReportRequest
    frameworks: tuple[str, ...]
    ledger: str
    verification: Verification
    quarters: tuple[Rate, ...]
    trend: tuple[Rate, ...]
    gaps: tuple[Gap, ...]
    tickets: tuple[TicketSection, ...]


def period_bounds(start: date, end: date) -> tuple[str, str]:
    """recorded_at bounds for the ledger query: from the first second of start to the day after end."""
    return f"{start.isoformat()}T00:00:00Z", f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z"


def quarters(start: date, end: date) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of each calendar quarter overlapping [start, end], clipped to it."""
    result = []
    year, quarter = start.year, (start.month - 1) // 3
    while date(year, quarter * 3 + 1, 1) <= end:
        first = date(year, quarter * 3 + 1, 1)
        last = (date(year + 1, 1, 1) if quarter == 3 else date(year, quarter * 3 + 4, 1)) - timedelta(days=1)
        result.append((f"{year}-Q{quarter + 1}", max(first, start), min(last, end)))
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return result


def month_ends(start: date, end: date) -> list[tuple[str, date]]:
    """(label, last day, clipped to end) of each month overlapping [start, end]."""
    result = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        result.append((f"{year}-{month:02d}", min(following - timedelta(days=1), end)))
        year, month = following.year, following.month
    return result


def _day(entry: Entry) -> date:
    return date.fromisoformat(entry.recorded_at[:10])


def latest_per_ticket(entries: Iterable[Entry]) -> dict[str, Entry]:
    """The last check of each ticket (chain order decides, not the clock)."""
    latest: dict[str, Entry] = {}
    for entry in entries:
        if entry.ticket and (entry.ticket not in latest or entry.seq > latest[entry.ticket].seq):
            latest[entry.ticket] = entry
    return latest


def counted(requirement: Mapping[str, Any], framework: str) -> bool:
    return bool(requirement.get("mandatory")) and framework in (requirement.get("frameworks") or ())


def rate_for(framework: str, label: str, start: date, end: date, entries: Sequence[Entry]) -> Rate:
    window = [e for e in entries if start <= _day(e) <= end]
    tickets, mandatory, satisfied = 0, 0, 0
    for entry in latest_per_ticket(window).values():
        mine = [r for r in entry.record().get("requirements") or () if counted(r, framework)]
        if not mine:
            continue
        tickets += 1
        mandatory += len(mine)
        satisfied += sum(1 for r in mine if r.get("status") in SATISFIED)
    return Rate(framework, label, start, end, tickets, mandatory, satisfied)


def frameworks_in(entries: Iterable[Entry]) -> tuple[str, ...]:
    seen = {
        framework
        for entry in latest_per_ticket(entries).values()
        for requirement in entry.record().get("requirements") or ()
        for framework in requirement.get("frameworks") or ()
    }
    return tuple(f for f in FRAMEWORKS if f in seen)


def build(entries: Sequence[Entry], verification: Verification, request: ReportRequest, ledger: str) -> AuditReport:
    """The report over the check records of the period (entries already limited to it)."""
    checks = [e for e in entries if e.kind == "check" and request.start <= _day(e) <= request.end]
    frameworks = request.frameworks or frameworks_in(checks)
    quarter_rates = tuple(
        rate_for(framework, label, first, last, checks)
        for framework in frameworks
        for label, first, last in quarters(request.start, request.end)
    )
    trend = tuple(
        rate_for(framework, label, request.start, last, checks)
        for framework in frameworks
        for label, last in month_ends(request.start, request.end)
    )
    latest = latest_per_ticket(checks)
    sections = []
    gaps: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for key in sorted(latest):
        record = latest[key].record()
        mine = tuple(r for r in record.get("requirements") or () if set(r.get("frameworks") or ()) & set(frameworks))
        if not mine:
            continue
        for requirement in mine:
            if requirement.get("status") in OPEN and requirement.get("mandatory"):
                for framework in requirement.get("frameworks") or ():
                    if framework in frameworks:
                        slot = gaps.setdefault(
                            (framework, str(requirement["control"])), (str(requirement.get("title", "")), [])
                        )
                        slot[1].append(key)
        ticket = record.get("ticket") or {}
        sections.append(
            TicketSection(
                key=key,
                title=str(ticket.get("title", "")),
                url=str(ticket.get("url", "")),
                checks=tuple(_check_row(e) for e in checks if e.ticket == key),
                latest=record,
                requirements=mine,
            )
        )
    gap_rows = tuple(
        Gap(framework, control, title, tuple(keys))
        for (framework, control), (title, keys) in sorted(
            gaps.items(), key=lambda item: (item[0][0], -len(item[1][1]), item[0][1])
        )
    )
    return AuditReport(
        request=request,
        frameworks=frameworks,
        ledger=ledger,
        verification=verification,
        quarters=quarter_rates,
        trend=trend,
        gaps=gap_rows,
        tickets=tuple(sections),
    )


def _check_row(entry: Entry) -> CheckRow:
    record = entry.record()
    return CheckRow(
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        commit=entry.commit,
        repository=entry.repository,
        passed=entry.verdict == "pass",
        run_url=str(record.get("run_url") or ""),
    )


def collect(ledger: Ledger, request: ReportRequest) -> AuditReport:
    """Verify the ledger, read the period's checks and build the report from them."""
    verification = ledger.verify()
    since, until = period_bounds(request.start, request.end)
    entries = ledger.entries(kind="check", since=since, until=until)
    return build(entries, verification, request, ledger.shown)
