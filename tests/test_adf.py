"""ADF (JIRA API v3) and wiki markup (API v2) flattened to readable text."""

from __future__ import annotations

import json
import time

import pytest

from tracer import adf
from tracer.textnorm import normalize


def doc(*content: dict) -> dict:
    return {"version": 1, "type": "doc", "content": list(content)}


def p(*inline: dict) -> dict:
    return {"type": "paragraph", "content": list(inline)}


def t(text: str, **marks: object) -> dict:
    node: dict = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": name} for name in marks]
    return node


# One document with every node type the reference lists (§1.2), and a few more ADF has.
EVERY_NODE = doc(
    {"type": "heading", "attrs": {"level": 1}, "content": [t("Card payments")]},
    p(
        t("Store the "),
        t("card number", strong=True),
        t(" safely,"),
        {"type": "hardBreak"},
        t("ask "),
        {"type": "mention", "attrs": {"id": "5b10a", "text": "@Alice"}},
        t(" or "),
        {"type": "mention", "attrs": {"id": "5b10b", "text": "Bob"}},
        t(" "),
        {"type": "emoji", "attrs": {"shortName": ":lock:", "text": "🔒"}},
        {"type": "emoji", "attrs": {"shortName": ":key:"}},
        t(" see "),
        {"type": "inlineCard", "attrs": {"url": "https://example.com/spec"}},
        t(" status "),
        {"type": "status", "attrs": {"text": "IN REVIEW", "color": "blue"}},
        t(" due "),
        {"type": "date", "attrs": {"timestamp": "1735689600000"}},
    ),
    {
        "type": "bulletList",
        "content": [
            {"type": "listItem", "content": [p(t("tokenize the PAN"))]},
            {
                "type": "listItem",
                "content": [
                    p(t("encrypt at rest")),
                    {"type": "bulletList", "content": [{"type": "listItem", "content": [p(t("AES-256"))]}]},
                ],
            },
        ],
    },
    {
        "type": "orderedList",
        "attrs": {"order": 3},
        "content": [
            {"type": "listItem", "content": [p(t("third"))]},
            {"type": "listItem", "content": [p(t("fourth"))]},
        ],
    },
    {"type": "codeBlock", "attrs": {"language": "python"}, "content": [t("password = 'hunter2'")]},
    {"type": "blockquote", "content": [p(t("quoted password text"))]},
    {"type": "panel", "attrs": {"panelType": "warning"}, "content": [p(t("PCI scope"))]},
    {
        "type": "table",
        "content": [
            {
                "type": "tableRow",
                "content": [
                    {"type": "tableHeader", "content": [p(t("Field"))]},
                    {"type": "tableHeader", "content": [p(t("Rule"))]},
                ],
            },
            {
                "type": "tableRow",
                "content": [
                    {"type": "tableCell", "content": [p(t("cvv"))]},
                    {"type": "tableCell", "content": [p(t("never store")), p(t("ever"))]},
                ],
            },
        ],
    },
    {"type": "rule"},
    {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "abc", "type": "file"}}]},
    {"type": "mediaGroup", "content": [{"type": "media", "attrs": {"id": "def", "type": "file"}}]},
    {"type": "expand", "attrs": {"title": "Details"}, "content": [p(t("hidden detail"))]},
    {"type": "blockCard", "attrs": {"url": "https://example.com/card"}},
    {
        "type": "taskList",
        "content": [
            {"type": "taskItem", "attrs": {"state": "DONE"}, "content": [t("threat model")]},
            {"type": "taskItem", "attrs": {"state": "TODO"}, "content": [t("pen test")]},
        ],
    },
    {"type": "decisionList", "content": [{"type": "decisionItem", "content": [t("use bcrypt")]}]},
    {"type": "someFutureNode", "content": [p(t("future text"))]},
)


def test_every_node_type_in_reading_order() -> None:
    text = adf.to_text(EVERY_NODE)
    assert text == (
        "Card payments\n"
        "Store the card number safely,\n"
        "ask @Alice or @Bob 🔒:key: see https://example.com/spec status IN REVIEW due 2025-01-01\n"
        "- tokenize the PAN\n"
        "- encrypt at rest\n"
        "  - AES-256\n"
        "3. third\n"
        "4. fourth\n"
        "```python\n"
        "password = 'hunter2'\n"
        "```\n"
        "> quoted password text\n"
        "PCI scope\n"
        "Field | Rule\n"
        "cvv | never store ever\n"
        "---\n"
        "Details\n"
        "hidden detail\n"
        "https://example.com/card\n"
        "- [x] threat model\n"
        "- [ ] pen test\n"
        "- use bcrypt\n"
        "future text"
    )


