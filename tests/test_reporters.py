"""Every reporter renders the same TraceResult; golden files pin the output."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from tests.helpers.golden import assert_golden
from tracer import config, requirements, trace
from tracer.catalog import load_catalog
from tracer.model import (
    Classification,
    Evidence,
    Finding,
    FrameworkHit,
    IndicatorHit,
    RiskFactor,
    RiskScore,
    ScanResult,
    Ticket,
    TraceResult,
)
from tracer.reporters import REPORTERS, RenderOptions
from tracer.reporters.markdown import MARKER

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "trace.schema.json").read_text())
SUFFIX = {"text": "txt", "markdown": "md", "json": "json"}


def sample(title: str = "Add credit card payment to checkout", description: str = "") -> TraceResult:
    ticket = Ticket(key="PAY-101", title=title, description=description, labels=("payments",),
                    url="https://jira.example.com/browse/PAY-101")
    classification = Classification(
        security_relevant=True,
        indicators=(
            IndicatorHit("payment", 3.0, (Evidence("title", "credit card", 8, 19, 3.0, "pay.card"),)),
            IndicatorHit("authentication", 1.5, (Evidence("description", "login", 0, 5, 1.0, "auth.login"),)),
        ),
        frameworks=(FrameworkHit("PCI-DSS", "trigger", (Evidence("title", "credit card", 8, 19, 3.0, "pci"),)),),
        risk=RiskScore(7.5, "high", (RiskFactor("payment", 3.0, "payment indicator"),), ("require security review",)),
    )
    req = requirements.derive(classification, load_catalog(), config.load(None), today=date(2026, 11, 29))
    wanted = {"password_hashing", "rate_limiting", "parameterized_queries", "tokenization", "session_timeout"}
    req = requirements.RequirementSet(tuple(r for r in req.requirements if r.control.id in wanted))
    scan = ScanResult(
        findings=(
            Finding("password_hashing", "evidence", "vibeward.python.password_hashing.bcrypt", "app/auth.py", 45, 52,
                    "bcrypt.hashpw with cost 12", "bcrypt.hashpw(pw, bcrypt.gensalt(rounds=12))", "bcrypt_cost", "12"),
            Finding("parameterized_queries", "violation", "vibeward.python.parameterized_queries.fstring",
                    "app/orders.py", 88, 88, "SQL built with an f-string", 'db.execute(f"SELECT … {user_id}")'),
            Finding("session_timeout", "evidence", "vibeward.python.session_timeout.flask", "app/config.py", 17, 17,
                    "PERMANENT_SESSION_LIFETIME = 15 minutes", "", "idle_timeout_minutes", "15"),
        ),
        files_scanned=12,
        languages=("python",),
        rules_run=20,
        engine="scan --experimental",
        covered_controls=("password_hashing", "parameterized_queries", "rate_limiting", "session_timeout"),
    )
    nodes = trace.build_nodes(req, scan)
    return TraceResult(
        ticket=ticket,
        classification=classification,
        nodes=nodes,
        verdict=trace.verdict(nodes),
        scan=scan,
        repo_url="https://github.com/acme/shop",
        commit="0123456789abcdef0123456789abcdef01234567",
    )


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_golden(fmt: str, update_golden: bool) -> None:
    rendered = REPORTERS[fmt](sample(), RenderOptions())
    assert_golden(f"reporters/sample.{SUFFIX[fmt]}", rendered, update_golden)


def test_statuses_in_the_sample() -> None:
    statuses = {n.requirement.control.id: n.status.value for n in sample().nodes}
    assert statuses == {
        "password_hashing": "implemented",
        "parameterized_queries": "violated",
        "rate_limiting": "missing",
        "session_timeout": "implemented",
        "tokenization": "manual",
    }


def test_json_is_valid_against_the_published_schema() -> None:
    data = json.loads(REPORTERS["json"](sample(), RenderOptions()))
    jsonschema.validate(data, SCHEMA)
    assert data["schema"] == "vibeward.trace/v1"


def test_text_colour_only_when_asked() -> None:
    plain = REPORTERS["text"](sample(), RenderOptions(color=False))
    coloured = REPORTERS["text"](sample(), RenderOptions(color=True))
    assert "\033[" not in plain
    assert "\033[31;1m" in coloured


def test_markdown_links_lines_to_the_commit() -> None:
    body = REPORTERS["markdown"](sample(), RenderOptions())
    link = "https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567/app/auth.py#L45-L52"
    assert f"[`app/auth.py:45-52`]({link})" in body
    assert body.startswith(MARKER)
    assert body.index("failed") < body.index("<details>")  # the summary comes first


HOSTILE = '<img src=x onerror=alert(1)> @security-team [click](https://evil.example) <!-- hidden --> `x` | pipe'


def test_markdown_escapes_untrusted_ticket_text() -> None:
    body = REPORTERS["markdown"](sample(title=HOSTILE), RenderOptions())
    assert "<img" not in body
    assert "@security-team" not in body
    assert "[click](https" not in body  # brackets escaped: no link
    assert r"\[click\]" in body
    assert "<!-- hidden -->" not in body
    summary_line = next(line for line in body.splitlines() if "PAY-101" in line)
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary_line


def test_text_drops_control_characters_from_ticket_text() -> None:
    text = REPORTERS["text"](sample(title="pay\x1b[2J\x07ment\nFAKE  PASS"), RenderOptions())
    first = text.splitlines()[0]
    assert "\x1b" not in text and "\x07" not in text
    assert first == "PAY-101  pay [2J ment FAKE PASS"


def test_markdown_is_truncated_with_a_note_under_the_limit() -> None:
    body = REPORTERS["markdown"](sample(), RenderOptions(max_chars=1500))
    assert len(body) <= 1500
    assert body.rstrip().endswith("JSON report._")


def test_every_format_the_cli_offers_has_a_reporter() -> None:
    from tracer.reporters.formats import REPORT_FORMATS

    assert set(REPORTERS) == set(REPORT_FORMATS)
