"""The evidence ledger on both databases: append, chain, tampering, crashes, concurrency, export.

Every test runs on SQLite and on a real PostgreSQL cluster (tests/helpers/postgres.py).
Tampering is done the way an insider would: plain SQL on the tables, behind vibeward's back.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers.postgres import postgres_cluster, postgres_url  # noqa: F401 (fixtures)
from tests.helpers.samples import sample
from tracer import config
from tracer.cli import cli
from tracer.env import Env
from tracer.evidence.recorder import record_checks
from tracer.evidence.records import check_record, fingerprints
from tracer.evidence.store import GENESIS, Ledger, canonical, display_url, open_ledger, sha256_text
from tracer.resources import rules_dir

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def ledger(url: str) -> Iterator[Ledger]:
    with open_ledger(url) as opened:
        yield opened


def record(key: str, passed: bool = True, commit: str = "c0ffee") -> dict[str, Any]:
    return {
        "kind": "check",
        "ticket": {"key": key, "title": f"ticket {key}"},
        "repository": {"url": "https://github.com/acme/shop", "commit": commit},
        "requirements": [],
        "verdict": {"passed": passed},
    }


def sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> None:
    """Change the tables directly, as someone with database access could."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///") :])
        conn.execute(statement, params)
        conn.commit()
        conn.close()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.replace("?", "%s"), params)


def problems(ledger: Ledger) -> list[str]:
    return [p.describe() for p in ledger.verify().problems]


def test_append_chains_records_and_verifies(ledger: Ledger) -> None:
    first = ledger.append([record("PAY-1"), record("PAY-2", passed=False)])
    second = ledger.append([record("PAY-1", commit="beef")])
    entries = ledger.entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert [e.prev_hash for e in entries[1:]] == [entries[0].hash, entries[1].hash]
    assert [e.hash for e in (*first, *second)] == [e.hash for e in entries]
    for entry in entries:
        body = entry.record()
        assert sha256_text(entry.body) == entry.hash
        assert canonical(body) == entry.body  # the stored text is the canonical form
        assert body["seq"] == entry.seq and body["prev_hash"] == entry.prev_hash
        assert body["schema"] == "vibeward.evidence/v1"
    assert [e.verdict for e in entries] == ["pass", "fail", "pass"]
    assert [e.commit for e in ledger.entries(ticket="PAY-1")] == ["c0ffee", "beef"]
    result = ledger.verify()
    assert result.ok and result.records == 3
    assert (result.head_seq, result.head_hash) == (3, entries[2].hash) == ledger.head()


def test_an_edited_record_is_named(ledger: Ledger, url: str) -> None:
    ledger.append([record(f"PAY-{n}") for n in range(1, 5)])
    sql(url, "UPDATE vibeward_evidence SET body = replace(body, '\"passed\":true', '\"passed\":false') WHERE seq = 2")
    found = problems(ledger)
    assert found and all(line.startswith("record 2 (PAY-2): ") for line in found), found
    assert any("edited" in line for line in found)


def test_an_edited_column_is_named(ledger: Ledger, url: str) -> None:
    ledger.append([record(f"PAY-{n}") for n in range(1, 4)])
    sql(url, "UPDATE vibeward_evidence SET verdict = 'fail' WHERE seq = 3")
    assert problems(ledger) == [
        "record 3 (PAY-3): its indexed columns differ from the hashed record (the row was edited)"
    ]


def test_an_edited_and_rehashed_record_breaks_the_next_link(ledger: Ledger, url: str) -> None:
    entries = ledger.append([record(f"PAY-{n}") for n in range(1, 5)])
    forged = entries[1].record()
    forged["verdict"]["passed"] = False
    body = canonical(forged)
    sql(
        url,
        "UPDATE vibeward_evidence SET body = ?, hash = ?, verdict = 'fail' WHERE seq = 2",
        (body, sha256_text(body)),
    )
    found = problems(ledger)
    assert found == [
        "record 3 (PAY-3): the link to record 2 is broken: that record was edited and re-hashed, or removed"
    ]


def test_a_deleted_record_is_named(ledger: Ledger, url: str) -> None:
    ledger.append([record(f"PAY-{n}") for n in range(1, 6)])
    sql(url, "DELETE FROM vibeward_evidence WHERE seq = 3")
    assert problems(ledger) == ["record 4 (PAY-4): record 3 before it is missing (deleted)"]


