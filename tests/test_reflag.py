"""`vibeward reflag`: a policy change -> changed settings, open tickets that gain or lose requirements,
and recorded passing evidence that no longer passes (or needs a rescan).

The old policy waives rate_limiting and sets bcrypt_cost 12; the new one drops the waiver, raises
bcrypt_cost to 14, names audit_logging and adds the `wallet` label as a PCI-DSS trigger.
"""

from __future__ import annotations

import functools
import json
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from tests.helpers.evidence import append_results, ticket_result
from tests.helpers.fake_trackers import FakeJira
from tracer import config
from tracer.catalog import load_catalog
from tracer.cli import cli
from tracer.evidence import reflag
from tracer.evidence.store import open_ledger
from tracer.model import Ticket
from tracer.sources.file import FileSource

OLD = """
frameworks:
  PCI-DSS:
    triggers:
      keywords: [credit card, card payment]
      components: [payments]
      labels: [pci]
    requirements:
      - bcrypt_cost: 12
waivers:
  - control: rate_limiting
    reason: behind the API gateway's limiter
    approver: sec-team
"""
NEW = """
frameworks:
  PCI-DSS:
    triggers:
      keywords: [credit card, card payment]
      components: [payments]
      labels: [pci, wallet]
    requirements:
      - bcrypt_cost: 14
      - audit_logging: true
"""
TICKETS = {
    "PAY-1": {
        "title": "Card payment at checkout",
        "status": "In Progress",
        "description": "Customers pay by credit card; staff log in with a password.",
    },
    "PAY-2": {
        "title": "Wallet top-up API",
        "labels": ["wallet"],
        "status": "To Do",
        "description": "Users log in with their password and top up their wallet; we call the bank API.",
    },
    "PAY-3": {
        "title": "Card payment receipts",
        "status": "Done",
        "description": "Email a receipt after a credit card payment; staff log in with a password.",
    },
    "DOC-4": {"title": "Fix typo in footer", "status": "To Do"},
    "PAY-5": {
        "title": "Card payment refunds",
        "status": "In Review",
        "description": "Refund a credit card payment; staff log in with a password.",
    },
    "PAY-6": {
        "title": "Card payment disputes",
        "status": "To Do",
        "description": "Handle credit card payment disputes; staff log in with a password.",
    },
}
DAY = date(2026, 10, 1)


@functools.cache
def _policy(text: str) -> config.OrgConfig:
    folder = Path(tempfile.mkdtemp(prefix="vibeward-policy-"))
    (folder / "compliance-config.yml").write_text(text, encoding="utf-8")
    return config.load(folder / "compliance-config.yml")


