"""Ticket text -> a plain view for matching, with low-weight regions and offsets kept.

Tickets arrive as JIRA wiki markup, Markdown, or Atlassian Document Format (ADF) JSON.
The classifier wants words, and it wants to know which words sit in code, logs, URLs or
quotes (they count little). Evidence must still point at the original text, so:

- markup that would read as words (HTML comments and tags, JIRA macros and images) is
  *blanked* (replaced by spaces), never deleted: the view has the same length as the source
  and an offset in the view is an offset in the source. Punctuation markup (`**`, backticks,
  brackets, `>`) stays: the matcher skips punctuation anyway;
- ADF is flattened to text, and `anchors` map view offsets back into the JSON source.

Every pattern here is linear: negated character classes that stop at their delimiter,
bounded repeats, and paired tags matched in Python rather than with a lazy `.*?`.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

# Region kinds, lowest weight last; a later kind overwrites an earlier one where they overlap.
REGION_KINDS: tuple[str, ...] = ("quote", "code", "log", "url")
_KIND_CODE = {kind: index + 1 for index, kind in enumerate(REGION_KINDS)}


class Region(NamedTuple):
    """A low-weight stretch of a field (a tuple: a field may have many)."""

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
    starts: tuple[int, ...] = ()  # region starts, for bisect

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
        index = bisect.bisect_right(self.starts, pos) - 1
        if index >= 0 and pos < self.regions[index].end:
            return self.regions[index].kind
        return ""


# Whether a text may hold markup, in pieces that the regex engine scans at C speed (a
# character class alone, a first-letter class, a match at the start only), where one
# alternation of them all would be tried at every character.
_MARKUP_CHAR = re.compile(r"[<>{}\[`!|~\n]")
_WWW_HINT = re.compile(r"[Ww][Ww][Ww]\.")
_HEADING_HINT = re.compile(r"[ \t]*(?:h[1-6]|bq)\.", re.IGNORECASE)


def _has_markup_hint(text: str) -> bool:
    """Markup characters, a URL, or a JIRA heading or quote marker at the start."""
    return (
        "\n" in text  # (a `_MARKUP_CHAR`: most descriptions have one, found at memchr speed)
        or _MARKUP_CHAR.search(text) is not None
        or "://" in text
        # "www." ends in "w." (and in a dot, found at memchr speed: most titles have none)
        or ("." in text and ("w." in text or "W." in text) and _WWW_HINT.search(text) is not None)
        or _HEADING_HINT.match(text) is not None
    )


def normalize(text: str) -> NormText:
    """The matchable view of one ticket field. Never raises on any str."""
    view, norm, markup = normalize_view(text)
    if norm is not None:
        return norm
    return with_regions(text, view) if markup else NormText(source=text, text=view)


def normalize_view(text: str) -> tuple[str, NormText | None, bool]:
    """The view alone: (view, its NormText when it came for free (ADF), whether it has markup).

    For markup the view only needs the blanked spans; the regions (a pass per construct)
    are left to `with_regions` or `RegionKinds`, which the classifier uses only for
    tickets whose matches can still make them security-relevant. Plain text has none.
    """
    if not text or not _has_markup_hint(text):
        return text, None, False  # plain prose, as most titles are
    if _looks_like_adf(text):
        flat = _flatten_adf(text)
        if flat is not None:
            view, regions, anchors = flat
            stripped, more = _strip(view)
            merged = _merge(len(view), regions + more)
            return stripped, NormText(text, stripped, merged, anchors, tuple(r.start for r in merged)), True
    return _blanked(text), None, True


def with_regions(text: str, view: str) -> NormText:
    """The NormText of a markup (non-ADF) text whose view `normalize_view` gave."""
    merged = _merge(len(text), _regions(text))
    return NormText(source=text, text=view, regions=merged, starts=tuple(r.start for r in merged))


# ---------------------------------------------------------------------------------------
# Markup (JIRA wiki and Markdown): blank markers, collect regions.

_JIRA_BLOCK = re.compile(r"\{(code|noformat|quote)(?::[^{}\n]{0,200})?\}")
_COMMENT = re.compile(r"<!--|-->")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>\n]{0,300})?/?>")
_JIRA_IMAGE = re.compile(r"!\[?[^\s!|\]]{1,300}\.(?:png|jpe?g|gif|svg|bmp|webp)(?:\|[^!\n]{0,100})?!", re.IGNORECASE)
_JIRA_MACRO = re.compile(r"\{(?:color|panel|anchor|toc|expand)(?::[^{}\n]{0,200})?\}", re.IGNORECASE)
# Bodies exclude their own opening character, so a failed attempt stops at the next opening
# and no text is scanned twice ("[[[[" or "````" stay linear).
_MD_LINK = re.compile(r"(\[)([^\[\]\n]{0,500})(\]\()([^()\[\]\s]{1,2000})(\))")
_JIRA_LINK = re.compile(r"(\[)([^\[\]|\n]{0,500})(\|)([^\[\]|\s]{1,2000})(\])")
_MONOSPACE = re.compile(r"(\{\{)([^{}\n]{1,2000})(\}\})")
_SCHEME = re.compile(r"(?:https?|ftp|file)$", re.IGNORECASE)
_URL_TAIL = re.compile(r"[^\s<>\"'`\])}|]{1,2000}")
_WWW = re.compile(r"[Ww][Ww][Ww]\.[^\s<>\"'`\])}|]{1,2000}")
_FENCE = re.compile(r"[ \t]{0,3}(?P<fence_marker>`{3,}|~{3,})")
_QUOTE = re.compile(r"[ \t]{0,3}(?P<quote_marker>>+)")
_MARKER = re.compile(r"[ \t]*(?P<marker_name>h[1-6]\.|bq\.)(?=[ \t])", re.IGNORECASE)
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
    r")"
)


def _strip(text: str) -> tuple[str, list[Region]]:
    return _blanked(text), _regions(text)


def _blanked(text: str) -> str:
    """`text` with its markup blanked until no more is found: a tag inside a tag
    ("List<Map<String>>") leaves, once blanked, a tag around it, which a second look
    (normalising the view again) would blank. At most `_BLANK_PASSES` passes: each blanks
    the next level of nesting everywhere at once, so a hostile text stays linear."""
    view = _blank(text, _blank_spans(text))
    for _ in range(_BLANK_PASSES - 1):
        if view is text:  # nothing was blanked: nothing new can have appeared
            break
        text, view = view, _blank(view, _blank_spans(view))
    return view


_BLANK_PASSES = 8


def _blank_spans(text: str) -> list[tuple[int, int]]:
    """Markup that would read as words. Each construct has a cheap substring guard."""
    blanks: list[tuple[int, int]] = []
    if "<!--" in text:
        _comments(text, blanks)
    if "{" in text:
        _jira_blocks(text, blanks, None)
        blanks.extend(m.span() for m in _JIRA_MACRO.finditer(text))
    if "<" in text:
        blanks.extend(m.span() for m in _HTML_TAG.finditer(text))
    if "!" in text:
        blanks.extend(m.span() for m in _JIRA_IMAGE.finditer(text))
    return blanks


def _regions(text: str) -> list[Region]:
    """Low-weight regions, in the source's offsets; most tickets use few of the constructs."""
    regions = _spread_regions(text)
    if "`" in text:
        _backtick_spans(text, regions)
    _lines(text, regions)
    return regions


