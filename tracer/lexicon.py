"""The classifier's vocabulary (catalog/lexicon.yml) and the word-aware matcher built from it.

A lexicon term lists word forms; each form is a sequence of words. Matching is on whole
words (never substrings), case-insensitive except for listed acronyms, with inflections
generated for the last word of every form, across spaces, hyphens, underscores and
camelCase (`forgotPassword` is the two words "forgot password").

Speed comes from doing almost nothing per word in Python: the field's words are put into
a set with C-level str methods, intersected with the set of first words of all forms, and
only the few words that hit are located with one precompiled regex each.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tracer.errors import ConfigError
from tracer.model import FRAMEWORKS, INDICATORS
from tracer.textnorm import REGION_KINDS, NormText

FIELDS: tuple[str, ...] = ("title", "labels", "components", "description")


@dataclass(frozen=True)
class FrameworkTag:
    """A term's evidence for a framework, optionally only with context words nearby."""

    weight: float
    near: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    id: str
    forms: tuple[tuple[str, ...], ...]  # lowercase word sequences, inflections included
    acronyms: tuple[str, ...] = ()  # single words matched with their exact case
    indicators: Mapping[str, float] = field(default_factory=dict)
    frameworks: Mapping[str, FrameworkTag] = field(default_factory=dict)
    risk: Mapping[str, float] = field(default_factory=dict)
    support: bool = False  # counts only once another indicator fired on its own evidence
    requires_near: tuple[str, ...] = ()  # the term counts only with one of these words nearby
    fields: tuple[str, ...] = ()  # restrict to these fields (org triggers); empty: all fields


@dataclass(frozen=True)
class Sense:
    """A known trap: a match of these words is not the security sense in this context."""

    id: str
    words: tuple[str, ...] = ()  # applies to single-word matches of these words
    terms: tuple[str, ...] = ()  # applies to any match of these term ids
    unless_near: tuple[str, ...] = ()
    unless_before: tuple[str, ...] = ()
    unless_after: tuple[str, ...] = ()
    ticket_wide: bool = False  # look for `unless_near` in the whole ticket, not a window


@dataclass(frozen=True)
class Dampener:
    """Ticket-level: a title about text, styling or docs makes every match count less."""

    id: str
    fields: tuple[str, ...]
    words: tuple[str, ...]
    factor: float
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkGate:
    requires_any: tuple[str, ...] = ()  # lexicon evidence counts only with one of these indicators


@dataclass(frozen=True)
class Lexicon:
    path: str
    field_weights: Mapping[str, float]
    region_weights: Mapping[str, float]
    indicator_threshold: float
    framework_threshold: float
    repeat_cap: float
    window: int
    max_evidence: int
    trigger_weight: float
    terms: tuple[Term, ...]
    senses: tuple[Sense, ...]
    dampeners: tuple[Dampener, ...]
    gates: Mapping[str, FrameworkGate]
    risk: Mapping[str, Any]


