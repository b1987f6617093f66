"""The requirements block, the AI prompt, instruction files and the JIRA comment, via Jinja2.

Every output is rendered from the same view of a ticket's RequirementSet, through the
templates in `templates/` (shipped in the wheel). Escaping is on by default: every value a
template prints is escaped for its format (Markdown, JIRA wiki, one-line text) unless the
view marked it as ours (catalog text, citations, numbers) with `Ours`. Ticket text is
untrusted: outside a data fence it is always escaped, and inside one it sits in a fence it
cannot close (a backtick run longer than any in the text), under a statement that the
block is data and holds no instructions.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from tracer import __version__
from tracer.catalog import Catalog
from tracer.model import Classification, Param, Requirement, RequirementSet, Ticket
from tracer.reporters.common import headline_citations
from tracer.reporters.json_report import attestation_dict, conflict_dict, waiver_dict, waiver_use_dict
from tracer.reporters.markdown import escape as markdown_escape
from tracer.resources import templates_dir

REQUIREMENTS_SCHEMA = "vibeward.requirements/v1"
THEMES: tuple[tuple[str, str], ...] = (
    ("authentication", "Authentication"),
    ("session", "Session management"),
    ("access_control", "Access control"),
    ("encryption", "Encryption"),
    ("data_protection", "Data protection"),
    ("payment_data", "Payment data"),
    ("input_handling", "Input handling"),
    ("logging", "Logging"),
    ("privacy", "Privacy"),
    ("secure_development", "Secure development"),
)
FORMATS = ("text", "markdown", "json")
_SIGN = {"higher": "≥", "lower": "≤", "newer": "≥"}
_WIKI_SPECIAL = re.compile(r"([\\{}\[\]|*_+^~!#-])")


# -- escaping ---------------------------------------------------------------------------


class Ours(str):
    """Text vibeward wrote (catalog text, citations, numbers): Markdown templates print it as is."""

    __slots__ = ()


def one_line(text: str) -> str:
    """No control characters and no line breaks (a terminal or a single Markdown line)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def wiki_escape(text: str) -> str:
    """JIRA wiki markup: no macros, links, mentions ([~user]) or formatting from the text."""
    return _WIKI_SPECIAL.sub(r"\\\1", one_line(text))


def _finalizer(escape: Callable[[str], str], trust_markup: bool) -> Callable[[Any], str]:
    def finalize(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Ours) and trust_markup:  # marked as ours by the view
            return str(value)
        return escape(str(value))

    return finalize


# extension -> (escape, whether values the view marked as ours are printed as they are).
# JIRA wiki escapes everything: its markup characters (`-`, `_`, `*`) occur in our own ids too.
_ESCAPERS: dict[str, tuple[Callable[[str], str], bool]] = {
    "md": (markdown_escape, True),
    "txt": (one_line, False),
    "wiki": (wiki_escape, False),
}


@lru_cache(maxsize=8)
def _environment(folder: str, kind: str) -> jinja2.Environment:
    """One environment per escaping kind; `.html` templates get Jinja's HTML autoescape."""
    escape, trust_markup = _ESCAPERS[kind]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        finalize=_finalizer(escape, trust_markup),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, context: dict[str, Any], templates: Path | None = None) -> str:
    """Render `templates/<name>`; its escaping follows the extension before `.j2` (md, txt, wiki)."""
    kind = name.removesuffix(".j2").rsplit(".", 1)[-1]
    folder = str(templates or templates_dir())
    return _environment(folder, kind).get_template(name).render(context)


# -- the view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamView:
    name: Ours
    text: Ours  # `≥ 12 (org policy, PCI-DSS; standard floor ≥ 10: OWASP ASVS v4.0.3-2.4.4)`
    policy: bool


@dataclass(frozen=True)
class RequirementView:
    id: Ours
    title: Ours
    statement: Ours
    theme: str
    mandatory: bool
    frameworks: Ours
    citations: Ours
    params: tuple[ParamView, ...]
    reason: Ours
    state: Ours  # "", "waived", "manual", "manual, attested"
    waiver: str  # untrusted: from the config
    attestation: str  # untrusted: from the config


@dataclass(frozen=True)
class ThemeView:
    id: str
    title: Ours
    requirements: tuple[RequirementView, ...]


