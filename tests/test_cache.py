"""Incremental scans: a warm check rescans only changed files and equals a cold run."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from tracer import engine, locate
from tracer.cache import HitsByKey, ResultCache
from tracer.env import Env
from tracer.model import ScanResult
from tracer.resources import rules_dir

pytestmark = pytest.mark.slow

CONTROLS = ("password_hashing", "parameterized_queries", "csrf_protection", "audit_logging", "session_timeout")


@pytest.fixture
def shop(tmp_path: Path, repo_root: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(repo_root / "examples" / "shop", target)
    return target


def scan(root: Path, cache: Path | None) -> ScanResult:
    env = Env.from_environ({"PATH": os.environ.get("PATH", "")})
    return locate.scan(engine.ScanRequest(root=root, controls=CONTROLS, cache_dir=cache), env)


def comparable(result: ScanResult) -> tuple[object, ...]:
    return (result.findings, result.files_scanned, result.languages, result.covered_controls)


def touch_and_append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_cold_warm_and_uncached_results_are_identical(shop: Path, tmp_path: Path) -> None:
    uncached = scan(shop, None)
    cold = scan(shop, tmp_path / "cache")
    warm = scan(shop, tmp_path / "cache")
    assert comparable(cold) == comparable(uncached)
    assert comparable(warm) == comparable(uncached)
    assert warm.notes[-1] == f"cache: {warm.files_scanned} of {warm.files_scanned} files reused, 0 rescanned"


def test_a_change_rescans_only_that_file_and_still_equals_a_cold_run(shop: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan(shop, cache)
    orders = shop / "app" / "orders.py"
    touch_and_append(orders, '\n\ndef more(db, x):\n    return db.execute(f"SELECT * FROM t WHERE id = {x}")\n')
    (shop / "app" / "limits.py").write_text("# vibeward: implements rate_limiting\nLIMIT = 5\n")
    (shop / "app" / "audit.py").unlink()
    warm = scan(shop, cache)
    assert comparable(warm) == comparable(scan(shop, None))
    assert warm.notes[-1].endswith("2 rescanned")
    assert any(f.path == "app/orders.py" and f.kind == "violation" and f.start_line > 40 for f in warm.findings)
    assert not any(f.path == "app/audit.py" for f in warm.findings)


def test_another_controls_rules_reuse_the_files_for_the_rest(shop: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = Env.from_environ({"PATH": os.environ.get("PATH", "")})
    first = locate.scan(engine.ScanRequest(root=shop, controls=("password_hashing",), cache_dir=cache), env)
    both = locate.scan(
        engine.ScanRequest(root=shop, controls=("password_hashing", "tokenization"), cache_dir=cache), env
    )
    plain = locate.scan(engine.ScanRequest(root=shop, controls=("password_hashing", "tokenization")), env)
    assert comparable(both) == comparable(plain)
    assert {f.control for f in both.findings} >= {"password_hashing", "tokenization"}
    assert first.findings == tuple(f for f in both.findings if f.control == "password_hashing")


def test_corrupt_cache_is_discarded_with_a_warning(shop: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "results.sqlite").write_bytes(b"this is not a database" * 100)
    result = scan(shop, cache)
    assert comparable(result) == comparable(scan(shop, None))
    assert any("unreadable; discarded" in note for note in result.notes)


def test_foreign_cache_is_discarded(shop: Path, tmp_path: Path) -> None:
    import sqlite3

    cache = tmp_path / "cache"
    scan(shop, cache)
    with sqlite3.connect(cache / "results.sqlite") as db:
        db.execute("UPDATE meta SET value = 'semgrep 0.0.1' WHERE key = 'engine'")
        db.execute("UPDATE results SET hits = '{}'")  # poisoned: would hide every finding if trusted
    result = scan(shop, cache)
    assert any("another version; discarded" in note for note in result.notes)
    assert comparable(result) == comparable(scan(shop, None))


def test_two_checks_at_once_share_the_cache_safely(shop: Path, tmp_path: Path, repo_root: Path) -> None:
    cache = tmp_path / "cache"
    script = (
        "import sys; from pathlib import Path; from tracer import engine, locate; from tracer.env import Env\n"
        f"r = locate.scan(engine.ScanRequest(root=Path({str(shop)!r}), controls={CONTROLS!r}, "
        f"cache_dir=Path({str(cache)!r})), Env.from_environ())\n"
        "print(len(r.findings))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], cwd=repo_root, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    counts = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    expected = len(scan(shop, None).findings)
    assert counts == {str(expected)}
    assert len(scan(shop, cache).findings) == expected


POLYGLOT_CONTROLS = ("password_hashing", "security_headers", "parameterized_queries")


def test_a_rescan_runs_only_the_changed_files_languages_and_still_equals_a_cold_run(
    tmp_path: Path, repo_root: Path
) -> None:
    """The rules of other languages are left out of a rescan; the findings must not change."""
    repo = tmp_path / "polyglot"
    for control in POLYGLOT_CONTROLS:
        for target in sorted((repo_root / "semgrep-rules" / control).iterdir()):
            if target.suffix not in (".yml", ".yaml"):
                (repo / control).mkdir(parents=True, exist_ok=True)
                shutil.copy(target, repo / control / target.name)
    changed = [repo / "password_hashing" / "python.py", repo / "password_hashing" / "javascript.js"]
    rules = locate.collect_rules(POLYGLOT_CONTROLS, ("python", "javascript", "java", "go"), rules_dir())
    kept = engine.rules_for_files(rules, [str(p.relative_to(repo)) for p in changed])
    assert 0 < len(kept) < len(rules)
    assert not any(set(rule["languages"]) <= {"java", "go"} for rule in kept)

    env = Env.from_environ({"PATH": os.environ.get("PATH", "")})
    cache = tmp_path / "cache"

    def scan_polyglot(cache_dir: Path | None) -> ScanResult:
        return locate.scan(
            engine.ScanRequest(root=repo, controls=POLYGLOT_CONTROLS, excludes=(), cache_dir=cache_dir), env
        )

    scan_polyglot(cache)
    for path in changed:
        touch_and_append(path, "\n" if path.suffix == ".py" else "\n// changed\n")
    warm = scan_polyglot(cache)
    assert warm.notes[-1].endswith("2 rescanned")
    assert comparable(warm) == comparable(scan_polyglot(None))
    assert {f.path for f in warm.findings} >= {"password_hashing/python.py", "password_hashing/javascript.js"}
    assert any(f.path.endswith(".conf") for f in warm.findings)  # the nginx settings rule still ran where it should


def test_rules_for_files_keeps_everything_for_files_of_unknown_kind() -> None:
    rules = locate.collect_rules(POLYGLOT_CONTROLS, ("python", "java"), rules_dir())
    assert engine.rules_for_files(rules, ["bin/manage"]) == rules  # a shebang script: semgrep may read it as Python
    assert engine.rules_for_files(rules, ["app/models.pyi", "app/x.py"]) == rules
    assert engine.rules_for_files(rules, ["deploy/nginx.conf"]) == rules


def test_files_touched_but_unchanged_are_hashed_once_then_trusted(shop: Path, tmp_path: Path) -> None:
    """A fresh checkout gives every file a new time: hash each once, rescan none, remember the new times."""
    cache = tmp_path / "cache"
    env = Env.from_environ({"PATH": os.environ.get("PATH", "")})
    request = engine.ScanRequest(root=shop, controls=CONTROLS, cache_dir=cache)
    cold = scan(shop, cache)
    for path in shop.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    touched = engine.take_inventory(request, env)
    assert len(touched.changed) >= cold.files_scanned > 0
    warm = locate.scan(request, env, touched)
    assert warm.notes[-1].endswith(" 0 rescanned") and comparable(warm) == comparable(cold)
    assert engine.take_inventory(request, env).changed == {}


def plain_evidence(result: ScanResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in result.findings:
        plain = not (finding.param_name or finding.param_value or finding.rule == locate.ANNOTATION_RULE_ID)
        if finding.kind == "evidence" and plain:
            counts[finding.control] = counts.get(finding.control, 0) + 1
    return counts


QUERY = 'def q{i}(db, x):\n    return db.execute("SELECT a FROM t WHERE id = ?", (x,))\n'


def test_listed_evidence_is_capped_alike_cold_and_warm_and_the_rest_counted(
    tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per control the first plain evidence is listed, the rest counted; a warm check reads only what it lists."""
    repo = tmp_path / "many"
    (repo / "app").mkdir(parents=True)
    for n in range(12):
        (repo / "app" / f"q{n:02d}.py").write_text(
            "".join(QUERY.format(i=i) for i in range(3))
        )
    (repo / "app" / "weak.py").write_text("import bcrypt\nh = bcrypt.hashpw(b'p', bcrypt.gensalt(rounds=8))\n")
    env = Env.from_environ({"PATH": os.environ.get("PATH", "")})
    controls = ("parameterized_queries", "password_hashing")

    def run(cache_dir: Path | None, limit: int) -> ScanResult:
        request = engine.ScanRequest(root=repo, controls=controls, excludes=(), cache_dir=cache_dir)
        return locate.scan(replace(request, max_locations=limit), env)

    everything = run(None, 0)
    assert plain_evidence(everything)["parameterized_queries"] == 36 and everything.omitted == ()
    cold = run(None, 4)
    assert plain_evidence(cold)["parameterized_queries"] == 4
    assert dict(cold.omitted) == {"parameterized_queries": 32}
    assert any(f.control == "password_hashing" and f.param_value == "8" for f in cold.findings)  # always listed
    listed = [f for f in everything.findings if f.control == "parameterized_queries"][:4]
    assert [f for f in cold.findings if f.control == "parameterized_queries"] == listed  # the first, in report order

    cache = tmp_path / "cache"
    run(cache, 4)
    touch_and_append(repo / "app" / "q05.py", 'def extra(db, x):\n    return db.execute("SELECT 1 WHERE ?", (x,))\n')
    read: list[str] = []
    real_hits_of = ResultCache.hits_of

    def recording_hits_of(self: ResultCache, shas: Iterable[str]) -> dict[str, HitsByKey]:
        found = real_hits_of(self, shas)
        read.extend(found)
        return found

    monkeypatch.setattr(ResultCache, "hits_of", recording_hits_of)
    warm = run(cache, 4)
    assert comparable(warm) == comparable(run(None, 4)) and warm.omitted == (("parameterized_queries", 33),)
    assert 0 < len(read) < 12  # the files with listed evidence or a parameter; the others only counted


