"""What the cache keeps up to date as files are stored (folder digests, key lists, counts per
file and their totals) must always say what a full computation over its rows says.

Each check below compares the kept answer with one computed from scratch, the way format 5
computed it on every check (a window sum over all files with hits, a join of every file with
its results, a comparison of every file state).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tracer import engine, locate
from tracer.cache import FORMAT, FileState, Hit, HitsByKey, ResultCache, Stat, folder_digest, folder_of
from tracer.env import Env

VERSION = "test-engine 1"
KEY_A, KEY_B, KEY_C = "a" * 32, "b" * 32, "c" * 32
PLAIN, PARAM = "plain-rule", "param-rule"


def hits(plain: int, other: int = 0) -> list[Hit]:
    """`plain` hits of a plain evidence rule, `other` of a rule with a parameter."""
    return [(PLAIN, n, n, "m", "s") for n in range(plain)] + [(PARAM, 99 + n, 99 + n, "m", "s") for n in range(other)]


def state(path: str, sha: str, selected: bool = True, mtime_ns: int = 1) -> FileState:
    return FileState(path, 10, mtime_ns, sha, selected)


# As format 5 asked it of every row, on every check: the oracle for what is now kept.
WINDOW_PLAN = """
WITH r AS (
    SELECT f.path AS path, f.sha AS sha, c.key AS key, c.plain AS plain, c.other AS other,
           SUM(c.plain) OVER (PARTITION BY c.key ORDER BY f.path ROWS UNBOUNDED PRECEDING) - c.plain AS before
    FROM counts AS c JOIN files AS f ON f.sha = c.sha
    WHERE f.selected
      AND c.key IN (SELECT value FROM json_each(:wanted))
      AND f.path NOT IN (SELECT value FROM json_each(:skip))
), chosen AS (
    SELECT DISTINCT path, sha FROM r WHERE :limit <= 0 OR other > 0 OR (plain > 0 AND before < :limit)
)
SELECT 1, path, sha FROM chosen
UNION ALL
SELECT 0, key, SUM(plain) FROM r WHERE path NOT IN (SELECT path FROM chosen) GROUP BY key
"""


def plan_from_every_row(
    cache: ResultCache, wanted: list[str], skip: set[str], limit: int
) -> tuple[dict[str, str], dict[str, int]]:
    parameters = {"wanted": json.dumps(wanted), "skip": json.dumps(sorted(skip)), "limit": limit}
    to_read: dict[str, str] = {}
    uncounted: dict[str, int] = {}
    for is_read, name, value in cache.db.execute(WINDOW_PLAN, parameters):
        if is_read:
            to_read[name] = value
        elif value:
            uncounted[name] = int(value)
    return to_read, uncounted


def lacking_from_every_row(cache: ResultCache, wanted: list[str], skip: set[str]) -> list[FileState]:
    rows = cache.db.execute(
        "SELECT f.path, f.size, f.mtime_ns, f.sha, r.keys FROM files AS f LEFT JOIN results AS r ON r.sha = f.sha"
        " WHERE f.selected ORDER BY f.path"
    )
    return [
        FileState(path, size, mtime_ns, sha)
        for path, size, mtime_ns, sha, keys in rows
        if path not in skip and (keys is None or not all(key in keys.split(",") for key in wanted))
    ]


def assert_kept_as_computed(cache: ResultCache) -> None:
    """Every kept answer equals the one computed from the rows, for several questions."""
    db = cache.db
    located = set(db.execute("SELECT key, path, plain, other FROM located"))
    joined = set(
        db.execute(
            "SELECT c.key, f.path, c.plain, c.other FROM files AS f JOIN counts AS c ON c.sha = f.sha WHERE f.selected"
        )
    )
    assert located == joined
    totals = {key: plain for key, plain in db.execute("SELECT key, plain FROM totals") if plain}
    summed = dict(db.execute("SELECT key, SUM(plain) FROM located GROUP BY key HAVING SUM(plain) != 0"))
    assert totals == summed
    lists = db.execute(
        "SELECT f.path, l.keys, r.keys FROM files AS f LEFT JOIN key_lists AS l ON l.id = f.keys"
        " LEFT JOIN results AS r ON r.sha = f.sha"
    )
    for path, kept, actual in lists:
        assert kept == actual, path
    folders = {folder: (digest, count) for folder, digest, count in db.execute("SELECT * FROM folders")}
    by_folder: dict[str, list[Stat]] = {}
    for path, size, mtime_ns in db.execute("SELECT path, size, mtime_ns FROM files ORDER BY path"):
        by_folder.setdefault(folder_of(path), []).append((path, size, mtime_ns))
    assert folders == {folder: (folder_digest(states), len(states)) for folder, states in by_folder.items()}

    paths = [path for (path,) in db.execute("SELECT path FROM files ORDER BY path")]
    for wanted in ([KEY_A], [KEY_A, KEY_B], [KEY_B, KEY_C], [KEY_A, KEY_B, KEY_C]):
        for skip in (set(), set(paths[:1]), set(paths[1::3]), set(paths)):
            for limit in (0, 1, 2, 3, 5, 1000):
                assert cache.reading_plan(wanted, skip, limit) == plan_from_every_row(cache, wanted, skip, limit)
            assert cache.lacking(wanted, skip) == lacking_from_every_row(cache, wanted, skip)


def test_what_is_kept_follows_every_store_and_forget(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", VERSION)
    plain = {PLAIN}
    every_key: HitsByKey = {KEY_A: hits(2), KEY_B: hits(1, 1)}
    cache.store(
        [state("a/x.py", "s1"), state("a/y.py", "s2"), state("b/z.py", "s3"), state("top.py", "s4")],
        {"s1": every_key, "s2": {KEY_A: hits(3), KEY_B: []}, "s3": {KEY_A: [], KEY_B: hits(0, 2)}, "s4": every_key},
        plain,
    )
    assert_kept_as_computed(cache)
    # A changed file; a new one sharing another's content; one the engine no longer scans.
    cache.store(
        [state("a/x.py", "s5", mtime_ns=2), state("c/copy.py", "s2"), state("b/z.py", "s3", selected=False)],
        {"s5": {KEY_A: hits(5), KEY_B: hits(0, 1)}},
        plain,
    )
    assert_kept_as_computed(cache)
    # A control newly required: every content gets its key, and every file sharing it follows.
    cache.store(
        [state("a/y.py", "s2")],
        {"s2": {KEY_C: hits(4)}, "s4": {KEY_C: hits(1, 1)}, "s5": {KEY_C: []}},
        plain,
    )
    assert_kept_as_computed(cache)
    assert "c/copy.py" in cache.reading_plan([KEY_C], set(), 1000)[0]  # shares s2, not stored this time
    cache.forget(["a/y.py", "b/z.py", "nowhere.py"])
    assert_kept_as_computed(cache)
    cache.forget(["a/x.py"])  # folder a/ is gone from the cache
    assert_kept_as_computed(cache)
    assert "a/" not in {folder for (folder,) in cache.db.execute("SELECT folder FROM folders")}
    cache.store([state("top.py", "s9", mtime_ns=3)], {"s9": {KEY_A: [], KEY_B: [], KEY_C: []}}, plain)
    assert_kept_as_computed(cache)
    assert cache.lacking([KEY_A], set()) == []


# One check's writes, as a separate process: stores and forgets over shared folders and contents.
WRITER = """
import sys
from tracer.cache import FileState, ResultCache
folder, name, version = sys.argv[1], sys.argv[2], sys.argv[3]
cache = ResultCache(__import__("pathlib").Path(folder), version)
plain = {"plain-rule"}
for round in range(1000):
    files = [FileState(f"shared/{n}.py", 10, round, f"{name}-{round}-{n % 3}") for n in range(4)]
    files.append(FileState(f"{name}/own{round % 5}.py", 10, round, f"{name}-own-{round}"))
    hits = {f.sha: {"a" * 32: [("plain-rule", 1, 1, "m", "s")] * (round % 4), "b" * 32: []} for f in files}
    cache.store(files, hits, plain)
    if round % 7 == 6:
        cache.forget([f"{name}/own{(round + 1) % 5}.py", "shared/3.py"])
