"""`vibeward report`: tickets, requirement trees, rates per framework per quarter, in md/json/csv/html.

The ledger is filled through the real stages (derive, trace, check_record) on chosen days:

    HIP-0  2026-06-30  before the period
    HIP-1  2026-07-03  audit_logging + encryption_at_rest found          -> 2 of 5 satisfied
    PAY-7  2026-07-04  PCI-DSS only: not in a HIPAA report
    HIP-1  2026-08-10  + access_control found, session_timeout waived    -> 4 of 5
    HIP-2  2026-09-05  access_control found, audit_logging violated      -> 1 of 5
    HIP-3  2026-10-02  after the period

minimum_necessary is manual (attested for HIP-1 only): it counts against the rate.
Q3 2026 = latest checks HIP-1 (4/5) and HIP-2 (1/5): 5 of 10 = 50.0%.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from tests.helpers import browser
from tests.helpers.evidence import Check, fill, org_from
from tracer.catalog import load_catalog
from tracer.cli import cli
from tracer.evidence.audit import ReportRequest, collect, month_ends, quarters
from tracer.evidence.report import render
from tracer.evidence.store import open_ledger

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "audit.schema.json").read_text())
HOSTILE = '<script>alert("x")</script> =HYPERLINK("https://evil.example") @team [x](javascript:alert(1))'
ATTESTED = """
attestations:
  - control: minimum_necessary
    ticket: HIP-1
    who: Dana Privacy
    when: 2026-07-02
    note: reviewed the exported fields
"""
WAIVED = (
    ATTESTED
    + """
waivers:
  - control: session_timeout
    reason: Kiosk sessions end when the badge is pulled
    owner: alice
    approver: bob
    expires: 2027-01-01
    scope:
      ticket: HIP-1
