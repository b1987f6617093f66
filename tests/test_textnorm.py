from __future__ import annotations

import json
import re
import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracer import textnorm
from tracer.textnorm import REGION_KINDS, NormText, RegionKinds, normalize, with_regions

# Any code point, lone surrogates included (they reach us from surrogateescape-decoded input).
ANY_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()))
JUNK = st.binary(max_size=2000).map(lambda raw: raw.decode("utf-8", "surrogateescape"))
# Text made of the characters that markup is built from, so that every construct gets hit.
MARKUP = st.text(alphabet='ab k\n\t `*_[](){}<>!|#-~:/.="hwq1234codefnrmatquotebq', max_size=400)
# Lines that open, close and nest the line constructs (fences, indented code, quotes, logs).
LINES = st.lists(
    st.sampled_from(
        ["\n", "\n\n", "\n```", "\n```js", "\n~~~~", "\n  ```", "\n````", "\n    code", "\n\tcode", "\n    - item",
         "\n    at a.B(C.java:1)", "\n> quote", "\nbq. q", "\nh1. t", "\nTraceback (most recent call last)",
         "\n[ERROR] x", "\n2024-01-02 10:11 x", "\nprose", " `a` ", " ``b`` c`", " http://x.y/z", " www.a.b", " [l](http://q)",
         " [l|http://q]", " {{mono}}", "\n{code}", "\n{quote}", " {noformat} ", "\n    "]
    ),
    max_size=60,
).map("".join)


def _check_invariants(source: str, norm: NormText) -> None:
    assert norm.source == source
    if not norm.anchors:
        assert len(norm.text) == len(source)  # markup is blanked, never removed
    previous_end = 0
    for region in norm.regions:
        assert region.kind in REGION_KINDS
        assert previous_end <= region.start < region.end <= len(norm.text)
        previous_end = region.end
    for start in range(0, len(norm.text), max(1, len(norm.text) // 7)):
        end = min(len(norm.text), start + 3)
        if start < end:
            src_start, src_end = norm.source_span(start, end)
            assert 0 <= src_start <= src_end <= len(source)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_never_raises_on_any_text(text: str) -> None:
    _check_invariants(text, normalize(text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JUNK)
def test_never_raises_on_binary_junk(text: str) -> None:
    _check_invariants(text, normalize(text))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKUP)
def test_markup_keeps_offsets(text: str) -> None:
    norm = normalize(text)
    _check_invariants(text, norm)
    # Only markup characters are blanked: every non-space character of the view is the source's.
    for index, char in enumerate(norm.text):
        assert char == text[index] or char == " "


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKUP)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="abcdefghij klmnopqrstuvwxyz.,;", max_size=300))
def test_plain_prose_is_left_alone(text: str) -> None:
    norm = normalize(text)
    assert norm.text == text
    assert norm.regions == ()


def _kind_of(norm: NormText, needle: str) -> str:
    return norm.kind_at(norm.source.index(needle))


def test_markdown_regions() -> None:
    text = (
        "Intro about login.\n"
        "```python\npassword = 'x'\n```\n"
        "> quoted customer text\n"
        "See [the docs](https://example.com/password-reset) and `token_value`.\n"
        "2024-01-02 10:11:12 ERROR session expired\n"
        "<!-- template: fill in the password field -->\n"
        "Bare www.example.org/card link."
    )
    norm = normalize(text)
    assert _kind_of(norm, "Intro") == ""
    assert _kind_of(norm, "password = ") == "code"
    assert _kind_of(norm, "quoted") == "quote"
    assert _kind_of(norm, "example.com/password") == "url"
    assert _kind_of(norm, "token_value") == "code"
    assert _kind_of(norm, "ERROR") == "log"
    assert _kind_of(norm, "www.example.org") == "url"
    assert "fill in the password" not in norm.text  # template comments are dropped
    assert norm.text.index("the docs") == text.index("the docs")


def test_jira_wiki_regions() -> None:
    text = "h2. Problem\n{code:java}\nString pan = card.number();\n{code}\nbq. said the customer\n{{monospace}} text"
    norm = normalize(text)
    assert "{code" not in norm.text  # macro names would read as words
    assert _kind_of(norm, "String pan") == "code"
    assert _kind_of(norm, "said the") == "quote"
    assert _kind_of(norm, "monospace") == "code"
    assert _kind_of(norm, "Problem") == ""


def test_stack_traces_are_logs() -> None:
    text = (
        "Crash:\njava.lang.IllegalStateException: boom\n"
        "    at com.shop.Payment.charge(Payment.java:42)\n"
        "Traceback (most recent call last):\n"
    )
    norm = normalize(text)
    assert _kind_of(norm, "at com.shop") in {"log", "code"}
    assert _kind_of(norm, "Traceback") == "log"


def _adf(*paragraphs: dict[str, object]) -> str:
    return json.dumps({"version": 1, "type": "doc", "content": list(paragraphs)})


def test_adf_is_flattened_and_maps_back_to_the_json() -> None:
    doc = _adf(
        {"type": "paragraph", "content": [{"type": "text", "text": 'Store the "card" number\u00e9 \U0001f600 safely'}]},
        {"type": "codeBlock", "content": [{"type": "text", "text": "password = 1"}]},
        {"type": "paragraph", "content": [{"type": "inlineCard", "attrs": {"url": "https://x.test/phi"}}]},
    )
    norm = normalize(doc)
    assert norm.anchors
    assert 'Store the "card" number' in norm.text
    start = norm.text.index("number")
    src_start, src_end = norm.source_span(start, start + len("number"))
    assert doc[src_start:src_end] == "number"
    quoted = norm.text.index('"card"') + 1
    src_start, src_end = norm.source_span(quoted, quoted + 4)
    assert doc[src_start:src_end] == "card"
    assert norm.kind_at(norm.text.index("password")) == "code"
    assert norm.kind_at(norm.text.index("https://x.test")) == "url"


