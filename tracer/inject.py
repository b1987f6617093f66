"""`vibeward inject`: write a ticket's requirements where each AI assistant reads them.

- copilot: `.github/instructions/vibeward-<key>.instructions.md`, front matter `applyTo`
- cursor: `.cursor/rules/vibeward-<key>.mdc`, front matter `description`, `globs`, `alwaysApply: false`
- agents: a marked section in `AGENTS.md`; claude: the same in `CLAUDE.md`
  (`<!-- vibeward:begin ticket=KEY -->` ... `<!-- vibeward:end -->`)

Files we own carry GENERATED_MARK and are replaced whole; in shared files only our own
section changes, byte for byte the rest stays. Re-running is idempotent; `clear` removes
only what vibeward wrote. Every file is linted after it is written (front matter parses,
keys valid, markers balanced, under the size budget). Conventions:
shared/reference/integrations.md §7.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tracer import blocks
from tracer.catalog import Catalog
from tracer.errors import InputError
from tracer.model import Classification, RequirementSet, Ticket

ASSISTANTS = ("copilot", "cursor", "agents", "claude")
BUDGET = 8 * 1024  # bytes per file we own, or per section in a shared file
GENERATED_MARK = "<!-- vibeward:generated"
BEGIN = "<!-- vibeward:begin ticket={key} -->"
END = "<!-- vibeward:end -->"
_BEGIN_LINE = re.compile(r"^<!-- vibeward:begin ticket=(\S+) -->$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.#/-]{0,99}$")
SHARED_FILES = {"agents": "AGENTS.md", "claude": "CLAUDE.md"}
_OWNED_GLOB = {"copilot": "vibeward-*.instructions.md", "cursor": "vibeward-*.mdc"}
COPILOT_KEYS = {"applyTo", "excludeAgent"}
CURSOR_KEYS = {"description", "globs", "alwaysApply"}
_YAML_INDICATORS = tuple("-?:,[]{}#&*!|>'\"%@`")


@dataclass(frozen=True)
class Written:
    assistant: str
    path: Path
    action: str  # written | unchanged | removed | absent
    size: int = 0  # bytes of the file (ours) or of our section (shared files)
    cut: tuple[str, ...] = ()
    lint: tuple[str, ...] = ()  # problems found after writing; () = clean


def slug(key: str) -> str:
    """PAY-123 -> pay-123; acme/shop#12 -> acme-shop-12 (a file-name-safe form of the key)."""
    value = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    if not value:
        raise InputError(f"ticket key {key!r} gives no usable file name")
    return value


def check_key(key: str) -> str:
    """A key that can stand in a marker and a file name (no spaces, no `-->`)."""
    key = key.strip()
    if not _KEY.match(key) or "--" in key:
        raise InputError(f"ticket key {key!r} cannot be used in instruction files", "keys look like PAY-123")
    return key


def paths_for(root: Path, assistant: str, key: str) -> Path:
    if assistant == "copilot":
        return root / ".github" / "instructions" / f"vibeward-{slug(key)}.instructions.md"
    if assistant == "cursor":
        return root / ".cursor" / "rules" / f"vibeward-{slug(key)}.mdc"
    return root / SHARED_FILES[assistant]


# -- writing -------------------------------------------------------------------------------


def inject(
    root: Path,
    ticket: Ticket,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
    assistants: Sequence[str],
    *,
    apply_to: str = "**",
    budget: int = BUDGET,
) -> tuple[Written, ...]:
    key = check_key(ticket.key)
    results = []
    for assistant in assistants:
        if assistant not in ASSISTANTS:
            raise InputError(f"unknown assistant {assistant!r}", f"choose from {', '.join(ASSISTANTS)}")
        path = paths_for(root, assistant, key)
        if assistant in SHARED_FILES:
            results.append(_inject_section(assistant, path, ticket, classification, required, catalog, budget))
        else:
            header = _front_matter(assistant, key, apply_to)

            def measure(body: str, header: str = header) -> int:
                return len((header + body).encode("utf-8"))

            rendered = blocks.render_instructions(
                ticket, classification, required, catalog, heading=1, budget=budget, measure=measure
            )
            text = header + rendered.text
            action = _write_if_changed(path, text)
            lint = lint_owned(assistant, path.read_text(encoding="utf-8"), budget)
            results.append(Written(assistant, path, action, len(text.encode("utf-8")), rendered.cut, lint))
    return tuple(results)