@dataclass(frozen=True)
class ConflictView:
    id: Ours  # a rule id of ours (tracer/catalog/conflicts.yml), printed in code spans
    description: str  # escaped: it quotes config locations
    resolution: str  # escaped: the organisation's own words
    resolved: bool


@dataclass(frozen=True)
class Detail:
    """How much goes into a view: instruction files shrink to a size budget step by step."""

    citations: str = "all"  # all | headline | first
    statements: bool = True
    short_params: bool = False  # value and who set it, without the floor's citation
    data_limit: int = -1  # characters of ticket text kept in a data fence; -1 = all


def param_text(param: Param, short: bool = False) -> str:
    sign = _SIGN.get(param.stricter, "=")
    unit = f" {param.unit}" if param.unit and param.unit != "version" else ""
    if short:
        return f"{sign} {param.value}{unit} ({'org policy' if param.is_policy else param.set_by})"
    if param.is_policy:
        text = f"{sign} {param.value}{unit} ({param.set_by}"
        if param.floor is not None:
            floor_sign = _SIGN.get(param.stricter, "=")
            text += f"; standard floor {floor_sign} {param.floor.value}{unit}: {param.floor.citation}"
        return text + ")"
    return f"{sign} {param.value}{unit} (standard: {param.set_by})"


def _citations(requirement: Requirement, detail: Detail) -> str:
    if detail.citations == "all":
        chosen = requirement.citations
    else:
        chosen = headline_citations(requirement)
        if detail.citations == "first":
            chosen = chosen[:1]
    return " · ".join(c.printed() for c in chosen)


def _state(requirement: Requirement) -> str:
    if requirement.waiver is not None:
        return "waived"
    if requirement.control.verification == "manual":
        return "manual, attested" if requirement.attestation is not None else "manual"
    return ""


def requirement_view(requirement: Requirement, detail: Detail = Detail()) -> RequirementView:
    control = requirement.control
    waiver = requirement.waiver
    attestation = requirement.attestation
    waiver_text = ""
    if waiver is not None:
        who = ", ".join(
            part
            for part in (
                f"owner {waiver.owner}" if waiver.owner else "",
                f"approved by {waiver.approver}" if waiver.approver else "",
                f"expires {waiver.expires}" if waiver.expires else "no expiry",
            )
            if part
        )
        scope = f"; only under {', '.join(waiver.paths)}" if waiver.paths else ""
        waiver_text = f"{waiver.reason} ({who}{scope})"
    attestation_text = ""
    if attestation is not None:
        note = f": {attestation.note}" if attestation.note else ""
        attestation_text = f"attested by {attestation.who} on {attestation.when}{note}"
    return RequirementView(
        id=Ours(control.id),
        title=Ours(control.title),
        statement=Ours(control.statement if detail.statements else ""),
        theme=control.theme,
        mandatory=requirement.mandatory,
        frameworks=Ours(", ".join(requirement.frameworks) or "security baseline (OWASP)"),
        citations=Ours(_citations(requirement, detail)),
        params=tuple(
            ParamView(name=Ours(p.name), text=Ours(param_text(p, detail.short_params)), policy=p.is_policy)
            for p in requirement.params
            if p.value != ""
        ),
        reason=Ours(requirement.reason),
        state=Ours(_state(requirement)),
        waiver=waiver_text,
        attestation=attestation_text,
    )


def themes(required: RequirementSet, detail: Detail = Detail()) -> tuple[ThemeView, ...]:
    """Requirements grouped by the catalog's theme, in the order of THEMES (unknown themes last)."""
    order = [name for name, _ in THEMES]
    titles = dict(THEMES)
    grouped: dict[str, list[RequirementView]] = {}
    for requirement in required.requirements:
        view = requirement_view(requirement, detail)
        grouped.setdefault(view.theme, []).append(view)
    names = sorted(grouped, key=lambda name: (order.index(name) if name in order else len(order), name))
    return tuple(
        ThemeView(id=name, title=Ours(titles.get(name, name.replace("_", " ").capitalize())),
                  requirements=tuple(grouped[name]))
        for name in names
    )


def framework_names(classification: Classification | None, catalog: Catalog) -> str:
    if classification is None:
        return ""
    display = dict(catalog.frameworks)
    return ", ".join(display.get(name, name) for name in classification.framework_names)


