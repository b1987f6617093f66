"""The evidence ledger: an append-only, hash-chained table in SQLite or PostgreSQL.

Each record is stored as its canonical JSON (sorted keys, no spaces, UTF-8), which includes its
sequence number and the hash of the record before it; the record's hash is the SHA-256 of those
bytes. Editing a record breaks its own hash; editing and re-hashing one breaks the link of the
next record; deleting one leaves a gap and a broken link; deleting the last ones disagrees with
the head row. `verify` walks the chain and names every record that fails (docs/evidence.md).

Appends are serialised so that concurrent CI jobs form one chain: SQLite takes the write lock
before reading the head (BEGIN IMMEDIATE), PostgreSQL locks the head row (SELECT ... FOR UPDATE).
Each append is one transaction, so a crash leaves the ledger as it was before it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from tracer.errors import TracerError, UsageError

RECORD_SCHEMA = "vibeward.evidence/v1"
SCHEMA_VERSION = "1"
GENESIS = "0" * 64
DEFAULT_PATH = ".vibeward/evidence.sqlite"
URL_VARIABLE = "VIBEWARD_EVIDENCE_URL"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_SETUP_LOCK = 0x76696265  # PostgreSQL advisory lock id ("vibe") that serialises the schema setup
# Static SQL only: every value is a bound parameter.
_INSERT = (
    "INSERT INTO vibeward_evidence"
    " (seq, recorded_at, kind, ticket, repository, commit_sha, verdict, body, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_ALL = (
    "SELECT seq, recorded_at, kind, ticket, repository, commit_sha, verdict, body, prev_hash, hash"
    " FROM vibeward_evidence ORDER BY seq"
)
_SELECT_WHERE = (
    "SELECT seq, recorded_at, kind, ticket, repository, commit_sha, verdict, body, prev_hash, hash"
    " FROM vibeward_evidence"
    " WHERE (? = '' OR kind = ?) AND (? = '' OR ticket = ?)"
    " AND (? = '' OR recorded_at >= ?) AND (? = '' OR recorded_at < ?)"
    " ORDER BY seq"
)

# The same tables in both databases (SQLite accepts BIGINT and reads it as INTEGER).
_DDL = (
    "CREATE TABLE IF NOT EXISTS vibeward_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS vibeward_evidence (
        seq BIGINT PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        ticket TEXT NOT NULL,
        repository TEXT NOT NULL,
        commit_sha TEXT NOT NULL,
        verdict TEXT NOT NULL,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
    )""",
    "CREATE INDEX IF NOT EXISTS vibeward_evidence_ticket ON vibeward_evidence (ticket, seq)",
    "CREATE INDEX IF NOT EXISTS vibeward_evidence_time ON vibeward_evidence (recorded_at)",
    """CREATE TABLE IF NOT EXISTS vibeward_evidence_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS vibeward_policies (sha256 TEXT PRIMARY KEY, body TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS vibeward_deliveries (
        delivery TEXT PRIMARY KEY,
        issue TEXT NOT NULL,
        received_at TEXT NOT NULL,
        outcome TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS vibeward_writebacks (
        issue TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        written_at TEXT NOT NULL
    )""",
)


class LedgerError(TracerError):
    """The evidence ledger could not be opened, written or read (exit 3)."""


def canonical(value: Any) -> str:
    """The one JSON form that is hashed: sorted keys, no whitespace, UTF-8 text, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Entry:
    """One stored record: the indexed columns and the hashed body they were taken from."""

    seq: int
    recorded_at: str
    kind: str
    ticket: str
    repository: str
    commit: str
    verdict: str  # pass | fail | "" (records that are not checks)
    body: str
    prev_hash: str
    hash: str

    def record(self) -> dict[str, Any]:
        data = json.loads(self.body)
        if not isinstance(data, dict):
            raise LedgerError(f"record {self.seq} is not a JSON object")
        return data

    def export(self) -> dict[str, Any]:
        """The export line: the record as hashed, with its chain fields beside it."""
        return {"seq": self.seq, "prev_hash": self.prev_hash, "hash": self.hash, "record": self.record()}


@dataclass(frozen=True)
class Problem:
    seq: int  # 0: the ledger as a whole (head row, policy table)
    ticket: str
    message: str

    def describe(self) -> str:
        if not self.seq:
            return self.message
        ticket = f" ({self.ticket})" if self.ticket else ""
        return f"record {self.seq}{ticket}: {self.message}"


@dataclass(frozen=True)
class Verification:
    records: int
    head_seq: int
    head_hash: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def record_columns(record: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """(kind, ticket, repository, commit, verdict): the indexed copies of a record's fields."""
    ticket = record.get("ticket")
    repository = record.get("repository")
    verdict = record.get("verdict")
    key = str(ticket.get("key", "")) if isinstance(ticket, Mapping) else ""
    repo_url = str(repository.get("url", "")) if isinstance(repository, Mapping) else ""
    commit = str(repository.get("commit", "")) if isinstance(repository, Mapping) else ""
    passed = verdict.get("passed") if isinstance(verdict, Mapping) else None
    shown = "" if passed is None else ("pass" if passed else "fail")
    return str(record.get("kind", "")), key, repo_url, commit, shown


