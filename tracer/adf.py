"""JIRA rich text -> readable plain text: ADF documents (API v3) and wiki markup (API v2).

The output is what a person would read, and it keeps the few cues the classifier uses
(tracer/textnorm.py): code stays inside ``` fences and quotes start with "> ", so code and
quoted text still count little. Neither function raises on any input.

ADF node types: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

MAX_DEPTH = 60  # deeper nesting is read as plain text, without layout

_BLOCKS = {"paragraph", "heading", "panel", "mediaSingle", "mediaGroup", "rule", "expand", "nestedExpand"}
_SKIPPED = {"media", "mediaSingle", "mediaGroup", "mediaInline", "extension", "inlineExtension", "placeholder"}


def to_text(doc: Any) -> str:
    """Flatten an ADF document (or any node) to text in reading order."""
    if not isinstance(doc, dict):
        return ""
    return _tidy(_node(doc, 0))


def text_to_adf(text: str) -> dict[str, Any]:
    """Plain text as an ADF document (one paragraph per line), for writing back to API v3."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")
    ]
    return {"version": 1, "type": "doc", "content": paragraphs}


def _node(node: Any, depth: int) -> str:
    if not isinstance(node, dict):
        return ""
    if depth > MAX_DEPTH:
        return " ".join(_all_text(node))
    kind = node.get("type")
    attrs = _dict(node.get("attrs"))
    if kind == "text":
        return _str(node.get("text"))
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        text = _str(attrs.get("text")) or _str(attrs.get("id"))
        return text if not text or text.startswith("@") else f"@{text}"
    if kind == "emoji":
        return _str(attrs.get("text")) or _str(attrs.get("shortName"))
    if kind in ("inlineCard", "blockCard", "embedCard"):
        url = _str(attrs.get("url"))
        data = attrs.get("data")
        if not url and isinstance(data, dict):
            url = _str(data.get("url")) or _str(data.get("name"))
        return url + ("\n" if kind != "inlineCard" else "")
    if kind == "status":
        return _str(attrs.get("text"))
    if kind == "date":
        return _date(attrs.get("timestamp"))
    if kind in _SKIPPED:
        return ""
    if kind == "rule":
        return "---\n"
    if kind == "codeBlock":
        return f"```{_str(attrs.get('language'))}\n{_children(node, depth).strip(chr(10))}\n```\n"
    if kind == "blockquote":
        return _block(_prefix_lines(_tidy(_children(node, depth)), "> "))
    if kind in ("bulletList", "orderedList", "taskList", "decisionList"):
        return _block(_list(node, kind, attrs, depth))
    if kind in ("expand", "nestedExpand"):
        title = _str(attrs.get("title"))
        return _block((f"{title}\n" if title else "") + _children(node, depth))
    if kind == "table":
        rows = [_node(row, depth + 1) for row in _content(node)]
        return _block("\n".join(row for row in rows if row))
    if kind == "tableRow":
        cells = [" ".join(_children(cell, depth + 1).split()) for cell in _content(node)]
        return " | ".join(cells)
    if kind in ("tableCell", "tableHeader", "listItem", "taskItem", "decisionItem"):
        return _children(node, depth)
    text = _children(node, depth)
    if kind in _BLOCKS or kind == "doc":
        return _block(text) if kind != "doc" else text
    # Unknown node: read its text and its children, so nothing new is lost.
    own = _str(node.get("text"))
    return own + text