def context(
    ticket: Ticket | None,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
    detail: Detail = Detail(),
) -> dict[str, Any]:
    """The values every template sees; strings not wrapped in Ours are escaped by the template."""
    risk = classification.risk if classification is not None else None
    return {
        "version": Ours(__version__),
        "key": ticket.key if ticket is not None else "",
        "title": ticket.title if ticket is not None else "",
        "url": ticket.url if ticket is not None else "",
        "as_of": Ours(required.as_of),
        "frameworks": Ours(framework_names(classification, catalog) or "none"),
        "risk": Ours(f"{risk.score:.1f}/10 {risk.level}") if risk is not None else Ours(""),
        "themes": themes(required, detail),
        "count": len(required.requirements),
        "conflicts": tuple(
            ConflictView(
                id=Ours(c.id),
                description=c.description,
                # an unresolved conflict's text is our own request to choose; a resolution is the org's words
                resolution=c.resolution if c.resolved else Ours(c.resolution),
                resolved=c.resolved,
            )
            for c in required.conflicts
        ),
        "waivers": [use for use in required.waivers if use.status == "applied"],
        "all_waivers": required.waivers,
    }


# -- the requirements block -----------------------------------------------------------------


def render_requirements(
    fmt: str,
    ticket: Ticket | None,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
) -> str:
    """`vibeward requirements`: text, markdown or JSON (vibeward.requirements/v1)."""
    if fmt == "json":
        data = requirements_dict(ticket, classification, required, catalog)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    name = {"text": "requirements.txt.j2", "markdown": "requirements.md.j2"}[fmt]
    return render_template(name, context(ticket, classification, required, catalog))


def requirements_dict(
    ticket: Ticket | None,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
) -> dict[str, Any]:
    risk = classification.risk if classification is not None else None
    by_theme = themes(required)
    requirements = {r.control.id: r for r in required.requirements}
    return {
        "schema": REQUIREMENTS_SCHEMA,
        "vibeward_version": __version__,
        "ticket": None if ticket is None else {"key": ticket.key, "title": ticket.title, "url": ticket.url},
        "as_of": required.as_of,
        "frameworks": [
            {"id": name, "name": dict(catalog.frameworks).get(name, name)}
            for name in (classification.framework_names if classification is not None else ())
        ],
        "risk": None if risk is None else {"score": round(risk.score, 2), "level": risk.level},
        "themes": [
            {
                "theme": theme.id,
                "title": str(theme.title),
                "requirements": [_requirement_dict(requirements[str(view.id)]) for view in theme.requirements],
            }
            for theme in by_theme
        ],
        "conflicts": [conflict_dict(c) for c in required.conflicts],
        "waivers": [waiver_use_dict(use) for use in required.waivers],
    }


def _requirement_dict(requirement: Requirement) -> dict[str, Any]:
    control = requirement.control
    return {
        "control": control.id,
        "title": control.title,
        "statement": control.statement,
        "verification": control.verification,
        "mandatory": requirement.mandatory,
        "frameworks": list(requirement.frameworks),
        "reason": requirement.reason,
        "params": [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "stricter": p.stricter,
                "set_by": p.set_by,
                "policy": p.is_policy,
                "floor": None
                if p.floor is None
                else {"value": p.floor.value, "citation": p.floor.citation, "framework": p.floor.framework},
                "text": param_text(p),
            }
            for p in requirement.params
            if p.value != ""
        ],
        "citations": [c.printed() for c in requirement.citations],
        "waiver": None if requirement.waiver is None else waiver_dict(requirement.waiver),
        "attestation": None if requirement.attestation is None else attestation_dict(requirement.attestation),
    }


# -- ticket text as data ------------------------------------------------------------------


def ticket_data(ticket: Ticket, limit: int = -1) -> tuple[str, int]:
    """The ticket's fields as plain text for a data fence, and how many characters were cut."""
    lines = [f"Key: {one_line(ticket.key)}", f"Title: {one_line(ticket.title)}"]
    if ticket.labels:
        lines.append("Labels: " + ", ".join(one_line(label) for label in ticket.labels))
    if ticket.components:
        lines.append("Components: " + ", ".join(one_line(c) for c in ticket.components))
    description = "\n".join(
        "".join(ch for ch in line if ch.isprintable() or ch == "\t") for line in ticket.description.splitlines()
    ).strip()
    cut = 0
    if limit >= 0 and len(description) > limit:
        cut = len(description) - limit
        description = description[:limit].rstrip() + f"\n[... {cut} characters cut by vibeward ...]"
    if description:
        lines.extend(["Description:", description])
    return "\n".join(lines), cut


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in the text, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def fenced(text: str, info: str = "text") -> Ours:
    fence = fence_for(text)
    return Ours(f"{fence}{info}\n{text}\n{fence}")


