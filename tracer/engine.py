"""The engine process and what it is given: the files of a repository, how they differ from the
last check, and the rules to run on the changed ones.

Only the standard library and the results cache: `vibeward check` can start the engine from
here before the rest of vibeward is imported (tracer/headstart.py). This is the only module
that starts the engine.
"""
from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

from tracer.cache import FileState, ResultCache, file_sha, has_keys, rules_key
from tracer.env import Env
from tracer.errors import EngineError, InputError

# File endings -> the language folders of semgrep-rules/<control>/<language>.yml
LANGUAGE_BY_SUFFIX: Mapping[str, str] = {
    ".py": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".java": "java",
    ".go": "go",
}
# What users expect a compliance scan to leave out: tests, fixtures, generated and vendored code.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".vibeward",  # our own state: ticket files, the evidence ledger
    "node_modules",
    "vendor",
    "third_party",
    ".venv",
    "venv",
    "site-packages",
    "dist",
    "build",
    "__pycache__",
    "tests",
    "test",
    "__tests__",
    "spec",
    "fixtures",
    "testdata",
    "migrations",
    "*.min.js",
    "*_test.go",
    "*.test.ts",
    "*.test.js",
    "*.spec.ts",
    "*.spec.js",
    "test_*.py",
    "*_test.py",
)
DEFAULT_MAX_LOCATIONS = 50


@dataclass(frozen=True)
class ScanRequest:
    root: Path
    controls: tuple[str, ...]
    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    timeout: int = 600
    rules_root: Path | None = None
    cache_dir: Path | None = None  # per-file results kept here between checks; None: no cache
    # Per control, list this much plain evidence (no parameter to check) and count the rest;
    # violations and parameters are always listed. 0: list everything.
    max_locations: int = DEFAULT_MAX_LOCATIONS


