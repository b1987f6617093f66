"""Ticket-time detection: classify a ticket when it is written and put its requirements on it.

The requirements go into one comment (found again by MARKER and updated in place, never
repeated) and a few labels. A ticket whose content (and the policy) did not change since the
last write-back is left alone: the content hash of the ticket is kept in the ledger database,
so repeated webhook deliveries, our own label edits and scheduled syncs write nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from tracer import classify, requirements
from tracer.catalog import Catalog
from tracer.config import OrgConfig
from tracer.evidence.store import canonical, sha256_text
from tracer.model import FRAMEWORKS, Classification, Requirement, RequirementSet, Ticket

MARKER = "vibeward:requirements"
LABEL = "vibeward-security"
OWN_LABEL_PREFIX = "vibeward"  # our own labels do not count as a change of the ticket


@runtime_checkable
class TicketWriter(Protocol):
    """A tracker that takes comments and labels (JIRA)."""

    def upsert_comment(self, key: str, marker: str, text: str) -> tuple[str, bool]: ...

    def add_labels(self, key: str, labels: tuple[str, ...]) -> tuple[str, ...]: ...


class Tracker(TicketWriter, Protocol):
    name: str

    def fetch(self, key: str) -> Ticket: ...

    def search(self, query: str) -> Iterator[Ticket]: ...


class WrittenHashes(Protocol):
    """Where the content hash of each ticket's last write-back is kept (the ledger database)."""

    def written_hash(self, issue: str) -> str | None: ...

    def save_written_hash(self, issue: str, content_hash: str) -> None: ...


@dataclass(frozen=True)
class Outcome:
    key: str
    status: str  # written | unchanged | not security-relevant | cleared
    requirements: tuple[str, ...] = ()
    comment: str = ""  # the comment's id, when one was written
    labels: tuple[str, ...] = ()


def content_hash(ticket: Ticket, policy_sha256: str) -> str:
    """What the requirements depend on: the ticket's text, labels (not ours) and project (a
    medical project's security work is health data), and the policy."""
    return sha256_text(
        canonical(
            {
                "title": ticket.title,
                "description": ticket.description,
                "labels": sorted(label for label in ticket.labels if not label.lower().startswith(OWN_LABEL_PREFIX)),
                "components": sorted(ticket.components),
                "priority": ticket.priority,
                "issue_type": ticket.issue_type,
                "project": ticket.project,
                "policy": policy_sha256,
            }
        )
    )


def labels_for(classification: Classification, required: RequirementSet) -> tuple[str, ...]:
    frameworks = sorted({f for r in required.requirements for f in r.frameworks}, key=FRAMEWORKS.index)
    return (LABEL, *(f"vibeward-{f.lower()}" for f in frameworks))


def _requirement_line(requirement: Requirement) -> str:
    control = requirement.control
    framework_citations = [c.printed() for c in requirement.citations if c.source in FRAMEWORKS and not c.general]
    shown = framework_citations[:3] or [c.printed() for c in requirement.citations[:2]]
    params = [
        f"{p.name} {'<=' if p.stricter == 'lower' else '>='} {p.value}{' ' + p.unit if p.unit else ''} ({p.set_by})"
        for p in requirement.params
        if p.value not in ("", None)
    ]
    line = f"- {control.id}: {control.title}"
    if shown:
        line += f" [{'; '.join(shown)}]"
    if params:
        line += f"; {'; '.join(params)}"
    if requirement.waiver is not None:
        line += f"; waived: {requirement.waiver.reason}"
    return line


def comment_text(ticket: Ticket, classification: Classification, required: RequirementSet) -> str:
    """The requirements comment (plain text; no ticket text is repeated in it)."""
    risk = classification.risk
    frameworks = (
        ", ".join(sorted({f for r in required.requirements for f in r.frameworks})) or "none (security baseline)"
    )
    lines = [
        f"vibeward: security requirements for {ticket.key}"
        f" (risk {risk.level}, {risk.score:.1f}/10; frameworks {frameworks})",
        *(_requirement_line(r) for r in required.requirements),
        f"vibeward check verifies these in CI when the branch or pull request names {ticket.key}.",
        f"({MARKER}: this comment is updated in place when the ticket changes)",
    ]
    return "\n".join(lines)


def cleared_text(ticket: Ticket) -> str:
    return "\n".join(
        [
            f"vibeward: {ticket.key} no longer reads as security-relevant; no requirements apply now.",
            f"({MARKER}: this comment is updated in place when the ticket changes)",
        ]
    )


def write_back(
    ticket: Ticket,
    *,
    org: OrgConfig,
    catalog: Catalog,
    today: date,
    policy_sha256: str,
    writer: TicketWriter,
    seen: WrittenHashes,
) -> Outcome:
    """Classify `ticket`, derive its requirements and write them to it, unless nothing changed."""
    digest = content_hash(ticket, policy_sha256)
    previous = seen.written_hash(ticket.key)
    if previous == digest:
        return Outcome(ticket.key, "unchanged")
    classification = classify.classify(ticket, org)
    required = requirements.derive(classification, catalog, org, today=today, ticket_key=ticket.key)
    ids = required.control_ids
    if not required.requirements:
        if previous is None:  # never written: nothing to take back
            seen.save_written_hash(ticket.key, digest)
            return Outcome(ticket.key, "not security-relevant")
        comment_id, _ = writer.upsert_comment(ticket.key, MARKER, cleared_text(ticket))
        seen.save_written_hash(ticket.key, digest)
        return Outcome(ticket.key, "cleared", comment=comment_id)
    comment_id, _ = writer.upsert_comment(ticket.key, MARKER, comment_text(ticket, classification, required))
    labels = labels_for(classification, required)
    writer.add_labels(ticket.key, labels)
    seen.save_written_hash(ticket.key, digest)
    return Outcome(ticket.key, "written", ids, comment_id, labels)