cache.close()
"""


def test_two_checks_writing_at_once_keep_what_is_kept_in_step(tmp_path: Path) -> None:
    """Two processes store and forget into one cache at the same time (SQLite's lock queues
    them): what is kept must still equal what the rows give."""
    folder = tmp_path / "cache"
    ResultCache(folder, VERSION).close()  # created once, as the first check would
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(folder), name, VERSION], env=env) for name in ("one", "two")
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    cache = ResultCache(folder, VERSION)
    assert cache.warnings == []
    assert_kept_as_computed(cache)


def compare_every_row(cache: ResultCache, files: list[Stat]) -> tuple[list[Stat], list[str], int]:
    """Format 5's comparison: every row of the last check against every file walked."""
    last = set(cache.db.execute("SELECT path, size, mtime_ns FROM files"))
    unseen = sorted(set(files) - last)
    gone = sorted({path for path, _, _ in last - set(files)} - {path for path, _, _ in unseen})
    return unseen, gone, len(last)


def test_the_walk_compared_folder_by_folder_misses_no_change(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for path in ("a.py", "src/b.py", "src/c.py", "src/deep/d.py", "docs/e.md", "old/f.py", "vendor/g.py"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(f"{path}\n")
    cache = ResultCache(tmp_path / "cache", VERSION)
    excludes = ("vendor",)

    def record() -> None:
        walked = engine.walk_files(root, excludes)
        cache.store([FileState(path, size, mtime_ns, "sha") for path, size, mtime_ns in walked], {}, set())
        stored = {path for (path,) in cache.db.execute("SELECT path FROM files")}
        cache.forget(stored - {path for path, _, _ in walked})

    record()
    walked = engine.walk_files(root, excludes)
    assert cache.compare(walked) == ([], [], 7 - 1)
    b, c, d = root / "src" / "b.py", root / "src" / "c.py", root / "src" / "deep" / "d.py"
    before = c.stat()
    c.write_text("src/c.pX\n")  # the same size; then its old time again: only the content differs
    os.utime(c, ns=(before.st_atime_ns, before.st_mtime_ns))
    b.write_text("longer than before\n")
    os.utime(b, ns=(b.stat().st_atime_ns, before.st_mtime_ns))  # a new size, an old time
    os.utime(d, ns=(d.stat().st_atime_ns, d.stat().st_mtime_ns + 1))  # one nanosecond later
    (root / "docs" / "new.md").write_text("new\n")
    shutil.rmtree(root / "old")
    (root / "a.py").unlink()
    for rounds_excludes in (excludes, ("vendor", "deep")):
        walked = engine.walk_files(root, rounds_excludes)
        found = cache.compare(walked)
        assert found == compare_every_row(cache, walked)
    assert [path for path, _, _ in found[0]] == ["docs/new.md", "src/b.py"]  # c.py: same size and time
    assert found[1] == ["a.py", "old/f.py", "src/deep/d.py"]  # gone, or left out now
    record()
    assert cache.compare(engine.walk_files(root, excludes)) == ([], [], 5)


@pytest.mark.slow
def test_a_cache_of_the_last_format_is_discarded_with_a_warning(tmp_path: Path, repo_root: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(repo_root / "examples" / "shop", shop)
    env = Env.from_environ({"PATH": os.environ.get("PATH", "")})
    request = engine.ScanRequest(root=shop, controls=("password_hashing", "audit_logging"), cache_dir=tmp_path / "c")
    folder = tmp_path / "c"
    folder.mkdir()
    with sqlite3.connect(folder / "results.sqlite") as db:  # format 5's tables, every file known and clean
        db.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
            " sha TEXT NOT NULL, selected INTEGER NOT NULL);"
            "CREATE TABLE results (sha TEXT PRIMARY KEY, keys TEXT NOT NULL, hits TEXT NOT NULL);"
            "CREATE TABLE counts (sha TEXT NOT NULL, key TEXT NOT NULL, plain INTEGER NOT NULL,"
            " other INTEGER NOT NULL, PRIMARY KEY (sha, key));"
            "CREATE INDEX files_by_content ON files (sha);"
        )
        version = engine.engine_version(env)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", "vibeward-cache/5"), ("engine", version)])
        walked = engine.walk_files(shop, request.excludes)
        db.executemany("INSERT INTO files VALUES (?, ?, ?, 'poisoned', 1)", walked)
    result = locate.scan(request, env)
    assert FORMAT != "vibeward-cache/5"
    assert any("another version; discarded" in note for note in result.notes)
    uncached = locate.scan(engine.ScanRequest(root=shop, controls=request.controls), env)
    assert (result.findings, result.files_scanned) == (uncached.findings, uncached.files_scanned)
    assert result.notes[-1].endswith(f"{result.files_scanned} rescanned")


@pytest.mark.slow
def test_warm_checks_after_every_kind_of_change_equal_cold_ones(tmp_path: Path, repo_root: Path) -> None:
    """Through the real engine: what is kept after each check gives what a cold check finds."""
    shop = tmp_path / "shop"
    shutil.copytree(repo_root / "examples" / "shop", shop)
    env = Env.from_environ({"PATH": os.environ.get("PATH", "")})
    cache_dir = tmp_path / "cache"

    def both(controls: tuple[str, ...], limit: int = 2) -> None:
        request = engine.ScanRequest(root=shop, controls=controls, cache_dir=cache_dir, max_locations=limit)
        warm = locate.scan(request, env)
        cold = locate.scan(engine.ScanRequest(root=shop, controls=controls, max_locations=limit), env)
        assert (warm.findings, warm.omitted, warm.files_scanned) == (cold.findings, cold.omitted, cold.files_scanned)
        cache = ResultCache(cache_dir, engine.engine_version(env))
        try:
            assert_kept_as_computed(cache)
        finally:
            cache.close()

    both(("password_hashing", "parameterized_queries"))
    orders = shop / "app" / "orders.py"
    query = 'def q(db, x):\n    return db.execute("SELECT a FROM t WHERE id = ?", (x,))\n'
    orders.write_text(f"{orders.read_text()}\n{query}")
    shutil.copy(orders, shop / "app" / "orders_copy.py")  # a second file with the same content
    (shop / "app" / "audit.py").unlink()
    both(("password_hashing", "parameterized_queries"))
    both(("password_hashing", "parameterized_queries", "audit_logging"), limit=1)  # a newly required control
    shutil.rmtree(shop / "app")
    (shop / "main.py").write_text("import bcrypt\nh = bcrypt.hashpw(b'p', bcrypt.gensalt(rounds=8))\n")
    both(("password_hashing", "parameterized_queries", "audit_logging"), limit=0)
