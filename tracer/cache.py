"""Per-file engine results, kept between checks so that a check rescans only changed files.

A file's results are keyed by its content hash, and inside that by a key for each control's
rules (their text plus the engine version), so tickets needing different controls share the
cache, and a changed rule invalidates only its own control. Each content is one row of
compact hits (rule, lines, message, snippet), with their counts per key in a table of their
own. Parsed rule files are kept too (YAML parsing costs more than a warm scan).

A warm check of a large repository should pay for what changed, not for every file it
knows, so what it asks is kept up to date as files are stored, in the same transaction:
per folder, a digest of its files' states (which folders to compare with the walk); per
file, its content's key list (which files lack a key) and its counts per key, with their
totals per key (which files to read, and how much evidence the others hold; see
docs/performance.md).
SQLite in WAL mode keeps two checks that run at once safe; a corrupt or foreign cache is
discarded with a warning, never trusted.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from array import array
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

# 6: what a warm check asks is kept as files are stored (per folder a digest of its file states;
# per file its content's key list and counts per key; their totals per key), so that the
# check reads what it lists and the folders that changed, not every row
# 7: a rule's identical matches on the same lines are kept once
FORMAT = "vibeward-cache/7"
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha TEXT NOT NULL, selected INTEGER NOT NULL,
    folder TEXT NOT NULL,  -- folder_of(path)
    keys INTEGER  -- key_lists.id of its content's rules keys (NULL: no results for that content)
);
CREATE INDEX files_by_content ON files (sha);
CREATE INDEX files_by_folder ON files (folder);
CREATE TABLE folders (folder TEXT PRIMARY KEY, digest BLOB NOT NULL, files INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX files_by_keys ON files (keys) WHERE selected;
CREATE INDEX files_unselected ON files (path) WHERE NOT selected;
CREATE TABLE results (sha TEXT PRIMARY KEY, keys TEXT NOT NULL, hits TEXT NOT NULL);
CREATE TABLE key_lists (id INTEGER PRIMARY KEY, keys TEXT NOT NULL UNIQUE);
CREATE TABLE counts (
    sha TEXT NOT NULL, key TEXT NOT NULL, plain INTEGER NOT NULL, other INTEGER NOT NULL, PRIMARY KEY (sha, key)
);
CREATE TABLE located (
    key TEXT NOT NULL, path TEXT NOT NULL, plain INTEGER NOT NULL, other INTEGER NOT NULL, PRIMARY KEY (key, path)
) WITHOUT ROWID;
CREATE INDEX located_by_path ON located (path);
CREATE INDEX located_always_listed ON located (key, path) WHERE other > 0;
CREATE TABLE totals (key TEXT PRIMARY KEY, plain INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE rule_files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, rules TEXT NOT NULL
);
"""
_OWN_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
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


# A file state as the walk gives it: relative path, size, mtime_ns.
Stat = tuple[str, int, int]


def folder_of(path: str) -> str:
    """The folder part of a relative path, with its slash ("" for the top folder)."""
    return path[: path.rfind("/") + 1]