def default_lexicon_path() -> Path:
    return Path(__file__).parent / "catalog" / "lexicon.yml"


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read and check lexicon.yml; errors name the file and the key path."""
    path = path or default_lexicon_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read lexicon ({exc.__class__.__name__})") from None
    return _LexiconReader(str(path)).read(data)


# ---------------------------------------------------------------------------------------
# Word forms

_SPLIT_FORM = re.compile(r"[^\W_]+")
_VOWELS = set("aeiou")


def inflect(word: str) -> tuple[str, ...]:
    """Curated English inflections of one lowercase word (plural, -ed, -ing, -ies)."""
    if len(word) < 3 or not word.isalpha():
        return (word,)
    forms = [word]
    if word.endswith("y") and word[-2] not in _VOWELS:
        forms += [word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        forms += [word + "es", word + "ed", word + "ing"]
    elif word.endswith("e"):
        forms += [word + "s", word + "d", word[:-1] + "ing"]
    else:
        forms += [word + "s", word + "ed", word + "ing"]
        if word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS and word[-3] not in _VOWELS:
            forms += [word + word[-1] + "ed", word + word[-1] + "ing"]  # log -> logged
    return tuple(dict.fromkeys(forms))


def word_forms(phrase: str, *, inflected: bool = True) -> tuple[tuple[str, ...], ...]:
    """`phrase` as word sequences: its own words, plus inflections of the last word."""
    words = tuple(_SPLIT_FORM.findall(phrase.lower()))
    if not words:
        return ()
    if not inflected:
        return (words,)
    return tuple(words[:-1] + (last,) for last in inflect(words[-1]))


def context_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """A regex finding any of `phrases` (inflected) as whole words in lowercase text."""
    alternatives: set[str] = set()
    for phrase in phrases:
        for form in word_forms(phrase):
            alternatives.add(r"[\s\-_/*~+]{1,4}".join(re.escape(word) for word in form))
    if not alternatives:
        return None
    body = "|".join(sorted(alternatives, key=lambda a: (-len(a), a)))
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])")


# ---------------------------------------------------------------------------------------
# The matcher

@dataclass(frozen=True, slots=True)
class RawMatch:
    field: str
    index: int  # position of the field value (labels[index]); 0 for text fields
    start: int  # view offsets
    end: int
    term: int  # index into Matcher.terms


@dataclass(frozen=True)
class _Candidate:
    rest: tuple[str, ...]
    term: int
    exact: str  # the acronym's exact spelling, or "" for case-insensitive


_SPLIT_TABLE = str.maketrans({ch: " " for ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7\u2022\u00ab\u00bb"})
_NEXT_WORD = re.compile(r"[\s\-_/*~+]{1,4}([^\W_]+)")
_CAMEL_HINT = re.compile(r"[a-z0-9][A-Z]")
_IDENTIFIER = re.compile(r"(?<![^\W_])[^\W_]*?[a-z0-9][A-Z][^\W_]*")
_CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_MAX_WORD = 64  # longer "words" are blobs (base64, hashes, junk): never vocabulary


class Matcher:
    """Finds every term of a lexicon (plus extra terms such as org triggers) in a field."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms: tuple[Term, ...] = tuple(terms)
        first: dict[str, list[_Candidate]] = {}
        for index, term in enumerate(self.terms):
            for form in term.forms:
                first.setdefault(form[0], []).append(_Candidate(form[1:], index, ""))
            for acronym in term.acronyms:
                first.setdefault(acronym.lower(), []).append(_Candidate((), index, acronym))
        # Longest forms first, so that "credit card number" wins over "credit card".
        self._first = {
            word: tuple(sorted(cands, key=lambda c: (-len(c.rest), c.exact == "", c.term)))
            for word, cands in first.items()
        }
        self._first_words = frozenset(self._first)
        self._patterns = {
            word: re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])") for word in sorted(self._first)
        }

    def scan(self, field: str, index: int, view: str, low: str) -> list[RawMatch]:
        """All non-overlapping matches in one field's view (`low` is its lowercase copy)."""
        found: list[tuple[int, int, int]] = []
        words = self._first_words.intersection(low.translate(_SPLIT_TABLE).split())
        for word in sorted(words):
            candidates = self._first[word]
            for match in self._patterns[word].finditer(low):
                hit = self._extend(candidates, view, low, match.start(), match.end())
                if hit is not None:
                    found.append(hit)
        if _CAMEL_HINT.search(view):
            self._camel(view, found)
        if not found:
            return []
        found.sort(key=lambda hit: (hit[0], hit[0] - hit[1], hit[2]))
        result: list[RawMatch] = []
        cursor = -1
        for start, end, term in found:
            if start >= cursor:
                result.append(RawMatch(field, index, start, end, term))
                cursor = end
        return result

    def _extend(
        self, candidates: Sequence[_Candidate], view: str, low: str, start: int, end: int
    ) -> tuple[int, int, int] | None:
        following: list[tuple[str, int]] | None = None
        for cand in candidates:
            if cand.exact:
                if view[start:end] == cand.exact:
                    return start, end, cand.term
                continue
            if not cand.rest:
                return start, end, cand.term
            if following is None:
                following = _following_words(low, end, 6)
            if len(following) >= len(cand.rest) and all(
                following[i][0] == word for i, word in enumerate(cand.rest)
            ):
                return start, following[len(cand.rest) - 1][1], cand.term
        return None

    def _camel(self, view: str, found: list[tuple[int, int, int]]) -> None:
        for ident in _IDENTIFIER.finditer(view):
            text = ident.group()
            if len(text) > 4 * _MAX_WORD or text.lower() in self._first_words:
                continue
            base = ident.start()
            parts = [(m.start() + base, m.end() + base, m.group()) for m in _CAMEL_PART.finditer(text)]
            for position, (start, end, part) in enumerate(parts):
                candidates = self._first.get(part.lower())
                if candidates is None:
                    continue
                for cand in candidates:
                    if cand.exact and part != cand.exact:
                        continue
                    rest = parts[position + 1 : position + 1 + len(cand.rest)]
                    if len(rest) == len(cand.rest) and all(r[2].lower() == w for r, w in zip(rest, cand.rest)):
                        found.append((start, rest[-1][1] if rest else end, cand.term))
                        break


