"""Required controls + a repository -> findings, with exactly one semgrep process.

The rules of the required controls, for the languages present, are merged into ONE
generated rule file and run by ONE engine process (docs/performance.md says why);
tracer/engine.py starts it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import yaml

from tracer import headstart, yamlsafe
from tracer.cache import Hit, HitsByKey, ResultCache
from tracer.engine import (
    EngineRun,
    Inventory,
    ScanRequest,
    control_keys,
    engine_command,
    engine_error_text,
    languages_of,
    launch_for,
    rules_for_files,
    stale_files,
    take_inventory,
    whole_tree,
)
from tracer.env import Env
from tracer.errors import ConfigError
from tracer.model import Finding, ScanResult
from tracer.resources import rules_dir

# A rule file may serve several languages: JS rules also run on TS and the reverse.
RULE_FILES_BY_LANGUAGE: Mapping[str, tuple[str, ...]] = {
    "python": ("python",),
    "javascript": ("javascript",),
    "typescript": ("javascript", "typescript"),
    "java": ("java",),
    "go": ("go",),
}
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


RuleReader = Callable[[Path, str], list[dict[str, Any]]]
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
        run = EngineRun(launch_for(root, rules, request, env, None))
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
    errors = tuple(engine_error_text(error) for error in outcome.engine_errors if error.get("level") == "error")
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


@dataclass(frozen=True)
class _Outcome:
    findings: list[Finding]
    uncounted: Mapping[str, int]  # control -> plain evidence in files whose hits were not read
    files_scanned: int
    engine_errors: Sequence[Mapping[str, Any]]
    notes: tuple[str, ...]


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
    run: EngineRun | None = None
    try:
        read = _cached_reader(cache)
        rules = [*collect_rules(request.controls, languages, request.rules_root or rules_dir(), read), _ANNOTATION_RULE]
        ckeys = control_keys(rules, version)
        control_of_key = {ckey: control for control, ckey in ckeys.items()}
        ckey_of_rule = {str(rule["id"]): ckeys[str(rule["metadata"]["control"])] for rule in rules}
        wanted = list(ckeys.values())
        changed = inventory.changed
        stale_states = stale_files(cache, inventory, wanted)
        stale = sorted(stale_states)
        full = whole_tree(inventory, stale_states)
        if stale:
            targets = None if full else stale
            launch = launch_for(root, rules if full else rules_for_files(rules, stale), request, env, targets)
            # The engine may already run this launch: started before the plan, as the last check (headstart).
            run = headstart.claim(launch) or EngineRun(launch)
        headstart.remember(request, rules, wanted)
        meanwhile()
        # While the engine runs: read what the unchanged files need.
        skip = {*changed, *inventory.gone, *stale_states}
        planned, uncounted_by_key = cache.reading_plan(wanted, skip, request.max_locations)
        uncounted = {control_of_key[key]: n for key, n in uncounted_by_key.items()}
        # Changed files whose content the cache knows under every key (touched, or changed
        # back): their rows are not as stored, so they are read whole, not planned.
        to_read = {**planned, **{p: s.sha for p, s in changed.items() if p not in stale_states}}
        stored_hits = cache.hits_of(to_read.values())
        reused = {p: _of_keys(stored_hits[sha], wanted) for p, sha in sorted(to_read.items()) if sha in stored_hits}
        findings = _findings(reused, rules, request.controls)
        states = stale_states
        if full:  # every file is rescanned: the unchanged ones as the cache knows them
            stored = cache.file_states()
            states = {p: changed[p] if p in changed else stored[p] for p, _, _ in inventory.files}
        unselected = 0 if full else cache.unselected(skip)
        fresh: dict[str, HitsByKey] = {}
        engine_errors: list[dict[str, Any]] = []
        if run is not None:
            raw = run.result()
            engine_errors = list(raw.get("errors", []))
            scanned = set(raw.get("paths", {}).get("scanned", []))
            found = _hits(raw.get("results", []), root)
            for path in states:
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
        record = {**changed, **states}
        if record:
            cache.store((record[p] for p in sorted(record)), fresh, _plain_rules(rules))
        if inventory.gone:
            cache.forget(inventory.gone)
        rescanned = {p: _of_keys(fresh[s.sha], wanted) for p, s in stale_states.items() if states[p].selected}
        findings += _findings(rescanned, rules, request.controls)
        if full:
            selected = sum(1 for s in states.values() if s.selected)
        else:
            selected = len(inventory.files) - unselected - sum(1 for p in stale if not states[p].selected)
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
    # A rule that matches on one line more than once (focused on each validator of a list, say)
    # is one location to a reader: the same rule, lines and message, shown once.
    return {path: list(dict.fromkeys(hits)) for path, hits in found.items()}


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
