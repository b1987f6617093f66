"""The built-in tracker: tickets in local YAML, JSON or JSON Lines files.

Fields: key (or id), title, description, labels, components, priority, issue_type,
status, url, project (the tracker project or repository; else read from a `source` of the
form `owner/repo#123`). A `.vibeward/tickets/` folder of such files is searched by key.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tracer import yamlsafe
from tracer.errors import InputError
from tracer.model import Ticket

TICKET_SUFFIXES = (".yml", ".yaml", ".json", ".jsonl")
_TEXT_FIELDS = ("title", "description", "priority", "issue_type", "status", "url", "project")
_NAMED_FIELDS = {"priority", "issue_type", "status", "project"}  # may come as {"name": ...}
_REPOSITORY_SOURCE = re.compile(r"^([\w.-]+(?:/[\w.-]+)+)#\d+$")  # owner/repo#123
_LIST_FIELDS = ("labels", "components")
MAX_FIELD_CHARS = 1_000_000  # longer descriptions are cut, not refused


def ticket_from_mapping(data: Any, where: str) -> Ticket:
    """Build a Ticket from one parsed object; `where` names the file (and line) in errors."""
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: a ticket must be a mapping with at least `key` and `title`")
    key = data.get("key", data.get("id"))
    if key is None or (isinstance(key, str) and not key.strip()):
        raise InputError(f"{where}: ticket has no `key` (or `id`)")
    if not isinstance(key, (str, int)) or isinstance(key, bool):
        raise InputError(f"{where}: `key` must be a string")
    values: dict[str, Any] = {"key": str(key).strip()}
    for name in _TEXT_FIELDS:
        value = data.get(name)
        if value is None:
            values[name] = ""
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            values[name] = _clean(str(value))
        elif isinstance(value, Mapping) and name in _NAMED_FIELDS and "name" in value:
            values[name] = _clean(str(value["name"]))
        else:
            raise InputError(f"{where}: `{name}` must be text, got {type(value).__name__}")
    if not values["project"] and isinstance(data.get("source"), str):
        repository = _REPOSITORY_SOURCE.match(data["source"].strip())
        values["project"] = repository.group(1) if repository else ""
    for name in _LIST_FIELDS:
        value = data.get(name)
        if value is None:
            values[name] = ()
        elif isinstance(value, str):
            values[name] = tuple(part.strip() for part in value.split(",") if part.strip())
        elif isinstance(value, list):
            items = []
            for item in value:
                if isinstance(item, Mapping) and "name" in item:
                    item = item["name"]
                if item is None:
                    continue
                if not isinstance(item, (str, int, float)):
                    raise InputError(f"{where}: `{name}` must be a list of strings")
                items.append(_clean(str(item)))
            values[name] = tuple(items)
        else:
            raise InputError(f"{where}: `{name}` must be a list of strings")
    return Ticket(**values)


def _clean(text: str) -> str:
    # Ticket text is untrusted: drop NULs and the other C0 controls but tab, newline and carriage
    # return; CRLF becomes a newline.
    text = _CONTROLS.sub("", text[:MAX_FIELD_CHARS])
    return text.replace("\r\n", "\n")


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_ticket_file(path: Path) -> Ticket:
    """One ticket from a .yml/.yaml/.json file (the first line of a .jsonl file)."""
    for result in iter_ticket_file(path, keep_going=False):
        if result.ticket is not None:
            return result.ticket
    raise InputError(f"{path}: no ticket in file")


@dataclass(frozen=True)
class LineResult:
    """One line of a JSON Lines file: a ticket, or the error that line had."""

    line: int
    ticket: Ticket | None
    raw: Mapping[str, Any] | None
    error: str = ""


def iter_ticket_file(path: Path, *, keep_going: bool) -> Iterator[LineResult]:
    """Tickets from a file; JSON Lines are streamed one line at a time."""
    if not path.exists():
        raise InputError(f"{path}: ticket file not found", "check the path given to --ticket-file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a ticket file")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _iter_jsonl(path, keep_going=keep_going)
        return
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ticket file ({exc.strerror})") from None
    try:
        data = json.loads(text) if suffix == ".json" else yamlsafe.load(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}{line}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        raise InputError(f"{path}: ticket file is empty")
    raw = data if isinstance(data, Mapping) else None
    yield LineResult(line=1, ticket=ticket_from_mapping(data, str(path)), raw=raw)


def _iter_jsonl(path: Path, *, keep_going: bool) -> Iterator[LineResult]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ticket file ({exc.strerror})") from None
    with handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(raw_line.decode("utf-8"))
                ticket = ticket_from_mapping(data, where)
            except UnicodeDecodeError:
                error = f"{where}: not valid UTF-8"
            except json.JSONDecodeError as exc:
                error = f"{where}: invalid JSON: {exc.msg}"
            except InputError as exc:
                error = exc.message
            else:
                yield LineResult(line=number, ticket=ticket, raw=data)
                continue
            if not keep_going:
                raise InputError(error, "fix the line, or pass --keep-going to skip bad lines")
            yield LineResult(line=number, ticket=None, raw=None, error=error)


class FileSource:
    """Looks a key up in a folder of ticket files (default `.vibeward/tickets/`)."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def fetch(self, key: str) -> Ticket:
        for suffix in TICKET_SUFFIXES[:3]:
            candidate = self.folder / f"{key}{suffix}"
            if candidate.is_file():
                return read_ticket_file(candidate)
        for ticket in self.search(""):
            if ticket.key == key:
                return ticket
        raise InputError(f"ticket {key} not found in {self.folder}", "add a ticket file or pass --ticket-file")

    def search(self, query: str) -> Iterator[Ticket]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() not in TICKET_SUFFIXES:
                continue
            for result in iter_ticket_file(path, keep_going=True):
                if result.ticket is not None and (not query or query.lower() in result.ticket.title.lower()):
                    yield result.ticket