def _following_words(low: str, pos: int, limit: int) -> list[tuple[str, int]]:
    words: list[tuple[str, int]] = []
    for _ in range(limit):
        match = _NEXT_WORD.match(low, pos)
        if match is None:
            break
        words.append((match.group(1), match.end()))
        pos = match.end()
    return words


def lower_view(view: str) -> str:
    """Lowercase without changing the length (a few characters lowercase to two)."""
    low = view.lower()
    if len(low) == len(view):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in view)


def region_weight(lexicon: Lexicon, norm: NormText, pos: int) -> float:
    kind = norm.kind_at(pos)
    return lexicon.region_weights.get(kind, 1.0) if kind else 1.0


# ---------------------------------------------------------------------------------------
# Reading lexicon.yml

class _LexiconReader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key_path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key_path}: {message}", "see the comments at the top of lexicon.yml")

    def mapping(self, value: Any, key_path: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key_path, "expected a mapping")
        return {str(k): v for k, v in value.items()}

    def strings(self, value: Any, key_path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            raise self.fail(key_path, "expected a list of strings")
        return tuple(str(v) for v in value)

    def number(self, value: Any, key_path: str, default: float | None = None) -> float:
        if value is None and default is not None:
            return default
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self.fail(key_path, f"expected a number, got {value!r}")
        return float(value)

    def read(self, data: Any) -> Lexicon:
        top = self.mapping(data, "")
        fields = {name: self.number(v, f"fields.{name}") for name, v in self.mapping(top.get("fields"), "fields").items()}
        for name in fields:
            if name not in FIELDS:
                raise self.fail(f"fields.{name}", f"unknown field; expected one of {', '.join(FIELDS)}")
        regions = {k: self.number(v, f"regions.{k}") for k, v in self.mapping(top.get("regions"), "regions").items()}
        for kind in regions:
            if kind not in REGION_KINDS:
                raise self.fail(f"regions.{kind}", f"unknown region; expected one of {', '.join(REGION_KINDS)}")
        scoring = self.mapping(top.get("scoring"), "scoring")
        terms = tuple(self.term(item, f"terms[{i}]") for i, item in enumerate(top.get("terms") or []))
        ids = [t.id for t in terms]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise self.fail("terms", f"duplicate term ids: {', '.join(duplicates)}")
        senses = tuple(self.sense(item, f"senses[{i}]") for i, item in enumerate(top.get("senses") or []))
        dampeners = tuple(self.dampener(item, f"dampeners[{i}]") for i, item in enumerate(top.get("dampeners") or []))
        gates: dict[str, FrameworkGate] = {}
        for name, body in self.mapping(top.get("frameworks"), "frameworks").items():
            if name not in FRAMEWORKS:
                raise self.fail(f"frameworks.{name}", "unknown framework")
            body = self.mapping(body, f"frameworks.{name}")
            requires = self.strings(body.get("requires_any"), f"frameworks.{name}.requires_any")
            self.check_indicators(requires, f"frameworks.{name}.requires_any")
            gates[name] = FrameworkGate(requires_any=requires)
        return Lexicon(
            path=self.path,
            field_weights=fields,
            region_weights=regions,
            indicator_threshold=self.number(scoring.get("indicator_threshold"), "scoring.indicator_threshold", 1.0),
            framework_threshold=self.number(scoring.get("framework_threshold"), "scoring.framework_threshold", 1.0),
            repeat_cap=self.number(scoring.get("repeat_cap"), "scoring.repeat_cap", 1.5),
            window=int(self.number(scoring.get("window"), "scoring.window", 60)),
            max_evidence=int(self.number(scoring.get("max_evidence"), "scoring.max_evidence", 8)),
            trigger_weight=self.number(scoring.get("trigger_weight"), "scoring.trigger_weight", 1.0),
            terms=terms,
            senses=senses,
            dampeners=dampeners,
            gates=gates,
            risk=self.mapping(top.get("risk"), "risk"),
        )

    def check_indicators(self, names: Iterable[str], key_path: str) -> None:
        for name in names:
            if name not in INDICATORS:
                raise self.fail(key_path, f"unknown indicator {name!r}")

    def term(self, item: Any, key_path: str) -> Term:
        body = self.mapping(item, key_path)
        term_id = body.get("id")
        if not isinstance(term_id, str) or not term_id:
            raise self.fail(key_path, "a term needs an `id`")
        exact = body.get("exact", False) is True
        forms: list[tuple[str, ...]] = []
        for phrase in self.strings(body.get("match"), f"{key_path}.match"):
            forms.extend(word_forms(phrase, inflected=not exact))
        acronyms = self.strings(body.get("acronyms"), f"{key_path}.acronyms")
        if not forms and not acronyms:
            raise self.fail(key_path, f"term {term_id} has neither `match` nor `acronyms`")
        indicators = {k: self.number(v, f"{key_path}.indicators.{k}") for k, v in self.mapping(body.get("indicators"), f"{key_path}.indicators").items()}
        self.check_indicators(indicators, f"{key_path}.indicators")
        frameworks: dict[str, FrameworkTag] = {}
        for name, tag in self.mapping(body.get("frameworks"), f"{key_path}.frameworks").items():
            if name not in FRAMEWORKS:
                raise self.fail(f"{key_path}.frameworks.{name}", "unknown framework")
            if isinstance(tag, dict):
                frameworks[name] = FrameworkTag(
                    weight=self.number(tag.get("weight"), f"{key_path}.frameworks.{name}.weight", 1.0),
                    near=self.strings(tag.get("near"), f"{key_path}.frameworks.{name}.near"),
                )
            else:
                frameworks[name] = FrameworkTag(weight=self.number(tag, f"{key_path}.frameworks.{name}"))
        risk = {k: self.number(v, f"{key_path}.risk.{k}") for k, v in self.mapping(body.get("risk"), f"{key_path}.risk").items()}
        return Term(
            id=term_id,
            forms=tuple(dict.fromkeys(forms)),
            acronyms=acronyms,
            indicators=indicators,
            frameworks=frameworks,
            risk=risk,
            support=body.get("support", False) is True,
            requires_near=self.strings(body.get("requires_near"), f"{key_path}.requires_near"),
        )

    def sense(self, item: Any, key_path: str) -> Sense:
        body = self.mapping(item, key_path)
        sense_id = body.get("id")
        if not isinstance(sense_id, str) or not sense_id:
            raise self.fail(key_path, "a sense rule needs an `id`")
        words = tuple(form for word in self.strings(body.get("words"), f"{key_path}.words") for form in inflect(word.lower()))
        return Sense(
            id=sense_id,
            words=words,
            terms=self.strings(body.get("terms"), f"{key_path}.terms"),
            unless_near=self.strings(body.get("unless_near"), f"{key_path}.unless_near"),
            unless_before=self.strings(body.get("unless_before"), f"{key_path}.unless_before"),
            unless_after=self.strings(body.get("unless_after"), f"{key_path}.unless_after"),
            ticket_wide=body.get("scope", "window") == "ticket",
        )

    def dampener(self, item: Any, key_path: str) -> Dampener:
        body = self.mapping(item, key_path)
        fields = self.strings(body.get("fields"), f"{key_path}.fields") or ("title",)
        return Dampener(
            id=str(body.get("id", key_path)),
            fields=fields,
            words=self.strings(body.get("words"), f"{key_path}.words"),
            factor=self.number(body.get("factor"), f"{key_path}.factor"),
            unless=self.strings(body.get("unless"), f"{key_path}.unless"),
        )