def test_deleting_the_last_records_disagrees_with_the_head(ledger: Ledger, url: str) -> None:
    ledger.append([record(f"PAY-{n}") for n in range(1, 6)])
    sql(url, "DELETE FROM vibeward_evidence WHERE seq >= 4")
    assert problems(ledger) == [
        "the ledger ends at record 3 but its head says 5: records 4..5 were deleted from the end"
    ]


def test_a_changed_policy_snapshot_is_found(ledger: Ledger, url: str) -> None:
    ledger.append([record("PAY-1")], policies={sha256_text("{}"): "{}"})
    assert ledger.policy(sha256_text("{}")) == "{}"
    sql(url, 'UPDATE vibeward_policies SET body = \'{"enforcement":"monitor"}\'')
    assert problems(ledger) == [f"policy {sha256_text('{}')[:12]}: its content does not match its hash"]


CHILD = """
import os, sys, time
from tracer.evidence.store import open_ledger
url, flag = sys.argv[1], sys.argv[2]
record = {"kind": "check", "ticket": {"key": "CRASH-1"}, "repository": {"url": "r", "commit": "c"},
          "verdict": {"passed": True}}
def stop_here():
    open(flag, "w").close()
    time.sleep(60)  # killed in here: the rows are written, the transaction is not committed
with open_ledger(url) as ledger:
    ledger.append([record, record], before_commit=stop_here)
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_a_crash_inside_the_transaction_leaves_no_half_record(ledger: Ledger, url: str, tmp_path: Path) -> None:
    ledger.append([record("PAY-1")])
    flag = tmp_path / "inside-transaction"
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(flag)], env=child_env())
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert child.poll() is None, "the child ended before reaching the commit"
            assert time.monotonic() < deadline, "the child never reached the commit"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    # The ledger is as it was, and the lock the child held is gone: the next append goes on.
    assert [e.ticket for e in ledger.entries()] == ["PAY-1"]
    ledger.append([record("PAY-2")])
    result = ledger.verify()
    assert result.ok and result.records == 2


APPENDER = """
import sys
from tracer.evidence.store import open_ledger
url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open_ledger(url) as ledger:
    for n in range(count):
        ledger.append([{"kind": "check", "ticket": {"key": f"W{worker}-{n + 1}"},
                        "repository": {"url": "r", "commit": "c"}, "verdict": {"passed": True}}])