def test_the_cache_folder_is_chosen_by_env_then_config_then_user_cache(tmp_path: Path) -> None:
    from tracer import config, pipeline

    root = tmp_path / "repo"
    root.mkdir()
    (root / "compliance-config.yml").write_text("scan:\n  cache_dir: .ci-cache\n")
    org = config.load(root / "compliance-config.yml")
    key = pipeline.cache_dir(root, org, Env.from_environ({"HOME": str(tmp_path)}), wanted=True)
    assert key is not None and key.parent == root / ".ci-cache"  # relative to the config file
    env = Env.from_environ({"HOME": str(tmp_path), "VIBEWARD_CACHE_DIR": str(tmp_path / "ci")})
    assert pipeline.cache_dir(root, org, env, wanted=True) == (tmp_path / "ci" / key.name)  # same key per repo
    plain = config.load(None)
    user = pipeline.cache_dir(root, plain, Env.from_environ({"XDG_CACHE_HOME": str(tmp_path / "xdg")}), wanted=True)
    assert user == tmp_path / "xdg" / "vibeward" / key.name
    assert pipeline.cache_dir(root, org, Env.from_environ({"VIBEWARD_CACHE": "off"}), wanted=True) is None
    assert pipeline.cache_dir(root, org, env, wanted=False) is None  # --no-cache
    (root / "compliance-config.yml").write_text("scan:\n  cache: false\n")
    assert pipeline.cache_dir(root, config.load(root / "compliance-config.yml"), env, wanted=True) is None