def _spread_regions(text: str) -> list[Region]:
    """The regions other than inline code and line constructs: each found in one search."""
    regions: list[Region] = []
    if "{" in text:
        _jira_blocks(text, None, regions)
        if "{{" in text:
            _code_spans(_MONOSPACE, text, regions)
    if "](" in text:
        _links(_MD_LINK, text, regions)
    if "|" in text and "[" in text:
        _links(_JIRA_LINK, text, regions)
    if "://" in text:
        _urls(text, regions)
    if "www." in text or "WWW." in text:
        regions.extend(Region(*m.span(), "url") for m in _WWW.finditer(text))
    return regions


def _links(pattern: re.Pattern[str], text: str, regions: list[Region]) -> None:
    # Brackets and backticks are punctuation to the matcher: they stay, only regions are noted.
    for match in pattern.finditer(text):
        regions.append(Region(*match.span(4), "url"))


def _backtick_spans(text: str, regions: list[Region], begin: int = 0, stop: int | None = None) -> None:
    """Inline code: a run of backticks closed by a run of the same length on the same line.

    A run never closes one on an earlier line, so text[begin:stop] alone gives the spans of
    the lines it holds whole.
    """
    opened: tuple[int, int] | None = None
    limit = len(text) if stop is None else min(stop, len(text))
    start = text.find("`", begin, limit)  # each run found with str.find: a match object cost more
    while start >= 0:
        end = _run_end(text, start, limit)
        if opened is not None and end - start == opened[1] - opened[0] and text.find("\n", opened[1], start) < 0:
            if start > opened[1]:
                regions.append(Region(opened[1], start, "code"))
            opened = None
        else:
            opened = (start, end)
        start = text.find("`", end, limit)