"""


@pytest.mark.slow
def test_parallel_appends_from_several_processes_form_one_chain(ledger: Ledger, url: str) -> None:
    workers, each = 4, 10
    children = [
        subprocess.Popen([sys.executable, "-c", APPENDER, url, str(w), str(each)], env=child_env())
        for w in range(workers)
    ]
    for child in children:
        assert child.wait(timeout=120) == 0
    entries = ledger.entries()
    assert [e.seq for e in entries] == list(range(1, workers * each + 1))
    assert sorted(e.ticket for e in entries) == sorted(f"W{w}-{n}" for w in range(workers) for n in range(1, each + 1))
    for w in range(workers):  # each process's own records keep their order
        mine = [e.ticket for e in entries if e.ticket.startswith(f"W{w}-")]
        assert mine == [f"W{w}-{n}" for n in range(1, each + 1)]
    result = ledger.verify()
    assert result.ok, result.problems
    assert result.records == workers * each


def test_export_lines_carry_the_hashed_records(ledger: Ledger) -> None:
    ledger.append([record("PAY-1"), record("PAY-2")])
    lines: list[str] = []
    assert ledger.export(lines.append) == 2
    previous = GENESIS
    for number, line in enumerate(lines, start=1):
        data = json.loads(line)
        assert data["seq"] == number and data["prev_hash"] == previous
        assert sha256_text(canonical(data["record"])) == data["hash"]  # anyone can re-check the chain
        previous = data["hash"]


def test_deliveries_are_claimed_once_and_released_on_failure(ledger: Ledger) -> None:
    assert ledger.claim_delivery("d-1", "PAY-1") is True
    assert ledger.claim_delivery("d-1", "PAY-1") is False
    assert ledger.delivery_outcome("d-1") == "pending"
    ledger.finish_delivery("d-1", "written")
    assert ledger.delivery_outcome("d-1") == "written"
    ledger.release_delivery("d-1")
    assert ledger.claim_delivery("d-1", "PAY-1") is True
    assert ledger.written_hash("PAY-1") is None
    ledger.save_written_hash("PAY-1", "a")
    ledger.save_written_hash("PAY-1", "b")
    assert ledger.written_hash("PAY-1") == "b"


def test_the_ledger_clock_dates_records(tmp_path: Path) -> None:
    moment = datetime(2026, 7, 14, 9, 30, tzinfo=timezone.utc)
    with open_ledger(f"sqlite:///{tmp_path / 'l.sqlite'}", clock=lambda: moment) as opened:
        (entry,) = opened.append([record("PAY-1")])
    assert entry.recorded_at == "2026-07-14T09:30:00Z"
    assert entry.record()["recorded_at"] == "2026-07-14T09:30:00Z"


def test_passwords_never_show_in_the_ledger_location() -> None:
    assert display_url("postgresql://ci:s3cr3t-pw@db.example:5432/ev") == "postgresql://ci:****@db.example:5432/ev"
    assert "hunter2" not in display_url("postgresql://db/ev?sslmode=require&password=hunter2")


# -- the hook in `check` ------------------------------------------------------------------------


def test_check_records_hold_what_an_auditor_needs(tmp_path: Path) -> None:
    result = sample()
    prints = fingerprints(
        config.load(None),
        rules_dir(),
        Env.from_environ(
            {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "42"}
        ),
    )
    data = check_record(result, prints, result.repo_url)
    assert data["ticket"]["key"] == "PAY-101"
    assert data["repository"] == {"url": "https://github.com/acme/shop", "commit": result.commit, "path": ""}
    assert len(data["policy"]["sha256"]) == 64 and len(data["rules"]["sha256"]) == 64
    assert data["run_url"] == "https://github.com/acme/shop/actions/runs/42"
    by_control = {r["control"]: r for r in data["requirements"]}
    assert by_control["password_hashing"]["locations"][0]["path"] == "app/auth.py"
    assert "snippet" not in by_control["password_hashing"]["locations"][0]  # code is never copied into the ledger
    assert by_control["parameterized_queries"]["status"] == "violated"
    assert data["verdict"]["passed"] is False


def test_record_checks_appends_one_record_per_ticket(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    env = Env.from_environ({"VIBEWARD_EVIDENCE_URL": url})
    other = sample(title="Store card tokens")
    assert record_checks([sample(), other], path=tmp_path, config_path=None, env=env) == ()
    with open_ledger(url) as opened:
        entries = opened.entries()
        assert len(entries) == 2 and opened.verify().ok
        assert opened.policy(entries[0].record()["policy"]["sha256"]) is not None


def test_an_unwritable_ledger_is_a_warning_unless_required(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    env = Env.from_environ({"VIBEWARD_EVIDENCE_URL": f"sqlite:///{blocked}/sub/ledger.sqlite"})
    warnings = record_checks([sample()], path=tmp_path, config_path=None, env=env)
    assert len(warnings) == 1 and warnings[0].startswith("evidence not recorded: ")
    strict = tmp_path / "compliance-config.yml"
    strict.write_text("evidence:\n  required: true\n")
    from tracer.evidence.store import LedgerError

    with pytest.raises(LedgerError) as caught:
        record_checks([sample()], path=tmp_path, config_path=strict, env=env)
    assert caught.value.exit_code == 3
    assert "evidence.required" in caught.value.hint


def run(*args: str, env: dict[str, str]) -> Any:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", **env}, catch_exceptions=False)


def test_check_appends_to_the_default_ledger_and_verify_finds_tampering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIBEWARD_EVIDENCE_URL")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    ticket = repo / "T-1.yml"
    ticket.write_text("key: DOC-1\ntitle: Fix a typo in the footer\n")  # not security-relevant: no engine run
    result = run("check", str(repo), "--ticket-file", str(ticket), env={})
    assert result.exit_code == 0, result.output
    ledger_file = repo / ".vibeward" / "evidence.sqlite"
    assert ledger_file.is_file()
    assert run("check", str(repo), "--ticket-file", str(ticket), "--no-evidence", env={}).exit_code == 0
    verified = run("evidence", "verify", str(repo), env={})
    assert verified.exit_code == 0 and verified.output.startswith("OK   ") and ": 1 records" in verified.output
    exported = run("evidence", "export", str(repo), env={})
    assert exported.exit_code == 0
    (line,) = exported.output.splitlines()
    assert json.loads(line)["record"]["ticket"]["key"] == "DOC-1"
    sql(f"sqlite:///{ledger_file}", "UPDATE vibeward_evidence SET body = replace(body, 'DOC-1', 'DOC-2')")
    broken = run("evidence", "verify", str(repo), env={})
    assert broken.exit_code == 3
    assert "BAD  record 1 (DOC-1): its content does not match its hash" in broken.output
    assert "vibeward: error: " in broken.output


def test_evidence_required_turns_a_ledger_failure_into_exit_3(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compliance-config.yml").write_text("evidence:\n  required: true\n")
    ticket = repo / "T-1.yml"
    ticket.write_text("key: DOC-1\ntitle: Fix a typo in the footer\n")
    blocked = tmp_path / "file"
    blocked.write_text("")
    env = {"VIBEWARD_EVIDENCE_URL": f"sqlite:///{blocked}/ledger.sqlite"}
    result = run("check", str(repo), "--ticket-file", str(ticket), env=env)
    assert result.exit_code == 3
    assert "evidence not recorded" in result.output
    (repo / "compliance-config.yml").write_text("evidence:\n  required: false\n")
    warned = run("check", str(repo), "--ticket-file", str(ticket), env=env)
    assert warned.exit_code == 0
    assert "vibeward: warning: evidence not recorded" in warned.output


def test_the_config_refuses_a_password_in_evidence_url(tmp_path: Path) -> None:
    from tracer.errors import ConfigError

    path = tmp_path / "compliance-config.yml"
    path.write_text("evidence:\n  url: postgresql://ci:pw@db/ev\n")
    with pytest.raises(ConfigError, match=r"compliance-config.yml:2: evidence.url: must not contain a password"):
        config.load(path)
    path.write_text("evidence:\n  url: mysql://db/ev\n")
    with pytest.raises(ConfigError, match=r"evidence\.url"):
        config.load(path)


@pytest.mark.slow
def test_a_role_that_may_only_append_or_read_can_use_an_existing_ledger(request: pytest.FixtureRequest) -> None:
    """The grants docs/evidence.md recommends: the CI role appends, the auditor reads; neither can create."""
    import psycopg

    base = str(request.getfixturevalue("postgres_url"))

    with open_ledger(base) as owner:
        owner.append([record("PAY-1")])
    schema = base.rsplit("%3D", 1)[1]
    with psycopg.connect(base, autocommit=True) as conn:
        for role in ("vw_ci", "vw_auditor"):
            conn.execute(f"DROP ROLE IF EXISTS {role}")
            conn.execute(f"CREATE ROLE {role} LOGIN")
            conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
            conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}')
        conn.execute(f'GRANT INSERT ON "{schema}".vibeward_evidence, "{schema}".vibeward_policies TO vw_ci')
        conn.execute(f'GRANT UPDATE ON "{schema}".vibeward_evidence_head TO vw_ci')
    with open_ledger(base.replace("postgres@", "vw_ci@", 1)) as ci:
        ci.append([record("PAY-2")], policies={sha256_text("{}"): "{}"})
    with open_ledger(base.replace("postgres@", "vw_auditor@", 1)) as auditor:
        assert auditor.verify().records == 2
        from tracer.evidence.store import LedgerError

        with pytest.raises(LedgerError, match="permission denied"):
            auditor.append([record("PAY-3")])


def test_a_missing_ledger_file_is_an_error_not_an_empty_ledger(tmp_path: Path) -> None:
    gone = tmp_path / "gone.sqlite"
    result = run("evidence", "verify", str(tmp_path), "--url", f"sqlite:///{gone}", env={})
    assert result.exit_code == 3 and f"no evidence ledger at {gone}" in result.output
    assert not gone.exists()  # looking did not create it
