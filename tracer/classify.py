"""Ticket -> Classification: indicators, frameworks and risk, each with its evidence.

How a ticket is read (docs/classifier.md has the long version):
1. each field is normalised (tracer/textnorm.py): markup that reads as words blanked,
   code, logs, URLs and quotes marked as low-weight regions, offsets kept;
2. the lexicon's terms and the org's framework triggers are found as whole words;
3. sense rules drop the known traps ("pad token", "card shadow", "git checkout" ...);
4. every match weighs term weight x field weight x region weight x ticket dampener;
5. an indicator fires when its evidence reaches the indicator threshold; "support" terms
   (a bare "database", "log") count only once another indicator fired on its own;
6. frameworks (tracer/frameworks.py) and risk (tracer/risk.py) follow from the evidence.

Each step only removes matches or multiplies them by at most 1, so the work is done in the
order that lets most tickets stop early with the same result: matches first (only the
markup is blanked), then an upper bound of every indicator's score (`_reach`), then the
senses (first of the matches that could make an indicator fire) and the bound again, then
the dampeners, and only then the regions, evidence, frameworks and risk.

The compiled lexicon lives in a Classifier built once per (lexicon, config) and reused.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, cast

from tracer.config import OrgConfig
from tracer.frameworks import FrameworkJudge, FrameworkRules, Item, strongest_items
from tracer.lexicon import (
    SEPARATOR,
    Context,
    Domain,
    FieldWords,
    Lexicon,
    Matcher,
    RawMatch,
    Sense,
    Term,
    Vocabulary,
    Window,
    compile_context,
    context_vocabulary,
    field_words,
    load_lexicon,
    lower_view,
    trie_pattern,
    word_forms,
)
from tracer.model import FRAMEWORKS, INDICATORS, Classification, Evidence, IndicatorHit, Ticket
from tracer.risk import Exposure, RiskScorer, risk_model_from
from tracer.speedups import maker, rounded
from tracer.textnorm import NormText, RegionKinds, normalize_view

_SINGLE_WORD = re.compile(r"[^\W_]+")
# A ticket's records without their __init__'s Python frame
_make_classification: Final = maker(Classification)
_make_indicator_hit: Final = maker(IndicatorHit)


@dataclass(frozen=True)
class _CompiledSense:
    id: str
    near: Context | None
    before: tuple[tuple[str, ...], ...]  # word forms that may stand right before a match
    after: tuple[tuple[str, ...], ...]  # ... and right after it
    ticket_wide: bool


class _Checks(NamedTuple):
    """Every sense rule and `requires_near` of one term (and matched word), merged: a match is
    dropped when any rule says so, so the rules' contexts and patterns can be unioned."""

    near: Context | None  # context words within the window
    wide: Context | None  # context words anywhere in title and description
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    required: Context | None  # the term counts only with one of these within the window
    reach: int  # how far before the match a `before` match can start (at most _EDGE_REACH)
    # the word (run of letters and digits) each `before` form ends with: a match of `before`
    # ends with one of them, and only separators after it (`_word_before`); None: not known
    before_ends: frozenset[str] | None


_Kept = tuple["_Field", float, list[RawMatch]]  # a field, its weight, its kept matches

# What a term's matches are screened for (Classifier.screening), as bits.
_CHECKED: Final = 1  # the term has a sense rule or `requires_near`: every match is checked
_WORD_SENSE: Final = 2  # one of the words it can match as has a word sense: a match that is that word is
_RESTRICTED: Final = 4  # the term counts only in some fields


class _Reading:
    """What the kept matches of a ticket say (`Classifier._read`). A plain class: compiled,
    it is made without the Python call a NamedTuple's constructor costs."""

    __slots__ = ("evidence", "exposure", "places", "scores")

    def __init__(self) -> None:
        self.places: list[_Place] = []  # of each kept match, in order
        self.scores: dict[str, list[_Score]] = {}  # indicator -> what each match says for it
        self.evidence: dict[str, tuple[list[Item], list[Item]]] = {}  # framework -> (trigger, lexicon) evidence
        self.exposure: dict[str, tuple[float, int]] = {}  # risk signal -> its strongest strength, and the match


class _Plan(NamedTuple):
    """What a match of one term says, read off the term once rather than per match."""

    rule: str  # the term id
    indicators: tuple[tuple[str, float], ...]
    standalone: bool  # not a support term
    tags: tuple[tuple[str, float, Context | None], ...]  # lexicon framework tags: name, weight, near context
    risk: tuple[tuple[str, float], ...]
    trigger: str  # the framework of an org trigger, else ""


@dataclass(frozen=True)
class _CompiledDampener:
    id: str
    fields: tuple[str, ...]
    words: Context | None
    factor: float
    unless: Context | None
    name_prefixes: tuple[str, ...]


