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
markup is blanked), then an upper bound of every indicator's score (`_cannot_fire`), then
the senses and the bound again, and only then the regions, evidence, frameworks and risk.

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
from typing import Any, NamedTuple

from tracer.config import OrgConfig
from tracer.frameworks import FrameworkRules, Item, frameworks_for, strongest_items
from tracer.lexicon import (
    SEPARATOR,
    Context,
    FieldWords,
    Lexicon,
    Matcher,
    RawMatch,
    Sense,
    Term,
    Window,
    compile_context,
    field_words,
    load_lexicon,
    trie_pattern,
    word_forms,
)
from tracer.model import FRAMEWORKS, INDICATORS, Classification, Evidence, IndicatorHit, Ticket
from tracer.risk import RiskModel, RiskSignal, risk_model_from, score_risk
from tracer.textnorm import NormText, Region, normalize_view, region_runs

_SINGLE_WORD = re.compile(r"[^\W_]+")


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


@dataclass(frozen=True)
class _CompiledDampener:
    id: str
    fields: tuple[str, ...]
    words: Context | None
    factor: float
    unless: Context | None


class _Field:
    """One field of a ticket, prepared for matching; its regions are found on first use."""

    __slots__ = (
        "_markup", "_norm", "_runs", "_starts", "_windows", "kind", "low", "name", "parts", "prepared", "source", "view"
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
        self._runs: tuple[Region, ...] | None = None
        self._starts: tuple[int, ...] = ()
        self._windows: dict[tuple[int, int], Window] | None = None

    def kind_at(self, pos: int) -> str:
        """The region kind covering a view offset, or "" for plain prose."""
        if self._norm is not None:
            return self._norm.kind_at(pos)
        if not self._markup:
            return ""
        if self._runs is None:
            self._runs = region_runs(self.source)
            self._starts = tuple(r.start for r in self._runs)
        index = bisect.bisect_right(self._starts, pos) - 1
        if index >= 0 and pos < self._runs[index].end:
            return self._runs[index].kind
        return ""

    def window(self, start: int, end: int, size: int) -> Window:
        """The context words around a match, cut once however many rules look at them."""
        if self._windows is None:
            self._windows = {}
        around = self._windows.get((start, end))
        if around is None:
            around = self._windows[(start, end)] = Window(self.low, start, end, size, self.prepared.spaced)
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
    trigger_of: Mapping[int, str]  # term index of a trigger -> framework
    senses_by_word: Mapping[str, tuple[_CompiledSense, ...]]
    senses_by_term: Mapping[str, tuple[_CompiledSense, ...]]  # by term id
    near_of: Mapping[str, Context]  # term id -> requires_near context
    tag_near: Mapping[tuple[int, str], Context]  # (term, framework) -> near context
    dampeners: tuple[_CompiledDampener, ...]
    checked_terms: frozenset[int]  # term indices with a sense rule or `requires_near`
    framework_rules: FrameworkRules
    risk_model: RiskModel
    # The pre-filter (see `_cannot_fire`): term index -> its standalone indicator weights,
    # None when the lexicon's numbers make an upper bound unsound (a negative weight).
    bound_weights: Mapping[int, tuple[tuple[str, float], ...]] | None
    bound_region: float  # the largest region weight, at least 1.0 (prose)
    damp_words: frozenset[str]  # every word any dampener looks for, for a quick reject
    damp_fields: frozenset[str]  # every field any dampener looks at
    quiet: Classification  # the result of every ticket that is not security-relevant
    # Prepared label and component lists by (field, values); bounded, cleared when full.
    lists: dict[tuple[str, tuple[str, ...]], _ListField] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )
    # Merged sense rules by (term id, matched word or ""), built on first use (bounded by the lexicon).
    sense_checks: dict[tuple[str, str], _Checks] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def classify(self, ticket: Ticket) -> Classification:
        fields = _fields(ticket)
        scan = self.matcher.scan
        scans = [(item, raws) for item in fields if (raws := scan(item.prepared))]
        for kind, values in (("labels", ticket.labels), ("components", ticket.components)):
            if values:
                prepared = self._list_field(kind, values)
                if prepared is not None:
                    item = _Field(kind, prepared.joined, prepared.joined, None, False, prepared.words, prepared.parts)
                    fields.append(item)
                    if prepared.raws:
                        scans.append((item, prepared.raws))
        if not scans:
            return self.quiet
        # The pre-filter, first on every match at its field weight (before any sense rule).
        field_weights = self.lexicon.field_weights
        region_bound = self.bound_region
        if self._cannot_fire(
            (raw.term, field_weights.get(item.kind, 1.0) * region_bound) for item, raws in scans for raw in raws
        ):
            return self.quiet
        whole = _TicketText(fields[:2])  # title and description; joined only if a rule asks
        damp = self._dampening(fields, whole)
        lexicon = self.lexicon
        terms = self.matcher.terms
        checked = self.checked_terms
        senses_by_word = self.senses_by_word
        kept: list[tuple[Term, RawMatch, _Field, float]] = []
        for item, raws in scans:
            field_weight = field_weights.get(item.kind, 1.0) * damp
            low = item.low
            kind = item.kind
            for raw in raws:
                term = terms[raw.term]
                if term.fields and kind not in term.fields:
                    continue
                if (raw.term in checked or low[raw.start : raw.end] in senses_by_word) and self._suppressed(
                    raw, term, item, whole
                ):
                    continue
                kept.append((term, raw, item, field_weight))
        # Then on the matches the senses kept, before the regions are found.
        if not kept or self._cannot_fire((raw.term, weight * region_bound) for _, raw, _, weight in kept):
            return self.quiet
        # One pass over the kept matches: their weight in their region, their place, and what
        # they say for the indicators, the frameworks and the risk.
        region_weights = lexicon.region_weights
        trigger_of = self.trigger_of
        tag_near = self.tag_near
        window = lexicon.window
        trigger_weight = lexicon.trigger_weight
        places: list[_Place] = []
        rules: list[str] = []  # the term id of each kept match
        scores = _Scores()
        signals: list[tuple[str, bool, Item]] = []
        exposure: dict[str, tuple[float, int, float]] = {}  # risk signal -> strength, match, weight
        for index, (term, raw, item, multiplier) in enumerate(kept):
            start, end, term_index = raw
            region = item.kind_at(start)
            if region:
                multiplier *= region_weights.get(region, 1.0)
            place = item.locate(start, end)
            places.append(place)
            rule = term.id
            rules.append(rule)
            if term.indicators:
                scores.add(term, index, multiplier)
            trigger = trigger_of.get(term_index)
            if trigger is not None:
                signals.append((trigger, True, (round(trigger_weight * multiplier, 3), *place, rule)))
                continue
            for name, tag in term.frameworks.items():
                context = tag_near.get((term_index, name))
                if context is None or context.in_window(item.window(start, end, window)):
                    signals.append((name, False, (round(tag.weight * multiplier, 3), *place, rule)))
            for name, weight in term.risk.items():
                # score_risk keeps the first strongest signal of each name: only those are built.
                strength = weight * min(multiplier, 1.0)
                best = exposure.get(name)
                if best is None or strength > best[0]:
                    exposure[name] = (strength, index, weight)
        built: dict[Item, Evidence] = {}  # evidence objects, shared between indicators and frameworks
        indicators = self._indicators(scores, places, rules, built)
        if not indicators:
            return self.quiet
        risk_signals = [
            RiskSignal(name, strength, _evidence(places[index], weight, rules[index]))
            for name, (strength, index, weight) in exposure.items()
        ]
        frameworks = frameworks_for(signals, indicators, self.config, self.framework_rules, built)
        risk = score_risk(
            indicators, ticket, self.config, frameworks=frameworks, signals=risk_signals, model=self.risk_model
        )
        return Classification(security_relevant=True, indicators=indicators, frameworks=frameworks, risk=risk)

    def _list_field(self, kind: str, values: Sequence[Any]) -> _ListField | None:
        """Labels or components, prepared and matched once per distinct list: they repeat
        from ticket to ticket. None for a list of empty values."""
        key = (kind, tuple(values)) if all(type(v) is str for v in values) else None
        prepared = self.lists.get(key) if key is not None else None
        if prepared is None:
            texts = [_text(value).replace("\n", " ") for value in values]
            if not any(texts):
                return None
            # One joined text per list: " | " keeps a phrase from running across two values.
            parts = tuple(itertools.accumulate((len(t) + len(_LIST_JOIN) for t in texts[:-1]), initial=0))
            joined = _LIST_JOIN.join(texts)
            words = field_words(joined)
            prepared = _ListField(joined, parts, words, self.matcher.scan(words))
            if key is not None and len(joined) <= _LIST_CACHE_CHARS:
                if len(self.lists) >= _LIST_CACHE:
                    self.lists.clear()
                self.lists[key] = prepared
        return prepared

    def _cannot_fire(self, matches: Iterable[tuple[int, float]]) -> bool:
        """True when no indicator can fire, given each match (a term index) and a multiplier
        at least as large as the one it will really get.

        Sense rules only drop matches, and dampeners and regions only multiply by at most 1
        (regions by at most `bound_region`), so the scores of these upper bounds bound the
        real scores from above: most tickets that are not security work stop here, before
        their regions are found, their evidence is built and their frameworks are weighed.
        Term field restrictions are checked by the caller or cost nothing to ignore.
        """
        bound = self.bound_weights
        if bound is None:
            return False
        floor = self.lexicon.indicator_threshold - 1e-9  # the margin covers float rounding
        cap = self.lexicon.repeat_cap
        early = cap >= 1.0  # then one match alone at the threshold settles it
        rules: dict[tuple[str, int], list[float]] = {}  # (indicator, term) -> [sum, best]
        for term, multiplier in matches:
            weights = bound.get(term)
            if weights is None:
                continue
            for name, weight in weights:
                value = weight * multiplier
                if early and value >= floor:
                    return False
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
        return all(total < floor for total in totals.values())

    def _dampening(self, fields: Sequence[_Field], ticket: _TicketText) -> float:
        damp_words = self.damp_words
        damp_fields = self.damp_fields
        if all(f.kind not in damp_fields or not f.prepared.overlaps(damp_words) for f in fields):
            return 1.0  # no dampener can apply: none of their words is in their fields
        factor = 1.0
        for damp in self.dampeners:
            if damp.words is None:
                continue
            if any(f.kind in damp.fields and damp.words.in_words(f.prepared.words, f.prepared.joined) for f in fields):
                if damp.unless is not None and ticket.has(damp.unless):
                    continue
                factor = min(factor, damp.factor)
        return factor

    def _suppressed(self, raw: RawMatch, term: Term, item: _Field, ticket: _TicketText) -> bool:
        low = item.low
        start, end = raw.start, raw.end
        matched = low[start:end]
        # Word rules apply to single-word matches only (what [^\W_]+ matches, without a regex).
        key = (term.id, matched if matched in self.senses_by_word and matched.isalnum() else "")
        checks = self.sense_checks.get(key)
        if checks is None:
            senses = self.senses_by_term.get(term.id, ()) + self.senses_by_word.get(key[1], ())
            checks = self.sense_checks[key] = _merge_checks(senses, self.near_of.get(term.id))
        if checks.before is not None and checks.before.search(low, max(0, start - 40), start):
            return True
        if checks.after is not None and checks.after.match(low, end, end + 40):
            return True
        if checks.wide is not None and ticket.has(checks.wide):
            return True
        if checks.near is None and checks.required is None:
            return False
        around = item.window(start, end, self.lexicon.window)
        if checks.near is not None and checks.near.in_window(around):
            return True
        return checks.required is not None and not checks.required.in_window(around)

    def _indicators(
        self, scores: _Scores, places: Sequence[_Place], rules: Sequence[str], built: dict[Item, Evidence]
    ) -> tuple[IndicatorHit, ...]:
        threshold = self.lexicon.indicator_threshold
        cap = self.lexicon.repeat_cap
        if not any(_total(by_rule, cap) >= threshold for by_rule in scores.own.values()):
            return ()
        fired: list[IndicatorHit] = []
        shown = self.lexicon.max_evidence
        everything = scores.everything
        for name in INDICATORS:
            by_rule = everything.get(name)
            if not by_rule:
                continue
            score = round(_total(by_rule, cap), 3)
            if score >= threshold:
                # Evidence objects only for what is shown: the strongest matches of a fired indicator.
                best = sorted(scores.ranked[name])[: 3 * shown]
                items = [(round(-weight, 3), *places[i], rules[i]) for weight, i in best]
                fired.append(IndicatorHit(name, score, strongest_items(items, shown, built)))
        return tuple(fired)


