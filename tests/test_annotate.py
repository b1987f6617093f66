"""`vibeward annotate`: the requirements block on the JIRA ticket, through the real `jira` client.

The client talks HTTP to the local fake JIRA (tests/helpers/fake_trackers.py); it is never mocked.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers.fake_trackers import FakeJira
from tracer import adf, annotate, blocks
from tracer.cli import cli
from tracer.evidence import writeback
from tracer.model import Ticket

EMAIL, TOKEN = "dev@example.com", "tok-cloud-1234567890"
DESCRIPTION = "Users log in with a password and pay with a credit card; store a token, never the PAN."


@pytest.fixture(params=["2", "3"])
def api_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake() -> Iterator[FakeJira]:
    server = FakeJira(cloud=True, email=EMAIL, token=TOKEN)
    server.add_issue(
        "PAY-7",
        "Card payments for logged-in users {color:red}[~admin]{color}",
        wiki=DESCRIPTION,
        adf=adf.text_to_adf(DESCRIPTION),
        labels=("payments", "team-checkout"),
    )
    yield server
    server.close()


def run(fake: FakeJira, root: Path, api_version: str, *args: str) -> Result:
    env = {
        "NO_COLOR": "1",
        "JIRA_URL": fake.url,
        "JIRA_EMAIL": EMAIL,
        "JIRA_API_TOKEN": TOKEN,
        "JIRA_API_VERSION": api_version,
        "CI": "true",  # no keyring look-ups
    }
    return CliRunner().invoke(cli, ["annotate", str(root), *args], env=env, catch_exceptions=False)


def body_text(comment: dict[str, object]) -> str:
    body = comment["body"]
    return adf.to_text(body) if isinstance(body, dict) else str(body)


def test_annotate_comments_labels_and_records_the_risk(fake: FakeJira, tmp_path: Path, api_version: str) -> None:
    result = run(fake, tmp_path, api_version, "--ticket", "PAY-7", "--as-of", "2026-11-29")
    assert result.exit_code == 0, result.output
    assert "PAY-7: comment" in result.output and "added" in result.output
    comments = fake.comments["PAY-7"]
    assert len(comments) == 1
    text = body_text(comments[0])
    assert blocks.COMMENT_MARKER in text
    assert "password" in text and "bcrypt" in text and "PCI DSS v4.0.1 8.3.2" in text
    if api_version == "2":
        assert text.startswith("h3. vibeward: security and compliance requirements")
        assert "* *password\\_hashing* Password hashing" in text
    issue = fake.issues["PAY-7"]
    assert issue["labels"][:2] == ["payments", "team-checkout"]  # kept, in their order
    assert {"security-review", "pci-dss"} <= set(issue["labels"])
    risk = fake.properties[("PAY-7", annotate.PROPERTY)]
    assert risk["schema"] == "vibeward.risk/v1" and risk["level"] in ("high", "critical")
    assert 0 <= risk["score"] <= 10 and risk["frameworks"] == ["PCI-DSS"]
    assert risk["as_of"] == "2026-11-29" and "password_hashing" in risk["controls"]


def test_a_rerun_updates_the_same_comment_in_place(fake: FakeJira, tmp_path: Path, api_version: str) -> None:
    fake.comments["PAY-7"] = []
    human = {"id": "900", "self": f"{fake.url}/rest/api/{api_version}/issue/PAY-7/comment/900",
             "body": "Looks good to me." if api_version == "2" else adf.text_to_adf("Looks good to me.")}
    fake.comments["PAY-7"].append(human)
    assert run(fake, tmp_path, api_version, "--ticket", "PAY-7").exit_code == 0
    again = run(fake, tmp_path, api_version, "--ticket", "PAY-7")
    assert again.exit_code == 0, again.output
    assert "updated" in again.output and "labels none new" in again.output
    comments = fake.comments["PAY-7"]
    assert len(comments) == 2
    assert comments[0] is human and body_text(human) == "Looks good to me."
    assert comments[1].get("edits") == 1
    assert fake.issues["PAY-7"]["labels"].count("pci-dss") == 1


def test_the_webhook_and_annotate_keep_one_requirements_comment() -> None:
    # Same marker as the webhook write-back (tracer/evidence/writeback.py): one comment per ticket.
    assert blocks.COMMENT_MARKER == writeback.MARKER


def test_ticket_and_config_text_cannot_inject_wiki_markup(fake: FakeJira, tmp_path: Path) -> None:
    (tmp_path / "compliance-config.yml").write_text(
        "waivers:\n  - control: csrf_protection\n"
        "    reason: '[~admin] {color:red}see [evil|https://evil.example]{color}'\n"
        "    approver: appsec\n    expires: 2027-01-31\n",
        encoding="utf-8",
    )
    result = run(fake, tmp_path, "2", "--ticket", "PAY-7")
    assert result.exit_code == 0, result.output
    text = body_text(fake.comments["PAY-7"][0])
    assert "[~admin]" not in text  # no mention
    assert "\\[\\~admin\\] \\{color:red\\}see \\[evil\\|https://evil.example\\]\\{color\\}" in text
    assert "{color:red}" not in text  # the ticket's own title is not repeated either


def test_annotate_needs_a_jira_ticket(fake: FakeJira, tmp_path: Path) -> None:
    ticket = tmp_path / "t.yml"
    ticket.write_text("key: PAY-7\ntitle: x\n", encoding="utf-8")
    result = run(fake, tmp_path, "2", "--ticket-file", str(ticket))
    assert result.exit_code == 2
    assert "annotate writes to the tracker" in result.output
    assert "PAY-7" not in fake.comments


def test_labels_follow_frameworks_and_the_risk_policy() -> None:
    from tracer.model import Classification, FrameworkHit, RiskScore

    quiet = Classification(True, (), (FrameworkHit("GDPR", "trigger", ()),), RiskScore(2.0, "low", ()))
    assert annotate.labels_for(quiet) == ("gdpr",)
    loud = Classification(
        True, (), (FrameworkHit("PCI-DSS", "trigger", ()), FrameworkHit("SOX", "trigger", ())),
        RiskScore(5.0, "medium", (), ("require security review",)),
    )
    assert annotate.labels_for(loud) == ("security-review", "pci-dss", "sox")


def test_a_renamed_project_is_a_change_to_write_back() -> None:
    # A project's name can add health data and HIPAA (lexicon.yml `domains`): it is part of
    # what the written requirements depend on, as the text and labels are.
    ticket = Ticket(key="EMR-7", title="Restrict the reports to the user's departments", project="Reports (EMR)")
    renamed = replace(ticket, project="Electronic Medical Records (EMR)")
    assert writeback.content_hash(ticket, "policy") != writeback.content_hash(renamed, "policy")
    assert writeback.content_hash(ticket, "policy") == writeback.content_hash(replace(ticket), "policy")
