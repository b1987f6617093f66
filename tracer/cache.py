"""Per-file engine results, kept between checks so that a check rescans only changed files.

A result is keyed by the file's content hash and by a key for each control's rules (their
text plus the engine version), so tickets needing different controls share the cache, and
a changed rule invalidates only its own control. SQLite in WAL mode keeps two checks that
run at once safe; a corrupt or foreign cache is discarded with a warning, never trusted.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "vibeward-cache/2"  # 2: results carry their end line and snippet
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha TEXT NOT NULL, selected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    sha TEXT NOT NULL, ckey TEXT NOT NULL, findings TEXT NOT NULL, PRIMARY KEY (sha, ckey)
);
"""


@dataclass(frozen=True)
class FileState:
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
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        return db

    def _claim(self, db: sqlite3.Connection, path: Path) -> None:
        """Stamp a new cache; empty one written by another version (never delete files in use)."""
        with _transaction(db):
            found = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if found == {"format": FORMAT, "engine": self.engine_version}:
                return
            if found:
                self.warnings.append(f"cache {path} was written by another version; discarded")
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM results")
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("format", FORMAT), ("engine", self.engine_version)],
            )

    def close(self) -> None:
        self.db.close()

    def known_files(self) -> dict[str, FileState]:
        rows = self.db.execute("SELECT path, size, mtime_ns, sha, selected FROM files").fetchall()
        return {row[0]: FileState(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows}

    def lookup(self, shas: Iterable[str], ckeys: Sequence[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
        wanted = set(ckeys)
        found: dict[tuple[str, str], list[dict[str, Any]]] = {}
        unique = json.dumps(sorted(set(shas)))
        # One bound parameter holds every hash (json_each), so the SQL text never changes.
        for sha, ckey, findings in self.db.execute(
            "SELECT sha, ckey, findings FROM results WHERE sha IN (SELECT value FROM json_each(?))", (unique,)
        ):
            if ckey in wanted:
                found[(sha, ckey)] = [] if findings == "[]" else json.loads(findings)
        return found

    def store(self, files: Iterable[FileState], results: Mapping[tuple[str, str], list[dict[str, Any]]]) -> None:
        with _transaction(self.db):
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                [(f.path, f.size, f.mtime_ns, f.sha, int(f.selected)) for f in files],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                [(sha, ckey, json.dumps(items, sort_keys=True)) for (sha, ckey), items in results.items()],
            )

    def forget(self, paths: Iterable[str]) -> None:
        with _transaction(self.db):
            self.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, so concurrent writers queue instead of failing."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
