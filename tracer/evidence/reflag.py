"""What a policy change means: which settings changed, which open tickets gain or lose
requirements, and which recorded passing evidence no longer passes.

Every ticket is classified and its requirements derived twice, under the old and the new
config. The evidence part re-judges the latest ledger record of each ticket, when that check
passed, against the ticket's requirements under the new config, without re-scanning where the
recorded locations settle it; where they cannot (a control the old check never looked for, a
parameter made stricter, whose found value the record does not keep), it says a rescan is needed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from tracer import classify, config, requirements
from tracer.catalog import Catalog
from tracer.errors import GitError, TracerError
from tracer.evidence.audit import latest_per_ticket
from tracer.evidence.records import policy_snapshot
from tracer.evidence.store import Entry
from tracer.evidence.writeback import TicketWriter
from tracer.model import Requirement, RequirementSet, Ticket

SCHEMA = "vibeward.reflag/v1"
MARKER = "vibeward:reflag"
LABEL_CHANGED = "vibeward-reflag"
LABEL_RECHECK = "vibeward-recheck"
DONE_STATUSES = frozenset({"done", "closed", "resolved", "released", "cancelled", "canceled", "won't do", "rejected"})


class Searchable(Protocol):
    name: str

    def search(self, query: str) -> Iterator[Ticket]: ...


@dataclass(frozen=True)
class ConfigChange:
    area: str  # framework | trigger | control | parameter | waiver | attestation | enforcement | risk | scan | other
    path: str  # key path in the effective policy, e.g. frameworks.HIPAA.triggers.keywords
    old: str
    new: str

    def describe(self) -> str:
        if not self.old:
            return f"{self.path}: added {self.new}"
        if not self.new:
            return f"{self.path}: removed {self.old}"
        return f"{self.path}: {self.old} -> {self.new}"


@dataclass(frozen=True)
class TicketDelta:
    key: str
    title: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    params: tuple[str, ...]  # "bcrypt_cost 12 -> 14 (password_hashing)"
    frameworks_old: tuple[str, ...]
    frameworks_new: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.gained or self.lost or self.params or self.frameworks_old != self.frameworks_new)


@dataclass(frozen=True)
class Judgement:
    key: str
    seq: int
    commit: str
    recorded_at: str
    outcome: str  # passes | fails | rescan
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReflagReport:
    old: str  # where the old policy came from (e.g. HEAD~3:compliance-config.yml)
    new: str
    changes: tuple[ConfigChange, ...]
    tickets: tuple[TicketDelta, ...]  # open tickets whose requirements change
    checked: int  # open tickets looked at
    evidence: tuple[Judgement, ...]  # previously passing evidence that no longer passes, or needs a rescan
    evidence_checked: int
    notes: tuple[str, ...] = ()


# -- the two configs ---------------------------------------------------------------------------


def config_at_revision(root: Path, config_path: Path | None, rev: str, scratch: Path) -> config.OrgConfig:
    """The effective config as it was at git revision `rev` (built-in defaults if the file did not exist)."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
        top = Path(repo.working_tree_dir or root).resolve()
        found = config_path if config_path is not None else config.find_config(root)
        if found is None:
            raise GitError("no compliance-config.yml to compare", "pass --config, or --old and --new")
        relative = found.resolve().relative_to(top).as_posix()
        commit = repo.commit(rev)
    except (git.exc.GitError, git.exc.BadName, git.exc.BadObject, ValueError) as exc:
        raise GitError(
            f"cannot read revision {rev!r}: {exc.__class__.__name__}", "give a commit, tag or branch"
        ) from None
    try:
        blob = commit.tree / relative
    except KeyError:
        return replace(config.load(None), path=f"{rev}:{relative} (absent: built-in default policy)")
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / Path(relative).name
    copy.write_bytes(blob.data_stream.read())
    return replace(config.load(copy), path=f"{rev}:{relative}")


