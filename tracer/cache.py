"""Per-file engine results, kept between checks so that a check rescans only changed files.

A file's results are keyed by its content hash, and inside that by a key for each control's
rules (their text plus the engine version), so tickets needing different controls share the
cache, and a changed rule invalidates only its own control. Each content is one row of
compact hits (rule, lines, message, snippet), with their counts per key in a table of their
own: a warm check asks SQLite which files it must read (docs/performance.md) and counts the
rest without reading them. Parsed rule files are kept too (YAML parsing costs more than a
warm scan).
SQLite in WAL mode keeps two checks that run at once safe; a corrupt or foreign cache is
discarded with a warning, never trusted.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

# 5: one row of compact hits per file content, their counts per rules key, parsed rule files
FORMAT = "vibeward-cache/5"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha TEXT NOT NULL, selected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (sha TEXT PRIMARY KEY, keys TEXT NOT NULL, hits TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counts (
    sha TEXT NOT NULL, key TEXT NOT NULL, plain INTEGER NOT NULL, other INTEGER NOT NULL, PRIMARY KEY (sha, key)
);
CREATE TABLE IF NOT EXISTS rule_files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, rules TEXT NOT NULL
);
"""
# The reading plan and `lacking` go from a content's counts or results to its files.
_FILES_BY_CONTENT = "CREATE INDEX IF NOT EXISTS files_by_content ON files (sha)"
# One engine match, as the cache keeps it: rule id, start line, end line, message, snippet.
Hit = tuple[str, int, int, str, str]
# A file's hits under each control-rules key it was scanned with.
HitsByKey = dict[str, list[Hit]]


def has_keys(keys: str, wanted: Iterable[str]) -> bool:
    """Whether a content was scanned with every wanted rules key (`keys` as stored: comma-separated).

    A substring test is exact here: keys are fixed-length hex, and commas are not hex.
    """
    return all(key in keys for key in wanted)


class FileState(NamedTuple):  # a tuple: one per file of the repository, built on every check
    path: str
    size: int
    mtime_ns: int
    sha: str
    selected: bool = True  # False: the engine does not scan this file (ignored, binary, too large)