def _block(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _children(node: Any, depth: int) -> str:
    return "".join(_node(child, depth + 1) for child in _content(node))


def _content(node: Any) -> list[Any]:
    content = node.get("content") if isinstance(node, dict) else None
    return content if isinstance(content, list) else []


def _list(node: dict[str, Any], kind: str, attrs: dict[str, Any], depth: int) -> str:
    start = attrs.get("order", 1)
    number = start if isinstance(start, int) and not isinstance(start, bool) else 1
    lines: list[str] = []
    for item in _content(node):
        body = _tidy(_node(item, depth + 1))
        if kind == "orderedList":
            marker = f"{number}. "
            number += 1
        elif kind == "taskList":
            state = item.get("attrs", {}).get("state") if isinstance(item, dict) else None
            marker = "- [x] " if state == "DONE" else "- [ ] "
        else:
            marker = "- "
        first, *rest = body.split("\n") if body else [""]
        lines.append(marker + first)
        lines.extend("  " + line if line else line for line in rest)
    return "\n".join(lines)


def _prefix_lines(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.split("\n"))


def _all_text(node: Any) -> Iterator[str]:
    """Every `text` in a subtree, depth first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("text"), str):
                yield current["text"]
            content = current.get("content")
            if isinstance(content, list):
                stack.extend(reversed(content))


def _date(value: Any) -> str:
    try:
        millis = int(value)
        return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).strftime("%Y-%m-%d")
    except (TypeError, ValueError, OverflowError, OSError):
        return _str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, no blank lines at the ends."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# ---------------------------------------------------------------------------------------
# JIRA wiki markup (API v2, Data Center). Line by line; every pattern is bounded and linear.

_BLOCK_MACRO = re.compile(r"(?<!\{)\{(code|noformat|quote)(?::([^}\n]{0,200}))?\}(?!\})")
_DROP_MACRO = re.compile(r"\{(?:color|panel|anchor|toc|expand|section|column)(?::[^}\n]{0,200})?\}", re.IGNORECASE)
_HEADING = re.compile(r"^\s{0,3}h[1-6]\.\s+")
_BQ = re.compile(r"^\s{0,3}bq\.\s+")
_LIST = re.compile(r"^\s{0,3}([*#-]{1,6})\s+")
_TABLE_ROW = re.compile(r"^\s{0,3}\|")
_IMAGE = re.compile(r"!(?=[^\s!])[^!\n|]{1,300}(?:\|[^!\n]{0,100})?!")
_LINK = re.compile(r"\[([^\]|\n]{0,500})\|([^\]\n]{1,2000})\]")
_BARE_LINK = re.compile(r"\[((?:https?|mailto|file):[^\]\s]{1,2000})\]")
_USER = re.compile(r"\[~(?:accountid:)?([^\]\n]{1,200})\]")
_MONO = re.compile(r"\{\{([^}\n]{1,2000})\}\}")
_EMPHASIS = re.compile(
    r"(?<![\w*_+^~?-])([*_+^~]|\?\?|-)(?=[^\s*_+^~?-])([^\n*_+^~]{0,2000}?[^\s*_+^~?-])?\1(?![\w*_+^~?-])"
)
_LINE_BREAK = re.compile(r"\\\\")


def wiki_to_text(text: str) -> str:
    """JIRA wiki markup -> readable text; {code}/{noformat} become ``` fences, quotes "> "."""
    if not text:
        return ""
    out: list[str] = []
    block = ""  # "", "code" or "quote"
    for line in text.replace("\r\n", "\n").split("\n"):
        current, at, had_macro = "", 0, False
        for macro in _BLOCK_MACRO.finditer(line):
            current += _segment(line[at : macro.start()], block)
            at = macro.end()
            name = macro.group(1)
            if block == "code" and name not in ("code", "noformat"):
                current += macro.group(0)  # {quote} inside code is code
                continue
            had_macro = True
            if current.strip() or (current and block == "code"):
                out.append(current)
            current = ""
            if block == "code":
                out.append("```")
                block = ""
            elif block == "quote" and name == "quote":
                block = ""
            elif block == "" and name == "quote":
                block = "quote"
            elif block == "":
                params = (macro.group(2) or "").split("|")[0]
                out.append("```" + (params if name == "code" and "=" not in params else ""))
                block = "code"
        current += _segment(line[at:], block)
        if current or not had_macro:
            out.append(current)
    if block == "code":
        out.append("```")
    return _tidy("\n".join(out))


def _segment(segment: str, block: str) -> str:
    if not segment or block == "code":
        return segment
    return _wiki_line(segment, quoted=block == "quote") if segment.strip() else ""


def _wiki_line(line: str, *, quoted: bool) -> str:
    prefix = "> " if quoted else ""
    if _BQ.match(line):
        prefix, line = "> ", _BQ.sub("", line, count=1)
    line = _HEADING.sub("", line, count=1)
    bullet = _LIST.match(line)
    if bullet and not _TABLE_ROW.match(line):
        depth = len(bullet.group(1))
        marker = "1. " if bullet.group(1).endswith("#") else "- "
        line = "  " * (depth - 1) + marker + line[bullet.end() :]
    if _TABLE_ROW.match(line):
        cells = [cell.strip() for cell in line.strip().strip("|").replace("||", "|").split("|")]
        line = " | ".join(cell for cell in cells)
    line = _IMAGE.sub("", line)
    line = _DROP_MACRO.sub("", line)
    line = _USER.sub(r"@\1", line)
    line = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1).strip() else m.group(2), line)
    line = _BARE_LINK.sub(r"\1", line)
    line = _MONO.sub(r"`\1`", line)
    for _ in range(2):  # nested emphasis, e.g. *_both_*
        line = _EMPHASIS.sub(lambda m: m.group(2) or "", line)
    line = _LINE_BREAK.sub("\n", line)
    return prefix + line