class _Scores:
    """The indicator evidence of the kept matches, summed by indicator and rule."""

    __slots__ = ("everything", "own", "ranked")

    def __init__(self) -> None:
        # indicator -> rule -> [sum, best], kept apart for standalone and support evidence
        self.own: dict[str, dict[str, list[float]]] = {}
        self.everything: dict[str, dict[str, list[float]]] = {}
        self.ranked: dict[str, list[tuple[float, int]]] = {}  # indicator -> (-weight, match), to sort

    def add(self, term: Term, index: int, multiplier: float) -> None:
        everything = self.everything
        for name, weight in term.indicators.items():
            value = weight * multiplier
            by_rule = everything.get(name)
            if by_rule is None:
                by_rule = everything[name] = {}
                self.ranked[name] = [(-value, index)]
            else:
                self.ranked[name].append((-value, index))
            rule = by_rule.get(term.id)
            if rule is None:
                by_rule[term.id] = [0.0 + value, max(0.0, value)]  # as if added to [0.0, 0.0]
            else:
                rule[0] += value
                rule[1] = max(rule[1], value)
            if not term.support:
                own = self.own.get(name)
                if own is None:
                    own = self.own[name] = {}
                rule = own.get(term.id)
                if rule is None:
                    own[term.id] = [0.0 + value, max(0.0, value)]
                else:
                    rule[0] += value
                    rule[1] = max(rule[1], value)