def diff_configs(old: config.OrgConfig, new: config.OrgConfig, catalog: Catalog) -> tuple[ConfigChange, ...]:
    """Every setting that differs between the two effective policies, with what kind of setting it is."""
    before, after = _flatten(_policy_view(old)), _flatten(_policy_view(new))
    changes = []
    for path in sorted(set(before) | set(after)):
        old_value, new_value = before.get(path), after.get(path)
        if old_value == new_value:
            continue
        if isinstance(old_value, frozenset) or isinstance(new_value, frozenset):
            old_set = old_value if isinstance(old_value, frozenset) else frozenset()
            new_set = new_value if isinstance(new_value, frozenset) else frozenset()
            removed, added = sorted(old_set - new_set), sorted(new_set - old_set)
            changes.append(ConfigChange(_area(path, catalog), path, ", ".join(removed), ", ".join(added)))
            continue
        changes.append(ConfigChange(_area(path, catalog), path, _shown(old_value), _shown(new_value)))
    return tuple(changes)


def _policy_view(org: config.OrgConfig) -> dict[str, Any]:
    view = policy_snapshot(org)
    # Lists whose items have a natural key are compared item by item, not as a whole.
    for body in (view.get("frameworks") or {}).values():
        if isinstance(body, dict) and isinstance(body.get("requirements"), list):
            body["requirements"] = {str(pair[0]): pair[1] for pair in body["requirements"]}
    for section, keys in (("waivers", ("control", "ticket")), ("attestations", ("control", "ticket"))):
        if isinstance(view.get(section), list):
            view[section] = {
                "/".join(str(item.get(k) or "*") for k in keys): item
                for item in view[section]
                if isinstance(item, dict)
            }
    return view


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return {prefix: frozenset(str(v) for v in value)}
    if isinstance(value, list):
        return {prefix: json.dumps(value, sort_keys=True)}
    return {prefix: value}


def _shown(value: Any) -> str:
    return "" if value is None else json.dumps(value) if not isinstance(value, str) else value


def _area(path: str, catalog: Catalog) -> str:
    parts = path.split(".")
    if parts[0] == "frameworks" and len(parts) >= 3:
        if parts[2] == "triggers":
            return "trigger"
        if parts[2] == "requirements" and len(parts) >= 4:
            return "control" if parts[3] in catalog.ids() else "parameter"
        return "framework"
    if parts[0].startswith("enforcement"):
        return "enforcement"
    return parts[0] if parts[0] in ("waivers", "attestations", "risk", "exclude", "resolutions") else "other"


# -- open tickets ------------------------------------------------------------------------------


def default_query(project_keys: Sequence[str]) -> str:
    scope = f"project in ({', '.join(project_keys)}) AND " if project_keys else ""
    return f"{scope}statusCategory != Done ORDER BY key"


def open_tickets(source: Searchable, query: str) -> list[Ticket]:
    """Open tickets: JIRA answers the JQL; the file tracker lists its files, leaving out done ones."""
    if source.name == "file":
        return [t for t in source.search("") if t.status.strip().lower() not in DONE_STATUSES]
    return list(source.search(query))


def requirements_under(ticket: Ticket, org: config.OrgConfig, catalog: Catalog, today: date) -> RequirementSet:
    return requirements.derive(classify.classify(ticket, org), catalog, org, today=today, ticket_key=ticket.key)


def ticket_delta(ticket: Ticket, old: RequirementSet, new: RequirementSet) -> TicketDelta:
    before = {r.control.id: r for r in old.requirements if r.mandatory}
    after = {r.control.id: r for r in new.requirements if r.mandatory}
    params = []
    for control_id in sorted(set(before) & set(after)):
        old_params = {p.name: p for p in before[control_id].params}
        for param in after[control_id].params:
            previous = old_params.get(param.name)
            if previous is not None and previous.value != param.value:
                params.append(f"{param.name} {previous.value} -> {param.value} ({control_id})")

    def frameworks(reqs: RequirementSet) -> tuple[str, ...]:
        return tuple(sorted({f for r in reqs.requirements for f in r.frameworks}))

    return TicketDelta(
        key=ticket.key,
        title=ticket.title,
        gained=tuple(sorted(set(after) - set(before))),
        lost=tuple(sorted(set(before) - set(after))),
        params=tuple(params),
        frameworks_old=frameworks(old),
        frameworks_new=frameworks(new),
    )


# -- recorded evidence -------------------------------------------------------------------------


