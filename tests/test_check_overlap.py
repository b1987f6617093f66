"""`check` walks and hashes the repository while the tracker is still answering.

The fake JIRA holds back the ticket until the walk has happened: if the fetch and the walk
ran one after the other, the ticket would wait for a walk that never comes (and the test
fails after the hold times out). The real `jira` client talks HTTP to the fake.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.fake_trackers import FakeJira, Recorded, Reply
from tracer import engine
from tracer.cli import cli

EMAIL, TOKEN = "dev@example.com", "tok-cloud-1234567890"
HOLD_SECONDS = 20


class HeldJira(FakeJira):
    """Answers the issue only once `released` is set (or the hold times out)."""

    def __init__(self, released: threading.Event) -> None:
        super().__init__(cloud=True, email=EMAIL, token=TOKEN)
        self.released = released
        self.held: list[bool] = []  # per issue request: was it released before the hold ran out?

    def handle(self, request: Recorded) -> Reply:
        if "/issue/PAY-7" in request.path:
            self.held.append(self.released.wait(HOLD_SECONDS))
        return super().handle(request)


@pytest.mark.slow
def test_the_ticket_fetch_overlaps_the_walk(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walked = threading.Event()
    real_walk = engine.walk_files

    def walk_then_release(root: Path, excludes: tuple[str, ...]) -> list[tuple[str, int, int]]:
        found = real_walk(root, excludes)
        walked.set()
        return found

    monkeypatch.setattr(engine, "walk_files", walk_then_release)
    shop = tmp_path / "shop"
    shutil.copytree(repo_root / "examples" / "shop", shop)
    with HeldJira(walked) as fake:
        fake.add_issue("PAY-7", "Card payments for logged-in users", wiki="Users log in and pay with a credit card.")
        env = {"NO_COLOR": "1", "JIRA_URL": fake.url, "JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN, "CI": "true"}
        result = CliRunner().invoke(
            cli, ["check", str(shop), "--ticket", "PAY-7", "--no-evidence"], env=env, catch_exceptions=False
        )
    assert result.exit_code in (0, 1), result.output
    assert "PAY-7" in result.output
    assert fake.held and all(fake.held), "the ticket was fetched before the walk started: no overlap"