def _run_end(text: str, start: int, limit: int) -> int:
    """Where the run of text[start] that starts there ends, at `limit` at the latest."""
    char = text[start]
    end = start + 1
    while end < limit and text[end] == char:
        end += 1
    return end


def _urls(text: str, regions: list[Region]) -> None:
    position = text.find("://")
    while position >= 0:
        scheme = _SCHEME.search(text, max(0, position - 5), position)
        tail = _URL_TAIL.match(text, position + 3)
        end = tail.end() if tail else position + 3
        if scheme is not None and tail is not None:
            regions.append(Region(scheme.start(), end, "url"))
        position = text.find("://", end)


def _code_spans(pattern: re.Pattern[str], text: str, regions: list[Region]) -> None:
    for match in pattern.finditer(text):
        regions.append(Region(*match.span(2), "code"))


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


def _jira_blocks(text: str, blanks: list[tuple[int, int]] | None, regions: list[Region] | None) -> None:
    opened: tuple[str, int] | None = None
    for match in _JIRA_BLOCK.finditer(text):
        if blanks is not None:
            blanks.append(match.span())
        if regions is None:
            continue
        name = match.group(1).lower()
        if opened is None:
            opened = (name, match.end())
        elif opened[0] == name:
            regions.append(Region(opened[1], match.start(), "quote" if name == "quote" else "code"))
            opened = None
    if opened is not None and regions is not None:
        regions.append(Region(opened[1], len(text), "quote" if opened[0] == "quote" else "code"))


# The line constructs above in one pattern, tried in the order `_lines` gives them priority.
_LINE_KIND = re.compile(
    rf"(?P<fence>{_FENCE.pattern})|(?P<quote>{_QUOTE.pattern})|(?i:(?P<marker>{_MARKER.pattern}))"
    rf"|(?P<log>{_LOG_LINE.pattern})|(?P<indented>{_INDENTED.pattern})"
)


# The same after a newline: one search finds every later line that holds a construct (none
# of the constructs reaches past the end of its line).
_LINE_AT = re.compile(rf"\n(?:{_LINE_KIND.pattern})")