def neutralize_markers(text: str) -> str:
    """HTML comment delimiters in ticket text cannot open or close a marked section of ours."""
    return text.replace("<!--", "<!- -").replace("-->", "- ->")


# -- prompt, instruction files, JIRA comment ---------------------------------------------------


def render_prompt(
    intent: str,
    ticket: Ticket,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
) -> str:
    """The enhanced prompt: the developer's intent, binding requirements, then the ticket as data."""
    values = context(ticket, classification, required, catalog, Detail(citations="headline"))
    data, _ = ticket_data(ticket)
    # The developer's own words are theirs to format; only ticket text is untrusted.
    values["intent"] = Ours(intent.strip()) if intent.strip() else ""
    values["data"] = fenced(data)
    return render_template("prompt.md.j2", values)


@dataclass(frozen=True)
class Rendered:
    text: str
    cut: tuple[str, ...]  # what was left out to stay under the budget


def render_instructions(
    ticket: Ticket,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
    *,
    heading: int,
    budget: int,
    measure: Callable[[str], int] | None = None,
) -> Rendered:
    """The body of an instruction file (or marked section), shrunk step by step to `budget` bytes.

    Requirements are never cut: first the ticket text is shortened, then citations, then
    statements. `measure` gives the size of the whole file for a body (front matter included).
    """
    size = measure or (lambda body: len(body.encode("utf-8")))
    text = ""
    for detail, cut in _shrinking(len(ticket.description.strip())):
        text = _instructions(ticket, classification, required, catalog, heading, detail, cut)
        if size(text) <= budget:
            return Rendered(text, cut)
    return Rendered(text, ("nothing more can be cut: the requirements alone exceed the budget",))


def _shrinking(data_chars: int) -> list[tuple[Detail, tuple[str, ...]]]:
    """The detail levels tried in turn, each with everything it leaves out so far."""
    steps: list[tuple[dict[str, Any], str]] = []
    for limit in (2000, 500):
        if data_chars > limit:
            steps.append(({"data_limit": limit}, f"ticket description cut to {limit} characters"))
    steps.append(({"citations": "first"}, "citations cut to one per requirement"))
    steps.append(({"short_params": True}, "floor citations of parameters left out"))
    if data_chars:
        steps.append(({"data_limit": 0}, "ticket description left out"))
    steps.append(({"statements": False}, "control statements left out (ids and parameters kept)"))
    detail = Detail(citations="headline")
    levels: list[tuple[Detail, tuple[str, ...]]] = [(detail, ())]
    cut: tuple[str, ...] = ()
    for change, what in steps:
        detail = replace(detail, **change)
        cut = (*cut, what)
        levels.append((detail, cut))
    return levels


def _instructions(
    ticket: Ticket,
    classification: Classification | None,
    required: RequirementSet,
    catalog: Catalog,
    heading: int,
    detail: Detail,
    cut: Sequence[str],
) -> str:
    values = context(ticket, classification, required, catalog, detail)
    data, _ = ticket_data(ticket, detail.data_limit)
    values["data"] = fenced(neutralize_markers(data))
    values["h"] = Ours("#" * heading)
    values["cut"] = tuple(Ours(item) for item in cut)
    return render_template("instructions.md.j2", values)


# The same marker as tracer/evidence/writeback.py (the webhook's write-back): `annotate` and the
# webhook keep one requirements comment per ticket. No wiki markup characters: stored as written.
COMMENT_MARKER = "vibeward:requirements"


def render_jira_comment(
    ticket: Ticket, classification: Classification | None, required: RequirementSet, catalog: Catalog
) -> str:
    """The requirements block as JIRA wiki markup, with the marker `annotate` finds it by."""
    values = context(ticket, classification, required, catalog, Detail(citations="headline"))
    values["marker"] = Ours(COMMENT_MARKER)
    return render_template("jira-comment.wiki.j2", values)