"""
)


@pytest.fixture(scope="module")
def ledger_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{folder / 'ledger.sqlite'}"
    plain = org_from(folder, ATTESTED)
    fill(
        url,
        [
            Check("HIP-0", date(2026, 6, 30), "0" * 40, implemented=("audit_logging",)),
            Check("HIP-1", date(2026, 7, 3), "a1" * 20, implemented=("audit_logging", "encryption_at_rest")),
            Check(
                "PAY-7",
                date(2026, 7, 4),
                "p7" * 20,
                implemented=("password_hashing",),
                frameworks=("PCI-DSS",),
                indicators=("payment", "authentication"),
                controls=("password_hashing", "tokenization"),
                title="Card payments",
            ),
        ],
        plain,
    )
    fill(
        url,
        [
            Check(
                "HIP-1",
                date(2026, 8, 10),
                "b2" * 20,
                implemented=("audit_logging", "encryption_at_rest", "access_control"),
            )
        ],
        org_from(folder, WAIVED),
    )
    fill(
        url,
        [
            Check(
                "HIP-2",
                date(2026, 9, 5),
                "c3" * 20,
                implemented=("access_control",),
                violated=("audit_logging",),
                title=HOSTILE,
                url="javascript:alert(1)",
            ),
            Check("HIP-3", date(2026, 10, 2), "d4" * 20, implemented=("audit_logging",)),
        ],
        plain,
    )
    return url


def report(
    url: str,
    fmt: str,
    start: date = date(2026, 7, 1),
    end: date = date(2026, 9, 30),
    frameworks: tuple[str, ...] = ("HIPAA",),
) -> str:
    with open_ledger(url) as ledger:
        audit = collect(ledger, ReportRequest(frameworks, start, end, "2026-10-01T00:00:00Z"))
    return render(audit, fmt)


def test_quarters_and_months_are_clipped_to_the_period() -> None:
    assert quarters(date(2026, 6, 15), date(2026, 10, 31)) == [
        ("2026-Q2", date(2026, 6, 15), date(2026, 6, 30)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 10, 31)),
    ]
    assert quarters(date(2026, 11, 1), date(2027, 1, 5))[-1] == ("2027-Q1", date(2027, 1, 1), date(2027, 1, 5))
    assert month_ends(date(2026, 7, 1), date(2026, 9, 15)) == [
        ("2026-07", date(2026, 7, 31)),
        ("2026-08", date(2026, 8, 31)),
        ("2026-09", date(2026, 9, 15)),
    ]


def test_json_rates_follow_the_definition_and_validate(ledger_url: str) -> None:
    data = json.loads(report(ledger_url, "json"))
    jsonschema.validate(data, SCHEMA)
    assert data["ledger"]["verified"] is True and data["ledger"]["records"] == 6
    assert data["rates"] == [
        {
            "framework": "HIPAA",
            "period": "2026-Q3",
            "from": "2026-07-01",
            "to": "2026-09-30",
            "tickets": 2,
            "mandatory": 10,
            "satisfied": 5,
            "rate": 0.5,
        }
    ]
    assert [(t["period"], t["rate"]) for t in data["trend"]] == [("2026-07", 0.4), ("2026-08", 0.8), ("2026-09", 0.5)]
    assert [t["key"] for t in data["tickets"]] == ["HIP-1", "HIP-2"]  # not PAY-7, nor outside the period
    hip1 = data["tickets"][0]
    assert [c["commit"] for c in hip1["checks"]] == ["a1" * 20, "b2" * 20]
    by_control = {r["control"]: r for r in hip1["requirements"]}
    assert by_control["session_timeout"]["status"] == "waived"
    assert by_control["session_timeout"]["waiver"]["approver"] == "bob"
    assert by_control["minimum_necessary"]["status"] == "manual"
    assert by_control["minimum_necessary"]["attestation"]["who"] == "Dana Privacy"
    assert by_control["access_control"]["locations"][0]["path"] == "app/access_control.py"
    assert {(g["control"], g["open"]) for g in data["gaps"]} == {
        ("audit_logging", 1),
        ("encryption_at_rest", 1),
        ("session_timeout", 1),
    }


def test_every_quarter_of_a_longer_period_gets_its_rate(ledger_url: str) -> None:
    data = json.loads(report(ledger_url, "json", date(2026, 6, 1), date(2026, 10, 31)))
    assert [(r["period"], r["from"], r["to"], r["tickets"], r["satisfied"], r["mandatory"]) for r in data["rates"]] == [
        ("2026-Q2", "2026-06-01", "2026-06-30", 1, 1, 5),  # HIP-0: only audit_logging found
        ("2026-Q3", "2026-07-01", "2026-09-30", 2, 5, 10),
        ("2026-Q4", "2026-10-01", "2026-10-31", 1, 1, 5),  # HIP-3
    ]


def test_citations_are_printed_as_the_catalog_gives_them(ledger_url: str) -> None:
    text = report(ledger_url, "md")
    catalog = load_catalog()
    for control in ("audit_logging", "access_control", "encryption_at_rest"):
        for citation in catalog.get(control).citations:
            if citation.source == "HIPAA":
                assert citation.printed() in text, citation.printed()
    assert "45 CFR 164.312(b)" in text


def test_markdown_carries_the_tree_rates_and_escapes_ticket_text(ledger_url: str) -> None:
    text = report(ledger_url, "md")
    assert "| HIPAA | 2026-Q3 (2026-07-01 to 2026-09-30) | 2 | 10 | 5 | 50.0% |" in text
    assert "share of mandatory requirements implemented or waived at the latest check of each ticket" in text
    assert "chain verified: 6 records" in text
    assert "Implemented at `app/access_control.py:10-12`" in text
    assert "… and 7 more evidence locations (counted, not listed)" in text
    assert "Violated at `app/audit_logging.py:40`" in text
    assert (
        "Waiver: Kiosk sessions end when the badge is pulled; owner alice; approved by bob; expires 2027-01-01" in text
    )
    assert "Attestation: Dana Privacy on 2026-07-02: reviewed the exported fields" in text
    assert "`a1a1a1a1a1a1` FAIL" in text and "`b2b2b2b2b2b2` PASS" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[x](javascript" not in text and "&#64;team" in text
    assert "Ticket: <javascript" not in text  # HIP-2's javascript: URL is not linked
    assert "Ticket: <https://jira.example.com/browse/HIP-1>" in text
    assert "PAY-7" not in text and "HIP-0" not in text and "HIP-3" not in text


def test_csv_has_a_row_per_requirement_and_defuses_formulas(ledger_url: str) -> None:
    rows = list(csv.DictReader(io.StringIO(report(ledger_url, "csv"))))
    assert len(rows) == 10
    hip2 = [r for r in rows if r["ticket"] == "HIP-2"]
    assert {r["status"] for r in hip2} == {"implemented", "violated", "missing", "manual"}
    assert all(r["title"] == HOSTILE for r in hip2)  # text kept as it is; the cell does not start a formula
    title_hip1 = next(r for r in rows if r["ticket"] == "HIP-1")
    assert title_hip1["commit"] == "b2" * 20
    audit = next(r for r in hip2 if r["control"] == "audit_logging")
    assert audit["violations"] == "app/audit_logging.py:40" and audit["counted_for"] == "HIPAA"
    assert "45 CFR 164.312(b)" in audit["citations"]
    rows_formula = list(csv.reader(io.StringIO(report(ledger_url, "csv"))))
    assert not any(cell.startswith(("=", "+", "@")) for row in rows_formula for cell in row)


def test_csv_cells_starting_a_formula_get_a_quote(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    fill(url, [Check("HIP-9", date(2026, 7, 9), "e5" * 20, title="=cmd|' /C calc'!A0")], org_from(tmp_path, ""))
    (row, *_) = list(csv.DictReader(io.StringIO(report(url, "csv"))))
    assert row["title"] == "'=cmd|' /C calc'!A0"


def test_html_is_one_self_contained_escaped_file(ledger_url: str) -> None:
    page = report(ledger_url, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page
    assert "default-src 'none'" in page  # nothing can be fetched
    for external in ("src=", "<link", "@import", "url("):
        assert external not in page, external
    assert page.count("<svg") == 2 and "<polyline" in page
    assert "@media print" in page
    assert "50.0%" in page and "45 CFR 164.312(b)" in page
    assert "… and 7 more evidence locations (counted, not listed)" in page


def test_a_damaged_ledger_is_said_in_the_report(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    fill(url, [Check("HIP-1", date(2026, 7, 3), "a1" * 20, implemented=("audit_logging",))], org_from(tmp_path, ""))
    conn = sqlite3.connect(tmp_path / "l.sqlite")
    conn.execute("UPDATE vibeward_evidence SET body = replace(body, '\"missing\"', '\"implemented\"')")
    conn.commit()
    conn.close()
    text = report(url, "md")
    assert "VERIFICATION FAILED" in text and "record 1 (HIP-1)" in text


def test_the_report_command_writes_the_file(ledger_url: str, tmp_path: Path) -> None:
    out = tmp_path / "q3.md"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(tmp_path),
            "--framework",
            "HIPAA",
            "--from",
            "2026-07-01",
            "--to",
            "2026-09-30",
            "--format",
            "md",
            "--output",
            str(out),
            "--url",
            ledger_url,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "| HIPAA | 2026-Q3" in out.read_text(encoding="utf-8")
    backwards = CliRunner().invoke(cli, ["report", "--from", "2026-09-30", "--to", "2026-07-01", "--url", ledger_url])
    assert backwards.exit_code == 2 and "is after --to" in backwards.output


@pytest.mark.slow
def test_console_lines_are_seen_when_a_page_has_errors(tmp_path: Path) -> None:
    """The detector the HTML test relies on does see console errors, failed loads and exceptions."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src 'unsafe-inline'\"><h1>x</h1><script>console.error('boom'); missing();</script>"
        "<img src='https://example.invalid/a.png'>",
        encoding="utf-8",
    )
    _, lines = browser.load(bad, tmp_path / "profile")
    assert any("boom" in line for line in lines), lines
    assert any("missing is not defined" in line for line in lines), lines
    assert any("Content Security Policy" in line for line in lines), lines


@pytest.mark.slow
def test_html_opens_in_chromium_without_console_errors_and_renders(ledger_url: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(report(ledger_url, "html"), encoding="utf-8")
    dom, lines = browser.load(page, tmp_path / "profile-load")
    assert lines == [], lines
    assert 'id="report-title"' in dom and "HIP-1" in dom and "<svg" in dom
    png = tmp_path / "report.png"
    browser.screenshot(page, png, tmp_path / "profile-shot")
    width, height, distinct = browser.png_facts(png)
    assert (width, height) == (1200, 2400)
    assert png.stat().st_size > 20_000 and distinct > 50, (png.stat().st_size, distinct)
    pdf = tmp_path / "report.pdf"
    browser.print_pdf(page, pdf, tmp_path / "profile-print")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5_000