def test_adf_with_escapes_in_ascii_json() -> None:
    doc = json.dumps(
        {
            "version": 1,
            "type": "doc",
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": "caf\u00e9 \U0001f600 token"}]}],
        }
    )
    assert "\\u" in doc  # json.dumps escapes non-ASCII by default
    norm = normalize(doc)
    start = norm.text.index("token")
    src_start, src_end = norm.source_span(start, start + 5)
    assert doc[src_start:src_end] == "token"


def test_broken_adf_falls_back_to_text() -> None:
    text = '{"type": "doc", "content": [ not json'
    assert normalize(text).text.startswith('{"type"')


def test_deep_adf_does_not_recurse_forever() -> None:
    deep = '{"type": "paragraph", "content": [' * 3000 + '{"type": "text", "text": "x"}' + "]}" * 3000
    normalize('{"version": 1, "type": "doc", "content": [' + deep + "]}")
    normalize('{"type": "doc", "content": ' + "[" * 5000 + "]" * 5000 + "}")


def test_megabyte_of_adversarial_markup_is_linear() -> None:
    pieces = ["{code:x}", "<!--", "[a", "`", "![", "{{", "http://", "\n    ", "> ", "```", "|", "](", "h1. "]
    started = time.perf_counter()
    for piece in pieces:
        text = piece * (1_000_000 // len(piece))
        norm = normalize(text)
        assert len(norm.text) == len(text)
    assert time.perf_counter() - started < 20  # quadratic behaviour would take hours


def _kinds(text: str) -> list[str]:
    merged = with_regions(text, text)
    return [merged.kind_at(pos) for pos in range(len(text) + 1)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(MARKUP, LINES))
def test_region_kinds_read_off_the_lines_agree_with_the_merged_regions(text: str) -> None:
    kinds = RegionKinds(text)
    assert [kinds.kind_at(pos) for pos in range(len(text) + 1)] == _kinds(text)


def test_region_kinds_of_long_or_busy_texts_are_merged_as_before() -> None:
    long = "```js\n`a` http://x.y/`b`\n```\n    code\n" * 700  # past the length read line by line
    busy = "`x` http://a.b [l](http://q) {{m}}\n    code\n" * 60  # many regions found up front
    for text in (long, busy):
        kinds = RegionKinds(text)
        assert [kinds.kind_at(pos) for pos in range(len(text) + 1)] == _kinds(text)


def test_a_tag_inside_a_tag_is_blanked_whole() -> None:
    # Blanking the inner tag leaves a tag around it; normalising the view again found it.
    for text in ("<a<a>>", "Use List<Map<String>> for the token cache"):
        view = normalize(text).text
        assert "<" not in view and normalize(view).text == view
    assert normalize("Use List<Map<String>> here").text == "Use List" + " " * len("<Map<String>>") + " here"
    # A pass blanks one level of nesting; the passes are capped, so hostile nesting costs a
    # few passes over the text, not one per level: 8 of 20,000 levels are blanked.
    deep = "<a" * 20_000 + ">" * 20_000
    view = normalize(deep).text
    assert len(view) == len(deep) and view.count("<") == view.count(">") == 20_000 - 8


# What a fence line is: a line that `_FENCE` matches from its start.
_FENCE_LINE = re.compile(rf"(?m)^{textnorm._FENCE.pattern}")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(LINES, st.text(alphabet="`~ \t\n\ra", max_size=80)))
def test_fence_lines_are_the_lines_the_fence_pattern_matches(text: str) -> None:
    expected = [(match.start(), match.group("fence_marker")) for match in _FENCE_LINE.finditer(text)]
    assert textnorm._fence_lines(text) == expected


def test_fence_lines_need_their_marker_within_three_spaces_of_the_line_start() -> None:
    text = "```js\n   ~~~~\n    ```\nx ```\n\t``` \n``x```"
    assert textnorm._fence_lines(text) == [(0, "```"), (6, "~~~~"), (28, "```")]
    assert textnorm._fences("a\n```\ncode\n````\nb") == [(5, 11)]


def _backtick_spans_by_regex(text: str, begin: int, stop: int) -> list[textnorm.Region]:
    """Inline code as first written: every run of backticks a regex finds, paired in order."""
    regions: list[textnorm.Region] = []
    opened: tuple[int, int] | None = None
    for run in re.compile(r"`+").finditer(text, begin, stop):
        start, end = run.span()
        if opened is not None and end - start == opened[1] - opened[0] and "\n" not in text[opened[1] : start]:
            if start > opened[1]:
                regions.append(textnorm.Region(opened[1], start, "code"))
            opened = None
        else:
            opened = (start, end)
    return regions


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="``a \n", max_size=60), st.integers(0, 60), st.integers(0, 70))
@example("``a``", 0, 5)  # a run that ends where the search does
@example("x ```code``` `y` ``z` \n`", 1, 99)
def test_inline_code_pairs_runs_of_the_same_length_on_one_line(text: str, begin: int, stop: int) -> None:
    found: list[textnorm.Region] = []
    textnorm._backtick_spans(text, found, begin, stop)
    assert found == _backtick_spans_by_regex(text, begin, stop)
