"""Every reporter renders the same TraceResult; golden files pin the output."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.helpers.golden import assert_golden
from tests.helpers.samples import sample
from tracer.reporters import REPORTERS, RenderOptions
from tracer.reporters.markdown import MARKER

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "trace.schema.json").read_text())
SUFFIX = {
    "text": "txt",
    "markdown": "md",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit.xml",
    "gitlab-codequality": "codequality.json",
}


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_golden(fmt: str, update_golden: bool) -> None:
    rendered = REPORTERS[fmt](sample(), RenderOptions())
    if fmt == "json":  # one line on output; indented here so the golden file reads and diffs well
        assert rendered.endswith("}\n") and rendered.count("\n") == 1
        rendered = json.dumps(json.loads(rendered), indent=2, ensure_ascii=False) + "\n"
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