class _Field:
    """One field of a ticket, prepared for matching; its regions are found on first use."""

    __slots__ = (
        "_markup", "_norm", "_regions", "_windows", "kind", "low", "mapped", "marked", "name", "parts", "prepared",
        "source", "view",
    )  # fmt: skip

    def __init__(
        self,
        name: str,  # "title", "description", "labels", "components"
        source: str,
        view: str,
        norm: NormText | None,  # known for ADF
        markup: bool,  # has regions to look for (when `norm` is None)
        prepared: FieldWords,
        parts: tuple[int, ...] = (),  # list fields are matched joined: where each value starts
    ) -> None:
        self.name = name
        self.kind = name  # the name a field's weight is looked up by
        self.source = source
        self.view = view
        self._norm = norm
        self._markup = markup
        self.prepared = prepared
        self.low = prepared.low
        self.parts = parts
        self._regions: RegionKinds | None = None
        self.marked = norm is not None or markup  # may have regions
        self.mapped = bool(parts) or (norm is not None and bool(norm.anchors))  # view offsets are not the value's
        self._windows: dict[tuple[int, int], Window] | None = None

    def kind_at(self, pos: int) -> str:
        """The region kind covering a view offset, or "" for plain prose."""
        if self._norm is not None:
            return self._norm.kind_at(pos)
        if not self._markup:
            return ""
        if self._regions is None:
            self._regions = RegionKinds(self.source)
        return self._regions.kind_at(pos)

    def window(self, start: int, end: int, size: int) -> Window:
        """The context words around a match, cut once however many rules look at them."""
        if self._windows is None:
            self._windows = {}
        around = self._windows.get((start, end))
        if around is None:
            prepared = self.prepared
            around = self._windows[(start, end)] = Window(
                self.low, start, end, size, prepared.spaced, prepared.vocabulary
            )
        return around

    def locate(self, start: int, end: int) -> _Place:
        """Field name, source offsets and text of a view span; "labels[2]" for a list value."""
        norm = self._norm
        if norm is not None and norm.anchors:  # only ADF has anchors, and its NormText is known
            start, end = norm.source_span(start, end)
        text = self.source[start:end]
        if not self.parts:
            return self.name, start, end, text
        index = bisect.bisect_right(self.parts, start) - 1
        return f"{self.name}[{index}]", start - self.parts[index], end - self.parts[index], text