def walk_files(root: Path, excludes: Sequence[str]) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every file under root that no exclusion removes, in path order.

    Each file is stat'ed by its name in an open folder (fstatat), not by a path the kernel
    resolves from the top again: ~10% less time at 50,000 files. A file removed while the
    folder is read is left out, as if it was removed before.
    """
    excluded = exclusion_matcher(excludes)
    found: list[tuple[str, int, int]] = []
    add = found.append
    stat = os.stat
    pending = [("", str(root))]  # (relative folder with a trailing slash, absolute folder)
    while pending:
        relative, folder = pending.pop()
        try:
            descriptor = os.open(folder, _FOLDER_FLAGS) if _STAT_IN_FOLDER else None
        except OSError:
            continue
        try:
            for name in os.listdir(folder if descriptor is None else descriptor):
                if excluded(name):
                    continue
                where = name if descriptor is not None else os.path.join(folder, name)
                try:
                    info = stat(where, dir_fd=descriptor, follow_symlinks=False)
                except OSError:
                    continue
                if S_ISREG(info.st_mode):  # most entries: asked first
                    add((relative + name, info.st_size, info.st_mtime_ns))
                elif S_ISDIR(info.st_mode):
                    pending.append((f"{relative}{name}/", os.path.join(folder, name)))
        except OSError:
            continue  # an unreadable folder is skipped, as before
        finally:
            if descriptor is not None:
                os.close(descriptor)
    found.sort()
    return found


# Where the platform can (Linux, macOS), stat files relative to their open folder.
_STAT_IN_FOLDER = os.stat in os.supports_dir_fd and os.listdir in os.supports_fd
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)


def exclusion_matcher(excludes: Sequence[str]) -> Callable[[str], object]:
    """One compiled test for every exclusion pattern (fnmatch syntax, case-sensitive) on a name:
    a true value when the name is excluded."""
    if not excludes:
        return lambda name: None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in excludes)).match


# Build manifests name the stack even where the sources are generated or elsewhere.
LANGUAGE_BY_MANIFEST: Mapping[str, str] = {
    "requirements.txt": "python",
    "pyproject.toml": "python",
    "setup.py": "python",
    "Pipfile": "python",
    "package.json": "javascript",
    "tsconfig.json": "typescript",
    "pom.xml": "java",
    "build.gradle": "java",
    "build.gradle.kts": "java",
    "go.mod": "go",
}


def languages_of(paths: Iterable[str]) -> tuple[str, ...]:
    """The stack: languages by file ending and by build manifest."""
    found = set()
    for path in paths:
        language = LANGUAGE_BY_SUFFIX.get(os.path.splitext(path)[1].lower()) or LANGUAGE_BY_MANIFEST.get(
            path.rsplit("/", 1)[-1]
        )
        if language:
            found.add(language)
    return tuple(sorted(found))


# Rule languages (semgrep's names and aliases) -> ours; rules in any other (regex, generic,
# yaml, ...) may match any file and are always kept.
_CODE_LANGUAGE_OF_RULE: Mapping[str, str] = {
    "python": "python",
    "py": "python",
    "javascript": "javascript",
    "js": "javascript",
    "typescript": "typescript",
    "ts": "typescript",
    "java": "java",
    "go": "go",
    "golang": "go",
}

# A file's language -> the rule languages that may match it (JS and TS rules cross over).
_RULE_LANGUAGES_FOR_FILE: Mapping[str, frozenset[str]] = {
    "python": frozenset({"python"}),
    "javascript": frozenset({"javascript", "typescript"}),
    "typescript": frozenset({"javascript", "typescript"}),
    "java": frozenset({"java"}),
    "go": frozenset({"go"}),
}


def rules_for_files(rules: list[dict[str, Any]], paths: Iterable[str]) -> list[dict[str, Any]]:
    """The rules that can match these files: a rescan of three Python files needs no Java rule.

    The engine picks a rule's files by their endings, so leaving out the rules of languages none
    of these files is in changes no finding. A file whose ending names no language we know
    (a script with a shebang, a .pyi stub, a settings file) keeps every rule.
    """
    present: set[str] = set()
    for path in paths:
        language = LANGUAGE_BY_SUFFIX.get(os.path.splitext(path)[1].lower())
        if language is None:
            return rules
        present.update(_RULE_LANGUAGES_FOR_FILE[language])
    kept = []
    for rule in rules:
        languages = {_CODE_LANGUAGE_OF_RULE.get(str(name).lower(), "") for name in rule.get("languages") or ["?"]}
        if "" in languages or languages & present:
            kept.append(rule)
    return kept


def engine_command(env: Env) -> list[str]:
    """The engine's command: VIBEWARD_SEMGREP, else the semgrep installed beside this Python,
    else the one on PATH; `scan`, and the native CLI's `--experimental`.

    The installed semgrep's native CLI is its `semgrep-core` binary started as `osemgrep`, which
    the `semgrep` script does after ~50 ms of its own Python start-up: started directly, with
    the environment that script sets, it gives the same findings (tests/test_engine_parity.py).
    VIBEWARD_ENGINE=pysemgrep selects the Python CLI (`semgrep scan`).
    """
    python_cli = env.get("VIBEWARD_ENGINE") == "pysemgrep"
    if env.get("VIBEWARD_SEMGREP"):
        executable = env.get("VIBEWARD_SEMGREP")
    else:
        beside = Path(sys.executable).parent / "semgrep"
        core = _installed_core() if beside.is_file() and not python_cli else None
        executable = core or (str(beside) if beside.is_file() else "semgrep")
    return [executable, "scan", *([] if python_cli else ["--experimental"])]


def _installed_core() -> str | None:
    """The semgrep package's own native binary, if it has one."""
    spec = importlib.util.find_spec("semgrep")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        core = Path(folder) / "bin" / NATIVE_BINARY
        if core.is_file():
            return str(core)
    return None


NATIVE_BINARY = "semgrep-core"  # started as "osemgrep", it is the native CLI


def is_native_binary(command: Sequence[str]) -> bool:
    """Whether the command starts the native binary itself (not a `semgrep` script)."""
    return Path(command[0]).name == NATIVE_BINARY


def engine_argv(command: Sequence[str]) -> tuple[str, list[str]]:
    """(the program to start, the arguments it sees): the native binary must see itself as `osemgrep`."""
    if is_native_binary(command):
        return command[0], ["osemgrep", *command[1:]]
    return command[0], list(command)


@dataclass(frozen=True)
class Inventory:
    """The files to scan and, with a cache, how they differ from the last check: all that needs
    no rules, so it can be taken while the ticket is still being fetched."""

    files: list[tuple[str, int, int]]  # (path, size, mtime_ns), sorted
    changed: dict[str, FileState] = field(default_factory=dict)  # new, or size or time changed: hashed again
    gone: tuple[str, ...] = ()  # files of the last check that are no longer there
    known: int = 0  # how many files the last check saw (0: none, a first check)
    warnings: tuple[str, ...] = ()
    engine_version: str = ""  # what the cache was opened with (asked once per check)