def rejudge(entry: Entry, new: RequirementSet, org: config.OrgConfig) -> Judgement:
    """A passing check record against the new requirements, from what the record holds."""
    recorded = {str(r["control"]): r for r in entry.record().get("requirements") or ()}
    enforcement = org.enforcement_policy
    failing: list[str] = []
    rescan: list[str] = []
    for requirement in new.requirements:
        if not requirement.mandatory:
            continue
        control = requirement.control.id
        blocking = enforcement.mode_for(requirement) == "block"
        verdict, reason = _judge_one(requirement, recorded.get(control))
        if verdict == "fails" and blocking:
            failing.append(reason)
        elif verdict == "rescan":
            rescan.append(reason)
    outcome = "fails" if failing else "rescan" if rescan else "passes"
    return Judgement(entry.ticket, entry.seq, entry.commit, entry.recorded_at, outcome, tuple(failing + rescan))


def _judge_one(requirement: Requirement, recorded: Mapping[str, Any] | None) -> tuple[str, str]:
    """("passes" | "fails" | "rescan", why) for one new requirement against its recorded result."""
    control = requirement.control
    if requirement.waiver is not None:
        return "passes", f"{control.id}: waived"
    if control.verification == "manual":
        return "passes", f"{control.id}: manual, for a reviewer"
    if recorded is None:
        return "rescan", f"{control.id}: newly required; the recorded check did not look for it (rescan needed)"
    status = str(recorded.get("status", ""))
    if recorded.get("violations"):
        first = recorded["violations"][0]
        return "fails", f"{control.id}: violated at {first['path']}:{first['start_line']} in the recorded check"
    if status == "manual":
        return "rescan", f"{control.id}: no rule ran for it in the recorded check (rescan or sign-off needed)"
    found = bool(recorded.get("locations")) or (status == "implemented" and control.check == "absence")
    if not found:
        why = "its waiver was removed and " if status == "waived" else ""
        return "fails", f"{control.id}: {why}no implementation was found in the recorded check"
    for param in requirement.params:
        before = (recorded.get("params") or {}).get(param.name)
        if before is None or param.value in ("", None):
            continue
        old_value = before.get("value")
        if old_value in ("", None) or old_value == param.value:
            continue
        if requirements.stricter(param.value, old_value, param.stricter):
            return "rescan", (
                f"{control.id}: {param.name} now {param.value} (was {old_value}); the record does not keep the value "
                "found in the code (rescan needed)"
            )
    where = ", ".join(f"{loc['path']}:{loc['start_line']}" for loc in recorded.get("locations") or ()) or "no violation"
    return "passes", f"{control.id}: recorded evidence suffices ({where})"


# -- the whole review --------------------------------------------------------------------------


def review(
    old: config.OrgConfig,
    new: config.OrgConfig,
    tickets: Iterable[Ticket],
    entries: Sequence[Entry],
    fetch: Callable[[str], Ticket],
    catalog: Catalog,
    today: date,
) -> ReflagReport:
    """The config diff, the open tickets' requirement changes, and the re-judged evidence."""
    notes: list[str] = []
    deltas, looked_at = [], 0
    seen: dict[str, Ticket] = {}
    for ticket in tickets:
        looked_at += 1
        seen[ticket.key] = ticket
        delta = ticket_delta(
            ticket, requirements_under(ticket, old, catalog, today), requirements_under(ticket, new, catalog, today)
        )
        if delta.changed:
            deltas.append(delta)
    judged, evidence_checked = [], 0
    for key, entry in sorted(latest_per_ticket(e for e in entries if e.kind == "check").items()):
        if entry.verdict != "pass":
            continue
        evidence_checked += 1
        known = seen.get(key)
        if known is None:
            try:
                known = fetch(key)
            except TracerError as exc:
                judged.append(
                    Judgement(
                        key,
                        entry.seq,
                        entry.commit,
                        entry.recorded_at,
                        "rescan",
                        (f"the ticket could not be read: {exc.message}",),
                    )
                )
                continue
        judgement = rejudge(entry, requirements_under(known, new, catalog, today), new)
        if judgement.outcome != "passes":
            judged.append(judgement)
    if not entries:
        notes.append("the evidence ledger holds no checks: no recorded evidence to re-judge")
    return ReflagReport(
        old=old.path,
        new=new.path,
        changes=diff_configs(old, new, catalog),
        tickets=tuple(deltas),
        checked=looked_at,
        evidence=tuple(judged),
        evidence_checked=evidence_checked,
        notes=tuple(notes),
    )


# -- output and write-back ---------------------------------------------------------------------