# -- the two databases behind one small interface ----------------------------------------------


class _Tx(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]: ...


class _Backend(Protocol):
    head_for_update: str  # the head row, locked until the append commits

    def transaction(self, *, write: bool) -> AbstractContextManager[_Tx]: ...

    def setup(self) -> None: ...

    def close(self) -> None: ...


class _SqliteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, tuple(params)).rowcount

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self.conn.execute(sql, tuple(params)).fetchone()
        return None if row is None else tuple(row)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        for row in self.conn.execute(sql, tuple(params)):
            yield tuple(row)


class _Sqlite:
    head_for_update = "SELECT seq, hash FROM vibeward_evidence_head WHERE id = 1"  # BEGIN IMMEDIATE holds the lock

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are begun explicitly, with the lock we ask for.
            self.conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
            self.conn.execute("PRAGMA synchronous = FULL")
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(f"cannot open the evidence ledger {path}: {exc}") from None

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[_Tx]:
        # BEGIN IMMEDIATE takes the write lock now, so two appends never read the same head.
        self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield _SqliteTx(self.conn)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def setup(self) -> None:
        with self.transaction(write=True) as tx:
            for statement in _DDL:
                tx.execute(statement)
            _seed(tx)

    def close(self) -> None:
        self.conn.close()


class _PostgresTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = self.conn.execute(_pg(sql), tuple(params))
        return int(cursor.rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self.conn.execute(_pg(sql), tuple(params)).fetchone()
        return None if row is None else tuple(row)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        # A server-side cursor: a large ledger is walked a page at a time, not loaded at once.
        with self.conn.cursor(name="vibeward_walk") as cursor:
            cursor.itersize = 500
            cursor.execute(_pg(sql), tuple(params))
            for row in cursor:
                yield tuple(row)


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class _Postgres:
    head_for_update = "SELECT seq, hash FROM vibeward_evidence_head WHERE id = 1 FOR UPDATE"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise UsageError("a PostgreSQL evidence ledger needs psycopg", "pip install 'vibeward[postgres]'") from None
        self._psycopg = psycopg
        try:
            self.conn = psycopg.connect(url, connect_timeout=15)
            # A lock held by a job that died is released when its connection drops; wait that long,
            # not forever.
            self.conn.execute("SET lock_timeout = '60s'")
            self.conn.commit()
        except psycopg.Error as exc:
            raise LedgerError(f"cannot connect to the evidence ledger {display_url(url)}: {_first_line(exc)}") from None

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[_Tx]:
        levels = self._psycopg.IsolationLevel
        # Appends run in READ COMMITTED so that FOR UPDATE sees the head the previous job wrote;
        # reads take one REPEATABLE READ snapshot so the head and the records agree.
        self.conn.isolation_level = levels.READ_COMMITTED if write else levels.REPEATABLE_READ
        self.conn.read_only = not write
        try:
            yield _PostgresTx(self.conn)
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise

    def setup(self) -> None:
        with self.transaction(write=True) as tx:
            # CREATE TABLE IF NOT EXISTS is not safe against itself in PostgreSQL: serialise it.
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_SETUP_LOCK,))
            for statement in _DDL:
                tx.execute(statement)
            _seed(tx)

    def close(self) -> None:
        self.conn.close()


def _seed(tx: _Tx) -> None:
    tx.execute(
        "INSERT INTO vibeward_evidence_head (id, seq, hash) VALUES (1, 0, ?) ON CONFLICT (id) DO NOTHING", (GENESIS,)
    )
    tx.execute(
        "INSERT INTO vibeward_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
        (SCHEMA_VERSION,),
    )
    row = tx.one("SELECT value FROM vibeward_meta WHERE key = 'schema_version'")
    if row is None or str(row[0]) != SCHEMA_VERSION:
        found = "none" if row is None else row[0]
        raise LedgerError(f"the evidence ledger has schema version {found}; this vibeward writes {SCHEMA_VERSION}")