def file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rules_key(rules: Sequence[Mapping[str, Any]], engine_version: str) -> str:
    text = json.dumps([engine_version, *rules], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class ResultCache:
    def __init__(self, folder: Path, engine_version: str, db: sqlite3.Connection | None = None) -> None:
        self.folder = folder
        self.engine_version = engine_version
        self.warnings: list[str] = []
        self.db = db or self._open()

    @classmethod
    def existing(cls, folder: Path, engine_version: str) -> ResultCache | None:
        """The cache in `folder` opened read-only if it is there and this version's, else None:
        nothing is created, rebuilt or discarded (for a folder named by a cache file, not by config)."""
        path = folder / "results.sqlite"
        if not path.is_file():
            return None
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=60, check_same_thread=False)
        try:
            found = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            found = {}
        if found != {"format": FORMAT, "engine": engine_version}:
            db.close()
            return None
        return cls(folder, engine_version, db)

    def _open(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "results.sqlite"
        try:
            db = self._connect(path)
            self._claim(db, path)
            return db
        except sqlite3.DatabaseError:
            self.warnings.append(f"cache {path} is unreadable; discarded and rebuilt")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = self._connect(path)
        self._claim(db, path)
        return db

    def _connect(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _claim(self, db: sqlite3.Connection, path: Path) -> None:
        """Stamp a new cache; rebuild one written by another version (never delete files in use)."""
        with _transaction(db):
            has_meta = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
            found = dict(db.execute("SELECT key, value FROM meta").fetchall()) if has_meta else {}
            if found == {"format": FORMAT, "engine": self.engine_version}:
                db.execute(_FILES_BY_CONTENT)  # a no-op once there (caches from before it had none)
                return
            if found:
                self.warnings.append(f"cache {path} was written by another version; discarded")
                for table in ("meta", "files", "results", "counts", "rule_files"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(_FILES_BY_CONTENT)
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("format", FORMAT), ("engine", self.engine_version)],
            )

    def close(self) -> None:
        self.db.close()

    def compare(self, files: Sequence[tuple[str, int, int]]) -> tuple[list[tuple[str, int, int]], list[str], int]:
        """Against the last check: the files not as it saw them (new, or size or time changed),
        the paths it saw that are gone, and how many files it saw (0: a first check).

        Set differences, not a loop per file: a warm check of a large repository pays per change.
        """
        last = set(self.db.execute("SELECT path, size, mtime_ns FROM files"))
        unseen = sorted(set(files).difference(last))
        unseen_paths = {path for path, _, _ in unseen}
        no_longer = last.difference(files)  # the old rows of changed files, and gone ones
        gone = sorted({path for path, _, _ in no_longer} - unseen_paths)
        return unseen, gone, len(last)

    def file_states(self) -> dict[str, FileState]:
        """Every file of the last check (for a whole-tree rescan)."""
        rows = self.db.execute("SELECT path, size, mtime_ns, sha, selected FROM files")
        return {row[0]: FileState(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows}

    def lacking(self, wanted: Sequence[str], skip: Iterable[str]) -> list[FileState]:
        """Files of the last check (but `skip`) that the engine scans and whose content was not
        scanned with every wanted rules key: a control newly required, or its rules changed.

        Contents share a few key lists; each distinct list is tested once, not each file.
        """
        lists = self.db.execute(
            "SELECT DISTINCT r.keys FROM files AS f LEFT JOIN results AS r ON r.sha = f.sha WHERE f.selected"
        )
        short = [keys for (keys,) in lists if keys is None or not has_keys(keys, wanted)]
        if not short:
            return []
        known_short = _json_list(k for k in short if k is not None)
        rows = self.db.execute(_LACKING, {"short": known_short, "none": None in short, "skip": _json_list(skip)})
        return [FileState(path, size, mtime_ns, sha) for path, size, mtime_ns, sha in rows]

    def unselected(self, skip: Iterable[str]) -> int:
        """How many files of the last check (but `skip`) the engine does not scan."""
        query = "SELECT count(*) FROM files WHERE NOT selected AND path NOT IN (SELECT value FROM json_each(?))"
        return int(self.db.execute(query, (_json_list(skip),)).fetchone()[0])

    def keys_of(self, shas: Iterable[str]) -> dict[str, str]:
        """The rules keys of these contents, e.g. a file changed back to an earlier version."""
        query = "SELECT sha, keys FROM results WHERE sha IN (SELECT value FROM json_each(?))"
        return dict(self.db.execute(query, (_json_list(shas),)))

    def hits_of(self, shas: Iterable[str]) -> dict[str, HitsByKey]:
        query = "SELECT sha, hits FROM results WHERE sha IN (SELECT value FROM json_each(?))"
        return {sha: cast(HitsByKey, json.loads(hits)) for sha, hits in self.db.execute(query, (_json_list(shas),))}

    def reading_plan(
        self, wanted: Sequence[str], skip: Iterable[str], limit: int
    ) -> tuple[dict[str, str], dict[str, int]]:
        """Which files of the last check to read (with their content), and per rules key the plain
        evidence of the others.

        Read: files with a hit that is always listed, and files with plain evidence while fewer
        than `limit` of it precede them in path order (all files with hits when limit <= 0).
        Files without a hit, and `skip` (changed or gone), cost nothing here: SQLite does the sums.
        """
        parameters = {"wanted": _json_list(wanted), "skip": _json_list(skip), "limit": limit}
        rows = self.db.execute(_READING_PLAN, parameters)
        to_read: dict[str, str] = {}  # path -> content sha
        uncounted: dict[str, int] = {}
        for is_read, name, value in rows:
            if is_read:
                to_read[name] = value
            elif value:
                uncounted[name] = int(value)
        return to_read, uncounted

    def store(self, files: Iterable[FileState], hits: Mapping[str, HitsByKey], plain_rules: Container[str]) -> None:
        """Record file states and merge new hits into what each content already has.

        `plain_rules`: the rules whose hits are plain evidence (no parameter to check), counted
        apart so that a warm check can count them without reading them.
        """
        with _transaction(self.db):
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                [(f.path, f.size, f.mtime_ns, f.sha, int(f.selected)) for f in files],
            )
            before = self.hits_of(hits)  # read inside the transaction: another check may have added keys
            rows = []
            counts: list[tuple[str, str, int, int]] = []  # only keys with hits: no row means none
            for sha, by_key in hits.items():
                merged = {**before[sha], **by_key} if sha in before else dict(by_key)
                text = json.dumps(merged, sort_keys=True, separators=(",", ":"))
                rows.append((sha, ",".join(sorted(merged)), text))
                for key, items in by_key.items():
                    plain = sum(1 for hit in items if hit[0] in plain_rules)
                    if items:
                        counts.append((sha, key, plain, len(items) - plain))
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
            self.db.executemany("INSERT OR REPLACE INTO counts VALUES (?, ?, ?, ?)", counts)

    def forget(self, paths: Iterable[str]) -> None:
        with _transaction(self.db):
            self.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def rule_file(self, path: Path, size: int, mtime_ns: int) -> list[dict[str, Any]] | None:
        row = self.db.execute(
            "SELECT rules FROM rule_files WHERE path = ? AND size = ? AND mtime_ns = ?", (str(path), size, mtime_ns)
        ).fetchone()
        return None if row is None else list(json.loads(row[0]))

    def store_rule_file(self, path: Path, size: int, mtime_ns: int, rules: list[dict[str, Any]]) -> None:
        with _transaction(self.db):
            self.db.execute(
                "INSERT OR REPLACE INTO rule_files VALUES (?, ?, ?, ?)", (str(path), size, mtime_ns, json.dumps(rules))
            )


# Per file with hits and per wanted key: the plain evidence before it in path order (a window
# sum); the files to read, then per key the plain evidence of the files not read.
_READING_PLAN = """
WITH r AS (
    SELECT f.path AS path, f.sha AS sha, c.key AS key, c.plain AS plain, c.other AS other,
           SUM(c.plain) OVER (PARTITION BY c.key ORDER BY f.path ROWS UNBOUNDED PRECEDING) - c.plain AS before
    FROM counts AS c CROSS JOIN files AS f ON f.sha = c.sha  -- from the few contents with hits to their files
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


# The files whose content has one of the short key lists, or no results at all (:none).
_LACKING = """
SELECT f.path, f.size, f.mtime_ns, f.sha FROM files AS f LEFT JOIN results AS r ON r.sha = f.sha
WHERE f.selected
  AND f.path NOT IN (SELECT value FROM json_each(:skip))
  AND (r.keys IN (SELECT value FROM json_each(:short)) OR (:none AND r.keys IS NULL))
ORDER BY f.path
"""


def _json_list(values: Iterable[str]) -> str:
    # One bound parameter holds a whole list (json_each), so the SQL text never changes.
    return json.dumps(sorted(set(values)))


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, so concurrent writers queue instead of failing."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