def test_code_and_quotes_stay_low_weight_for_the_classifier() -> None:
    view = normalize(adf.to_text(EVERY_NODE))
    assert view.kind_at(view.text.index("hunter2")) == "code"
    assert view.kind_at(view.text.index("quoted password")) == "quote"
    assert view.kind_at(view.text.index("card number")) == ""


@pytest.mark.parametrize(
    "value",
    [
        None,
        "a string",
        42,
        [],
        {},
        {"type": "doc"},
        {"type": "doc", "content": "not a list"},
        {"type": "doc", "content": [None, 3, "x", {"type": "text"}, {"type": "text", "text": None}]},
        {"type": "mention", "attrs": "not a mapping"},
        {"type": "date", "attrs": {"timestamp": "soon"}},
        {"type": "date", "attrs": {"timestamp": 10**30}},
        {"type": "orderedList", "attrs": {"order": "x"}, "content": [{"type": "listItem"}]},
        {"type": "inlineCard", "attrs": {"data": {"name": "a card"}}},
        {"type": "table", "content": [{"type": "tableRow", "content": [None]}]},
    ],
)
def test_never_raises_on_odd_input(value: object) -> None:
    assert isinstance(adf.to_text(value), str)


def test_odd_values_read_sensibly() -> None:
    assert adf.to_text({"type": "date", "attrs": {"timestamp": "soon"}}) == "soon"
    assert adf.to_text({"type": "inlineCard", "attrs": {"data": {"name": "a card"}}}) == "a card"
    assert adf.to_text({"type": "unknownInline", "text": "kept"}) == "kept"


def test_very_deep_nesting_is_read_without_recursion_error() -> None:
    node: dict = t("deep text")
    for _ in range(5000):
        node = {"type": "blockquote", "content": [node]}
    assert "deep text" in adf.to_text(doc(node))


def test_large_document_is_fast() -> None:
    big = doc(*(p(t(f"line {i} about card numbers and encryption")) for i in range(30_000)))
    assert len(json.dumps(big)) > 1_000_000
    started = time.perf_counter()
    text = adf.to_text(big)
    assert time.perf_counter() - started < 2
    assert text.count("\n") == 29_999


def test_text_to_adf_round_trips() -> None:
    written = adf.text_to_adf("first line\n\nthird line")
    assert written["type"] == "doc" and written["version"] == 1
    assert adf.to_text(written) == "first line\n\nthird line"


WIKI = """h1. Card payments
Store the *card number* using {{tokenize()}} and _never_ log it; a well-known snake_case_name stays.
* item one
** nested [link text|https://example.com/x] and [https://example.com/y] by [~jdoe]
# numbered
{code:python}
print(*args)  # *not* emphasis here
{code}
bq. quoted line
{quote}
multi *line* quote
{quote}
{color:red}red{color} -struck- +inserted+ ??cited?? !diagram.png|thumbnail!
|| Field || Rule ||
| cvv | never store |
first\\\\second
{noformat}raw *x*{noformat}"""


def test_wiki_markup_reads_as_text() -> None:
    assert adf.wiki_to_text(WIKI) == (
        "Card payments\n"
        "Store the card number using `tokenize()` and never log it; a well-known snake_case_name stays.\n"
        "- item one\n"
        "  - nested link text (https://example.com/x) and https://example.com/y by @jdoe\n"
        "1. numbered\n"
        "```python\n"
        "print(*args)  # *not* emphasis here\n"
        "```\n"
        "> quoted line\n"
        "> multi line quote\n"
        "red struck inserted cited\n"
        "Field | Rule\n"
        "cvv | never store\n"
        "first\n"
        "second\n"
        "```\n"
        "raw *x*\n"
        "```"
    )


def test_wiki_code_stays_code_for_the_classifier() -> None:
    view = normalize(adf.wiki_to_text(WIKI))
    assert view.kind_at(view.text.index("print(*args)")) == "code"


@pytest.mark.parametrize("text", ["", "plain", "{code}never closed", "*", "**", "-", "{quote}", "[|]", "!!"])
def test_wiki_never_raises(text: str) -> None:
    assert isinstance(adf.wiki_to_text(text), str)


def test_huge_wiki_is_fast() -> None:
    text = "Some *bold* words with [a link|https://x.example] and {{code}} - more -words- here.\n" * 15_000
    assert len(text) > 1_000_000
    started = time.perf_counter()
    out = adf.wiki_to_text(text)
    assert time.perf_counter() - started < 3
    assert out.startswith("Some bold words with a link (https://x.example) and `code` - more words here.")
