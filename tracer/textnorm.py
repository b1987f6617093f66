"""Ticket text -> a plain view for matching, with low-weight regions and offsets kept.

Tickets arrive as JIRA wiki markup, Markdown, or Atlassian Document Format (ADF) JSON.
The classifier wants words, and it wants to know which words sit in code, logs, URLs or
quotes (they count little). Evidence must still point at the original text, so:

- markup is *blanked* (replaced by spaces), never deleted: the view has the same length as
  the source and an offset in the view is an offset in the source;
- ADF is flattened to text, and `anchors` map view offsets back into the JSON source.

Every pattern here is linear: negated character classes that stop at their delimiter,
bounded repeats, and paired tags matched in Python rather than with a lazy `.*?`.
"""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Region kinds, lowest weight last; a later kind overwrites an earlier one where they overlap.
REGION_KINDS: tuple[str, ...] = ("quote", "code", "log", "url")
_KIND_CODE = {kind: index + 1 for index, kind in enumerate(REGION_KINDS)}


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    kind: str  # one of REGION_KINDS


@dataclass(frozen=True)
class NormText:
    """`text` is the view that gets matched; `source` is what the ticket said."""

    source: str
    text: str
    regions: tuple[Region, ...] = ()  # sorted, non-overlapping, in view offsets
    anchors: tuple[tuple[int, int], ...] = ()  # (view, source) pairs; empty: same offsets

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the view back to the source text."""
        if not self.anchors:
            return start, end
        return self._to_source(start), self._to_source(max(start, end - 1)) + 1

    def _to_source(self, pos: int) -> int:
        index = bisect.bisect_right(self.anchors, (pos, len(self.source) + 1)) - 1
        if index < 0:
            return 0
        view_at, source_at = self.anchors[index]
        return min(source_at + (pos - view_at), max(len(self.source) - 1, 0))

    def kind_at(self, pos: int) -> str:
        """The region kind covering a view offset, or "" for plain prose."""
        if not self.regions:
            return ""
        index = bisect.bisect_right(self.regions, pos, key=_region_start) - 1
        if index >= 0 and pos < self.regions[index].end:
            return self.regions[index].kind
        return ""


def _region_start(region: Region) -> int:
    return region.start


def normalize(text: str) -> NormText:
    """The matchable view of one ticket field. Never raises on any str."""
    if not text:
        return NormText(source="", text="")
    if _looks_like_adf(text):
        flat = _flatten_adf(text)
        if flat is not None:
            view, regions, anchors = flat
            stripped, more = _strip(view)
            return NormText(source=text, text=stripped, regions=_merge(len(view), regions + more), anchors=anchors)
    view, regions = _strip(text)
    return NormText(source=text, text=view, regions=_merge(len(text), regions))


# ---------------------------------------------------------------------------------------
# Markup (JIRA wiki and Markdown): blank markers, collect regions.

_LINE = re.compile(r"[^\n]*\n?")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_JIRA_BLOCK = re.compile(r"\{(code|noformat|quote)(?::[^}\n]{0,200})?\}")
_COMMENT = re.compile(r"<!--|-->")
_BLANK_INLINE = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>\n]{0,300})?/?>"  # HTML tags
    r"|!\[?[^\s!|\]]{1,300}\.(?:png|jpe?g|gif|svg|bmp|webp)(?:\|[^!\n]{0,100})?!"  # JIRA images
    r"|\{(?:color|panel|anchor|toc|expand)(?::[^}\n]{0,200})?\}"  # JIRA macros
    r"|(?m:^[ \t]*h[1-6]\.(?=[ \t]))"  # JIRA headings
    r"|(?m:^[ \t]*bq\.(?=[ \t]))"  # JIRA block quote marker (the line is a quote)
    ,
    re.IGNORECASE,
)
_LINK = re.compile(r"(!?\[)([^\]\n]{0,500})(\]\()([^)\s]{1,2000})(\))|(\[)([^\]|\n]{0,500})(\|)([^\]\s]{1,2000})(\])")
_INLINE_CODE = re.compile(r"(\{\{)([^}\n]{1,2000})(\}\})|(`+)([^`\n]{1,2000})(`+)")
_URL = re.compile(r"(?:\b(?:https?|ftp|file)://|\bwww\.)[^\s<>\"'`\])}|]{1,2000}", re.IGNORECASE)
_QUOTE = re.compile(r"[ \t]{0,3}(>+)")
_INDENTED = re.compile(r"(?: {4}|\t)(?![ \t]*(?:[-*+]|\d{1,3}[.)])[ \t])\S")
_LOG_LINE = re.compile(
    r"[ \t]*(?:"
    r"at [\w$.<>/]+\(.{0,300}\)"  # Java/JS stack frame
    r"|File \"[^\"\n]{1,500}\", line \d+"  # Python stack frame
    r"|Traceback \(most recent call last\)"
    r"|Caused by:"
    r"|(?:npm|yarn|pnpm) (?:ERR!|WARN|error|warn)"
    r"|\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d"  # timestamped log line
    r"|\[?(?:ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|SEVERE)\b[\]:]?[ \t]"
    r"|(?:[a-z_$][\w$]*\.){2,}[A-Z]\w*(?:Exception|Error)\b"  # qualified exception name
    r")"
)


def _strip(text: str) -> tuple[str, list[Region]]:
    blanks: list[tuple[int, int]] = []
    regions: list[Region] = []
    _comments(text, blanks)
    _jira_blocks(text, blanks, regions)
    for match in _BLANK_INLINE.finditer(text):
        blanks.append(match.span())
        if match.group().lower().strip() == "bq.":
            line_end = text.find("\n", match.end())
            regions.append(Region(match.end(), len(text) if line_end < 0 else line_end, "quote"))
    for match in _LINK.finditer(text):
        groups = (1, 3, 5) if match.group(1) is not None else (6, 8, 10)
        for group in groups:
            blanks.append(match.span(group))
        url_group = 4 if match.group(1) is not None else 9
        regions.append(Region(*match.span(url_group), "url"))
    for match in _INLINE_CODE.finditer(text):
        open_group, body_group, close_group = (1, 2, 3) if match.group(1) is not None else (4, 5, 6)
        blanks.append(match.span(open_group))
        blanks.append(match.span(close_group))
        regions.append(Region(*match.span(body_group), "code"))
    for match in _URL.finditer(text):
        regions.append(Region(*match.span(), "url"))
    _lines(text, blanks, regions)
    return _blank(text, blanks), regions


def _comments(text: str, blanks: list[tuple[int, int]]) -> None:
    # HTML comments hold issue-template boilerplate; pair the markers in one linear pass.
    start = -1
    for match in _COMMENT.finditer(text):
        if match.group() == "<!--" and start < 0:
            start = match.start()
        elif match.group() == "-->" and start >= 0:
            blanks.append((start, match.end()))
            start = -1
    if start >= 0:
        blanks.append((start, len(text)))


def _jira_blocks(text: str, blanks: list[tuple[int, int]], regions: list[Region]) -> None:
    opened: tuple[str, int] | None = None
    for match in _JIRA_BLOCK.finditer(text):
        blanks.append(match.span())
        name = match.group(1).lower()
        if opened is None:
            opened = (name, match.end())
        elif opened[0] == name:
            regions.append(Region(opened[1], match.start(), "quote" if name == "quote" else "code"))
            opened = None
    if opened is not None:
        regions.append(Region(opened[1], len(text), "quote" if opened[0] == "quote" else "code"))


def _lines(text: str, blanks: list[tuple[int, int]], regions: list[Region]) -> None:
    fence: str | None = None
    fence_start = 0
    previous_blank = True
    previous_code = False
    for match in _LINE.finditer(text):
        start, end = match.span()
        if start == end:
            break
        line = match.group()
        fence_match = _FENCE.match(line)
        if fence is None and fence_match:
            fence, fence_start = fence_match.group(1), end
            blanks.append((start, end - 1 if line.endswith("\n") else end))
            continue
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                regions.append(Region(fence_start, start, "code"))
                blanks.append((start, end - 1 if line.endswith("\n") else end))
                fence = None
            continue
        quote = _QUOTE.match(line)
        if quote:
            blanks.append((start + quote.start(1), start + quote.end(1)))
            regions.append(Region(start + quote.end(1), end, "quote"))
        elif _LOG_LINE.match(line):
            regions.append(Region(start, end, "log"))
        is_blank = not line.strip()
        is_code = not is_blank and (previous_blank or previous_code) and bool(_INDENTED.match(line))
        if is_code:
            regions.append(Region(start, end, "code"))
        previous_code = is_code or (previous_code and is_blank)
        previous_blank = is_blank
    if fence is not None:
        regions.append(Region(fence_start, len(text), "code"))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        start = max(start, cursor)
        if end <= start:
            continue
        parts.append(text[cursor:start])
        # Keep newlines so that line-based rules see the same lines on a second pass.
        parts.append(re.sub(r"[^\n]", " ", text[start:end]))
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def _merge(length: int, regions: list[Region]) -> tuple[Region, ...]:
    """Paint regions by kind priority and read back non-overlapping runs."""
    if not regions:
        return ()
    paint = bytearray(length)
    for kind in REGION_KINDS:
        code = _KIND_CODE[kind]
        for region in regions:
            if region.kind == kind and region.end > region.start:
                start, end = max(region.start, 0), min(region.end, length)
                paint[start:end] = bytes((code,)) * (end - start)
    runs: list[Region] = []
    for match in _RUNS.finditer(bytes(paint)):
        runs.append(Region(match.start(), match.end(), REGION_KINDS[match.group()[0] - 1]))
    return tuple(runs)


_RUNS = re.compile(rb"\x01+|\x02+|\x03+|\x04+")


# ---------------------------------------------------------------------------------------
# ADF: {"version": 1, "type": "doc", "content": [...]}, flattened in reading order.

_STRING_LITERAL = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_MAX_DEPTH = 200
_BLOCKS = {
    "paragraph", "heading", "bulletList", "orderedList", "listItem", "codeBlock", "blockquote",
    "panel", "table", "tableRow", "tableHeader", "tableCell", "rule", "expand", "nestedExpand",
    "decisionList", "decisionItem", "taskList", "taskItem", "doc",
}  # fmt: skip
_SKIPPED = {"media", "mediaSingle", "mediaGroup", "mediaInline", "extension", "bodiedExtension"}


def _looks_like_adf(text: str) -> bool:
    head = text[:200].lstrip()
    return head.startswith("{") and '"type"' in text[:4096] and '"doc"' in text[:4096]


@dataclass(frozen=True)
class _Lit:
    """A JSON string value and where its literal sits in the source."""

    value: str
    start: int  # offset of the opening quote
    raw: str  # the literal as written, quotes included


class _Pairs(list[tuple[Any, Any]]):
    """A JSON object kept as ordered pairs, so that literals can be matched in order."""


def _flatten_adf(text: str) -> tuple[str, list[Region], tuple[tuple[int, int], ...]] | None:
    try:
        data = json.loads(text, object_pairs_hook=_Pairs)
    except (ValueError, RecursionError):
        return None
    literals = iter(_STRING_LITERAL.finditer(text))
    try:
        tree = _attach(data, literals, 0)
    except (StopIteration, ValueError, RecursionError):
        return None
    if not isinstance(tree, _Pairs) or _get(tree, "type") != "doc":
        return None
    out = _AdfWriter()
    try:
        out.node(tree, 0)
    except RecursionError:
        return None
    return "".join(out.parts), out.regions, tuple(out.anchors)


def _attach(node: Any, literals: Iterator[re.Match[str]], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("too deep")
    if isinstance(node, str):
        match = next(literals)
        return _Lit(node, match.start(), match.group())
    if isinstance(node, _Pairs):
        result = _Pairs()
        for key, value in node:
            next(literals)  # the key's literal
            result.append((key, _attach(value, literals, depth + 1)))
        return result
    if isinstance(node, list):
        return [_attach(item, literals, depth + 1) for item in node]
    return node


def _get(node: _Pairs, key: str) -> Any:
    found: Any = None
    for name, value in node:
        if name == key:
            found = value
    return found.value if isinstance(found, _Lit) else found


def _get_lit(node: Any, key: str) -> _Lit | None:
    if not isinstance(node, _Pairs):
        return None
    found: Any = None
    for name, value in node:
        if name == key:
            found = value
    return found if isinstance(found, _Lit) else None


class _AdfWriter:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.regions: list[Region] = []
        self.anchors: list[tuple[int, int]] = []

    def plain(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def literal(self, lit: _Lit, kind: str = "") -> None:
        start = self.length
        for offset, piece in _decode_pieces(lit):
            self.anchors.append((self.length, lit.start + offset))
            self.plain(piece)
        if kind and self.length > start:
            self.regions.append(Region(start, self.length, kind))

    def node(self, node: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, list):
            for item in node:
                self.node(item, depth + 1)
            return
        if not isinstance(node, _Pairs):
            return
        kind = _get(node, "type")
        attrs = _get(node, "attrs")
        if kind == "text":
            text = _get_lit(node, "text")
            if text is not None:
                marks = _get(node, "marks")
                is_code = isinstance(marks, list) and any(
                    isinstance(mark, _Pairs) and _get(mark, "type") == "code" for mark in marks
                )
                self.literal(text, "code" if is_code else "")
            return
        if kind == "hardBreak":
            self.plain("\n")
            return
        if kind in {"mention", "emoji", "status", "date", "inlineCard", "blockCard", "embedCard"}:
            key = {"emoji": "shortName", "date": "timestamp", "inlineCard": "url", "blockCard": "url"}.get(kind, "text")
            lit = _get_lit(attrs, "text") or _get_lit(attrs, key)
            if lit is not None:
                self.literal(lit, "url" if kind.endswith("Card") else "")
            if kind in {"blockCard", "embedCard"}:
                self.plain("\n")
            return
        if kind in _SKIPPED:
            return
        start = self.length
        if kind == "listItem":
            self.plain("- ")
        content = _get(node, "content")
        if kind == "tableRow" and isinstance(content, list):
            for index, cell in enumerate(content):
                if index:
                    self.plain(" | ")
                self.node(cell, depth + 1)
        else:
            self.node(content, depth + 1)
        if kind in {"codeBlock", "blockquote"}:
            self.regions.append(Region(start, self.length, "code" if kind == "codeBlock" else "quote"))
        if kind in _BLOCKS and kind not in {"tableCell", "tableHeader", "doc", "listItem"}:
            if not self.parts or not self.parts[-1].endswith("\n"):
                self.plain("\n")


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _decode_pieces(lit: _Lit) -> Iterator[tuple[int, str]]:
    """The decoded value in pieces, each with its offset in the literal (quotes included)."""
    raw = lit.raw
    if "\\" not in raw:
        yield 1, lit.value
        return
    pos, end = 1, len(raw) - 1
    while pos < end:
        slash = raw.find("\\", pos, end)
        if slash < 0:
            yield pos, raw[pos:end]
            return
        if slash > pos:
            yield pos, raw[pos:slash]
        code = raw[slash + 1 : slash + 2]
        if code == "u":
            unit = int(raw[slash + 2 : slash + 6], 16)
            width = 6
            if 0xD800 <= unit < 0xDC00 and raw[slash + 6 : slash + 8] == "\\u":
                low = int(raw[slash + 8 : slash + 12], 16)
                if 0xDC00 <= low < 0xE000:
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    width = 12
            yield slash, chr(unit)
            pos = slash + width
        else:
            yield slash, _ESCAPES.get(code, code)
            pos = slash + 2