def _ready(backend: _Backend, errors: tuple[type[BaseException], ...]) -> bool:
    """True when the tables exist with this schema version (a failed read means they do not)."""
    try:
        with backend.transaction(write=False) as tx:
            row = tx.one("SELECT value FROM vibeward_meta WHERE key = 'schema_version'")
    except errors:
        return False
    return row is not None and str(row[0]) == SCHEMA_VERSION


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


# -- the ledger --------------------------------------------------------------------------------


class Ledger:
    """An open ledger. Use `open_ledger(url)`, as a context manager."""

    def __init__(self, backend: _Backend, shown: str, clock: Callable[[], datetime] = utc_now) -> None:
        self._backend = backend
        self.shown = shown  # the location without a password, for messages
        self._clock = clock
        self._errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
        if isinstance(backend, _Postgres):
            self._errors = (backend._psycopg.Error,)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with suppress(*self._errors):
            self._backend.close()

    @contextmanager
    def _tx(self, *, write: bool, doing: str) -> Iterator[_Tx]:
        try:
            with self._backend.transaction(write=write) as tx:
                yield tx
        except self._errors as exc:
            raise LedgerError(f"evidence ledger {self.shown}: {doing} failed: {_first_line(exc)}") from None

    # -- appending ------------------------------------------------------------------------------

    def append(
        self,
        records: Sequence[Mapping[str, Any]],
        *,
        policies: Mapping[str, str] | None = None,
        before_commit: Callable[[], None] | None = None,
    ) -> tuple[Entry, ...]:
        """Chain `records` onto the ledger in one transaction; all of them or none are stored.

        `policies` maps a policy's sha256 to its canonical JSON, kept once beside the chain.
        `before_commit` runs after the rows are written and before the commit (crash tests).
        """
        added: list[Entry] = []
        with self._tx(write=True, doing="the append") as tx:
            head = tx.one(self._backend.head_for_update)
            if head is None:
                raise LedgerError(
                    f"evidence ledger {self.shown}: the head row is missing", "run `vibeward evidence verify`"
                )
            seq, prev_hash = int(head[0]), str(head[1])
            recorded_at = self._clock().astimezone(timezone.utc).strftime(TIME_FORMAT)
            for sha, body in (policies or {}).items():
                tx.execute(
                    "INSERT INTO vibeward_policies (sha256, body) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
                    (sha, body),
                )
            for record in records:
                seq += 1
                full = {
                    **record,
                    "schema": RECORD_SCHEMA,
                    "seq": seq,
                    "prev_hash": prev_hash,
                    "recorded_at": recorded_at,
                }
                try:
                    body = canonical(full)
                except (TypeError, ValueError) as exc:
                    raise LedgerError(f"record {seq} is not JSON data ({exc})") from None
                digest = sha256_text(body)
                kind, ticket, repository, commit, verdict = record_columns(full)
                tx.execute(
                    _INSERT,
                    (seq, full["recorded_at"], kind, ticket, repository, commit, verdict, body, prev_hash, digest),
                )
                added.append(
                    Entry(
                        seq,
                        str(full["recorded_at"]),
                        kind,
                        ticket,
                        repository,
                        commit,
                        verdict,
                        body,
                        prev_hash,
                        digest,
                    )
                )
                prev_hash = digest
            tx.execute("UPDATE vibeward_evidence_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev_hash))
            if before_commit is not None:
                before_commit()
        return tuple(added)

    # -- reading --------------------------------------------------------------------------------

    def entries(self, *, kind: str = "", ticket: str = "", since: str = "", until: str = "") -> tuple[Entry, ...]:
        """Records in chain order; `since`/`until` compare recorded_at (ISO text), until exclusive."""
        params = (kind, kind, ticket, ticket, since, since, until, until)
        with self._tx(write=False, doing="reading") as tx:
            return tuple(_entry(row) for row in tx.rows(_SELECT_WHERE, params))

    def head(self) -> tuple[int, str]:
        with self._tx(write=False, doing="reading the head") as tx:
            row = tx.one("SELECT seq, hash FROM vibeward_evidence_head WHERE id = 1")
        return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))

    def policy(self, sha: str) -> str | None:
        with self._tx(write=False, doing="reading a policy") as tx:
            row = tx.one("SELECT body FROM vibeward_policies WHERE sha256 = ?", (sha,))
        return None if row is None else str(row[0])

    def export(self, write: Callable[[str], None]) -> int:
        """Every record as one JSON line (vibeward.evidence/v1 inside), in chain order."""
        count = 0
        with self._tx(write=False, doing="the export") as tx:
            for row in tx.rows(_SELECT_ALL):
                entry = _entry(row)
                try:
                    line = entry.export()
                except (ValueError, LedgerError):  # a damaged body is exported as it is stored
                    line = {"seq": entry.seq, "prev_hash": entry.prev_hash, "hash": entry.hash, "body": entry.body}
                write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        return count

    def verify(self) -> Verification:
        """Walk the whole chain in one snapshot and name every record that does not hold."""
        problems: list[Problem] = []
        count = 0
        with self._tx(write=False, doing="the verification") as tx:
            head_row = tx.one("SELECT seq, hash FROM vibeward_evidence_head WHERE id = 1")
            expected_seq, expected_prev = 1, GENESIS
            for row in tx.rows(_SELECT_ALL):
                entry = _entry(row)
                count += 1
                problems.extend(_check_entry(entry, expected_seq, expected_prev))
                expected_seq, expected_prev = entry.seq + 1, entry.hash
            last_seq = expected_seq - 1
            if head_row is None:
                problems.append(Problem(0, "", "the head row is missing: the ledger table was edited"))
                head_seq, head_hash = last_seq, expected_prev
            else:
                head_seq, head_hash = int(head_row[0]), str(head_row[1])
                if head_seq != last_seq or head_hash != expected_prev:
                    if head_seq > last_seq:
                        what = f"records {last_seq + 1}..{head_seq} were deleted from the end"
                    else:
                        what = "the head row or the last record was edited"
                    problems.append(
                        Problem(0, "", f"the ledger ends at record {last_seq} but its head says {head_seq}: {what}")
                    )
            for sha, body in tx.rows("SELECT sha256, body FROM vibeward_policies ORDER BY sha256"):
                if sha256_text(str(body)) != sha:
                    problems.append(Problem(0, "", f"policy {str(sha)[:12]}: its content does not match its hash"))
        return Verification(records=count, head_seq=head_seq, head_hash=head_hash, problems=tuple(problems))

    # -- webhook deliveries and write-backs (idempotency for `serve` and `sync`) -----------------

    def claim_delivery(self, delivery: str, issue: str) -> bool:
        """True for the first claim of a delivery id; False if it was seen (a repeated delivery)."""
        now = self._clock().astimezone(timezone.utc).strftime(TIME_FORMAT)
        with self._tx(write=True, doing="recording a delivery") as tx:
            added = tx.execute(
                "INSERT INTO vibeward_deliveries (delivery, issue, received_at, outcome) VALUES (?, ?, ?, 'pending') "
                "ON CONFLICT (delivery) DO NOTHING",
                (delivery, issue, now),
            )
        return added == 1

    def finish_delivery(self, delivery: str, outcome: str) -> None:
        with self._tx(write=True, doing="recording a delivery") as tx:
            tx.execute("UPDATE vibeward_deliveries SET outcome = ? WHERE delivery = ?", (outcome, delivery))

    def release_delivery(self, delivery: str) -> None:
        """Forget a delivery whose processing failed, so that the sender's retry is processed."""
        with self._tx(write=True, doing="releasing a delivery") as tx:
            tx.execute("DELETE FROM vibeward_deliveries WHERE delivery = ?", (delivery,))

    def delivery_outcome(self, delivery: str) -> str | None:
        with self._tx(write=False, doing="reading a delivery") as tx:
            row = tx.one("SELECT outcome FROM vibeward_deliveries WHERE delivery = ?", (delivery,))
        return None if row is None else str(row[0])

    def written_hash(self, issue: str) -> str | None:
        """The content hash of the ticket the last write-back to `issue` was made from."""
        with self._tx(write=False, doing="reading a write-back") as tx:
            row = tx.one("SELECT content_hash FROM vibeward_writebacks WHERE issue = ?", (issue,))
        return None if row is None else str(row[0])

    def save_written_hash(self, issue: str, content_hash: str) -> None:
        now = self._clock().astimezone(timezone.utc).strftime(TIME_FORMAT)
        with self._tx(write=True, doing="recording a write-back") as tx:
            tx.execute(
                "INSERT INTO vibeward_writebacks (issue, content_hash, written_at) VALUES (?, ?, ?) "
                "ON CONFLICT (issue) DO UPDATE"
                " SET content_hash = excluded.content_hash, written_at = excluded.written_at",
                (issue, content_hash, now),
            )


