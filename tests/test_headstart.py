"""The head start: a check that repeats the last command starts its engine before planning,
and keeps that run only if it is exactly the run the plan asks for.

Real checks through the CLI, the real engine; the engine runs are counted at their start.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracer import engine, headstart
from tracer.cli import cli

pytestmark = pytest.mark.slow

CONTROLS = "password_hashing,parameterized_queries,audit_logging"


@pytest.fixture
def shop(tmp_path: Path, repo_root: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(repo_root / "examples" / "shop", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[engine.EngineRun]]:
    """Every engine run started, early or not, in order; none may start while another runs."""
    started: list[engine.EngineRun] = []
    real_init = engine.EngineRun.__init__

    def counting_init(self: engine.EngineRun, launch: engine.Launch) -> None:
        assert all(run.process.poll() is not None for run in started), "two engines at once"
        real_init(self, launch)
        started.append(self)

    monkeypatch.setattr(engine.EngineRun, "__init__", counting_init)
    yield started
    headstart.finish()


def check(argv: list[str], cwd: Path) -> dict[str, object]:
    """One `vibeward check`, entered as the command enters it (head start first)."""
    headstart.begin(argv, os.environ, cwd)
    try:
        result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    finally:
        headstart.finish()
    assert result.exit_code in (0, 1), result.output
    report: dict[str, object] = json.loads(result.stdout)
    return report


def without_notes(report: dict[str, object]) -> dict[str, object]:
    scan = dict(report["scan"])  # type: ignore[call-overload]
    scan.pop("notes")
    return {**report, "scan": scan}


def first_check(shop: Path, cwd: Path) -> tuple[list[str], dict[str, object], Path]:
    """A check that leaves a record: its command, its report, and where the record is."""
    argv = ["check", str(shop), "--controls", CONTROLS, "--format", "json"]
    report = check(argv, cwd)
    (record,) = (Path(os.environ["VIBEWARD_CACHE_DIR"]) / "headstart").iterdir()
    return argv, report, record


def edit(path: Path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


def test_a_repeated_check_claims_the_early_run_and_finds_what_a_cold_check_finds(
    shop: Path, tmp_path: Path, launches: list[engine.EngineRun]
) -> None:
    argv = ["check", str(shop), "--controls", CONTROLS, "--format", "json"]
    check(argv, tmp_path)  # cold: the record of what it ran is left for the next check
    assert len(launches) == 1
    edit(shop / "app" / "auth.py")
    warm = check(argv, tmp_path)
    assert len(launches) == 2, "the early run was not claimed: the check started a second engine"
    early = launches[1]
    assert early.launch.targets == ("app/auth.py",)
    assert early.process.poll() is not None
    cold = check([*argv, "--no-cache"], tmp_path)
    assert without_notes(warm) == without_notes(cold)


def test_a_changed_plan_stops_the_early_run_and_runs_its_own(
    shop: Path, tmp_path: Path, launches: list[engine.EngineRun]
) -> None:
    argv = ["check", str(shop), "--controls", CONTROLS, "--format", "json"]
    check(argv, tmp_path)
    edit(shop / "app" / "auth.py")
    edit(shop / "app" / "db.py")
    # The same command, but the config now leaves db.py out: the early run (both files) is wrong.
    config = shop / "compliance-config.yml"
    config.write_text(config.read_text() + "\nscan:\n  exclude: [db.py]\n")
    warm = check(argv, tmp_path)
    assert len(launches) == 3, "expected the early run and the check's own"
    early, own = launches[1], launches[2]
    assert early.launch.targets is not None and own.launch.targets is not None
    assert "app/db.py" in early.launch.targets and "app/db.py" not in own.launch.targets
    cold = check([*argv, "--no-cache"], tmp_path)
    assert without_notes(warm) == without_notes(cold)
    assert "app/db.py" not in json.dumps(warm)


def test_another_command_gets_no_head_start(shop: Path, tmp_path: Path, launches: list[engine.EngineRun]) -> None:
    argv = ["check", str(shop), "--controls", CONTROLS, "--format", "json"]
    check(argv, tmp_path)
    edit(shop / "app" / "auth.py")
    check(["check", str(shop), "--controls", "password_hashing", "--format", "json"], tmp_path)
    assert [run.launch.targets for run in launches[1:]] == [("app/auth.py",)]


@pytest.mark.parametrize("record", ["not json", '{"format": "vibeward-headstart/1", "argv": 1}', "[]"])
def test_an_unreadable_record_is_only_a_missed_head_start(
    shop: Path, tmp_path: Path, launches: list[engine.EngineRun], record: str
) -> None:
    argv, first, written = first_check(shop, tmp_path)
    written.write_text(record)
    again = check(argv, tmp_path)
    assert len(launches) == 1  # nothing changed: no engine at all, early or late
    assert without_notes(again) == without_notes(first)


def test_a_record_naming_another_cache_folder_creates_and_changes_nothing_there(
    shop: Path, tmp_path: Path, launches: list[engine.EngineRun]
) -> None:
    argv, _, written = first_check(shop, tmp_path)
    elsewhere = tmp_path / "elsewhere" / "cache"
    record = json.loads(written.read_text())
    written.write_text(json.dumps({**record, "cache_dir": str(elsewhere)}))
    edit(shop / "app" / "auth.py")
    headstart.begin(argv, os.environ, tmp_path)
    headstart.finish()
    assert not (tmp_path / "elsewhere").exists()
    assert len(launches) == 1
