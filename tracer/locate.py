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
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tracer import yamlsafe
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
MAX_SNIPPET_CHARS = 200


@dataclass(frozen=True)
class ScanRequest:
    root: Path
    controls: tuple[str, ...]
    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    timeout: int = 600
    rules_root: Path | None = None
    cache_dir: Path | None = None  # per-file results kept here between checks; None: no cache


def walk_files(root: Path, excludes: Sequence[str]) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every file under root that no exclusion removes."""
    found: list[tuple[str, int, int]] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if _excluded(entry.name, excludes):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                found.append((Path(entry.path).relative_to(root).as_posix(), info.st_size, info.st_mtime_ns))
    found.sort()
    return found


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


def detect_languages(root: Path, excludes: Sequence[str]) -> tuple[tuple[str, ...], int]:
    """Languages present under root (by file ending) and the number of files seen."""
    files = walk_files(root, excludes)
    return languages_of(path for path, _, _ in files), len(files)


def _excluded(name: str, excludes: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in excludes)


def collect_rules(controls: Iterable[str], languages: Iterable[str], rules_root: Path) -> list[dict[str, Any]]:
    """The rules of the given controls for the given languages, ready to merge."""
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
                rules.extend(_read_rules(path, control))
    return rules


def _read_rules(path: Path, control: str) -> list[dict[str, Any]]:
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


def scan(request: ScanRequest, env: Env) -> ScanResult:
    root = request.root
    if not root.exists():
        raise InputError(f"{root}: path does not exist", "pass the folder of the repository to check")
    if not root.is_dir():
        raise InputError(f"{root}: not a folder", "pass the folder of the repository to check")
    files = walk_files(root, request.excludes)
    if not files:
        raise InputError(f"{root}: no files to scan (empty, or everything excluded)", "check the path and scan.exclude")
    languages = languages_of(path for path, _, _ in files)
    rules = collect_rules(request.controls, languages, request.rules_root or rules_dir())
    rules.append(_ANNOTATION_RULE)
    notes: tuple[str, ...] = ()
    if request.cache_dir is None:
        raw = _run_engine(root, rules, request, env)
        results = list(raw.get("results", []))
        files_scanned = len(raw.get("paths", {}).get("scanned", []))
        engine_errors = list(raw.get("errors", []))
    else:
        results, files_scanned, engine_errors, notes = _scan_with_cache(
            root, files, rules, request, env, request.cache_dir
        )
    findings = tuple(_findings({"results": results}, root, set(request.controls)))
    errors = tuple(_engine_error_text(error) for error in engine_errors if error.get("level") == "error")
    covered = tuple(
        sorted({r["metadata"]["control"] for r in rules if r["metadata"].get("kind") == "evidence"})
    )
    return ScanResult(
        findings=findings,
        covered_controls=covered,
        files_scanned=files_scanned,
        languages=languages,
        rules_run=len(rules),
        engine=" ".join(engine_command(env)[1:]) or "semgrep",
        excluded=request.excludes,
        errors=errors,
        notes=notes,
    )


def engine_version(env: Env) -> str:
    """What the cache keys on: the engine package's version, or the override binary's identity."""
    override = env.get("VIBEWARD_SEMGREP")
    if override:
        try:
            return f"{override}@{Path(override).stat().st_mtime_ns}"
        except OSError:
            return override
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"semgrep {version('semgrep')} {' '.join(engine_command(env)[2:])}"
    except PackageNotFoundError:
        return "semgrep (unknown version)"


# Past this many files to rescan, one whole-tree run is cheaper than naming each file.
_FULL_SCAN_FILES = 2000


def _scan_with_cache(
    root: Path,
    files: list[tuple[str, int, int]],
    rules: list[dict[str, Any]],
    request: ScanRequest,
    env: Env,
    cache_dir: Path,
) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]], tuple[str, ...]]:
    """Reuse per-file results whose content and rules are unchanged; run the engine on the rest."""
    from tracer.cache import FileState, ResultCache, file_sha, rules_key

    version = engine_version(env)
    cache = ResultCache(cache_dir, version)
    try:
        by_control: dict[str, list[dict[str, Any]]] = {}
        for rule in rules:
            by_control.setdefault(str(rule["metadata"]["control"]), []).append(rule)
        ckeys = {control: rules_key(items, version) for control, items in by_control.items()}
        ckey_of_rule = {str(rule["id"]): ckeys[str(rule["metadata"]["control"])] for rule in rules}
        known = cache.known_files()
        states: dict[str, FileState] = {}
        for path, size, mtime_ns in files:
            before = known.get(path)
            if before is not None and (before.size, before.mtime_ns) == (size, mtime_ns):
                states[path] = before
            else:
                states[path] = FileState(path, size, mtime_ns, file_sha(root / path), selected=True)
        wanted = list(ckeys.values())
        cached = cache.lookup((s.sha for s in states.values() if s.selected), wanted)
        stale = [p for p, s in states.items() if s.selected and any((s.sha, k) not in cached for k in wanted)]
        fresh: dict[tuple[str, str], list[dict[str, Any]]] = {}
        engine_errors: list[dict[str, Any]] = []
        if stale:
            full = not known or len(stale) > max(_FULL_SCAN_FILES, len(states) // 4)
            raw = _run_engine(root, rules, request, env, targets=None if full else stale)
            engine_errors = list(raw.get("errors", []))
            scanned = set(raw.get("paths", {}).get("scanned", []))
            _with_context(raw.get("results", []), root)
            grouped: dict[str, list[dict[str, Any]]] = {}
            for result in raw.get("results", []):
                grouped.setdefault(str(result.get("path", "")), []).append(result)
            for path in states if full else stale:
                state = states[path]
                if path not in scanned:
                    states[path] = FileState(state.path, state.size, state.mtime_ns, state.sha, selected=False)
                    continue
                for ckey in wanted:
                    fresh[(state.sha, ckey)] = []
                for result in grouped.get(path, []):
                    stored = {k: v for k, v in result.items() if k != "path"}
                    fresh[(state.sha, ckey_of_rule.get(str(result.get("check_id")), ""))].append(stored)
            cache.store((states[p] for p in (states if full else stale)), fresh)
        gone = set(known) - set(states)
        if gone:
            cache.forget(gone)
        results: list[dict[str, Any]] = []
        selected = [s for s in states.values() if s.selected]
        for state in selected:
            for ckey in wanted:
                for item in fresh.get((state.sha, ckey), cached.get((state.sha, ckey), [])):
                    results.append({**item, "path": state.path})
        reused = len(selected) - len([p for p in stale if states[p].selected])
        notes = (*cache.warnings, f"cache: {reused} of {len(selected)} files reused, {len(stale)} rescanned")
        return results, len(selected), engine_errors, tuple(notes)
    finally:
        cache.close()


def _run_engine(
    root: Path, rules: list[dict[str, Any]], request: ScanRequest, env: Env, targets: Sequence[str] | None = None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vibeward-") as tmp:
        rule_file = Path(tmp) / "rules.yml"
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
        try:
            completed = subprocess.run(
                command,
                cwd=root,
                env=env.engine_environ(),
                capture_output=True,
                timeout=request.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise EngineError(
                "semgrep not found", "install vibeward with its dependencies (make demo) or put semgrep on PATH"
            ) from None
        except subprocess.TimeoutExpired:
            raise EngineError(
                f"semgrep did not finish within {request.timeout} s", "raise scan.timeout or exclude large folders"
            ) from None
    stderr = completed.stderr.decode("utf-8", "replace").strip()
    try:
        raw = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raw = None
    if completed.returncode not in (0, 1) or not isinstance(raw, dict):
        detail = ""
        if isinstance(raw, dict) and raw.get("errors"):
            detail = _engine_error_text(raw["errors"][0])
        elif stderr:
            detail = stderr.splitlines()[-1]
        raise EngineError(
            f"semgrep failed (exit {completed.returncode}): {detail or 'no output'}",
            "run with VIBEWARD_ENGINE=pysemgrep to compare, or report it with the message above",
        )
    # The Python CLI prefixes rule ids with the rule file's folders ("tmp.vibeward-x.<id>").
    known = {str(rule["id"]) for rule in rules}
    for result in raw.get("results", []):
        check_id = str(result.get("check_id", ""))
        if check_id not in known:
            result["check_id"] = next((i for i in known if check_id.endswith("." + i)), check_id)
    return raw


def _engine_error_text(error: Mapping[str, Any]) -> str:
    message = str(error.get("message", error.get("type", "error"))).splitlines()[0]
    path = error.get("path")
    return f"{path}: {message}" if path else message


def _findings(raw: Mapping[str, Any], root: Path, wanted: set[str]) -> list[Finding]:
    found: list[Finding] = []
    lines_cache: dict[str, list[str]] = {}
    for result in raw.get("results", []):
        extra = result.get("extra", {})
        metadata = extra.get("metadata") or {}
        path = str(result.get("path", ""))
        start = int(result.get("start", {}).get("line", 0))
        end = int(result.get("end", {}).get("line", start))
        message = str(extra.get("message", ""))
        param_value = param_unit = ""
        mark = _PARAM_RE.search(message)
        if mark:
            param_value, _, param_unit = mark.group(1).rpartition("|")
            message = message[: mark.start()]
        rule_id = str(result.get("check_id", ""))
        context = result.get("vibeward")  # end line and snippet kept in the cache with the result
        if isinstance(context, dict):
            end, snippet = int(context["end"]), str(context["snippet"])
        else:
            if rule_id.endswith(ANNOTATION_RULE_ID):
                end = _annotated_end(root, path, start, lines_cache)
            snippet = _snippet(root, path, start, end, lines_cache)
        if rule_id.endswith(ANNOTATION_RULE_ID):
            controls = [c.strip() for c in message.split("implements", 1)[-1].split(",")]
            for control in controls:
                if control in wanted:
                    found.append(
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
                    )
            continue
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
    found.sort(key=lambda f: (f.control, f.kind, f.path, f.start_line, f.rule))
    return found


def _param_name(param: Mapping[str, Any] | None, unit: str) -> str:
    if not param:
        return ""
    name = str(param.get("name", ""))
    unit = unit.strip().lower()
    return f"{name}_{unit}" if unit and not unit.startswith("$") else name


def _with_context(results: list[dict[str, Any]], root: Path) -> None:
    """Attach each result's end line and snippet, so a cached result needs no file read later."""
    lines_cache: dict[str, list[str]] = {}
    for result in results:
        path = str(result.get("path", ""))
        start = int(result.get("start", {}).get("line", 0))
        end = int(result.get("end", {}).get("line", start))
        if str(result.get("check_id", "")).endswith(ANNOTATION_RULE_ID):
            end = _annotated_end(root, path, start, lines_cache)
        result["vibeward"] = {"end": end, "snippet": _snippet(root, path, start, end, lines_cache)}


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