def _line_matches(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """The lines that hold a line construct: where each starts, and the construct."""
    newline = text.find("\n")
    first = _LINE_KIND.match(text, 0, len(text) if newline < 0 else newline)
    if first is not None:
        yield 0, first
    for match in _LINE_AT.finditer(text):
        yield match.start() + 1, match


def _lines(text: str, regions: list[Region]) -> None:
    """Line-level constructs, visiting only the lines that hold one."""
    fences = _fences(text)
    regions.extend(Region(begin, stop, "code") for begin, stop in fences)
    fence = 0  # the first fence that does not end before the line
    code_end = -1  # end of the last indented-code line, to continue a block
    for start, match in _line_matches(text):
        while fence < len(fences) and fences[fence][1] <= start:
            fence += 1
        if match.lastgroup == "fence" or (fence < len(fences) and fences[fence][0] <= start):
            continue  # a fence line, or a line inside a fence
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline
        region = _line_region(match, start, end)
        if region is None:
            continue
        if match.lastgroup == "indented":
            if code_end != start - 1 and not _after_blank_line(text, start):
                continue  # indented, but neither after a blank line nor after code: prose
            code_end = end
        regions.append(region)


def _line_region(match: re.Match[str], start: int, end: int) -> Region | None:
    """The region of a line that holds a construct other than a fence (`_LINE_KIND`); for an
    indented line, the code it is if what precedes it makes it code (the caller decides)."""
    kind = match.lastgroup
    if kind == "quote":
        return Region(match.end("quote_marker"), end, "quote")
    if kind == "marker":
        return Region(match.end("marker_name"), end, "quote") if match.group("marker_name").lower() == "bq." else None
    if kind == "log":
        return Region(start, end, "log")
    return Region(start, end, "code") if kind == "indented" else None


def _after_blank_line(text: str, start: int) -> bool:
    if start == 0:
        return True
    previous = text.rfind("\n", 0, start - 1)
    return not text[previous + 1 : start - 1].strip()


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
    # Equal spans of two kinds overlap, so sorting by the whole tuple orders as by span.
    ordered = sorted([r for r in regions if r.end > r.start])
    if all(a.end <= b.start for a, b in itertools.pairwise(ordered)):
        return tuple(ordered)  # regions come from spans of the text: already within bounds
    if len(ordered) <= _SWEEP_MAX:
        return _sweep(length, ordered)
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


_SWEEP_MAX = 48  # a few overlapping regions: no need to paint the whole text


def _sweep(length: int, ordered: list[Region]) -> tuple[Region, ...]:
    """What painting gives, piece by piece between region edges: for a few regions."""
    spans = [(max(r.start, 0), min(r.end, length), _KIND_CODE[r.kind]) for r in ordered]
    edges = sorted({edge for start, end, _ in spans for edge in (start, end)})
    # The strongest kind over each piece between two neighbouring edges: each span paints
    # the pieces from its start edge to its end edge.
    index = {edge: i for i, edge in enumerate(edges)}
    codes = [0] * len(edges)
    for start, end, c in spans:
        for i in range(index[start], index[end]):
            if codes[i] < c:
                codes[i] = c
    runs: list[Region] = []
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        code = codes[i]
        if not code:
            continue
        kind = REGION_KINDS[code - 1]
        if runs and runs[-1].end == a and runs[-1].kind == kind:
            runs[-1] = Region(runs[-1].start, b, kind)
        else:
            runs.append(Region(a, b, kind))
    return tuple(runs)


class RegionKinds:
    """The region kind at an offset of a markup (non-ADF) text, as its NormText gives it,
    finding only the regions that can cover the offsets asked about.

    Where regions overlap the strongest kind wins (what `_merge` paints), so the kind at an
    offset is the strongest kind among the regions that cover it. Inline code and line
    constructs stay within their line: they are found for the lines asked about, after one
    search for the fence lines (a fence decides which lines count). The rest is found up
    front. A long text, or one with many regions (found up front, fences, or on one line),
    is merged once as before, so that many matches stay linear.
    """

    __slots__ = ("_by_line", "_code", "_fences", "_runs", "_spread", "_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._by_line: dict[int, tuple[tuple[int, int, int], ...]] = {}  # line start -> its regions
        self._code: dict[int, bool] = {}  # line start of an indented line -> whether it is code
        self._runs: tuple[Region, ...] | None = None
        self._starts: tuple[int, ...] = ()
        spread = _spread_regions(text) if len(text) <= _LOCAL_MAX else []
        self._spread = [(r.start, r.end, _KIND_CODE[r.kind]) for r in spread]
        self._fences = _fences(text) if len(text) <= _LOCAL_MAX and len(spread) <= _FEW_REGIONS else []
        if len(text) > _LOCAL_MAX or len(spread) > _FEW_REGIONS or len(self._fences) > _FEW_REGIONS:
            self._merge_all()

    def _merge_all(self) -> None:
        self._runs = _merge(len(self._text), _regions(self._text))
        self._starts = tuple(r.start for r in self._runs)

    def kind_at(self, pos: int) -> str:
        """The region kind covering a view offset, or "" for plain prose."""
        if self._runs is None:
            kind = self._local_kind(pos)
            if kind is not None:
                return kind
        assert self._runs is not None  # `_local_kind` merged them
        index = bisect.bisect_right(self._starts, pos) - 1
        if index >= 0 and pos < self._runs[index].end:
            return self._runs[index].kind
        return ""

    def _local_kind(self, pos: int) -> str | None:
        """`kind_at` from the regions that can cover `pos`; None (and merged) when its line
        has many."""
        strongest = 0
        for start, end, code in self._spread:
            if start <= pos < end and code > strongest:
                strongest = code
        for start, end in self._fences:
            if start <= pos < end and strongest < _CODE:
                strongest = _CODE
        line = self._text.rfind("\n", 0, pos) + 1
        regions = self._by_line.get(line)
        if regions is None:
            regions = self._by_line[line] = self._line_regions(line)
            if len(regions) > _FEW_REGIONS:
                self._merge_all()
                return None
        for start, end, code in regions:
            if start <= pos < end and code > strongest:
                strongest = code
        return REGION_KINDS[strongest - 1] if strongest else ""

    def _line_regions(self, start: int) -> tuple[tuple[int, int, int], ...]:
        """The inline code and the line construct of the line that starts at `start`."""
        text = self._text
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline
        found: list[Region] = []
        if text.find("`", start, end) >= 0:
            _backtick_spans(text, found, start, end)
        construct = self._construct(start, end)
        if construct is not None:
            found.append(construct)
        return tuple((r.start, r.end, _KIND_CODE[r.kind]) for r in found)

    def _construct(self, start: int, end: int) -> Region | None:
        """What `_lines` makes of one line (a fence line: nothing, its region is a fence's)."""
        if self._fenced(start):
            return None
        match = _LINE_KIND.match(self._text, start, end)
        if match is None or match.lastgroup == "fence":
            return None
        region = _line_region(match, start, end)
        if region is not None and match.lastgroup == "indented" and not self._indented_code(start):
            return None
        return region

    def _fenced(self, start: int) -> bool:
        """Whether the line that starts at `start` lies inside a fence (and is skipped)."""
        return any(begin <= start < stop for begin, stop in self._fences)

    def _indented_code(self, start: int) -> bool:
        """Whether an indented line is code: it follows a blank line, or an indented code line
        (walked back iteratively, each line decided once)."""
        text = self._text
        chain: list[int] = []
        decided: bool | None = None
        line = start
        while decided is None:
            known = self._code.get(line)
            if known is not None:
                decided = known
            elif _after_blank_line(text, line):
                decided = True
            else:
                previous = text.rfind("\n", 0, line - 1) + 1
                match = _LINE_KIND.match(text, previous, line - 1)
                if match is None or match.lastgroup != "indented" or self._fenced(previous):
                    decided = False
                else:
                    chain.append(line)
                    line = previous
                    continue
            chain.append(line)
        for line in chain:
            self._code[line] = decided
        return decided


_CODE = _KIND_CODE["code"]
_FEW_REGIONS = 16  # found up front and read directly; more are merged once
_LOCAL_MAX = 20_000  # longer texts are merged once, so that many matches stay linear
_FENCE_CHARS = "`~"
_FENCE_INDENT = 3  # a fence line's marker stands after at most this many spaces or tabs (`_FENCE`)


def _fences(text: str) -> list[tuple[int, int]]:
    """The code between fence lines (an opening line and the next one of its marker or a longer
    one), from the fence lines alone: for `_lines` and `RegionKinds`."""
    fences: list[tuple[int, int]] = []
    fence = ""
    fence_start = 0
    for start, marker in _fence_lines(text):
        newline = text.find("\n", start)
        end = len(text) if newline < 0 else newline
        if not fence:
            fence, fence_start = marker, end
        elif marker[0] == fence[0] and len(marker) >= len(fence):
            fences.append((fence_start, start))
            fence = ""
    if fence:
        fences.append((fence_start, len(text)))
    return fences


def _fence_lines(text: str) -> list[tuple[int, str]]:
    """Where each line that `_FENCE` matches starts, and its marker, in order. A fence line holds
    three marker characters in a row, so only the lines where str.find (at C speed) finds
    them are looked at, where a regex was tried at every line start."""
    found: list[tuple[int, str]] = []
    for char in _FENCE_CHARS:
        three = char * 3
        at = text.find(three)
        while at >= 0:
            # `at` starts a run of `char`: each search begins at a line start.
            line = text.rfind("\n", 0, at) + 1
            if at - line <= _FENCE_INDENT and not text[line:at].strip(" \t"):
                found.append((line, text[at : _run_end(text, at, len(text))]))
            newline = text.find("\n", at)
            at = text.find(three, newline + 1) if newline >= 0 else -1
    found.sort()
    return found


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


class _Pairs:
    """A JSON object kept as ordered pairs, so that literals can be matched in order.

    A wrapper, not a list subclass: compiled (tracer/native.py), a class cannot extend list."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.pairs)


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
        result: list[tuple[Any, Any]] = []
        for key, value in node:
            next(literals)  # the key's literal
            result.append((key, _attach(value, literals, depth + 1)))
        return _Pairs(result)
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
        if not isinstance(node, _Pairs):
            if isinstance(node, list):
                for item in node:
                    self.node(item, depth + 1)
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
        ends_block = kind in _BLOCKS and kind not in {"tableCell", "tableHeader", "doc", "listItem"}
        if ends_block and (not self.parts or not self.parts[-1].endswith("\n")):
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