def _entry(row: tuple[Any, ...]) -> Entry:
    seq, recorded_at, kind, ticket, repository, commit, verdict, body, prev_hash, digest = row
    return Entry(
        int(seq),
        str(recorded_at),
        str(kind),
        str(ticket),
        str(repository),
        str(commit),
        str(verdict),
        str(body),
        str(prev_hash),
        str(digest),
    )


def _check_entry(entry: Entry, expected_seq: int, expected_prev: str) -> list[Problem]:
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(entry.seq, entry.ticket, message))

    if entry.seq > expected_seq:
        missing = (
            f"record {expected_seq}" if entry.seq == expected_seq + 1 else f"records {expected_seq}..{entry.seq - 1}"
        )
        bad(f"{missing} before it {'is' if entry.seq == expected_seq + 1 else 'are'} missing (deleted)")
    if sha256_text(entry.body) != entry.hash:
        bad("its content does not match its hash (the record was edited)")
    try:
        record = json.loads(entry.body)
    except ValueError:
        bad("its content is not JSON (the record was edited)")
        return problems
    if not isinstance(record, dict):
        bad("its content is not a JSON object (the record was edited)")
        return problems
    if record.get("seq") != entry.seq or record.get("prev_hash") != entry.prev_hash:
        bad("its sequence number or previous-hash column differs from the hashed record (the row was edited)")
    stored = (entry.kind, entry.ticket, entry.repository, entry.commit, entry.verdict)
    if record_columns(record) != stored or record.get("recorded_at") != entry.recorded_at:
        bad("its indexed columns differ from the hashed record (the row was edited)")
    if entry.prev_hash != expected_prev and entry.seq == expected_seq:
        bad(
            f"the link to record {entry.seq - 1} is broken: that record was edited and re-hashed, or removed"
            if entry.seq > 1
            else "the first record does not start the chain"
        )
    return problems