def _total(rules: Mapping[Any, list[float]], cap: float) -> float:
    return sum(min(total, cap * best) for total, best in rules.values())


def _evidence(place: _Place, weight: float, rule: str) -> Evidence:
    name, start, end, text = place
    return Evidence(field=name, text=text, start=start, end=end, weight=round(weight, 3), rule=rule)


_Place = tuple[str, int, int, str]  # field name ("labels[2]"), source offsets, source text


class _TicketText:
    """Title and description together, for ticket-wide context; built on first use."""

    def __init__(self, fields: Sequence[_Field]) -> None:
        self._fields = fields
        self._joined: str | None = None
        self._padded: str | None = None
        # `has` by context: a rule is often asked again for a later match of the same word.
        # By identity: the contexts live in the classifier, longer than this ticket.
        self._has: dict[int, bool] = {}

    @property
    def joined(self) -> str:
        if self._joined is None:
            self._joined = " | ".join(f.prepared.joined for f in self._fields)
        return self._joined

    def has(self, context: Context) -> bool:
        """`context.in_words` on the words of all fields, without a set of them all."""
        known = self._has.get(id(context))
        if known is None:
            known = self._has[id(context)] = self._look(context)
        return known

    def _look(self, context: Context) -> bool:
        if any(f.prepared.overlaps(context.words) for f in self._fields):
            return True
        if not context.phrases or not any(f.prepared.overlaps(context.phrase_words) for f in self._fields):
            return False
        if self._padded is None:
            self._padded = f" {self.joined} "
        return context.phrase_in(self._padded)