def render_text(report: ReflagReport, applied: Sequence[str] = ()) -> str:
    out = [f"Policy change: {report.old} -> {report.new}", ""]
    out.append(f"Changed settings ({len(report.changes)}):")
    out += [f"  [{c.area}] {c.describe()}" for c in report.changes] or ["  none"]
    out += ["", f"Open tickets whose requirements change ({len(report.tickets)} of {report.checked}):"]
    for delta in report.tickets:
        out.append(f"  {delta.key}  {' '.join(delta.title.split())[:80]}")
        out += [f"    + {c}" for c in delta.gained]
        out += [f"    - {c}" for c in delta.lost]
        out += [f"    ~ {p}" for p in delta.params]
        if delta.frameworks_old != delta.frameworks_new:
            before, after = ", ".join(delta.frameworks_old) or "none", ", ".join(delta.frameworks_new) or "none"
            out.append(f"    frameworks: {before} -> {after}")
    if not report.tickets:
        out.append("  none")
    out += ["", f"Recorded passing evidence re-judged ({report.evidence_checked} tickets):"]
    for judgement in report.evidence:
        word = "NO LONGER PASSES" if judgement.outcome == "fails" else "RESCAN NEEDED"
        out.append(f"  {judgement.key}  {word}  (record {judgement.seq}, commit {judgement.commit[:12] or 'unknown'})")
        out += [f"    {reason}" for reason in judgement.reasons]
    if not report.evidence:
        out.append("  all still pass on their recorded evidence")
    out += [f"note: {note}" for note in report.notes]
    out.append("")
    out += list(applied) or ["dry run: nothing was written (pass --apply to comment and label the tickets)"]
    return "\n".join(out) + "\n"


def as_dict(report: ReflagReport) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "old": report.old,
        "new": report.new,
        "changes": [{"area": c.area, "path": c.path, "old": c.old, "new": c.new} for c in report.changes],
        "tickets_checked": report.checked,
        "tickets": [
            {
                "key": d.key,
                "title": d.title,
                "gained": list(d.gained),
                "lost": list(d.lost),
                "params": list(d.params),
                "frameworks_old": list(d.frameworks_old),
                "frameworks_new": list(d.frameworks_new),
            }
            for d in report.tickets
        ],
        "evidence_checked": report.evidence_checked,
        "evidence": [
            {
                "key": j.key,
                "seq": j.seq,
                "commit": j.commit,
                "recorded_at": j.recorded_at,
                "outcome": j.outcome,
                "reasons": list(j.reasons),
            }
            for j in report.evidence
        ],
        "notes": list(report.notes),
    }


def comment_text(report: ReflagReport, delta: TicketDelta | None, judgement: Judgement | None) -> str:
    """The one comment per ticket (found again by MARKER and updated, never repeated)."""
    lines = [f"vibeward: the compliance policy changed ({report.old} -> {report.new})."]
    if delta is not None:
        lines += [f"Newly required: {c}" for c in delta.gained]
        lines += [f"No longer required: {c}" for c in delta.lost]
        lines += [f"Parameter changed: {p}" for p in delta.params]
    if judgement is not None:
        head = (
            "The last passing check no longer passes"
            if judgement.outcome == "fails"
            else "The last passing check needs a rescan"
        )
        lines.append(f"{head} (commit {judgement.commit[:12] or 'unknown'}):")
        lines += [f"- {reason}" for reason in judgement.reasons]
    lines.append("Run `vibeward check` on the ticket's branch to confirm.")
    lines.append(f"({MARKER}: this comment is updated in place)")
    return "\n".join(lines)


def apply(report: ReflagReport, writer: TicketWriter) -> list[str]:
    """Comment on and label each affected ticket; returns one line per ticket written."""
    by_key_delta = {d.key: d for d in report.tickets}
    by_key_judgement = {j.key: j for j in report.evidence}
    done = []
    for key in sorted(set(by_key_delta) | set(by_key_judgement)):
        delta, judgement = by_key_delta.get(key), by_key_judgement.get(key)
        comment_id, created = writer.upsert_comment(key, MARKER, comment_text(report, delta, judgement))
        labels = ((LABEL_CHANGED,) if delta is not None else ()) + ((LABEL_RECHECK,) if judgement is not None else ())
        writer.add_labels(key, labels)
        done.append(f"{key}: comment {comment_id} {'added' if created else 'updated'}; labels {', '.join(labels)}")
    return done