def take_inventory(request: ScanRequest, env: Env, cache: ResultCache | None = None) -> Inventory:
    """The files, and (with a cache: `cache`, else the request's opened now) how they differ from the last check."""
    root = request.root
    if not root.exists():
        raise InputError(f"{root}: path does not exist", "pass the folder of the repository to check")
    if not root.is_dir():
        raise InputError(f"{root}: not a folder", "pass the folder of the repository to check")
    files = walk_files(root, request.excludes)
    if not files:
        raise InputError(f"{root}: no files to scan (empty, or everything excluded)", "check the path and scan.exclude")
    if request.cache_dir is None:
        return Inventory(files)
    opened = cache or ResultCache(request.cache_dir, engine_version(env))
    try:
        unseen, gone, known = opened.compare(files)
    finally:
        if cache is None:
            opened.close()
    # Only what changed is hashed; a fresh checkout (every time new) is hashed once, then remembered.
    changed = {path: FileState(path, size, mtime_ns, file_sha(root / path)) for path, size, mtime_ns in unseen}
    return Inventory(files, changed, tuple(gone), known, tuple(opened.warnings), opened.engine_version)


def engine_version(env: Env) -> str:
    """What the cache keys on: the engine package's version, else the executable's identity."""
    command = engine_command(env)
    # The semgrep beside this Python (its script or its native binary) is the package installed with vibeward.
    ours = command[0] == str(Path(sys.executable).parent / "semgrep") or is_native_binary(command)
    installed = _installed_version("semgrep") if ours and not env.get("VIBEWARD_SEMGREP") else None
    if installed:
        return f"semgrep {installed} {' '.join(command[2:])}"
    executable = shutil.which(command[0]) or command[0]
    try:
        return f"{executable}@{Path(executable).stat().st_mtime_ns} {' '.join(command[2:])}"
    except OSError:
        return executable


def _installed_version(package: str) -> str | None:
    """The version in the name of the package's .dist-info folder (importlib.metadata takes ~30 ms to start)."""
    prefix = f"{package}-"
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith(".dist-info"):
                return name[len(prefix) : -len(".dist-info")]
    return None


# Past this many files to rescan, one whole-tree run is cheaper than naming each file.
_FULL_SCAN_FILES = 2000


@dataclass(frozen=True)
class Launch:
    """One engine run: everything that decides what it finds. Equal launches find the same."""

    root: Path
    rules: str  # the rule file's text (JSON is YAML, and far faster to write than YAML)
    targets: tuple[str, ...] | None  # None: the whole tree
    excludes: tuple[str, ...]
    timeout: int
    command: tuple[str, ...]
    environ: tuple[tuple[str, str], ...]
    rule_ids: frozenset[str] = field(compare=False, default=frozenset())


def engine_environ(env: Env, command: Sequence[str]) -> dict[str, str]:
    """The engine's environment; for the native binary started directly, also what the
    `semgrep` script would have set before starting it (its scripts folder on PATH, plain
    output when not on a terminal, as the engine's output never is)."""
    environ = env.engine_environ()
    if is_native_binary(command):
        environ["PATH"] = environ.get("PATH", "") + os.pathsep + sysconfig.get_path("scripts")
        if not any(environ.get(name) for name in ("NO_COLOR", "FORCE_COLOR", "SEMGREP_FORCE_COLOR")):
            environ["NO_COLOR"] = "1"
    return environ


def launch_for(
    root: Path, rules: Sequence[Mapping[str, Any]], request: ScanRequest, env: Env, targets: Sequence[str] | None
) -> Launch:
    command = engine_command(env)
    return Launch(
        root=root,
        rules=json.dumps({"rules": rules}),
        targets=None if targets is None else tuple(targets),
        excludes=request.excludes,
        timeout=request.timeout,
        command=tuple(command),
        environ=tuple(sorted(engine_environ(env, command).items())),
        rule_ids=frozenset(str(rule["id"]) for rule in rules),
    )


def control_keys(rules: Iterable[Mapping[str, Any]], version: str) -> dict[str, str]:
    """control -> the key of its rules: a changed rule invalidates only its own control's results."""
    by_control: dict[str, list[Mapping[str, Any]]] = {}
    for rule in rules:
        by_control.setdefault(str(rule["metadata"]["control"]), []).append(rule)
    return {control: rules_key(items, version) for control, items in by_control.items()}