# -- where the ledger lives --------------------------------------------------------------------


def ledger_url(env_url: str, config_url: str, root: Path) -> str:
    """VIBEWARD_EVIDENCE_URL, else `evidence.url`, else SQLite at .vibeward/evidence.sqlite in `root`."""
    url = env_url or config_url
    if url:
        return url
    return "sqlite:///" + str((root / DEFAULT_PATH).resolve())


def display_url(url: str) -> str:
    """The URL without its password (and without a password= query parameter)."""
    if url.startswith("sqlite:"):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user = parts.username or ""
        host = netloc.rsplit("@", 1)[1]
        netloc = f"{user}:****@{host}"
    query = "&".join(
        "password=****" if item.lower().startswith("password=") else item for item in parts.query.split("&") if item
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def sqlite_path(url: str, root: Path) -> Path:
    """sqlite:///relative/path (from the repository root) or sqlite:////absolute/path."""
    rest = url[len("sqlite:///") :]
    if not rest:
        raise UsageError(f"{url}: the SQLite URL names no file", "e.g. sqlite:///.vibeward/evidence.sqlite")
    path = Path(rest)
    return path if path.is_absolute() else root / path


def open_ledger(url: str, *, root: Path | None = None, clock: Callable[[], datetime] = utc_now) -> Ledger:
    """Open (and on first use create) the ledger at `url`: sqlite:///path or postgresql://..."""
    base = root if root is not None else Path.cwd()
    if url.startswith("sqlite:///"):
        path = sqlite_path(url, base)
        backend: _Backend = _Sqlite(path)
        shown = str(path)
    elif url.startswith(("postgresql://", "postgres://")):
        backend = _Postgres(url)
        shown = display_url(url)
    else:
        raise UsageError(
            f"{display_url(url)}: not an evidence ledger URL",
            f"use sqlite:///path or postgresql://host/database (in {URL_VARIABLE} or evidence.url)",
        )
    ledger = Ledger(backend, shown, clock)
    try:
        # An existing ledger is opened without writing: a role that may only append (or an
        # auditor who may only read) can use it.
        if not _ready(backend, ledger._errors):
            backend.setup()
    except ledger._errors as exc:
        ledger.close()
        raise LedgerError(f"evidence ledger {shown}: cannot create the tables: {_first_line(exc)}") from None
    except BaseException:
        ledger.close()
        raise
    return ledger
