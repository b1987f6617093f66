"""Per-file engine results, kept between checks so that a check rescans only changed files.

A file's results are keyed by its content hash, and inside that by a key for each control's
rules (their text plus the engine version), so tickets needing different controls share the
cache, and a changed rule invalidates only its own control. Each file is one row holding
compact hits (rule, lines, message, snippet), so a warm check reads one small row per file
in a single query. Parsed rule files are kept too (YAML parsing costs more than a warm scan).
SQLite in WAL mode keeps two checks that run at once safe; a corrupt or foreign cache is
discarded with a warning, never trusted.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, cast

# 3: one row of compact hits per file, and parsed rule files
FORMAT = "vibeward-cache/3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha TEXT NOT NULL, selected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (sha TEXT PRIMARY KEY, keys TEXT NOT NULL, hits TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rule_files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, rules TEXT NOT NULL
);
"""
# One engine match, as the cache keeps it: rule id, start line, end line, message, snippet.
Hit = tuple[str, int, int, str, str]
# A file's hits under each control-rules key it was scanned with.
HitsByKey = dict[str, list[Hit]]


@dataclass(frozen=True)
class Stored:
    """A content's stored hits: the rule keys it was scanned with (cheap to test), the hits as JSON."""

    keys: str  # comma-separated
    hits: str

    def has(self, wanted: Iterable[str]) -> bool:
        present = self.keys.split(",")
        return all(key in present for key in wanted)

    def decode(self) -> HitsByKey:
        # Hits come back as JSON arrays; they unpack exactly as the tuples that were stored.
        return cast(HitsByKey, json.loads(self.hits))


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
    def __init__(self, folder: Path, engine_version: str) -> None:
        self.folder = folder
        self.engine_version = engine_version
        self.warnings: list[str] = []
        self.db = self._open()

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
                return
            if found:
                self.warnings.append(f"cache {path} was written by another version; discarded")
                for table in ("meta", "files", "results", "rule_files"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("format", FORMAT), ("engine", self.engine_version)],
            )

    def close(self) -> None:
        self.db.close()

    def known_files(self) -> dict[str, tuple[FileState, Stored | None]]:
        """Every file of the last check, with what is stored for its content, if anything."""
        rows = self.db.execute(
            "SELECT path, size, mtime_ns, files.sha, selected, keys, hits FROM files LEFT JOIN results USING (sha)"
        )
        return {
            row[0]: (
                FileState(row[0], row[1], row[2], row[3], bool(row[4])),
                None if row[5] is None else Stored(row[5], row[6]),
            )
            for row in rows
        }

    def stored(self, shas: Iterable[str]) -> dict[str, Stored]:
        """What is stored for these contents, e.g. a file changed back to an earlier version."""
        unique = json.dumps(sorted(set(shas)))
        # One bound parameter holds every hash (json_each), so the SQL text never changes.
        rows = self.db.execute(
            "SELECT sha, keys, hits FROM results WHERE sha IN (SELECT value FROM json_each(?))", (unique,)
        )
        return {sha: Stored(keys, hits) for sha, keys, hits in rows}

    def store(self, files: Iterable[FileState], hits: Mapping[str, HitsByKey]) -> None:
        """Record file states and merge new hits into what each content already has."""
        with _transaction(self.db):
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                [(f.path, f.size, f.mtime_ns, f.sha, int(f.selected)) for f in files],
            )
            before = self.stored(hits)  # read inside the transaction: another check may have added keys
            rows = []
            for sha, by_key in hits.items():
                merged = {**before[sha].decode(), **by_key} if sha in before else by_key
                text = json.dumps(merged, sort_keys=True, separators=(",", ":"))
                rows.append((sha, ",".join(sorted(merged)), text))
            self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)

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


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, so concurrent writers queue instead of failing."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