def stale_files(
    cache: ResultCache, inventory: Inventory, wanted: Sequence[str], *, unchanged: bool = True
) -> dict[str, FileState]:
    """The files to rescan: changed ones whose content (perhaps an earlier version of the file)
    the cache does not know under every key, and (`unchanged`) unchanged ones whose content lacks
    a wanted key (a control newly required, or its rules changed)."""
    stale: dict[str, FileState] = {}
    if unchanged:
        stale.update((state.path, state) for state in cache.lacking(wanted, {*inventory.changed, *inventory.gone}))
    keys = cache.keys_of(state.sha for state in inventory.changed.values())
    stale.update((p, s) for p, s in inventory.changed.items() if not has_keys(keys.get(s.sha, ""), wanted))
    return stale


def whole_tree(inventory: Inventory, stale: Mapping[str, FileState]) -> bool:
    """Whether one whole-tree run is cheaper than naming each stale file (or nothing is known yet)."""
    return bool(stale) and (not inventory.known or len(stale) > max(_FULL_SCAN_FILES, len(inventory.files) // 4))


class EngineRun:
    """One engine process, started at once; result() waits for it and reads its JSON."""

    def __init__(self, launch: Launch) -> None:
        self.launch = launch
        # Output goes to files, not pipes: a full pipe would stall the engine while we work.
        self.folder = tempfile.TemporaryDirectory(prefix="vibeward-")
        folder = Path(self.folder.name)
        rule_file = folder / "rules.yml"
        rule_file.write_text(launch.rules, encoding="utf-8")
        program, command = engine_argv(launch.command)
        command += [
            "--config",
            str(rule_file),
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--quiet",
            "--timeout",
            "30",
            *(f"--exclude={pattern}" for pattern in launch.excludes),
            *(["--", *launch.targets] if launch.targets is not None else ["."]),
        ]
        self.stdout = (folder / "out.json").open("w+b")
        self.stderr = (folder / "err.txt").open("w+b")
        try:
            self.process = subprocess.Popen(
                command,
                executable=program,
                cwd=launch.root,
                env=dict(launch.environ),
                stdout=self.stdout,
                stderr=self.stderr,
            )
        except FileNotFoundError:
            self._remove_files()
            raise EngineError(
                "semgrep not found", "install vibeward with its dependencies (make demo) or put semgrep on PATH"
            ) from None

    def close(self) -> None:
        """Stop the engine if it still runs (timed out, an error or an interrupt here) and remove its files."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._remove_files()

    def _remove_files(self) -> None:
        self.stdout.close()
        self.stderr.close()
        self.folder.cleanup()

    def result(self) -> dict[str, Any]:
        try:
            returncode = self.process.wait(timeout=self.launch.timeout)
            self.stdout.seek(0)
            output = self.stdout.read()
            self.stderr.seek(0)
            stderr = self.stderr.read().decode("utf-8", "replace").strip()
        except subprocess.TimeoutExpired:
            raise EngineError(
                f"semgrep did not finish within {self.launch.timeout} s", "raise scan.timeout or exclude large folders"
            ) from None
        finally:
            self.close()
        try:
            raw = json.loads(output)
        except json.JSONDecodeError:
            raw = None
        if returncode not in (0, 1) or not isinstance(raw, dict):
            detail = ""
            if isinstance(raw, dict) and raw.get("errors"):
                detail = engine_error_text(raw["errors"][0])
            elif stderr:
                detail = stderr.splitlines()[-1]
            raise EngineError(
                f"semgrep failed (exit {returncode}): {detail or 'no output'}",
                "run with VIBEWARD_ENGINE=pysemgrep to compare, or report it with the message above",
            )
        # The Python CLI prefixes rule ids with the rule file's folders ("tmp.vibeward-x.<id>").
        for result in raw.get("results", []):
            check_id = str(result.get("check_id", ""))
            if check_id not in self.launch.rule_ids:
                result["check_id"] = next((i for i in self.launch.rule_ids if check_id.endswith("." + i)), check_id)
        return raw


def engine_error_text(error: Mapping[str, Any]) -> str:
    message = str(error.get("message", error.get("type", "error"))).splitlines()[0]
    path = error.get("path")
    return f"{path}: {message}" if path else message
