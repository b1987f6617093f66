"""Required controls + a repository -> findings, with exactly one semgrep process.

The rules of the required controls, for the languages present, are merged into ONE
generated rule file and run by ONE engine process (docs/performance.md says why).
This is the only module that starts a subprocess.
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import yaml

from tracer import yamlsafe
from tracer.cache import FileState, Hit, HitsByKey, ResultCache, file_sha, has_keys, rules_key
from tracer.env import Env
from tracer.errors import ConfigError, EngineError, InputError
from tracer.model import Finding, ScanResult
from tracer.resources import rules_dir

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
# A rule file may serve several languages: JS rules also run on TS and the reverse.
RULE_FILES_BY_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "python": ("python",),
    "javascript": ("javascript",),
    "typescript": ("javascript", "typescript"),
    "java": ("java",),
    "go": ("go",),
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
ANNOTATION_RULE_ID = "vibeward.annotation.implements"
_ANNOTATION_RULE: dict[str, Any] = {
    "id": ANNOTATION_RULE_ID,
    "languages": ["regex"],
    "severity": "INFO",
    "message": "annotated: vibeward implements $CONTROLS",
    # A comment in any common syntax: #, //, /*, --, <!--, ;, *
    "pattern-regex": r"(?:#|//|/\*|--|<!--|;|\*)[ \t]*vibeward:[ \t]*implements[ \t]+"
    r"(?P<CONTROLS>[a-z_]+(?:[ \t]*,[ \t]*[a-z_]+)*)",
    "metadata": {"control": "*", "kind": "annotation"},
}
_PARAM_MARK = " [vibeward-param="
_PARAM_RE = re.compile(r" \[vibeward-param=(.*?)\]$")
MAX_SNIPPET_LINES = 3
DEFAULT_MAX_LOCATIONS = 50
MAX_SNIPPET_CHARS = 200


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
    """(relative path, size, mtime_ns) of every file under root that no exclusion removes."""
    excluded = exclusion_matcher(excludes)
    found: list[tuple[str, int, int]] = []
    pending = [("", str(root))]  # (relative folder with a trailing slash, absolute folder)
    while pending:
        relative, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if excluded(name):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((f"{relative}{name}/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                found.append((relative + name, info.st_size, info.st_mtime_ns))
    found.sort()
    return found


def exclusion_matcher(excludes: Sequence[str]) -> Callable[[str], bool]:
    """One compiled test for every exclusion pattern (fnmatch syntax, case-sensitive) on a name."""
    if not excludes:
        return lambda name: False
    pattern = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in excludes))
    return lambda name: pattern.match(name) is not None


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


RuleReader = Callable[[Path, str], list[dict[str, Any]]]
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


def collect_rules(
    controls: Iterable[str], languages: Iterable[str], rules_root: Path, read: RuleReader | None = None
) -> list[dict[str, Any]]:
    """The rules of the given controls for the given languages, ready to merge."""
    read = read or read_rules
    wanted = sorted({f for lang in languages for f in RULE_FILES_BY_LANGUAGE.get(lang, ())})
    rules: list[dict[str, Any]] = []
    for control in dict.fromkeys(controls):
        folder = rules_root / control
        if not folder.is_dir():
            continue
        # <language>.yml, <language>-<topic>.yml (e.g. java-properties.yml for Spring settings),
        # and any-<topic>.yml (e.g. a shipped nginx config) whatever the language.
        for path in sorted(folder.glob("*.yml")):
            stem = path.stem
            if stem.endswith(".test"):
                continue  # the test target of a YAML-language rule (semgrep --test pairs X.yml and X.test.yml)
            if stem.startswith("any-") or stem in wanted or stem.split("-", 1)[0] in wanted:
                rules.extend(read(path, control))
    return rules


def read_rules(path: Path, control: str) -> list[dict[str, Any]]:
    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read rule file ({exc.__class__.__name__})") from None
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        raise ConfigError(f"{path}: a rule file needs a `rules:` list")
    result = []
    for rule in rules:
        metadata = rule.get("metadata") or {}
        if metadata.get("control") != control or metadata.get("kind") not in {"evidence", "violation"}:
            raise ConfigError(
                f"{path}: rule {rule.get('id')}: metadata needs control: {control} and kind: evidence|violation"
            )
        rule = dict(rule)
        param = metadata.get("param")
        if isinstance(param, dict) and param.get("metavariable"):
            # semgrep's JSON carries no metavariable values: carry the one we need in the message.
            # A `unit` (fixed, or a metavariable such as timedelta's keyword) joins the name:
            # idle_timeout + minutes -> idle_timeout_minutes, which trace converts as needed.
            unit = str(param.get("unit") or "")
            rule["message"] = f"{rule.get('message', '')}{_PARAM_MARK}{param['metavariable']}|{unit}]"
        result.append(rule)
    return result


def engine_command(env: Env) -> list[str]:
    """The semgrep executable: VIBEWARD_SEMGREP, else the one beside this Python, else PATH."""
    beside = Path(sys.executable).parent / "semgrep"
    executable = env.get("VIBEWARD_SEMGREP") or (str(beside) if beside.is_file() else "semgrep")
    # The native CLI gives the same findings as `semgrep scan` at a fraction of the
    # start-up (docs/performance.md); VIBEWARD_ENGINE=pysemgrep selects the Python CLI.
    mode = [] if env.get("VIBEWARD_ENGINE") == "pysemgrep" else ["--experimental"]
    return [executable, "scan", *mode]


@dataclass(frozen=True)
class Inventory:
    """The files to scan and, with a cache, their states: all that needs no rules, so it can be
    taken while the ticket is still being fetched."""

    files: list[tuple[str, int, int]]  # (path, size, mtime_ns), sorted
    known: dict[str, tuple[FileState, str | None]]  # the cache's files of the last check, with their keys
    states: dict[str, FileState]  # every file, hashed where it changed since the last check
    hashed: tuple[str, ...] = ()  # the files hashed again (new, or their size or time changed)
    warnings: tuple[str, ...] = ()
    engine_version: str = ""  # what the cache was opened with (asked once per check)


def take_inventory(request: ScanRequest, env: Env) -> Inventory:
    root = request.root
    if not root.exists():
        raise InputError(f"{root}: path does not exist", "pass the folder of the repository to check")
    if not root.is_dir():
        raise InputError(f"{root}: not a folder", "pass the folder of the repository to check")
    files = walk_files(root, request.excludes)
    if not files:
        raise InputError(f"{root}: no files to scan (empty, or everything excluded)", "check the path and scan.exclude")
    if request.cache_dir is None:
        return Inventory(files, {}, {})
    version = engine_version(env)
    cache = ResultCache(request.cache_dir, version)
    try:
        known = cache.known_files()
    finally:
        cache.close()
    states: dict[str, FileState] = {}
    hashed: list[str] = []
    for path, size, mtime_ns in files:
        state = known[path][0] if path in known else None
        if state is not None and (state.size, state.mtime_ns) == (size, mtime_ns):
            states[path] = state
        else:
            states[path] = FileState(path, size, mtime_ns, file_sha(root / path), selected=True)
            hashed.append(path)
    return Inventory(files, known, states, tuple(hashed), tuple(cache.warnings), version)


def scan(
    request: ScanRequest,
    env: Env,
    inventory: Inventory | None = None,
    while_engine_runs: Callable[[], None] | None = None,
) -> ScanResult:
    """Run the required controls' rules over the repository (its inventory taken now, or before).

    `while_engine_runs`: the caller's work that needs no findings (git calls), done once the
    engine has started instead of before or after it.
    """
    meanwhile = while_engine_runs or (lambda: None)
    if inventory is None:
        inventory = take_inventory(request, env)
    root = request.root
    languages = languages_of(path for path, _, _ in inventory.files)
    rules_root = request.rules_root or rules_dir()
    if request.cache_dir is None:
        rules = [*collect_rules(request.controls, languages, rules_root), _ANNOTATION_RULE]
        run = _EngineRun(root, rules, request, env)
        try:
            meanwhile()
            raw = run.result()
        finally:
            run.close()
        findings = _findings(_hits(raw.get("results", []), root), rules, request.controls)
        scanned = len(raw.get("paths", {}).get("scanned", []))
        outcome = _Outcome(findings, {}, scanned, raw.get("errors", []), ())
    else:
        rules, outcome = _scan_with_cache(root, inventory, languages, request, env, request.cache_dir, meanwhile)
    listed, omitted = _cap(outcome.findings, request.max_locations, outcome.uncounted, _plain_rules(rules))
    errors = tuple(_engine_error_text(error) for error in outcome.engine_errors if error.get("level") == "error")
    covered = tuple(sorted({r["metadata"]["control"] for r in rules if r["metadata"].get("kind") == "evidence"}))
    return ScanResult(
        findings=tuple(sorted(listed, key=_FINDING_ORDER)),
        omitted=tuple(sorted(omitted.items())),
        covered_controls=covered,
        files_scanned=outcome.files_scanned,
        languages=languages,
        rules_run=len(rules),
        engine=" ".join(engine_command(env)[1:]) or "semgrep",
        excluded=request.excludes,
        errors=errors,
        notes=outcome.notes,
    )


def engine_version(env: Env) -> str:
    """What the cache keys on: the engine package's version, else the executable's identity."""
    command = engine_command(env)
    # The semgrep beside this Python is the package installed with vibeward.
    installed = _installed_version("semgrep") if command[0] == str(Path(sys.executable).parent / "semgrep") else None
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


@dataclass(frozen=True)
class _Outcome:
    findings: list[Finding]
    uncounted: Mapping[str, int]  # control -> plain evidence in files whose hits were not read
    files_scanned: int
    engine_errors: Sequence[Mapping[str, Any]]
    notes: tuple[str, ...]


# Past this many files to rescan, one whole-tree run is cheaper than naming each file.
_FULL_SCAN_FILES = 2000


def _scan_with_cache(
    root: Path,
    inventory: Inventory,
    languages: Sequence[str],
    request: ScanRequest,
    env: Env,
    cache_dir: Path,
    meanwhile: Callable[[], None],
) -> tuple[list[dict[str, Any]], _Outcome]:
    """Reuse per-file results whose content and rules are unchanged; run the engine on the rest.

    The engine runs in the background while the stored results of unchanged files are read:
    only the files whose hits can be listed (violations, parameters, annotations, and plain
    evidence up to max_locations per control, in report order); the rest is counted from the
    stored counts, so a warm check's cost follows the change, not the repository.
    """
    version = inventory.engine_version
    cache = ResultCache(cache_dir, version)
    run: _EngineRun | None = None
    try:
        read = _cached_reader(cache)
        rules = [*collect_rules(request.controls, languages, request.rules_root or rules_dir(), read), _ANNOTATION_RULE]
        by_control: dict[str, list[dict[str, Any]]] = {}
        for rule in rules:
            by_control.setdefault(str(rule["metadata"]["control"]), []).append(rule)
        ckeys = {control: rules_key(items, version) for control, items in by_control.items()}
        control_of_key = {ckey: control for control, ckey in ckeys.items()}
        ckey_of_rule = {str(rule["id"]): ckeys[str(rule["metadata"]["control"])] for rule in rules}
        wanted = list(ckeys.values())
        known, states = inventory.known, dict(inventory.states)
        keys: dict[str, str] = {}
        for path, (state, stored_keys) in known.items():
            if stored_keys is not None and states.get(path) == state:  # unchanged since it was stored
                keys[state.sha] = stored_keys
        unknown = [s.sha for s in states.values() if s.selected and s.sha not in keys]
        if unknown:
            keys.update(cache.keys_of(unknown))
        stale = [p for p, s in states.items() if s.selected and not (s.sha in keys and has_keys(keys[s.sha], wanted))]
        full = bool(stale) and (not known or len(stale) > max(_FULL_SCAN_FILES, len(states) // 4))
        if stale:
            targets = None if full else stale
            run = _EngineRun(root, rules if full else rules_for_files(rules, stale), request, env, targets)
        meanwhile()
        # While the engine runs: read what the unchanged files need.
        changed = set(stale)
        last_sha = {path: state.sha for path, (state, _) in known.items()}
        as_stored = {p for p, s in states.items() if s.selected and p not in changed and last_sha.get(p) == s.sha}
        planned, uncounted_by_key = cache.reading_plan(wanted, set(known) - as_stored, request.max_locations)
        uncounted = {control_of_key[key]: n for key, n in uncounted_by_key.items()}
        # Files not as the cache last saw them, but whose content it knows: read them whole.
        to_read = {p for p in planned if p in as_stored}  # another check may have changed the table since
        to_read.update(p for p, s in states.items() if s.selected and p not in changed and p not in as_stored)
        stored_hits = cache.hits_of(states[p].sha for p in to_read)
        reused = {p: _of_keys(stored_hits[states[p].sha], wanted) for p in sorted(to_read)}
        findings = _findings(reused, rules, request.controls)
        fresh: dict[str, HitsByKey] = {}
        engine_errors: list[dict[str, Any]] = []
        if run is not None:
            raw = run.result()
            engine_errors = list(raw.get("errors", []))
            scanned = set(raw.get("paths", {}).get("scanned", []))
            found = _hits(raw.get("results", []), root)
            for path in states if full else stale:
                state = states[path]
                if path not in scanned:
                    states[path] = state._replace(selected=False)
                    continue
                by_key: HitsByKey = {ckey: [] for ckey in wanted}
                for hit in found.get(path, ()):
                    by_key[ckey_of_rule[hit[0]]].append(hit)
                fresh[state.sha] = by_key
        # Rescanned files, and files hashed again whose content was known (a fresh checkout
        # touches every file): next time their size and time match, and they are not hashed.
        record = set(states if full else stale) | set(inventory.hashed)
        if record:
            cache.store((states[p] for p in sorted(record)), fresh, _plain_rules(rules))
        gone = set(known) - set(states)
        if gone:
            cache.forget(gone)
        rescanned = {p: _of_keys(fresh[states[p].sha], wanted) for p in stale if states[p].selected}
        findings += _findings(rescanned, rules, request.controls)
        selected = sum(1 for s in states.values() if s.selected)
        counts = f"cache: {selected - len(rescanned)} of {selected} files reused, {len(stale)} rescanned"
        notes = (*inventory.warnings, *cache.warnings, counts)
        return rules, _Outcome(findings, uncounted, selected, engine_errors, notes)
    finally:
        if run is not None:
            run.close()
        cache.close()


def _plain_rules(rules: Iterable[Mapping[str, Any]]) -> set[str]:
    """Evidence rules with no parameter to check: their findings may be counted instead of listed."""
    return {
        str(rule["id"])
        for rule in rules
        if rule["id"] != ANNOTATION_RULE_ID
        and (rule.get("metadata") or {}).get("kind") == "evidence"
        and not (rule.get("metadata") or {}).get("param")
    }


def _cap(
    findings: list[Finding], limit: int, uncounted: Mapping[str, int], plain_rules: Container[str]
) -> tuple[list[Finding], dict[str, int]]:
    """Per control, the first `limit` findings of plain rules in report order; the rest counted.

    `plain_rules` is the same set the cache counts with, so a warm check counts what a cold one would.
    """
    omitted = dict(uncounted)
    if limit <= 0:
        return findings, omitted
    listed: list[Finding] = []
    plain: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule in plain_rules:
            plain.setdefault(finding.control, []).append(finding)
        else:
            listed.append(finding)
    for control, items in plain.items():
        items.sort(key=_FINDING_ORDER)
        listed.extend(items[:limit])
        if len(items) > limit:
            omitted[control] = omitted.get(control, 0) + len(items) - limit
    return listed, omitted


def _cached_reader(cache: ResultCache) -> RuleReader:
    """read_rules through the cache, keyed by the rule file's path, size and modification time."""

    def read(path: Path, control: str) -> list[dict[str, Any]]:
        info = path.stat()
        rules = cache.rule_file(path, info.st_size, info.st_mtime_ns)
        if rules is None:
            rules = read_rules(path, control)
            cache.store_rule_file(path, info.st_size, info.st_mtime_ns, rules)
        return rules

    return read