def load(path: Path) -> config.OrgConfig:
    """The config in `path`, one object per content: the classifier is compiled once per policy."""
    return _policy(path.read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    folder = root / ".vibeward" / "tickets"
    folder.mkdir(parents=True)
    for key, fields in TICKETS.items():
        (folder / f"{key}.yml").write_text(yaml.safe_dump({"key": key, **fields}), encoding="utf-8")
    (root / "old.yml").write_text(OLD, encoding="utf-8")
    (root / "new.yml").write_text(NEW, encoding="utf-8")
    return root


def ticket(key: str) -> Ticket:
    fields = TICKETS[key]
    return Ticket(
        key=key,
        title=str(fields["title"]),
        description=str(fields.get("description", "")),
        labels=tuple(fields.get("labels", ())),
        status=str(fields["status"]),
    )


@pytest.fixture
def ledger_url(repo: Path) -> str:
    """Checks recorded under the old policy: PAY-1, PAY-5 and PAY-3 passed, PAY-6 failed."""
    old = load(repo / "old.yml")
    url = f"sqlite:///{repo / 'ledger.sqlite'}"
    results = [
        ticket_result(ticket("PAY-1"), old, day=DAY, commit="1" * 40, missing=("rate_limiting",)),  # waived
        ticket_result(ticket("PAY-5"), old, day=DAY, commit="5" * 40),
        ticket_result(ticket("PAY-3"), old, day=DAY, commit="3" * 40),
        ticket_result(ticket("PAY-6"), old, day=DAY, commit="6" * 40, missing=("csrf_protection",)),
    ]
    assert [r.verdict.passed for r in results] == [True, True, True, False]
    append_results(url, results, old)
    return url


def review(repo: Path, url: str) -> reflag.ReflagReport:
    old, new = load(repo / "old.yml"), load(repo / "new.yml")
    source = FileSource(repo / ".vibeward" / "tickets")
    with open_ledger(url) as ledger:
        entries = ledger.entries()
    return reflag.review(old, new, reflag.open_tickets(source, ""), entries, source.fetch, load_catalog(), DAY)


def test_the_config_diff_names_controls_parameters_triggers_and_waivers(repo: Path) -> None:
    changes = reflag.diff_configs(load(repo / "old.yml"), load(repo / "new.yml"), load_catalog())
    described = {(c.area, c.describe()) for c in changes}
    assert ("trigger", "frameworks.PCI-DSS.triggers.labels: added wallet") in described
    assert ("parameter", "frameworks.PCI-DSS.requirements.bcrypt_cost: 12 -> 14") in described
    assert ("control", "frameworks.PCI-DSS.requirements.audit_logging: added true") in described
    assert any(area == "waivers" and "rate_limiting" in text and "removed" in text for area, text in described)
    assert reflag.diff_configs(load(repo / "new.yml"), load(repo / "new.yml"), load_catalog()) == ()


def test_open_tickets_that_gain_or_lose_requirements(repo: Path, ledger_url: str) -> None:
    result = review(repo, ledger_url)
    assert result.checked == 5  # PAY-3 is done
    by_key = {d.key: d for d in result.tickets}
    assert "DOC-4" not in by_key and "PAY-3" not in by_key
    assert "audit_logging" in by_key["PAY-2"].gained  # the new `wallet` trigger brings PCI-DSS
    assert by_key["PAY-2"].frameworks_old == () and by_key["PAY-2"].frameworks_new == ("PCI-DSS",)
    assert "bcrypt_cost 12 -> 14 (password_hashing)" in by_key["PAY-1"].params
    # Under the old policy, then the new one, the other way round: what was gained is lost.
    backwards = reflag.review(
        load(repo / "new.yml"), load(repo / "old.yml"), [ticket("PAY-2")], (), ticket, load_catalog(), DAY
    )
    assert "audit_logging" in backwards.tickets[0].lost


def test_recorded_passing_evidence_is_rejudged_without_a_rescan_where_it_can(repo: Path, ledger_url: str) -> None:
    result = review(repo, ledger_url)
    judged = {j.key: j for j in result.evidence}
    assert result.evidence_checked == 3  # PAY-6's check failed: it never passed
    assert "PAY-6" not in judged
    pay1 = judged["PAY-1"]
    assert pay1.outcome == "fails" and pay1.commit == "1" * 40
    assert any(
        r.startswith("rate_limiting: its waiver was removed and no implementation was found") for r in pay1.reasons
    )
    assert any("bcrypt_cost now 14 (was 12)" in r and "rescan needed" in r for r in pay1.reasons)
    pay5 = judged["PAY-5"]  # everything was found; only the stricter cost cannot be judged from the record
    assert pay5.outcome == "rescan"
    assert pay5.reasons == (
        "password_hashing: bcrypt_cost now 14 (was 12); the record does not keep the value found in the code "
        "(rescan needed)",
    )
    assert judged["PAY-3"].outcome == "rescan"  # done, so read by key, and re-judged as well


def test_a_looser_policy_passes_on_the_recorded_evidence(repo: Path, ledger_url: str) -> None:
    (repo / "looser.yml").write_text(OLD.replace("bcrypt_cost: 12", "bcrypt_cost: 11"), encoding="utf-8")
    old, looser = load(repo / "old.yml"), load(repo / "looser.yml")
    with open_ledger(ledger_url) as ledger:
        entries = ledger.entries()
    result = reflag.review(old, looser, [], entries, ticket, load_catalog(), DAY)
    assert result.evidence_checked == 3 and result.evidence == ()


def test_reflag_command_dry_run_and_json(repo: Path, ledger_url: str) -> None:
    env = {"VIBEWARD_EVIDENCE_URL": ledger_url, "NO_COLOR": "1"}
    args = ["reflag", str(repo), "--old", str(repo / "old.yml"), "--new", str(repo / "new.yml")]
    text = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert text.exit_code == 0, text.output
    assert "[parameter] frameworks.PCI-DSS.requirements.bcrypt_cost: 12 -> 14" in text.output
    assert "PAY-1  NO LONGER PASSES  (record 1, commit 111111111111)" in text.output
    assert "dry run: nothing was written" in text.output
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"], env=env).output)
    assert data["schema"] == "vibeward.reflag/v1" and data["applied"] == []
    assert {j["key"]: j["outcome"] for j in data["evidence"]} == {
        "PAY-1": "fails",
        "PAY-3": "rescan",
        "PAY-5": "rescan",
    }
    usage = CliRunner().invoke(cli, ["reflag", str(repo), "--old", str(repo / "old.yml")], env=env)
    assert usage.exit_code == 2
    refused = CliRunner().invoke(cli, [*args, "--apply"], env=env)
    assert refused.exit_code == 2 and "the file tracker takes no comments" in refused.output


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_since_reads_the_old_config_from_git(repo: Path) -> None:
    (repo / "compliance-config.yml").write_text(OLD, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=T", "add", "compliance-config.yml")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-m", "policy")
    (repo / "compliance-config.yml").write_text(NEW, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["reflag", str(repo), "--since", "HEAD", "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["old"] == "HEAD:compliance-config.yml"
    assert {
        "area": "parameter",
        "path": "frameworks.PCI-DSS.requirements.bcrypt_cost",
        "old": "12",
        "new": "14",
    } in data["changes"]
    bad = CliRunner().invoke(cli, ["reflag", str(repo), "--since", "no-such-rev"])
    assert bad.exit_code == 3 and "cannot read revision 'no-such-rev'" in bad.output


EMAIL, TOKEN = "dev@example.com", "tok-cloud-1234567890"


def jira_env(fake: FakeJira, ledger: str) -> dict[str, Any]:
    return {"JIRA_URL": fake.url, "JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN, "VIBEWARD_EVIDENCE_URL": ledger}


def test_apply_comments_and_labels_once_then_updates(repo: Path, ledger_url: str) -> None:
    with FakeJira(email=EMAIL, token=TOKEN) as fake:
        for key in ("PAY-1", "PAY-2"):
            fields = TICKETS[key]
            fake.add_issue(
                key, str(fields["title"]), wiki=str(fields["description"]), labels=tuple(fields.get("labels", ()))
            )
        fake.add_issue("PAY-5", str(TICKETS["PAY-5"]["title"]), wiki=str(TICKETS["PAY-5"]["description"]))
        fake.add_issue("PAY-3", str(TICKETS["PAY-3"]["title"]), wiki=str(TICKETS["PAY-3"]["description"]))
        args = ["reflag", str(repo), "--old", str(repo / "old.yml"), "--new", str(repo / "new.yml"), "--apply"]
        first = CliRunner().invoke(cli, args, env=jira_env(fake, ledger_url), catch_exceptions=False)
        assert first.exit_code == 0, first.output
        assert "PAY-1: comment" in first.output and "added" in first.output
        (comment,) = fake.comments["PAY-1"]
        assert reflag.MARKER in comment["body"]
        assert "bcrypt_cost 12 -> 14" in comment["body"] and "no longer passes" in comment["body"]
        assert {"vibeward-reflag", "vibeward-recheck"} <= set(fake.issues["PAY-1"]["labels"])
        assert "audit_logging" in fake.comments["PAY-2"][0]["body"]
        assert fake.issues["PAY-2"]["labels"] == ["wallet", "vibeward-reflag"]
        second = CliRunner().invoke(cli, args, env=jira_env(fake, ledger_url), catch_exceptions=False)
        assert second.exit_code == 0 and "updated" in second.output
        assert len(fake.comments["PAY-1"]) == 1 and fake.comments["PAY-1"][0]["edits"] == 1
        assert fake.issues["PAY-2"]["labels"] == ["wallet", "vibeward-reflag"]
        assert fake.count("POST", r"/comment$") == len(fake.comments["PAY-1"]) + len(fake.comments["PAY-2"]) + len(
            fake.comments.get("PAY-5", [])
        ) + len(fake.comments.get("PAY-3", []))