def _front_matter(assistant: str, key: str, apply_to: str) -> str:
    globs = ",".join(part.strip() for part in apply_to.split(",") if part.strip()) or "**"
    if "\n" in globs or "\r" in globs:
        raise InputError("--apply-to must be one line of comma-separated globs")
    if assistant == "copilot":
        lines = [f"applyTo: {_yaml_string(globs)}"]
    else:
        # Cursor reads these values nearly raw, so a glob is left unquoted when YAML allows it.
        plain = not globs.startswith(_YAML_INDICATORS) and ": " not in globs and " #" not in globs
        lines = [
            f"description: {_yaml_string(f'vibeward security requirements for ticket {key}; binding for its changes')}",
            f"globs: {globs if plain else _yaml_string(globs)}",
            "alwaysApply: false",
        ]
    return "---\n" + "\n".join(lines) + f"\n---\n{GENERATED_MARK} ticket={key} -->\n"


def _yaml_string(value: str) -> str:
    return yaml.safe_dump(value, default_style='"', width=10_000).strip().removesuffix("...").strip()


def _write_if_changed(path: Path, text: str) -> str:
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return "unchanged"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    return "written"


def _inject_section(
    assistant: str,
    path: Path,
    ticket: Ticket,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
    budget: int,
) -> Written:
    key = check_key(ticket.key)
    current = _read(path)
    rendered = blocks.render_instructions(
        ticket, classification, required, catalog, heading=2, budget=budget,
        measure=lambda body: len(_section(key, body).encode("utf-8")),
    )
    section = _section(key, rendered.text)
    updated = upsert_section(current, key, section)
    action = "unchanged" if updated == current else _write_if_changed(path, updated)
    lint = lint_shared(path.read_text(encoding="utf-8"), key, budget)
    return Written(assistant, path, action, len(section.encode("utf-8")), rendered.cut, lint)


def _section(key: str, body: str) -> str:
    return f"{BEGIN.format(key=key)}\n{body.rstrip()}\n{END}\n"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__})") from None


def sections(text: str) -> list[tuple[str, int, int]]:
    """(key, first line, last line) of each vibeward section; InputError if the markers do not pair up."""
    found: list[tuple[str, int, int]] = []
    open_key, open_line = "", -1
    for number, line in enumerate(text.splitlines()):
        begin = _BEGIN_LINE.match(line)
        if begin:
            if open_line >= 0:
                raise InputError(f"line {open_line + 1}: a vibeward section is not closed before line {number + 1}")
            open_key, open_line = begin.group(1), number
        elif line == END:
            if open_line < 0:
                raise InputError(f"line {number + 1}: `{END}` without a matching begin marker")
            found.append((open_key, open_line, number))
            open_key, open_line = "", -1
    if open_line >= 0:
        raise InputError(f"line {open_line + 1}: a vibeward section is not closed", f"add `{END}` or remove it")
    return found


def upsert_section(text: str, key: str, section: str) -> str:
    """Replace the ticket's section (and drop its duplicates), or append it; nothing else changes."""
    lines = text.splitlines(keepends=True)
    ours = [(first, last) for name, first, last in sections(text) if name == key]
    if not ours:
        if not text:
            return section
        glue = "" if text.endswith("\n") else "\n"
        return text + glue + "\n" + section
    first, last = ours[0]
    drop = {n for f, la in ours[1:] for n in range(f, la + 1)}
    before = lines[:first]
    after = [line for n, line in enumerate(lines) if n > last and n not in drop]
    return "".join(before) + section + "".join(after)


