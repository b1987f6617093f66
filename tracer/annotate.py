"""`vibeward annotate`: write a ticket's requirements back to JIRA.

- the requirements block as one comment, updated in place on re-runs (found by its marker);
- labels: one per active framework (`pci-dss`, `hipaa`, `gdpr`, `sox`, `soc2`) and
  `security-review` when the risk policy asks for a review; labels already there are kept;
- the risk score as the issue property `vibeward.risk` (JSON, schema vibeward.risk/v1).

REST API v2 comments are wiki markup; on v3 the block is sent as plain text (ADF).
Reference: shared/reference/integrations.md §1.6.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracer import blocks
from tracer.catalog import Catalog
from tracer.errors import UsageError
from tracer.model import Classification, RequirementSet, Ticket
from tracer.sources.jira import JiraSource

PROPERTY = "vibeward.risk"
PROPERTY_SCHEMA = "vibeward.risk/v1"
REVIEW_LABEL = "security-review"
FRAMEWORK_LABELS = {"PCI-DSS": "pci-dss", "HIPAA": "hipaa", "GDPR": "gdpr", "SOX": "sox", "SOC2": "soc2"}


@dataclass(frozen=True)
class Annotated:
    key: str
    comment_id: str
    created: bool  # False: the earlier comment was updated in place
    labels_added: tuple[str, ...]
    labels: tuple[str, ...]  # all labels on the issue now
    risk: dict[str, Any]


def labels_for(classification: Classification) -> tuple[str, ...]:
    labels = [FRAMEWORK_LABELS[name] for name in classification.framework_names if name in FRAMEWORK_LABELS]
    risk = classification.risk
    if risk.level in ("high", "critical") or any("review" in action for action in risk.actions):
        labels.insert(0, REVIEW_LABEL)
    return tuple(labels)


def risk_property(classification: Classification, required: RequirementSet) -> dict[str, Any]:
    risk = classification.risk
    return {
        "schema": PROPERTY_SCHEMA,
        "score": round(risk.score, 2),
        "level": risk.level,
        "factors": [{"name": f.name, "weight": f.weight, "reason": f.reason} for f in risk.factors],
        "actions": list(risk.actions),
        "frameworks": list(classification.framework_names),
        "controls": list(required.control_ids),
        "as_of": required.as_of,
    }


def annotate(
    source: object,
    ticket: Ticket,
    classification: Classification,
    required: RequirementSet,
    catalog: Catalog,
) -> Annotated:
    if not isinstance(source, JiraSource):
        name = getattr(source, "name", type(source).__name__)
        raise UsageError(f"annotate writes back to JIRA only; ticket {ticket.key} comes from {name}")
    if source.api_version == "2":
        text = blocks.render_jira_comment(ticket, classification, required, catalog)
    else:  # ADF: plain text, with the marker as its last line
        text = blocks.render_requirements("text", ticket, classification, required, catalog)
        text += f"\n{blocks.COMMENT_MARKER}\n"
    comment_id, created = source.upsert_comment(ticket.key, blocks.COMMENT_MARKER, text)
    wanted = labels_for(classification)
    before = set(ticket.labels)
    labels = source.add_labels(ticket.key, wanted) if wanted else tuple(ticket.labels)
    risk = risk_property(classification, required)
    source.set_property(ticket.key, PROPERTY, risk)
    return Annotated(
        key=ticket.key,
        comment_id=comment_id,
        created=created,
        labels_added=tuple(label for label in wanted if label not in before),
        labels=labels,
        risk=risk,
    )