@dataclass(frozen=True)
class Classifier:
    """A lexicon and an org policy compiled for matching; build once, classify many."""

    lexicon: Lexicon
    config: OrgConfig
    matcher: Matcher  # the lexicon's terms (group 0), then the org's triggers (group 1)
    # (dicts, not Mappings: compiled, `in` a dict is a dict look-up, `in` a Mapping a generic call)
    senses_by_word: dict[str, tuple[_CompiledSense, ...]]
    senses_by_term: dict[str, tuple[_CompiledSense, ...]]  # by term id
    near_of: dict[str, Context]  # term id -> requires_near context
    dampeners: tuple[_CompiledDampener, ...]
    # By term index, what a match must be screened for (_CHECKED, _WORD_SENSE, _RESTRICTED):
    # one look in a tuple per match, where three sets cost a hash look-up each.
    screening: tuple[int, ...]
    restricted_terms: dict[int, tuple[str, ...]]  # term index -> the only fields it counts in
    plans: tuple[_Plan, ...]  # by term index
    judge: FrameworkJudge
    risk_scorer: RiskScorer
    # The pre-filter (see `_reach`): term index -> its standalone indicator weights,
    # None when the lexicon's numbers make an upper bound unsound (a negative weight).
    bound_weights: dict[int, tuple[tuple[str, float], ...]] | None
    bound_region: float  # the largest region weight, at least 1.0 (prose)
    standalone_of: dict[int, frozenset[str]]  # term index -> the indicators it speaks for on its own
    damp_words: frozenset[str]  # every word any dampener looks for, for a quick reject
    damp_fields: frozenset[str]  # every field any dampener looks at
    damp_prefixes: tuple[str, ...]  # every project name prefix any dampener looks for
    quiet: Classification  # the result of every ticket that is not security-relevant
    vocabulary: Vocabulary | None  # every context word, for fields to look up (None: plain Python)
    # Prepared label and component lists by (field, values); bounded, cleared when full.
    lists: dict[tuple[str, tuple[str, ...]], _ListField] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )
    # Merged sense rules by (term id, matched word or ""), built on first use (bounded by the lexicon).
    sense_checks: dict[tuple[str, str], _Checks] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    # The domains each project name says, with where (bounded, cleared when full).
    domains_of: dict[str, tuple[tuple[Domain, int, int], ...]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    def classify(self, ticket: Ticket) -> Classification:
        ticket = _well_typed(ticket)
        fields = _fields(ticket, self.vocabulary)
        scan = self.matcher.scan
        scans = [(item, raws) for item in fields if (raws := scan(item.prepared))]
        for kind, values in (("labels", ticket.labels), ("components", ticket.components)):
            if values:
                prepared = self._list_field(kind, values)
                if prepared is not None:
                    fields.append(prepared.field)
                    if prepared.raws:
                        scans.append((prepared.field, prepared.raws))
        if not scans:
            return self.quiet
        # The pre-filter, first on every match at its field weight (before any sense rule).
        field_weights = self.lexicon.field_weights
        region_bound = self.bound_region
        viable = self._reach([(raws, field_weights.get(item.kind, 1.0) * region_bound) for item, raws in scans])
        if viable is not None and not viable:
            return self.quiet
        whole = _TicketText(fields[:2])  # title and description; joined only if a rule asks
        kept, deferred = self._senses(scans, viable, whole)
        if deferred:
            if self._cannot_fire([(raws, weight * region_bound) for _, weight, raws in kept]):
                return self.quiet
            kept = self._check_deferred(kept, deferred, whole)
        # Then on the matches the senses kept, before the dampeners and the regions (both only
        # multiply by at most 1) are looked at.
        if not kept or self._cannot_fire([(raws, weight * region_bound) for _, weight, raws in kept]):
            return self.quiet
        damp = self._dampening(fields, whole, ticket.project)
        if damp != 1.0:
            kept = [(item, weight * damp, raws) for item, weight, raws in kept]
            if self._cannot_fire([(raws, weight * region_bound) for _, weight, raws in kept]):
                return self.quiet
        read = self._read(kept)
        indicators = self._indicators(read.scores, read.places)
        if not indicators:
            return self.quiet
        if ticket.project and self.lexicon.domains:
            indicators = self._in_domain(ticket.project, indicators, read.evidence)
        places = read.places
        strongest: list[Exposure] = [
            (name, strength, places[index][3], places[index][0]) for name, (strength, index) in read.exposure.items()
        ]
        frameworks = self.judge.judge(read.evidence, {hit.name for hit in indicators})
        risk = self.risk_scorer.score(indicators, ticket, frameworks, strongest)
        return _make_classification(True, indicators, frameworks, risk)

    def _in_domain(
        self, project: str, indicators: tuple[IndicatorHit, ...], evidence: dict[str, tuple[list[Item], list[Item]]]
    ) -> tuple[IndicatorHit, ...]:
        """The indicators, and framework evidence added to `evidence`, that the project's
        domains give a ticket that is security work already (`Domain`)."""
        found = self.domains_of.get(project)
        if found is None:
            if len(self.domains_of) >= _LIST_CACHE:
                self.domains_of.clear()
            name = project[:_PROJECT_CHARS]
            found = self.domains_of[project] = tuple(
                (domain, *span) for domain in self.lexicon.domains if (span := domain.find(name)) is not None
            )
        fired = {hit.name for hit in indicators}
        added: dict[str, IndicatorHit] = {}
        for domain, start, end in found:
            if fired.isdisjoint(domain.with_any):
                continue
            text, rule = project[start:end], f"domain.{domain.id}"
            if domain.indicator not in fired and domain.indicator not in added:
                shown = Evidence(field="project", text=text, start=start, end=end, weight=domain.weight, rule=rule)
                added[domain.indicator] = IndicatorHit(domain.indicator, domain.weight, (shown,))
            for framework, weight in domain.frameworks.items():
                evidence.setdefault(framework, ([], []))[1].append((weight, "project", start, end, text, rule))
        if not added:
            return indicators
        hits = {hit.name: hit for hit in indicators} | added
        return tuple(hits[name] for name in INDICATORS if name in hits)

    def _senses(
        self, scans: Sequence[tuple[_Field, list[RawMatch]]], viable: set[str] | None, whole: _TicketText
    ) -> tuple[list[_Kept], list[tuple[int, RawMatch]]]:
        """The matches the sense rules (and field restrictions) keep, by field with its weight;
        and the matches whose senses are left for later (`_check_deferred`).

        A match whose term speaks for no indicator that could fire (`viable`) cannot decide
        whether one does: its sense is checked only if the ticket can still fire without.
        """
        field_weights = self.lexicon.field_weights
        terms = self.matcher.terms
        screening = self.screening
        restricted = self.restricted_terms
        key_exempt = self.lexicon.key_exempt
        senses_by_word = self.senses_by_word
        speaks_for = self.standalone_of
        kept: list[_Kept] = []
        deferred: list[tuple[int, RawMatch]] = []  # (field in `kept`, match)
        for item, raws in scans:
            low = item.low
            kind = item.kind
            chosen = raws  # copied on the first match dropped (the list of a label list is shared)
            for position, raw in enumerate(raws):
                term_index = raw[2]
                screen = screening[term_index]
                dropped = (bool(screen & _RESTRICTED) and kind not in restricted[term_index]) or (
                    low[raw[3] : raw[3] + 1] == "-" and _tracker_key(item.view, raw[0], raw[3], key_exempt)
                )
                if not dropped and (
                    screen & _CHECKED or (screen & _WORD_SENSE and low[raw[0] : raw[3]] in senses_by_word)
                ):
                    if viable is not None and viable.isdisjoint(speaks_for.get(term_index, ())):
                        deferred.append((len(kept), raw))
                    else:
                        dropped = self._suppressed(raw, terms[term_index], item, whole)
                if dropped:
                    if chosen is raws:
                        chosen = raws[:position]
                elif chosen is not raws:
                    chosen.append(raw)
            if chosen:
                kept.append((item, field_weights.get(kind, 1.0), chosen))
        return kept, deferred

    def _read(self, kept: Sequence[_Kept]) -> _Reading:
        """One pass over the kept matches: their weight in their region, their place, and what
        they say for the indicators, the frameworks and the risk."""
        lexicon = self.lexicon
        region_weights = lexicon.region_weights
        plans = self.plans
        window = lexicon.window
        trigger_weight = lexicon.trigger_weight
        read = _Reading()
        places, scores, evidence, exposure = read.places, read.scores, read.evidence, read.exposure
        index = -1  # of the match, in the order they were kept
        for item, field_multiplier, raws in kept:
            for raw in raws:
                index += 1
                multiplier = field_multiplier
                start, _, term_index, end = raw
                if item.marked:
                    region = item.kind_at(start)
                    if region:
                        multiplier *= region_weights.get(region, 1.0)
                place = item.locate(start, end) if item.mapped else (item.name, start, end, item.source[start:end])
                places.append(place)
                rule, weights, standalone, tags, signals, trigger = plans[term_index]
                for name, weight in weights:
                    score = (weight * multiplier, index, rule, standalone)
                    listed = scores.get(name)
                    if listed is None:
                        scores[name] = [score]
                    else:
                        listed.append(score)
                if trigger:
                    found = evidence.get(trigger)
                    if found is None:
                        found = evidence[trigger] = ([], [])
                    found[0].append((rounded(trigger_weight * multiplier, 3), *place, rule))
                    continue
                for name, weight, context in tags:
                    if context is None or context.in_window(item.window(start, end, window)):
                        found = evidence.get(name)
                        if found is None:
                            found = evidence[name] = ([], [])
                        found[1].append((rounded(weight * multiplier, 3), *place, rule))
                for name, weight in signals:
                    # the scorer keeps the first strongest signal of each name: only those are passed on.
                    strength = weight * min(multiplier, 1.0)
                    best = exposure.get(name)
                    if best is None or strength > best[0]:
                        exposure[name] = (strength, index)
        return read

    def _list_field(self, kind: str, values: tuple[str, ...]) -> _ListField | None:
        """Labels or components (strings: `_well_typed`), prepared and matched once per
        distinct list: they repeat from ticket to ticket. None for a list of empty values."""
        key = (kind, values)
        prepared = self.lists.get(key)
        if prepared is None:
            texts = [value.replace("\n", " ") for value in values]
            if not any(texts):
                return None
            # One joined text per list: " | " keeps a phrase from running across two values.
            parts = tuple(itertools.accumulate((len(t) + len(_LIST_JOIN) for t in texts[:-1]), initial=0))
            joined = _LIST_JOIN.join(texts)
            words = field_words(joined, self.vocabulary)
            field = _Field(kind, joined, joined, None, False, words, parts)
            prepared = _ListField(field, self.matcher.scan(words))
            if len(joined) <= _LIST_CACHE_CHARS:
                if len(self.lists) >= _LIST_CACHE:
                    self.lists.clear()
                self.lists[key] = prepared
        return prepared

    def _check_deferred(
        self, kept: list[_Kept], deferred: list[tuple[int, RawMatch]], whole: _TicketText
    ) -> list[_Kept]:
        """`kept` without the deferred matches that a sense rule drops."""
        terms = self.matcher.terms
        dropped = {
            (at, raw) for at, raw in deferred if self._suppressed(raw, terms[raw[2]], kept[at][0], whole)
        }  # a match is unique within its field
        if not dropped:
            return kept
        remaining = [
            (item, weight, [raw for raw in raws if (at, raw) not in dropped])
            for at, (item, weight, raws) in enumerate(kept)
        ]
        return [group for group in remaining if group[2]]

    def _cannot_fire(self, groups: Iterable[tuple[Sequence[RawMatch], float]]) -> bool:
        """True when no indicator can fire (`_reach` is empty)."""
        reach = self._reach(groups)
        return reach is not None and not reach

    def _reach(self, groups: Iterable[tuple[Sequence[RawMatch], float]]) -> set[str] | None:
        """The indicators that can still fire, given the matches in groups, each group with a
        multiplier at least as large as the one its matches will really get; None when it
        is not worth knowing (one match alone can fire one) or not sound to say.

        Sense rules only drop matches, and dampeners and regions only multiply by at most 1
        (regions by at most `bound_region`), so the scores of these upper bounds bound the
        real scores from above: most tickets that are not security work stop here, before
        their regions are found, their evidence is built and their frameworks are weighed.
        Term field restrictions are checked by the caller or cost nothing to ignore.
        """
        bound = self.bound_weights
        if bound is None:
            return None
        floor = self.lexicon.indicator_threshold - 1e-9  # the margin covers float rounding
        cap = self.lexicon.repeat_cap
        early = cap >= 1.0  # then one match alone at the threshold settles it
        rules: dict[tuple[str, int], list[float]] = {}  # (indicator, term) -> [sum, best]
        for raws, multiplier in groups:
            for raw in raws:
                term = raw[2]
                weights = bound.get(term)
                if weights is None:
                    continue
                for name, weight in weights:
                    value = weight * multiplier
                    if early and value >= floor:
                        return None
                    rule = rules.get((name, term))
                    if rule is None:
                        rules[(name, term)] = [value, value]
                    else:
                        rule[0] += value
                        if value > rule[1]:
                            rule[1] = value
        totals: dict[str, float] = {}
        for (name, _), (total, best) in rules.items():
            totals[name] = totals.get(name, 0.0) + min(total, cap * best)
        return {name for name, total in totals.items() if total >= floor}

    def _dampening(self, fields: Sequence[_Field], ticket: _TicketText, project: str) -> float:
        damp_words = self.damp_words
        damp_fields = self.damp_fields
        name = project.rsplit("/", 1)[-1]  # the repository; startswith(()) is False
        if not name.startswith(self.damp_prefixes) and not any(
            item.kind in damp_fields and item.prepared.overlaps(damp_words) for item in fields
        ):
            return 1.0  # no dampener can apply: neither its name prefixes nor its words are there
        factor = 1.0
        for damp in self.dampeners:
            applies = name.startswith(damp.name_prefixes)
            if not applies and damp.words is not None:
                applies = any(item.kind in damp.fields and damp.words.in_field(item.prepared) for item in fields)
            if applies and (damp.unless is None or not ticket.has(damp.unless)):
                factor = min(factor, damp.factor)
        return factor

    def _suppressed(self, raw: RawMatch, term: Term, item: _Field, ticket: _TicketText) -> bool:
        low = item.low
        start, end = raw[0], raw[3]
        matched = low[start:end]
        # Word rules apply to single-word matches only (what [^\W_]+ matches, without a regex).
        key = (term.id, matched if matched in self.senses_by_word and matched.isalnum() else "")
        checks = self.sense_checks.get(key)
        if checks is None:
            senses = self.senses_by_term.get(term.id, ()) + self.senses_by_word.get(key[1], ())
            checks = self.sense_checks[key] = _merge_checks(senses, self.near_of.get(term.id))
        near, wide, before, after, required, reach, before_ends = checks
        spaced = item.prepared.spaced
        if (
            before is not None
            # most matches have no `before` form in front: the word there says so without the regex
            and (before_ends is None or not spaced or _word_before(spaced, start) in before_ends)
            and before.search(low, max(0, start - reach), start)
        ):
            return True
        if after is not None and after.match(low, end, end + _EDGE_REACH):
            return True
        if wide is not None and ticket.has(wide):
            return True
        if near is None and required is None:
            return False
        around = item.window(start, end, self.lexicon.window)
        if near is not None and near.in_window(around):
            return True
        return required is not None and not required.in_window(around)

    def _indicators(
        self,
        scores: Mapping[str, list[_Score]],
        places: Sequence[_Place],
    ) -> tuple[IndicatorHit, ...]:
        threshold = self.lexicon.indicator_threshold
        cap = self.lexicon.repeat_cap
        totals: dict[str, float] = {}
        alone = False  # whether an indicator fires on its standalone evidence
        for name, listed in scores.items():
            total, own = _totals(listed, cap)
            totals[name] = total
            alone = alone or (own is not None and own >= threshold)
        if not alone:
            return ()
        fired: list[IndicatorHit] = []
        shown = self.lexicon.max_evidence
        for name in INDICATORS:
            summed = totals.get(name)
            if summed is None:
                continue
            score = rounded(summed, 3)
            if score < threshold:
                continue
            # Evidence objects only for what is shown: the strongest matches of a fired indicator.
            listed = scores[name]
            if len(listed) > 3 * shown:  # only the strongest can be shown (strongest_items orders them)
                listed = sorted(listed, key=_strongest_first)[: 3 * shown]
            items = [(rounded(weight, 3), *places[i], rule) for weight, i, rule, _ in listed]
            fired.append(_make_indicator_hit(name, score, strongest_items(items, shown)))
        return tuple(fired)


_Score = tuple[float, int, str, bool]  # a match's weight for an indicator, the match, its rule, not support


def _strongest_first(score: _Score) -> tuple[float, int]:
    return -score[0], score[1]


def _totals(listed: Sequence[_Score], cap: float) -> tuple[float, float | None]:
    """An indicator's score from all its matches, and from its standalone ones (None: none).

    Summed by rule; repeats of one rule add up to at most `cap` x its best match.
    """
    if len(listed) == 1:  # what the sums below make of one match (0 + ...: as sum() adds)
        value, _, _, standalone = listed[0]
        total = 0 + min(0.0 + value, cap * max(0.0, value))
        return total, total if standalone else None
    total = _total(_by_rule(listed), cap)
    own = [score for score in listed if score[3]]
    if len(own) == len(listed):
        return total, total  # the same sums
    return total, _total(_by_rule(own), cap) if own else None


def _by_rule(listed: Iterable[_Score]) -> dict[str, list[float]]:
    """rule -> [sum, best] of its matches, in their order, as if both started at 0.0."""
    rules: dict[str, list[float]] = {}
    for value, _, rule_id, _ in listed:
        rule = rules.get(rule_id)
        if rule is None:
            rules[rule_id] = [0.0 + value, max(0.0, value)]
        else:
            rule[0] += value
            rule[1] = max(rule[1], value)
    return rules


def _total(rules: Mapping[Any, list[float]], cap: float) -> float:
    return sum(min(total, cap * best) for total, best in rules.values())


_Place = tuple[str, int, int, str]  # field name ("labels[2]"), source offsets, source text


class _TicketText:
    """Title and description together, for ticket-wide context."""

    __slots__ = ("_fields", "_has")

    def __init__(self, fields: Sequence[_Field]) -> None:
        self._fields = fields
        # `has` by context: a rule is often asked again for a later match of the same word.
        # By identity: the contexts live in the classifier, longer than this ticket.
        self._has: dict[int, bool] = {}

    def has(self, context: Context) -> bool:
        """`context.in_words` on the words of all fields (the fields' words joined by " | ",
        so that no phrase runs from one to the next), without a set of them all."""
        known = self._has.get(id(context))
        if known is None:
            known = self._has[id(context)] = self._look(context)
        return known

    def _look(self, context: Context) -> bool:
        for item in self._fields:
            if item.prepared.overlaps(context.words):
                return True
        if not context.phrases:
            return False
        if not any(item.prepared.overlaps(context.phrase_keys) for item in self._fields):
            return False
        return any(context.phrase_in_field(item.prepared) for item in self._fields)


def _fields(ticket: Ticket, vocabulary: Vocabulary | None) -> list[_Field]:
    """Title and description (labels and components: `Classifier._list_field`)."""
    fields: list[_Field] = []
    for name, source in (("title", ticket.title), ("description", ticket.description)):
        view, norm, markup = normalize_view(source)
        fields.append(_Field(name, source, view, norm, markup, field_words(view, vocabulary)))
    return fields


class _ListField(NamedTuple):
    """Labels or components joined for matching (the field depends on the values alone), and
    their matches."""

    field: _Field
    raws: list[RawMatch]


_LIST_CACHE = 4096  # distinct label and component lists kept per classifier
_LIST_CACHE_CHARS = 2000  # longer lists are not kept: memory stays flat whatever the input


_LIST_JOIN = " | "
_PROJECT_CHARS = 200  # of a project name looked at: names are short, tickets are untrusted


def _text(value: Any) -> str:
    # Tickets are untrusted: tolerate None and non-strings built by hand, never raise.
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _well_typed(ticket: Ticket) -> Ticket:
    """The ticket itself, or a copy whose fields hold what their types say.

    Tickets are untrusted: one built by hand may hold None, numbers or lists. The plain
    modules tolerate them field by field; compiled (tracer/native.py), the first typed read
    of such a field raises, so they are mended here, once, before any is read.
    """
    raw = cast(Any, ticket)  # read as it is, not as its type says
    if (
        type(raw.title) is str
        and type(raw.description) is str
        and type(raw.priority) is str
        and type(raw.issue_type) is str
        and type(raw.project) is str
        and _string_tuple(raw.labels)
        and _string_tuple(raw.components)
    ):
        return ticket
    fixes: dict[str, Any] = {
        name: _text(getattr(raw, name)) for name in ("title", "description", "priority", "issue_type", "project")
    }
    for name in ("labels", "components"):
        value = getattr(raw, name)
        if isinstance(value, str):
            fixes[name] = (value,)  # one label, not its characters
        else:
            fixes[name] = tuple(_text(item) for item in value) if isinstance(value, (list, tuple)) else ()
    return dataclasses.replace(ticket, **fixes)


def _string_tuple(value: Any) -> bool:
    return type(value) is tuple and all(type(item) is str for item in value)


# ---------------------------------------------------------------------------------------
# Building


def build_classifier(config: OrgConfig, lexicon: Lexicon | None = None) -> Classifier:
    """Compile the lexicon and the org's framework triggers for matching."""
    lexicon = lexicon or load_lexicon()
    triggers: list[Term] = []
    trigger_of: dict[int, str] = {}
    base = len(lexicon.terms)
    for name in FRAMEWORKS:
        policy = config.frameworks.get(name)
        if policy is None or not policy.enabled:
            continue
        for kind, values in (
            ("keywords", policy.triggers.keywords),
            ("components", policy.triggers.components),
            ("labels", policy.triggers.labels),
        ):
            for index, keyword in enumerate(values):
                term = _trigger_term(name, kind, index, keyword)
                if term is not None:
                    trigger_of[base + len(triggers)] = name
                    triggers.append(term)
    senses_by_word: dict[str, list[_CompiledSense]] = {}
    senses_by_term: dict[str, list[_CompiledSense]] = {}
    compiled_senses = [_compile_sense(sense) for sense in lexicon.senses]
    for sense, compiled in zip(lexicon.senses, compiled_senses, strict=True):
        for word in sense.words:
            senses_by_word.setdefault(word, []).append(compiled)
        for term_id in sense.terms:
            senses_by_term.setdefault(term_id, []).append(compiled)
    near_of: dict[str, Context] = {}
    tag_near: dict[tuple[int, str], Context] = {}
    for i, term in enumerate(lexicon.terms):
        context = compile_context(term.requires_near)
        if context is not None:
            near_of[term.id] = context
        for name, tag in term.frameworks.items():
            context = compile_context(tag.near)
            if context is not None:
                tag_near[(i, name)] = context
    weights = [w for t in lexicon.terms for w in t.indicators.values()]
    multipliers = [*lexicon.field_weights.values(), *lexicon.region_weights.values(), lexicon.repeat_cap]
    sound = all(w >= 0 for w in weights + multipliers) and all(d.factor >= 0 for d in lexicon.dampeners)
    dampeners = tuple(
        _CompiledDampener(
            d.id, d.fields, compile_context(d.words), d.factor, compile_context(d.unless), d.name_prefixes
        )
        for d in lexicon.dampeners
    )
    damp_words = frozenset(
        word for d in dampeners if d.words is not None for word in (*d.words.words, *d.words.phrase_keys)
    )
    # Every context a ticket's words are looked up for (merged sense rules are unions of these;
    # the dampeners' words are their `words` contexts).
    contexts = [
        *(sense.near for sense in compiled_senses),
        *near_of.values(),
        *tag_near.values(),
        *(context for d in dampeners for context in (d.words, d.unless)),
    ]
    framework_rules = FrameworkRules(
        threshold=lexicon.framework_threshold,
        repeat_cap=lexicon.repeat_cap,
        max_evidence=lexicon.max_evidence,
        gates={name: gate.requires_any for name, gate in lexicon.gates.items()},
    )
    risk_scorer = RiskScorer(config, risk_model_from(lexicon.risk))
    all_terms = (*lexicon.terms, *triggers)
    screening = tuple(
        (_CHECKED if t.id in senses_by_term or t.id in near_of else 0)
        | (_WORD_SENSE if not senses_by_word.keys().isdisjoint(_spellings(t)) else 0)
        | (_RESTRICTED if t.fields else 0)
        for t in all_terms
    )
    return Classifier(
        lexicon=lexicon,
        config=config,
        matcher=Matcher(all_terms, (0,) * base + (1,) * len(triggers)),
        senses_by_word={w: tuple(s) for w, s in senses_by_word.items()},
        senses_by_term={i: tuple(s) for i, s in senses_by_term.items()},
        near_of=near_of,
        screening=screening,
        restricted_terms={i: t.fields for i, t in enumerate(all_terms) if t.fields},
        dampeners=dampeners,
        plans=tuple(_plan(i, term, trigger_of.get(i, ""), tag_near) for i, term in enumerate(all_terms)),
        judge=FrameworkJudge(config, framework_rules),
        risk_scorer=risk_scorer,
        bound_weights=(
            {i: tuple(t.indicators.items()) for i, t in enumerate(lexicon.terms) if t.indicators and not t.support}
            if sound
            else None
        ),
        bound_region=max([1.0, *lexicon.region_weights.values()]),
        standalone_of={
            i: frozenset(t.indicators) for i, t in enumerate(lexicon.terms) if t.indicators and not t.support
        },
        damp_words=damp_words,
        damp_fields=frozenset(name for d in dampeners for name in d.fields),
        damp_prefixes=tuple(prefix for d in dampeners for prefix in d.name_prefixes),
        quiet=Classification(False, (), (), risk_scorer.quiet),
        vocabulary=context_vocabulary(contexts),
    )


def _spellings(term: Term) -> set[str]:
    """Every single word a match of the term can read as, lowercase (what a word sense keys on)."""
    words = {"".join(form) for form in term.forms} | {form[0] for form in term.forms if len(form) == 1}
    return words | {acronym.lower() for acronym in term.acronyms} | {lower_view(a) for a in term.acronyms}


def _plan(index: int, term: Term, trigger: str, tag_near: Mapping[tuple[int, str], Context]) -> _Plan:
    return _Plan(
        rule=term.id,
        indicators=tuple(term.indicators.items()),
        standalone=not term.support,
        tags=tuple((name, tag.weight, tag_near.get((index, name))) for name, tag in term.frameworks.items()),
        risk=tuple(term.risk.items()),
        trigger=trigger,
    )


def _trigger_term(framework: str, kind: str, index: int, keyword: str) -> Term | None:
    """An org trigger as a term: word-aware, inflected; ALL-CAPS single words keep their case."""
    words = _SINGLE_WORD.findall(keyword)
    if not words:
        return None
    rule = f"policy:frameworks.{framework}.triggers.{kind}[{index}]"
    fields = ("labels",) if kind == "labels" else ("components",) if kind == "components" else ()
    word = words[0]
    if len(words) == 1 and sum(ch.isupper() for ch in word) >= 2 and not any(ch.islower() for ch in word):
        return Term(id=rule, forms=(), acronyms=(word, word + "s"), fields=fields)
    return Term(id=rule, forms=word_forms(keyword), fields=fields)


def _compile_sense(sense: Sense) -> _CompiledSense:
    def edge(phrases: Sequence[str]) -> tuple[tuple[str, ...], ...]:
        return tuple(sorted({form for p in phrases for form in word_forms(p)}))

    return _CompiledSense(
        id=sense.id,
        near=compile_context(sense.unless_near),
        before=edge(sense.unless_before),
        after=edge(sense.unless_after),
        ticket_wide=sense.ticket_wide,
    )


def _merge_checks(senses: Sequence[_CompiledSense], required: Context | None) -> _Checks:
    near = _union(s.near for s in senses if not s.ticket_wide)
    wide = _union(s.near for s in senses if s.ticket_wide)
    before = sorted({alternative for s in senses for alternative in s.before})
    after = sorted({alternative for s in senses for alternative in s.after})
    return _Checks(
        near=near,
        wide=wide,
        # the context words end right before the match / start right after it
        # (only whether they match counts, so the alternatives can be a trie: one pass, not one per word)
        before=re.compile(rf"(?<![^\W_]){_edge(before)}{_EDGE_GAP}$") if before else None,
        after=re.compile(rf"{_EDGE_GAP}{_edge(after)}(?![^\W_])") if after else None,
        required=required,
        # the longest form with its most separators between its words and after it, and a
        # newline that `$` may stand before: the pattern can match nowhere further back
        reach=min(_EDGE_REACH, max((sum(map(len, f)) + _EDGE_GAP_MAX * len(f) + 1 for f in before), default=0)),
        before_ends=_last_words(before),
    )


def _last_words(forms: Sequence[tuple[str, ...]]) -> frozenset[str] | None:
    """The run of letters and digits each form ends with; None if one ends otherwise ("c++":
    more characters between its last letter and the match than `_GAP_BEFORE` counts)."""
    ends: set[str] = set()
    for form in forms:
        runs = _SINGLE_WORD.findall(form[-1]) if form else []
        if not runs or not form[-1].endswith(runs[-1]):
            return None
        ends.add(runs[-1])
    return frozenset(ends)


def _tracker_key(view: str, start: int, end: int, exempt: frozenset[str]) -> bool:
    """Whether view[start:end], a match followed by a hyphen, is the project part of a tracker's
    issue key ("PAY-123", "PCI-516"): one word in capitals, then two or more digits."""
    word = view[start:end]
    return view[end + 1 : end + 3].isdigit() and word.isalnum() and word.isupper() and word.lower() not in exempt


def _word_before(spaced: str, start: int) -> str:
    """The run of letters and digits that ends nearest before view offset `start`, read in a
    field's `spaced` text; "" when more than `_GAP_BEFORE` characters that are not letters or
    digits come first, or none does (then `before` cannot match)."""
    end = start  # spaced[start] is the view's start - 1
    stop = max(0, start - _GAP_BEFORE)
    while end > stop and spaced[end] == " ":
        end -= 1
    if spaced[end] == " ":
        return ""
    return spaced[spaced.rfind(" ", 0, end) + 1 : end + 1]


_EDGE_REACH = 40  # characters either side of a match that `before` and `after` look at
_EDGE_GAP_MAX = 4  # separators between a match and a `before` or `after` form
_EDGE_GAP = rf"[\s\-_/*~+:'\"]{{0,{_EDGE_GAP_MAX}}}"
_GAP_BEFORE = _EDGE_GAP_MAX + 1  # what `before` allows after its form: its gap, and the newline `$` stands before


def _edge(forms: Sequence[tuple[str, ...]]) -> str:
    return f"(?:{trie_pattern(forms, SEPARATOR, '')})"


def _union(contexts: Iterable[Context | None]) -> Context | None:
    present = [c for c in contexts if c is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return Context(
        frozenset().union(*(c.words for c in present)),
        tuple(sorted({p for c in present for p in c.phrases})),
        frozenset().union(*(c.phrase_keys for c in present)),
    )


class _ConfigKey:
    """Hashes an OrgConfig by identity (its mappings make it unhashable by value)."""

    __slots__ = ("config",)

    def __init__(self, config: OrgConfig) -> None:
        self.config = config

    def __hash__(self) -> int:
        return id(self.config)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ConfigKey) and other.config is self.config


@functools.lru_cache(maxsize=8)
def _cached_classifier(key: _ConfigKey) -> Classifier:
    return build_classifier(key.config)


def classify(ticket: Ticket, config: OrgConfig, classifier: Classifier | None = None) -> Classification:
    """Classify one ticket; the compiled classifier is cached per config object."""
    if classifier is None or classifier.config is not config:
        classifier = _cached_classifier(_ConfigKey(config))
    return classifier.classify(ticket)


# ---------------------------------------------------------------------------------------
# Output for `vibeward classify`


def _evidence_record(item: Evidence) -> dict[str, Any]:
    return {
        "field": item.field,
        "text": item.text,
        "start": item.start,
        "end": item.end,
        "weight": item.weight,
        "rule": item.rule,
    }


def classification_record(ticket: Ticket, classification: Classification, with_evidence: bool) -> dict[str, Any]:
    """One JSON Lines record: names always, evidence (field, text, offsets, rule) on request."""
    indicators: list[dict[str, Any]] = []
    for hit in classification.indicators:
        entry: dict[str, Any] = {"name": hit.name, "score": hit.score}
        if with_evidence:
            entry["evidence"] = [_evidence_record(e) for e in hit.evidence]
        indicators.append(entry)
    frameworks: list[dict[str, Any]] = []
    for fw in classification.frameworks:
        entry = {"name": fw.name, "reason": fw.reason}
        if with_evidence:
            entry["evidence"] = [_evidence_record(e) for e in fw.evidence]
        frameworks.append(entry)
    risk: dict[str, Any] = {"score": classification.risk.score, "level": classification.risk.level}
    if with_evidence:
        risk["factors"] = [
            {"name": f.name, "weight": f.weight, "reason": f.reason} for f in classification.risk.factors
        ]
        risk["actions"] = list(classification.risk.actions)
    return {
        "schema": "vibeward.classification/v1",
        "id": ticket.key,
        "security_relevant": classification.security_relevant,
        "indicators": indicators,
        "frameworks": frameworks,
        "risk": risk,
    }


def _places(evidence: Sequence[Evidence], limit: int = 3) -> str:
    """The first `limit` places of the evidence, each once: two rules that read the same words
    (a word that is evidence alone and, near a context, stronger evidence) show them once."""
    seen: set[tuple[str, int, int]] = set()
    shown: list[str] = []
    for item in evidence:
        place = (item.field, item.start, item.end)
        if place not in seen:
            seen.add(place)
            shown.append(f"{_quote(item.text)} ({item.field})")
            if len(shown) == limit:
                break
    return ", ".join(shown)


def _quote(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f'"{flat}"'


def render_classification_text(ticket: Ticket, classification: Classification) -> str:
    """Human-readable classification: each decision with the words and fields behind it."""
    title = " ".join(ticket.title.split()) or "(no title)"
    risk = classification.risk
    lines = [f"{ticket.key}: {title}"]
    if not classification.security_relevant:
        lines.append(f"  not security-relevant (risk {risk.level}, {risk.score:g}/10)")
        return "\n".join(lines) + "\n"
    lines.append(f"  security-relevant; risk {risk.level} ({risk.score:g}/10)")
    lines.append("  indicators:")
    for hit in classification.indicators:
        lines.append(f"    {hit.name} ({hit.score:g}): {_places(hit.evidence)}")
    if classification.frameworks:
        lines.append("  frameworks:")
        for fw in classification.frameworks:
            if fw.reason == "baseline":
                lines.append(f"    org baseline (frameworks.{fw.name}.baseline) → {fw.name} applicable")
                continue
            best = fw.evidence[0] if fw.evidence else None
            if best is None:
                lines.append(f"    → {fw.name} applicable ({fw.reason})")
            else:
                via = "org trigger" if best.rule.startswith("policy:") else "lexicon"
                lines.append(f"    {_quote(best.text)} ({best.field}) → {fw.name} applicable [{via} {best.rule}]")
    if risk.factors:
        lines.append("  risk factors: " + ", ".join(f"{f.name} {f.weight:+g}" for f in risk.factors))
    if risk.actions:
        lines.append("  actions: " + "; ".join(risk.actions))
    return "\n".join(lines) + "\n"


__all__ = [
    "Classifier",
    "build_classifier",
    "classification_record",
    "classify",
    "render_classification_text",
]