def remove_sections(text: str, key: str | None) -> str:
    """Text without vibeward's sections (one ticket's, or all), and the blank line we put before each."""
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for name, first, last in sections(text):
        if key is not None and name != key:
            continue
        drop.update(range(first, last + 1))
        if first > 0 and lines[first - 1].strip() == "" and (last + 1 >= len(lines)):
            drop.add(first - 1)
    return "".join(line for n, line in enumerate(lines) if n not in drop)


# -- clearing ------------------------------------------------------------------------------


def clear(root: Path, assistants: Sequence[str], key: str | None = None) -> tuple[Written, ...]:
    """Remove vibeward's files and sections: one ticket's (key) or all; never anything else."""
    results: list[Written] = []
    for assistant in assistants:
        if assistant in SHARED_FILES:
            path = root / SHARED_FILES[assistant]
            current = _read(path)
            if not current:
                results.append(Written(assistant, path, "absent"))
                continue
            updated = remove_sections(current, check_key(key) if key else None)
            if updated == current:
                results.append(Written(assistant, path, "absent"))
            elif updated.strip():
                _write_if_changed(path, updated)
                results.append(Written(assistant, path, "removed"))
            else:  # the file held nothing but our section
                _unlink(path)
                results.append(Written(assistant, path, "removed"))
            continue
        folder = paths_for(root, assistant, "x").parent
        pattern = paths_for(root, assistant, key).name if key else _OWNED_GLOB[assistant]
        matched = sorted(folder.glob(pattern)) if folder.is_dir() else []
        removed = False
        for path in matched:
            if GENERATED_MARK in _read(path):
                _unlink(path)
                results.append(Written(assistant, path, "removed"))
                removed = True
        if not removed:
            results.append(Written(assistant, folder / pattern, "absent"))
    return tuple(results)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError as exc:
        raise InputError(f"{path}: cannot remove ({exc.strerror})") from None


# -- lint ------------------------------------------------------------------------------------


def front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """The parsed front matter and the problem, if any ("" = parsed)."""
    if not text.startswith("---\n"):
        return None, "no front matter (the file must start with ---)"
    end = text.find("\n---\n", 4)
    if end < 0:
        return None, "the front matter is not closed with ---"
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError as exc:
        return None, f"the front matter is not valid YAML ({exc.__class__.__name__})"
    if not isinstance(data, dict):
        return None, "the front matter is not a mapping"
    return data, ""


def lint_owned(assistant: str, text: str, budget: int) -> tuple[str, ...]:
    problems: list[str] = []
    size = len(text.encode("utf-8"))
    if size > budget:
        problems.append(f"{size} bytes, over the {budget}-byte budget")
    data, problem = front_matter(text)
    if data is None:
        return (*problems, problem)
    checks: dict[str, Callable[[Any], bool]]
    if assistant == "copilot":
        allowed, checks = COPILOT_KEYS, {"applyTo": lambda v: isinstance(v, str) and bool(v.strip())}
    else:
        allowed = CURSOR_KEYS
        checks = {
            "description": lambda v: isinstance(v, str) and bool(v.strip()),
            "globs": lambda v: isinstance(v, str) and bool(v.strip()),
            "alwaysApply": lambda v: v is False,
        }
    problems.extend(f"unknown front matter key {name!r}" for name in data if name not in allowed)
    for name, valid in checks.items():
        if name not in data:
            problems.append(f"front matter key {name!r} is missing")
        elif not valid(data[name]):
            problems.append(f"front matter key {name!r} has an invalid value {data[name]!r}")
    if GENERATED_MARK not in text:
        problems.append("the vibeward marker is missing")
    return tuple(problems)


def lint_shared(text: str, key: str, budget: int) -> tuple[str, ...]:
    try:
        found = [(first, last) for name, first, last in sections(text) if name == key]
    except InputError as exc:
        return (exc.message,)
    if len(found) != 1:
        return (f"{len(found)} sections for ticket {key}; expected exactly one",)
    first, last = found[0]
    section = "".join(text.splitlines(keepends=True)[first : last + 1])
    size = len(section.encode("utf-8"))
    return (f"the section is {size} bytes, over the {budget}-byte budget",) if size > budget else ()
