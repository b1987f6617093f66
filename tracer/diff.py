"""`git diff --unified=0` text -> ChangeSet: per file, the lines a change adds or modifies.

Pure: git itself runs in `tracer.gitrepo`. With zero context lines each hunk header
`@@ -a,b +c,d @@` names exactly the new-side lines c..c+d-1 that the change wrote; a hunk
with d = 0 only deletes and marks no line of the new file.
"""
from __future__ import annotations

import re

from tracer.model import ChangeSet

_HUNK = re.compile(r"^@@+ (?:-\d+(?:,\d+)? )+\+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def parse(text: str, base: str, prefix: str = "b/") -> ChangeSet:
    """The added or modified line ranges of every file the diff writes to (deleted files omitted).

    prefix is the `--dst-prefix` the diff was made with.
    """
    files: dict[str, list[tuple[int, int]]] = {}
    current: str | None = None
    in_header = False
    for line in text.splitlines():
        if line.startswith("diff --git ") or line.startswith("diff --cc "):
            current, in_header = None, True
            continue
        if in_header and line.startswith("+++ "):
            current = _target(line[4:], prefix)
            if current is not None:
                files.setdefault(current, [])
            continue
        match = _HUNK.match(line)
        if match and current is not None:
            in_header = False
            start = int(match.group(1))
            count = 1 if match.group(2) is None else int(match.group(2))
            if count:
                files[current].append((start, start + count - 1))
    return ChangeSet(base=base, files={path: tuple(ranges) for path, ranges in files.items()})


def _target(raw: str, prefix: str) -> str | None:
    raw = raw.rstrip("\t")  # git ends names that contain a space with a tab in ---/+++ lines
    if raw == "/dev/null":
        return None
    path = unquote(raw) if raw.startswith('"') else raw
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path


def unquote(quoted: str) -> str:
    """git's C-style quoting of unusual file names ("b/a\\tb", octal UTF-8 bytes) undone."""
    body = quoted[1:-1] if len(quoted) >= 2 and quoted.startswith('"') and quoted.endswith('"') else quoted
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\" or index + 1 >= len(body):
            out.extend(char.encode("utf-8"))
            index += 1
            continue
        following = body[index + 1]
        if following in _ESCAPES:
            out.append(_ESCAPES[following])
            index += 2
        elif re.match(r"[0-7]{3}", body[index + 1 : index + 4]):
            out.append(int(body[index + 1 : index + 4], 8))
            index += 4
        else:
            out.extend(following.encode("utf-8"))
            index += 2
    return out.decode("utf-8", "replace")