def _fields(ticket: Ticket) -> list[_Field]:
    """Title and description (labels and components: `Classifier._list_fields`)."""
    fields: list[_Field] = []
    for name, value in (("title", ticket.title), ("description", ticket.description)):
        source = _text(value)
        view, norm, markup = normalize_view(source)
        fields.append(_Field(name, source, view, norm, markup, field_words(view)))
    return fields


class _ListField(NamedTuple):
    """Labels or components joined for matching, and their matches."""

    joined: str
    parts: tuple[int, ...]  # where each value starts in `joined`
    words: FieldWords
    raws: list[RawMatch]


_LIST_CACHE = 4096  # distinct label and component lists kept per classifier
_LIST_CACHE_CHARS = 2000  # longer lists are not kept: memory stays flat whatever the input


_LIST_JOIN = " | "


def _text(value: Any) -> str:
    # Tickets are untrusted: tolerate None and non-strings built by hand, never raise.
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


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
    for sense in lexicon.senses:
        compiled = _compile_sense(sense)
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
        _CompiledDampener(d.id, d.fields, compile_context(d.words), d.factor, compile_context(d.unless))
        for d in lexicon.dampeners
    )
    risk_model = risk_model_from(lexicon.risk)
    return Classifier(
        lexicon=lexicon,
        config=config,
        matcher=Matcher((*lexicon.terms, *triggers), (0,) * base + (1,) * len(triggers)),
        trigger_of=trigger_of,
        senses_by_word={w: tuple(s) for w, s in senses_by_word.items()},
        senses_by_term={i: tuple(s) for i, s in senses_by_term.items()},
        near_of=near_of,
        tag_near=tag_near,
        checked_terms=frozenset(
            i for i, t in enumerate((*lexicon.terms, *triggers)) if t.id in senses_by_term or t.id in near_of
        ),
        dampeners=dampeners,
        framework_rules=FrameworkRules(
            threshold=lexicon.framework_threshold,
            repeat_cap=lexicon.repeat_cap,
            max_evidence=lexicon.max_evidence,
            gates={name: gate.requires_any for name, gate in lexicon.gates.items()},
        ),
        risk_model=risk_model,
        bound_weights=(
            {i: tuple(t.indicators.items()) for i, t in enumerate(lexicon.terms) if t.indicators and not t.support}
            if sound
            else None
        ),
        bound_region=max([1.0, *lexicon.region_weights.values()]),
        damp_words=frozenset(
            word for d in dampeners if d.words is not None for word in (*d.words.words, *d.words.phrase_words)
        ),
        damp_fields=frozenset(name for d in dampeners for name in d.fields),
        quiet=Classification(False, (), (), score_risk((), _NO_TICKET, config, model=risk_model)),
    )


_NO_TICKET = Ticket(key="", title="")


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
        before=re.compile(rf"(?<![^\W_]){_edge(before)}[\s\-_/*~+:'\"]{{0,4}}$") if before else None,
        after=re.compile(rf"[\s\-_/*~+:'\"]{{0,4}}{_edge(after)}(?![^\W_])") if after else None,
        required=required,
    )


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
        frozenset().union(*(c.phrase_words for c in present)),
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
        shown = ", ".join(f"{_quote(e.text)} ({e.field})" for e in hit.evidence[:3])
        lines.append(f"    {hit.name} ({hit.score:g}): {shown}")
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