class _EngineRun:
    """One engine process, started at once; result() waits for it and reads its JSON."""

    def __init__(
        self,
        root: Path,
        rules: list[dict[str, Any]],
        request: ScanRequest,
        env: Env,
        targets: Sequence[str] | None = None,
    ) -> None:
        self.rule_ids = {str(rule["id"]) for rule in rules}
        self.timeout = request.timeout
        # Output goes to files, not pipes: a full pipe would stall the engine while we work.
        self.folder = tempfile.TemporaryDirectory(prefix="vibeward-")
        folder = Path(self.folder.name)
        rule_file = folder / "rules.yml"
        # JSON is YAML, and far faster to write than YAML for a large rule pack.
        rule_file.write_text(json.dumps({"rules": rules}), encoding="utf-8")
        command = [
            *engine_command(env),
            "--config",
            str(rule_file),
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--quiet",
            "--timeout",
            "30",
            *(f"--exclude={pattern}" for pattern in request.excludes),
            *(["--", *targets] if targets is not None else ["."]),
        ]
        self.stdout = (folder / "out.json").open("w+b")
        self.stderr = (folder / "err.txt").open("w+b")
        try:
            self.process = subprocess.Popen(
                command, cwd=root, env=env.engine_environ(), stdout=self.stdout, stderr=self.stderr
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
            returncode = self.process.wait(timeout=self.timeout)
            self.stdout.seek(0)
            output = self.stdout.read()
            self.stderr.seek(0)
            stderr = self.stderr.read().decode("utf-8", "replace").strip()
        except subprocess.TimeoutExpired:
            raise EngineError(
                f"semgrep did not finish within {self.timeout} s", "raise scan.timeout or exclude large folders"
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
                detail = _engine_error_text(raw["errors"][0])
            elif stderr:
                detail = stderr.splitlines()[-1]
            raise EngineError(
                f"semgrep failed (exit {returncode}): {detail or 'no output'}",
                "run with VIBEWARD_ENGINE=pysemgrep to compare, or report it with the message above",
            )
        # The Python CLI prefixes rule ids with the rule file's folders ("tmp.vibeward-x.<id>").
        for result in raw.get("results", []):
            check_id = str(result.get("check_id", ""))
            if check_id not in self.rule_ids:
                result["check_id"] = next((i for i in self.rule_ids if check_id.endswith("." + i)), check_id)
        return raw


def _engine_error_text(error: Mapping[str, Any]) -> str:
    message = str(error.get("message", error.get("type", "error"))).splitlines()[0]
    path = error.get("path")
    return f"{path}: {message}" if path else message


def _of_keys(by_key: HitsByKey, ckeys: Sequence[str]) -> list[Hit]:
    return [hit for ckey in ckeys for hit in by_key[ckey]]


def _findings(
    hits: Mapping[str, Sequence[Hit]], rules: Sequence[Mapping[str, Any]], controls: Iterable[str]
) -> list[Finding]:
    """Hits -> findings of the wanted controls (unsorted)."""
    wanted = set(controls)
    metadata_of = {str(rule["id"]): rule.get("metadata") or {} for rule in rules}
    found: list[Finding] = []
    for path, items in hits.items():
        for rule_id, start, end, message, snippet in items:
            param_value = param_unit = ""
            mark = _PARAM_RE.search(message)
            if mark:
                param_value, _, param_unit = mark.group(1).rpartition("|")
                message = message[: mark.start()]
            if rule_id == ANNOTATION_RULE_ID:
                controls = [c.strip() for c in message.split("implements", 1)[-1].split(",")]
                found.extend(
                    Finding(
                        control=control,
                        kind="evidence",
                        rule=ANNOTATION_RULE_ID,
                        path=path,
                        start_line=start,
                        end_line=end,
                        message="annotated in the code: vibeward: implements",
                        snippet=snippet,
                    )
                    for control in dict.fromkeys(controls)
                    if control in wanted
                )
                continue
            metadata = metadata_of.get(rule_id, {})
            control = str(metadata.get("control", ""))
            if control not in wanted:
                continue
            param = metadata.get("param") if isinstance(metadata.get("param"), dict) else {}
            found.append(
                Finding(
                    control=control,
                    kind=str(metadata.get("kind", "evidence")),
                    rule=rule_id,
                    path=path,
                    start_line=start,
                    end_line=end,
                    message=message,
                    snippet=snippet,
                    param_name=_param_name(param, param_unit),
                    # A rule may state the value it implies (bcrypt.DefaultCost is 10) instead of capturing it.
                    param_value=param_value or (str(param["value"]) if param and "value" in param else ""),
                )
            )
    return found


_FINDING_ORDER = attrgetter("control", "kind", "path", "start_line", "rule", "end_line", "message", "param_value")


def _param_name(param: Mapping[str, Any] | None, unit: str) -> str:
    if not param:
        return ""
    name = str(param.get("name", ""))
    unit = unit.strip().lower()
    return f"{name}_{unit}" if unit and not unit.startswith("$") else name


def _hits(results: Sequence[Mapping[str, Any]], root: Path) -> dict[str, list[Hit]]:
    """The engine's results by path, in the compact form the cache keeps (with end line and snippet)."""
    lines_cache: dict[str, list[str]] = {}
    found: dict[str, list[Hit]] = {}
    for result in results:
        path = str(result.get("path", ""))
        rule_id = str(result.get("check_id", ""))
        start = int(result.get("start", {}).get("line", 0))
        end = int(result.get("end", {}).get("line", start))
        if rule_id == ANNOTATION_RULE_ID:
            end = _annotated_end(root, path, start, lines_cache)
        message = str(result.get("extra", {}).get("message", ""))
        found.setdefault(path, []).append((rule_id, start, end, message, _snippet(root, path, start, end, lines_cache)))
    return found


def _file_lines(root: Path, path: str, cache: dict[str, list[str]]) -> list[str]:
    if path not in cache:
        try:
            cache[path] = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[path] = []
    return cache[path]


def _annotated_end(root: Path, path: str, start: int, cache: dict[str, list[str]]) -> int:
    """An annotation covers its own line and, when it stands alone, the next code line."""
    lines = _file_lines(root, path, cache)
    own = lines[start - 1].lstrip() if 0 < start <= len(lines) else ""
    if own and not own.startswith(("#", "//", "/*", "--", "<!--", ";", "*")):
        return start  # a trailing comment annotates its own line
    for number in range(start + 1, min(len(lines), start + 5) + 1):
        if lines[number - 1].strip():
            return number
    return start


def _snippet(root: Path, path: str, start: int, end: int, cache: dict[str, list[str]]) -> str:
    lines = _file_lines(root, path, cache)[start - 1 : min(end, start + MAX_SNIPPET_LINES - 1)]
    text = "\n".join(line.rstrip() for line in lines)
    return text if len(text) <= MAX_SNIPPET_CHARS else text[: MAX_SNIPPET_CHARS - 1] + "…"