def folder_digest(files: Sequence[Stat]) -> bytes:
    """What a folder's files are (their states, in path order): equal digests, equal folders.

    Their count, sizes and times as 64-bit numbers, then the paths (no path holds a NUL): one
    reading only, and ~8 ms for 50,000 files, where JSON took ~35 ms.
    """
    paths, sizes, times = zip(*files, strict=True) if files else ((), (), ())
    try:
        digest = hashlib.sha256(array("q", (len(paths), *sizes, *times)))
    except OverflowError:  # a time or size past 64 bits: a digest that matches nothing
        return b""
    digest.update("\0".join(paths).encode("utf-8", "surrogateescape"))
    return digest.digest()


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
                return
            if found:
                self.warnings.append(f"cache {path} was written by another version; discarded")
            # Whatever tables an older format (or anything else at this path) made: all of them go.
            tables = [name for (name,) in db.execute(_OWN_TABLES)]
            for table in tables:
                db.execute('DROP TABLE IF EXISTS "{}"'.format(table.replace('"', '""')))
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("format", FORMAT), ("engine", self.engine_version)],
            )

    def close(self) -> None:
        self.db.close()

    def compare(self, files: Sequence[Stat]) -> tuple[list[Stat], list[str], int]:
        """Against the last check: the files not as it saw them (new, or size or time changed),
        the paths it saw that are gone, and how many files it saw (0: a first check).

        `files` in path order, as the walk gives them. Folder by folder, a digest of their
        states tells which folders changed; only their rows are read and compared: a warm
        check of a large repository pays per changed folder, not per file it knows.
        """
        walked_in: dict[str, list[Stat]] = {}
        for state in files:
            path = state[0]
            walked_in.setdefault(path[: path.rfind("/") + 1], []).append(state)  # folder_of, inlined: 50,000 calls
        stored = {folder: (digest, count) for folder, digest, count in self.db.execute("SELECT * FROM folders")}
        known = sum(count for _, count in stored.values())
        changed = [
            folder for folder, states in walked_in.items() if stored.get(folder, (b"",))[0] != folder_digest(states)
        ]
        changed += [folder for folder in stored if folder not in walked_in]  # gone, or excluded now
        if not changed:
            return [], [], known
        query = "SELECT path, size, mtime_ns FROM files WHERE folder IN (SELECT value FROM json_each(?))"
        last = set(self.db.execute(query, (_json_list(changed),)))
        walked = {state for folder in changed for state in walked_in.get(folder, ())}
        unseen = sorted(walked - last)
        unseen_paths = {path for path, _, _ in unseen}
        no_longer = last - walked  # the old rows of changed files, and gone ones
        gone = sorted({path for path, _, _ in no_longer} - unseen_paths)
        return unseen, gone, known

    def file_states(self) -> dict[str, FileState]:
        """Every file of the last check (for a whole-tree rescan)."""
        rows = self.db.execute("SELECT path, size, mtime_ns, sha, selected FROM files")
        return {row[0]: FileState(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows}

    def lacking(self, wanted: Sequence[str], skip: Iterable[str]) -> list[FileState]:
        """Files of the last check (but `skip`) that the engine scans and whose content was not
        scanned with every wanted rules key: a control newly required, or its rules changed.

        Contents share a few key lists; each distinct list is tested once, not each file (each
        file row names its list: the distinct lists come from an index, not from a join).
        """
        ids = [list_id for (list_id,) in self.db.execute("SELECT DISTINCT keys FROM files WHERE selected")]
        query = "SELECT id, keys FROM key_lists WHERE id IN (SELECT value FROM json_each(?))"
        named = dict(self.db.execute(query, (_json_ids(ids),)))
        short = [list_id for list_id in ids if list_id is not None and not has_keys(named[list_id], wanted)]
        if not short and None not in ids:
            return []
        parameters = {"short": _json_ids(short), "none": None in ids, "skip": _json_list(skip)}
        rows = self.db.execute(_LACKING, parameters)
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
        What is kept per file and key as files are stored (`located`, and its `totals`) makes
        this a walk over the files read, not over every file with hits: a warm check of a large
        repository pays for what it lists. Files without a hit, and `skip` (changed or gone),
        cost nothing here.
        """
        with _transaction(self.db, "DEFERRED"):
            return self._reading_plan(wanted, set(skip), limit)

    def _reading_plan(self, wanted: Sequence[str], skip: set[str], limit: int) -> tuple[dict[str, str], dict[str, int]]:
        keys = {"keys": _json_list(wanted)}
        if limit <= 0:
            listed = self.db.execute(_WITH_HITS, keys)
            return self._contents({path for (path,) in listed} - skip), {}
        always = self.db.execute(_ALWAYS_LISTED, keys)
        chosen = {path for (path,) in always} - skip
        for key in sorted(set(wanted)):
            before = 0  # this key's plain evidence in the files before, in path order
            for path, plain in self.db.execute(_PLAIN_IN_PATH_ORDER, (key,)):
                if path in skip:
                    continue
                if before >= limit:
                    break
                chosen.add(path)
                before += plain
        # The plain evidence of the others: the totals less that of the files read or skipped.
        uncounted = dict(self.db.execute(_TOTALS, keys))
        for key, plain in self.db.execute(_PLAIN_OF_PATHS, {**keys, "paths": _json_list(chosen | skip)}):
            uncounted[key] -= plain
        return self._contents(chosen), {key: n for key, n in uncounted.items() if n}

    def _contents(self, paths: Iterable[str]) -> dict[str, str]:
        """path -> content sha of these files."""
        query = "SELECT path, sha FROM files WHERE path IN (SELECT value FROM json_each(?))"
        return dict(self.db.execute(query, (_json_list(paths),)))

    def store(self, files: Iterable[FileState], hits: Mapping[str, HitsByKey], plain_rules: Container[str]) -> None:
        """Record file states and merge new hits into what each content already has.

        `plain_rules`: the rules whose hits are plain evidence (no parameter to check), counted
        apart so that a warm check can count them without reading them.
        """
        files = list(files)  # read twice
        with _transaction(self.db):
            self.db.executemany(
                "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha, selected, folder) VALUES (?, ?, ?, ?, ?, ?)",
                [(f.path, f.size, f.mtime_ns, f.sha, int(f.selected), folder_of(f.path)) for f in files],
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
            self.db.executemany("INSERT OR IGNORE INTO key_lists (keys) VALUES (?)", {(row[1],) for row in rows})
            # The stored files, and every other file whose content has new results.
            query = "SELECT path FROM files WHERE sha IN (SELECT value FROM json_each(?))"
            sharing = {path for (path,) in self.db.execute(query, (_json_list(hits),))}
            stored = {f.path for f in files}
            self._follow_contents(sharing | stored)
            self._follow_folders(stored)

    def forget(self, paths: Iterable[str]) -> None:
        with _transaction(self.db):
            paths = list(paths)
            gone = _json_list(paths)
            self.db.execute(_ADD_TO_TOTALS, {"paths": gone, "sign": -1})
            self.db.execute("DELETE FROM located WHERE path IN (SELECT value FROM json_each(?))", (gone,))
            self.db.execute("DELETE FROM files WHERE path IN (SELECT value FROM json_each(?))", (gone,))
            self._follow_folders(paths)

    def _follow_contents(self, paths: Iterable[str]) -> None:
        """Bring what is kept per file in step with its content (inside a transaction): its key
        list, its counts per key (`located`, for selected files) and their totals per key."""
        paths_json = _json_list(paths)
        self.db.execute(_SET_KEY_LISTS, {"paths": paths_json})
        self.db.execute(_ADD_TO_TOTALS, {"paths": paths_json, "sign": -1})
        self.db.execute("DELETE FROM located WHERE path IN (SELECT value FROM json_each(?))", (paths_json,))
        self.db.execute(_LOCATE, {"paths": paths_json})
        self.db.execute(_ADD_TO_TOTALS, {"paths": paths_json, "sign": 1})

    def _follow_folders(self, paths: Iterable[str]) -> None:
        """Digest again the folders of these files as they are now stored (inside a transaction)."""
        for folder in sorted({folder_of(path) for path in paths}):
            query = "SELECT path, size, mtime_ns FROM files WHERE folder = ? ORDER BY path"
            states = self.db.execute(query, (folder,)).fetchall()
            if states:
                digest = folder_digest(states)
                self.db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?, ?)", (folder, digest, len(states)))
            else:
                self.db.execute("DELETE FROM folders WHERE folder = ?", (folder,))

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


_WITH_HITS = "SELECT DISTINCT path FROM located WHERE key IN (SELECT value FROM json_each(:keys))"
_TOTALS = "SELECT key, plain FROM totals WHERE key IN (SELECT value FROM json_each(:keys))"
# Named: left to itself, SQLite walks every row of the key (3 ms at 50,000 files, not 0.2).
_ALWAYS_LISTED = """
SELECT path FROM located INDEXED BY located_always_listed
WHERE key IN (SELECT value FROM json_each(:keys)) AND other > 0
"""

# One key's files with plain evidence, in path order (its primary key): read until enough.
_PLAIN_IN_PATH_ORDER = "SELECT path, plain FROM located WHERE key = ? AND plain > 0 ORDER BY path"

_PLAIN_OF_PATHS = """
SELECT key, SUM(plain) FROM located
WHERE path IN (SELECT value FROM json_each(:paths)) AND key IN (SELECT value FROM json_each(:keys))
GROUP BY key
"""

# The files whose content has one of the short key lists, or no results at all (:none).
_LACKING = """
SELECT path, size, mtime_ns, sha FROM files
WHERE selected
  AND (keys IN (SELECT value FROM json_each(:short)) OR (:none AND keys IS NULL))
  AND path NOT IN (SELECT value FROM json_each(:skip))
ORDER BY path
"""

_SET_KEY_LISTS = """
UPDATE files SET keys = (SELECT l.id FROM results AS r JOIN key_lists AS l ON l.keys = r.keys WHERE r.sha = files.sha)
WHERE path IN (SELECT value FROM json_each(:paths))
"""

# A key's total goes down (:sign -1) by what these files held before, and up (+1) by what they hold now.
_ADD_TO_TOTALS = """
INSERT INTO totals (key, plain)
SELECT key, :sign * SUM(plain) FROM located WHERE path IN (SELECT value FROM json_each(:paths)) GROUP BY key
ON CONFLICT (key) DO UPDATE SET plain = plain + excluded.plain
"""

_LOCATE = """
INSERT INTO located (key, path, plain, other)
SELECT c.key, f.path, c.plain, c.other FROM files AS f JOIN counts AS c ON c.sha = f.sha
WHERE f.selected AND f.path IN (SELECT value FROM json_each(:paths))
"""


def _json_list(values: Iterable[str]) -> str:
    # One bound parameter holds a whole list (json_each), so the SQL text never changes.
    return json.dumps(sorted(set(values)))


def _json_ids(values: Iterable[int | None]) -> str:
    return json.dumps(sorted({value for value in values if value is not None}))


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, so concurrent writers queue instead of failing; or, for a
    reader that asks several questions, BEGIN (deferred): one snapshot, whatever another check
    stores meanwhile (the kept totals and the rows they sum stay in step)."""

    def __init__(self, db: sqlite3.Connection, mode: str = "IMMEDIATE") -> None:
        self.db = db
        self.mode = mode

    def __enter__(self) -> None:
        self.db.execute(f"BEGIN {self.mode}")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
