"""The classifier's vocabulary (catalog/lexicon.yml) and the word-aware matcher built from it.

A lexicon term lists word forms; each form is a sequence of words. Matching is on whole
words (never substrings), case-insensitive except for listed acronyms, with inflections
generated for the last word of every form, across spaces, hyphens, underscores and
camelCase (`forgotPassword` is the two words "forgot password").

Speed comes from doing almost nothing per word in Python. In plain ASCII (nearly every
ticket) one pass over the lowercase text, punctuation as spaces, finds every word that is a
term by itself and every place where the first words of a phrase (up to three) stand side by
side: tracer/_scan.c, one hash look-up per word, where `make native` built it; else an
Aho-Corasick automaton (pyahocorasick) walked character by character. The longest phrase at
such a place is read with one trie-shaped regex. Other text has its words split with C-level
str methods and intersected with the words that start a term. Context words (senses,
dampeners) are sets, looked up in a field's text by _scan.c (`Vocabulary`) or among its split
words, and their phrases one regex search.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick
import yaml

from tracer import speedups, yamlsafe
from tracer.catalog import CATALOG_PATH
from tracer.errors import ConfigError
from tracer.model import FRAMEWORKS, INDICATORS
from tracer.textnorm import REGION_KINDS

_scan = speedups.scan  # None: the pure-Python path, the reference the C one is tested against

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
    # or the project's name (after its last "/": the repository) starts with one of these, as
    # written: "awesome-" is a curated list of links by convention, "POS-Awesome" a product
    name_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameworkGate:
    requires_any: tuple[str, ...] = ()  # lexicon evidence counts only with one of these indicators


@dataclass(frozen=True)
class Domain:
    """A kind of software, read from the name of the ticket's project ("openemr": medical
    software). Context, never evidence on its own: it adds `indicator` and framework evidence
    only to a ticket that fired one of `with_any` on its own words."""

    id: str
    words: frozenset[str]  # whole words of the project name
    affixes: tuple[str, ...]  # also at either end of a run-together word ("openemr", "fhircore")
    unless: frozenset[str]  # a name with one of these words is another thing ("health-check")
    indicator: str
    weight: float
    with_any: frozenset[str]
    frameworks: Mapping[str, float]

    def find(self, project: str) -> tuple[int, int] | None:
        """Where the project name says this domain, first; None if it does not."""
        # Offsets into the name as given: lowering first would move them ("İ" lowers to two characters).
        words = [(m.start(), m.end(), m.group().lower()) for m in _NAME_WORD.finditer(project)]
        if not self.unless.isdisjoint(word for _, _, word in words):
            return None
        for start, end, word in words:
            if word in self.words:
                return start, end
            for affix in self.affixes:
                if len(word) > len(affix) and word.startswith(affix):
                    return start, start + len(affix)
                if len(word) > len(affix) and word.endswith(affix):
                    return end - len(affix), end
        return None


_NAME_WORD = re.compile(r"[a-z]+|[0-9]+", re.IGNORECASE)  # project names: "health4all" is health, 4, all


@dataclass(frozen=True)
class Lexicon:
    path: str
    field_weights: dict[str, float]
    region_weights: dict[str, float]
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
    domains: tuple[Domain, ...] = ()
    # Words that stay words before a hyphen and a number ("AES-128"), where another capitalised
    # word there is a tracker key's project part ("PAY-123"): see `tracker_keys` in lexicon.yml.
    key_exempt: frozenset[str] = frozenset()


def default_lexicon_path() -> Path:
    # Beside the catalog, not beside this file: compiled, this module lives in build/native.
    return CATALOG_PATH.parent / "lexicon.yml"


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read and check lexicon.yml; errors name the file and the key path."""
    path = path or default_lexicon_path()
    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"))
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
    return tuple((*words[:-1], last) for last in inflect(words[-1]))


@dataclass(frozen=True)
class Context:
    """Context words to look for, by set operations and one regex search for the phrases."""

    words: frozenset[str]
    phrases: tuple[str, ...]  # multi-word phrases, words joined by one space
    # one word of each phrase, its longest (the least common, as a rule): a phrase can only be
    # where its key word is, so a text without any key needs no phrase search
    phrase_keys: frozenset[str]
    # the phrases' regex once compiled (`phrase_in`): a cell, since the class is frozen
    compiled: list[re.Pattern[str]] = field(default_factory=list, compare=False, repr=False)
    # and its form for a field's `spaced` (`phrase_in_field`): a cell too
    compiled_spaced: list[re.Pattern[str]] = field(default_factory=list, compare=False, repr=False)
    # the last Vocabulary that covered both its word sets (`Vocabulary.knows`): a cell too
    known_to: list[Vocabulary] = field(default_factory=list, compare=False, repr=False)

    def in_words(self, words: AbstractSet[str], joined: str) -> bool:
        """A context word among `words`, or a phrase in `joined` (the words, space-separated)."""
        if not self.words.isdisjoint(words):
            return True
        if not self.phrases or self.phrase_keys.isdisjoint(words):
            return False
        return self.phrase_in(f" {joined} ")

    def in_field(self, field: FieldWords) -> bool:
        """`in_words` on the words of a field, which it splits and joins only as needed."""
        if field.overlaps(self.words):
            return True
        if not self.phrases or not field.overlaps(self.phrase_keys):
            return False
        return self.phrase_in_field(field)

    def near(self, low: str, start: int, end: int, window: int) -> bool:
        """A context word within `window` characters either side of low[start:end]."""
        return self.in_window(Window(low, start, end, window))

    def in_window(self, around: Window) -> bool:
        """`near` for a window already cut: one match is often checked against several contexts."""
        found = around.found
        # its context words, if they are all this context can find, else all its words
        words: Iterable[str] = found if found is not None and around.covers(self) else around.words
        if not self.words.isdisjoint(words):
            return True
        if not self.phrases or self.phrase_keys.isdisjoint(words):
            return False
        return self.phrase_in(f" {around.joined} ")

    def phrase_in(self, padded: str) -> bool:
        """Whether " phrase " is in `padded` (words one space apart, a space either end) for
        one of the phrases."""
        compiled = self.compiled
        if not compiled:
            compiled.append(_phrase_pattern(self.phrases, " "))
        return compiled[0].search(padded) is not None

    def phrase_in_field(self, field: FieldWords) -> bool:
        """`phrase_in` on a field's words joined, " {field.joined} ". A field of runs reads it
        in `spaced`, its words with one or more spaces between them and either end, with
        " +" between a phrase's words: the same matches, without splitting and joining."""
        if not field.spaced:
            return self.phrase_in(f" {field.joined} ")
        compiled = self.compiled_spaced
        if not compiled:
            compiled.append(_phrase_pattern(self.phrases, " +"))
        return compiled[0].search(field.spaced) is not None


# By the phrases, so that contexts with the same phrases (merged sense rules) share one; each
# Context keeps its own in a cell (`compiled`: a frozen compiled class has no __dict__ for a
# cached_property), as hashing the phrases at every look cost 1% of a ticket. Bounded by the
# lexicon's contexts.
@functools.cache
def _phrase_pattern(phrases: tuple[str, ...], between: str) -> re.Pattern[str]:
    # One pass over the text for all the phrases, where a substring test per phrase makes one
    # each; `between` the words: " " in joined words, " +" in a field's spaced text.
    return re.compile(" " + trie_pattern([phrase.split(" ") for phrase in phrases], between, " "))


class Window:
    """The words within `window` characters either side of low[start:end].

    Given the field's `Vocabulary`, the context words among them are found in C (`found`)
    and the words themselves are cut only if a context that it does not cover, or a phrase,
    asks for them: most windows are looked at for a word or two.
    """

    __slots__ = ("_after", "_before", "_bounds", "_joined", "_low", "_spaced", "_vocabulary", "found")

    def __init__(
        self, low: str, start: int, end: int, window: int, spaced: str = "", vocabulary: Vocabulary | None = None
    ) -> None:
        first = max(0, start - window)
        self._low = low
        self._spaced = spaced  # `FieldWords.spaced` of `low`: one ahead, every non-word character a space
        self._bounds = (first, start, end, end + window)
        self._before: list[str] | None = None
        self._after: list[str] = []
        self._joined: str | None = None
        self._vocabulary = vocabulary if spaced else None
        self.found: set[str] | None = None  # the context words in it, when a Vocabulary read it
        if self._vocabulary is not None:
            self.found = self._vocabulary.present_around(spaced, first + 1, start + 1, end + 1, end + window + 1)

    def covers(self, context: Context) -> bool:
        """Whether `found` holds every word of the window that `context` looks for."""
        known = self._vocabulary
        return known is not None and known.knows(context)

    def _cut(self) -> tuple[list[str], list[str]]:
        """The words before and after, split once."""
        if self._before is None:
            first, start, end, stop = self._bounds
            if self._spaced:
                self._before = self._spaced[first + 1 : start + 1].split()
                self._after = self._spaced[end + 1 : stop + 1].split()
            else:
                self._before = split_words(self._low[first:start])
                self._after = split_words(self._low[end:stop])
        return self._before, self._after

    @property
    def before(self) -> list[str]:
        return self._cut()[0]

    @property
    def after(self) -> list[str]:
        return self._cut()[1]

    @property
    def words(self) -> list[str]:
        # A list, not a set: a window is looked at once or twice, and a set would cost more
        # to build than it saves.
        before, after = self._cut()
        return before + after

    @property
    def joined(self) -> str:
        if self._joined is None:
            before, after = self._cut()
            self._joined = " ".join(before) + " | " + " ".join(after)
        return self._joined


class Vocabulary:
    """Every context word of a classifier, in one table of _scan.c: a field then yields the few
    of its words that are context words (`present`), where splitting it makes a string of every
    word. Its answers hold for the sets of words it was made from and their subsets (`covers`);
    a field asked about other words splits itself; so do the windows around a match
    (`present_around`)."""

    __slots__ = ("_all", "_covered", "_table", "_words")

    def __init__(self, vocabularies: Iterable[frozenset[str]]) -> None:
        self._all = frozenset(word for words in vocabularies for word in words)
        # A field read through the table is plain ASCII: a word outside ASCII is never one of its words.
        self._words = tuple(sorted(word for word in self._all if word and word.isascii()))
        self._table = _scan.WordTable([(word, index, 0) for index, word in enumerate(self._words)])
        # covers() by the identity of the set asked about, kept alive here: most are asked
        # again and again (a context's own set), and equal sets compare word by word.
        self._covered: dict[int, tuple[frozenset[str], bool]] = {}

    def covers(self, vocabulary: frozenset[str]) -> bool:
        known = self._covered.get(id(vocabulary))
        if known is not None and known[0] is vocabulary:
            return known[1]
        covered = vocabulary <= self._all
        if len(self._covered) < _COVERED_MAX:
            self._covered[id(vocabulary)] = (vocabulary, covered)
        return covered

    def knows(self, context: Context) -> bool:
        """Whether it covers both word sets of a context; remembered on the context, as most
        are asked about at every match."""
        cell = context.known_to
        if cell and cell[0] is self:
            return True
        if not (self.covers(context.words) and self.covers(context.phrase_keys)):
            return False
        cell.clear()
        cell.append(self)
        return True

    def present(self, spaced: str) -> set[str]:
        """Its words among the words of a `FieldWords.spaced`."""
        found: set[str] = _scan.present(self._table, self._words, spaced)
        return found

    def present_around(self, spaced: str, first: int, start: int, end: int, stop: int) -> set[str]:
        """Its words among those of spaced[first:start] and spaced[end:stop], each split alone."""
        found: set[str] = _scan.present(self._table, self._words, spaced, first, start, end, stop)
        return found


_COVERED_MAX = 4096  # word sets a Vocabulary remembers the answer for (a classifier has a few hundred)


def context_vocabulary(contexts: Iterable[Context | None]) -> Vocabulary | None:
    """The `Vocabulary` of these contexts (their words and phrase keys); None without _scan.c,
    where fields split themselves."""
    if _scan is None:
        return None
    return Vocabulary([words for c in contexts if c is not None for words in (c.words, c.phrase_keys)])


def compile_context(phrases: Iterable[str]) -> Context | None:
    """Context words, inflected; None when there are none."""
    single: set[str] = set()
    multi: set[str] = set()
    for phrase in phrases:
        for form in word_forms(phrase):
            if len(form) == 1:
                single.add(form[0])
            else:
                multi.add(" ".join(form))
    if not single and not multi:
        return None
    ordered = tuple(sorted(multi))
    return Context(frozenset(single), ordered, frozenset(_key_word(p) for p in ordered))


def _key_word(phrase: str) -> str:
    """The longest word of a phrase, the first of equals: what `Context.phrase_keys` holds."""
    return max(phrase.split(" "), key=len)


# ---------------------------------------------------------------------------------------
# The matcher


# One match: start, start - end (so that longer matches sort first), term (an index into
# Matcher.terms), end; offsets into the view. A plain tuple: the matcher makes it, sorts it
# and hands it on as it is.
RawMatch = tuple[int, int, int, int]
# A word that starts a term, as the word scanners (`Matcher._scan_spaced`) give it: start and
# end in the view, the number of its entry, whether a phrase may start there.
_Hit = tuple[int, int, int, bool]

_ASCII_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_SPLIT_TABLE = str.maketrans(
    {ch: " " for ch in _ASCII_PUNCT + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7\u2022\u00ab\u00bb"}
)
_SPLIT_BYTES = bytes(32 if chr(b) in _ASCII_PUNCT else b for b in range(256))
# The words `_SPLIT_TABLE` and str.split() leave, found in one pass: str.translate looks every
# character of a text outside ASCII up in the table (~150 instructions each), the regex engine
# tests a class. `\s` is str.isspace(), as str.split() has it.
_SPLIT_WORD = re.compile("[^\\s" + "".join(re.escape(chr(code)) for code in sorted(_SPLIT_TABLE)) + "]+")
# Every byte that ends a word for str.split() or split_words, as a space: what is left
# between two spaces is one word of split_words.
_SPACE_BYTES = bytes(32 if chr(b) in _ASCII_PUNCT or chr(b).isspace() else b for b in range(256))
# ASCII that is neither a letter, a digit, punctuation nor whitespace: with none of it, the
# words of split_words are exactly the runs of letters and digits.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
# ASCII letters and digits as themselves, whitespace and punctuation as a space, and the
# characters `_CONTROL` looks for as NUL: what the automaton of `Matcher._scan_spaced` reads.
_SCAN_BYTES = bytes(0 if _CONTROL.match(chr(b)) else _SPACE_BYTES[b] for b in range(256))
# Characters outside ASCII that split words as a space does (in `split_words`): typographic
# punctuation and whitespace. Where they are the only ones, a text reads like plain ASCII.
_WIDE_SEPARATORS = frozenset(chr(code) for code in _SPLIT_TABLE if code >= 128)
# Whitespace outside ASCII, as str.isspace() has it (tests/test_words.py checks every character).
_WIDE_SPACES = "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
# Each character outside ASCII that cuts words, in UTF-8: in the bytes of a text, where a
# byte translation table can then do the rest (a multi-byte character's bytes are all >= 128).
_WIDE_SPLIT_BYTES = re.compile(
    b"|".join(re.escape(char.encode()) for char in sorted(_WIDE_SEPARATORS | frozenset(_WIDE_SPACES)))
)
# ASCII punctuation and whitespace as a space, other bytes as they are: with `_WIDE_SPLIT_BYTES`
# applied first, a text's UTF-8 cut at its spaces gives the words of `split_words`.
_UTF8_SPACE_BYTES = bytes(_SPACE_BYTES[b] if b < 128 else b for b in range(256))
# Beyond this length a field goes to `_scan_any`, as it always has (the automaton is linear too).
_RUNS_MAX = 20_000
# Between the words of a phrase: spaces, -, _, /, *, ~, +, apostrophes ("shouldn't" is the words
# shouldn, t; "the 'none' algorithm"), and a dot inside a name ("Authorize.Net",
# "patient.identifier"); a dot that ends a sentence is followed by a space or nothing.
SEPARATOR = r"(?:[\s\-_/*~+'\u2019]|\.(?=[^\W_])){1,4}"
_CAMEL_HINT = re.compile(r"[a-z0-9][A-Z]")
# ASCII letters and digits as their case ("a" for lowercase and digits, "A" for uppercase),
# anything else as a space: `_CAMEL_HINT` is then the bytes b"aA".
_CASE_BYTES = bytes(
    ord("a") if chr(b).islower() or chr(b).isdigit() else ord("A") if chr(b).isupper() else 32 for b in range(128)
) + bytes(32 for _ in range(128, 256))
_CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

Part = tuple[int, int, str]  # start, end, text of one camelCase part


class CamelWord(NamedTuple):
    """One camelCase word, cut into its parts once however often it is written."""

    parts: tuple[Part, ...]  # offsets within the word
    lowered: tuple[str, ...]  # each part lowercase
    whole: str  # the parts joined, lowercase


Camel = tuple[int, CamelWord]  # where a camelCase word starts in the view, and the word


class FieldWords:
    """One field prepared for matching; computed once and shared by every matcher."""

    __slots__ = (
        "_joined", "_looked", "_present", "_tokens", "_words", "camel", "low", "runs", "spaced", "view", "vocabulary",
    )  # fmt: skip

    def __init__(self, view: str, vocabulary: Vocabulary | None = None) -> None:
        self.view = view
        self._tokens: list[str] | None = None
        self._joined: str | None = None
        self._words: set[str] | None = None
        self._present: set[str] | None = None
        self._looked = False
        # What follows, in C for plain ASCII (_scan.c; None for other text).
        # (typed here: _scan is a module mypy cannot see into, and an Any `low` would make every
        # slice of it a generic call in the compiled code)
        prepared: tuple[str, str, list[tuple[int, int]]] | None = (
            _scan.prepare(view, _SCAN_BYTES) if _scan is not None else None
        )
        if prepared is not None:
            self.low, self.spaced, hinted = prepared
            self.runs = True
            self.camel = _camel_words_at(view, hinted) if hinted else ()
            self.vocabulary = vocabulary  # context words are looked up in `spaced`
            return
        self.low = low = lower_view(view)  # lowercase, same length as view
        # The words are exactly the runs of letters and digits (plain ASCII, but for dashes,
        # quotes and spaces): the matcher then needs neither a set of them nor a look at any
        # word that is not in the lexicon.
        plain = low if low.isascii() else _ascii_apart_from_separators(low)
        spaced = plain.encode("ascii").translate(_SCAN_BYTES) if plain is not None else b"\x00"
        self.runs = b"\x00" not in spaced
        # For runs: the lowercase view with every other character a space, padded with one
        # space either side, so that " word " is a whole word wherever it is found.
        self.spaced = f" {spaced.decode('ascii')} " if self.runs else ""
        self.camel = _camel_identifiers(view, self.runs)  # each camelCase word and where it stands
        self.vocabulary = vocabulary if self.runs else None

    @property
    def tokens(self) -> list[str]:
        """The words in order (camelCase words whole); split on first use."""
        if self._tokens is None:
            # `spaced` has the words of `low` between spaces already (for runs)
            self._tokens = self.spaced.split() if self.spaced else split_words(self.low)
        return self._tokens

    @property
    def joined(self) -> str:
        """The words in order, one space apart: phrase context is a substring of this."""
        if self._joined is None:
            self._joined = " ".join(self.tokens)
        return self._joined

    def overlaps(self, vocabulary: frozenset[str]) -> bool:
        """Whether any of its words is in `vocabulary`.

        The first look goes through the words in order (no set needed, most fields get one
        look); later looks build the set once, so that many looks stay linear. Context words
        (`Vocabulary`) need neither: the few of them in the field are found in `spaced`.
        """
        known = self.vocabulary
        if known is not None and known.covers(vocabulary):
            present = self._present
            if present is None:
                present = self._present = known.present(self.spaced)
                for _, camel in self.camel:  # `words` has the parts of a camelCase word too
                    present.update(camel.lowered)
            return not vocabulary.isdisjoint(present)
        if self._words is None and not self.camel and not self._looked:
            self._looked = True
            return not vocabulary.isdisjoint(self.tokens)
        return not vocabulary.isdisjoint(self.words)

    @property
    def words(self) -> set[str]:
        """Its distinct words, camelCase parts included (built on first use)."""
        if self._words is None:
            words = set(self.tokens)
            for _, camel in self.camel:
                words.update(camel.lowered)
            self._words = words
        return self._words


def _ascii_apart_from_separators(low: str) -> str | None:
    """`low` with the characters outside ASCII as spaces, if each of them splits words
    (typographic quotes and dashes, no-break spaces); None if one does not."""
    data = _WIDE_SPLIT_BYTES.sub(b" ", low.encode("utf-8", "surrogatepass"))
    return data.decode("ascii") if data.isascii() else None


def field_words(view: str, vocabulary: Vocabulary | None = None) -> FieldWords:
    return FieldWords(view, vocabulary)


def split_words(text: str) -> list[str]:
    """The words of a text, split at whitespace and punctuation, by C-level str/bytes methods."""
    if text.isascii():
        # bytes.translate is a table lookup per byte; str.translate is far slower.
        return text.encode("ascii").translate(_SPLIT_BYTES).decode("ascii").split()
    return _SPLIT_WORD.findall(text)


def _camel_identifiers(view: str, runs: bool = False) -> tuple[Camel, ...]:
    """The camelCase words of a view ("forgotPassword" -> forgot, Password), in order.

    `runs`: the view is ASCII whose words are the runs of letters and digits.
    """
    if runs and view.isascii():  # (a view lowercases to ASCII from a few other letters: K, the Kelvin sign)
        # Each word that holds a hint is a whole word (a run), found once, in order.
        shape = view.encode("ascii").translate(_CASE_BYTES)
        return _camel_words_at(view, _hinted_words(shape, shape))
    # The same in the view's UTF-8, for other text: a hint is two ASCII characters, and a word
    # runs between two spaces once every separator is one (where a regex class tested every
    # character outside ASCII, at ~20 times the cost). Words are found whole, then located.
    data = view.encode("utf-8", "surrogatepass")
    if not view.isascii():
        data = _WIDE_SPLIT_BYTES.sub(b" ", data)
    shape = data.translate(_CASE_BYTES)
    spaced = data.translate(_UTF8_SPACE_BYTES)
    candidates = {spaced[start:end].decode("utf-8", "surrogatepass") for start, end in _hinted_words(shape, spaced)}
    found: list[Camel] = []
    # Words that mix cases in a non-title way, then located.
    for word in sorted(candidates):
        camel = _camel_word(word)
        if camel is None:
            continue
        size = len(word)
        start = view.find(word)
        while start >= 0:
            end = start + size
            if (start == 0 or not view[start - 1].isalnum()) and (end == len(view) or not view[end].isalnum()):
                found.append((start, camel))
            start = view.find(word, end)
    found.sort()
    return tuple(found)


def _camel_words_at(view: str, hinted: list[tuple[int, int]]) -> tuple[Camel, ...]:
    """The camelCase words among the words view[start:end] that hold a hint."""
    return tuple((start, camel) for start, end in hinted if (camel := _camel_word(view[start:end])) is not None)


def _hinted_words(shape: bytes, bounds: bytes) -> list[tuple[int, int]]:
    """Where each word that holds a camelCase hint (b"aA" in `shape`, a text through
    `_CASE_BYTES`) starts and ends, a word running between two spaces of `bounds`: in order,
    each once. Found by bytes methods, at C speed, where a regex would test every character."""
    spans: list[tuple[int, int]] = []
    hint = shape.find(b"aA")
    while hint >= 0:
        start = bounds.rfind(b" ", 0, hint) + 1
        end = bounds.find(b" ", hint + 2)
        if end < 0:
            end = len(bounds)
        spans.append((start, end))
        hint = shape.find(b"aA", end)
    return spans


@functools.lru_cache(maxsize=4096)
def _camel_word(word: str) -> CamelWord | None:
    """The parts of one camelCase word, offsets within it; None for other words."""
    if word.islower() or word.isupper() or word.istitle() or not _CAMEL_HINT.search(word):
        return None
    parts = tuple((m.start(), m.end(), m.group()) for m in _CAMEL_PART.finditer(word))
    lowered = tuple(part[2].lower() for part in parts)
    return CamelWord(parts, lowered, "".join(part[2] for part in parts).lower())


@dataclass(eq=False)
class _Entry:
    """Everything that can start at one word. Not frozen only for `phrases`, compiled on first use."""

    single: tuple[int, ...]  # terms that are this word alone
    acronyms: tuple[tuple[str, int], ...]  # (exact spelling, term)
    rests: dict[tuple[str, ...], tuple[int, ...]]  # later words -> terms
    seconds: frozenset[str]  # second words of those phrases
    needs: dict[str, tuple[frozenset[str], ...]]  # second word -> later words of each phrase, as sets
    longest: int  # most later words of any phrase
    bare: bool  # neither a single-word term nor an acronym: only phrases start here
    only: int  # the one term that is this word alone, when there is no other and no acronym; else -1
    distinct: bool  # no term is both this word alone and one of its acronyms (no match twice)
    ordered: tuple[tuple[str, ...], ...]  # the later words of its phrases, longest first
    # `phrases`, once compiled (a plain attribute, not a cached_property: see `_phrase_pattern`)
    compiled: re.Pattern[str] | None = field(default=None, repr=False)
    # `rest` by the text the regex matched: a phrase is written a few ways, and met again and again
    read: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def phrases(self) -> re.Pattern[str]:
        """The later words of its phrases as one trie-shaped regex, compiled on first use.

        The separators are tried once and each next character picks its branch, where an
        alternation of every phrase would try them all. More words are tried before fewer,
        so the longest phrase wins, as `ordered` has it; `rest` reads which one matched.
        """
        if self.compiled is None:
            self.compiled = re.compile(SEPARATOR + trie_pattern(self.ordered, SEPARATOR, r"(?![^\W_])"))
        return self.compiled

    def rest(self, low: str, end: int, stop: int) -> tuple[str, ...]:
        """The later words of the phrase that `phrases` matched in low[end:stop]."""
        text = low[end:stop]
        words = self.read.get(text)
        if words is None:
            words = tuple(_SPLIT_FORM.findall(text))
            if len(self.read) < _READ_MAX:
                self.read[text] = words
        return words


_READ_MAX = 64  # spellings of its phrases an entry remembers


def trie_pattern(sequences: Iterable[Sequence[str]], separator: str, end: str) -> str:
    """A regex for word sequences, shaped as a trie of their characters: `separator` between
    two words, `end` after the last. Longer sequences are tried first where one goes on."""
    root: dict[str, Any] = {}
    for words in sequences:
        node = root
        for char in "\x00".join(words):  # NUL for a separator: no word holds one
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [
            (separator if char == "\x00" else re.escape(char)) + emit(node[char]) for char in sorted(node) if char
        ]
        if "" in node:
            branches.append(end)
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(root)


class Matcher:
    """Finds every term of a list of terms in a field, as whole words.

    Terms come in groups (the lexicon, the org's triggers); overlaps are resolved within a
    group, so that a trigger never hides a lexicon term or the other way round.
    """

    def __init__(self, terms: Sequence[Term], groups: Sequence[int] = ()) -> None:
        self.terms: tuple[Term, ...] = tuple(terms)
        # Each term's group as 0, 1, ...: the overlap resolution of `scan` keeps a list slot per group.
        named = tuple(groups) or (0,) * len(self.terms)
        numbered = {group: number for number, group in enumerate(dict.fromkeys(named))}
        self._group_numbers = tuple(numbered[group] for group in named)
        self._group_count = len(numbered)
        single: dict[str, list[int]] = {}
        acronyms: dict[str, list[tuple[str, int]]] = {}
        rests: dict[str, dict[tuple[str, ...], list[int]]] = {}
        for index, term in enumerate(self.terms):
            for form in term.forms:
                if len(form) == 1:
                    single.setdefault(form[0], []).append(index)
                else:
                    rests.setdefault(form[0], {}).setdefault(form[1:], []).append(index)
            for acronym in term.acronyms:
                acronyms.setdefault(acronym.lower(), []).append((acronym, index))
        self._entries: dict[str, _Entry] = {}
        for word in sorted(set(single) | set(acronyms) | set(rests)):
            later = {r: tuple(dict.fromkeys(t)) for r, t in rests.get(word, {}).items()}
            seconds = sorted({r[0] for r in later})
            self._entries[word] = _Entry(
                single=tuple(dict.fromkeys(single.get(word, ()))),
                acronyms=tuple(dict.fromkeys(acronyms.get(word, ()))),
                rests=later,
                seconds=frozenset(seconds),
                needs={
                    second: tuple(dict.fromkeys(frozenset(r) for r in later if r[0] == second)) for second in seconds
                },
                longest=max((len(r) for r in later), default=0),
                bare=not single.get(word) and not acronyms.get(word),
                only=single[word][0] if len(set(single.get(word, ()))) == 1 and not acronyms.get(word) else -1,
                distinct=set(single.get(word, ())).isdisjoint(term for _, term in acronyms.get(word, ())),
                ordered=tuple(sorted(later, key=lambda rest: (-len(rest), rest))),
            )
        self._first_words = frozenset(self._entries)
        self._by_index = tuple(self._entries.values())  # the entries, as the word scanners number them
        self._words_table = _word_table(self._entries) if _scan is not None else None
        self._automaton: Any = _automaton(self._entries) if self._words_table is None else None
        # camelCase word -> its matches: a vocabulary (identifiers recur), not the text
        self._camel_hits: dict[CamelWord, tuple[RawMatch, ...]] = {}

    def scan(self, field: FieldWords) -> list[RawMatch]:
        """Matches in one field, longest first within a group; several terms may share one span."""
        found: list[RawMatch] = []
        if field.runs and len(field.low) <= _RUNS_MAX:
            apart = self._scan_spaced(field, found)
        else:
            self._scan_any(field, found)
            apart = False
        if field.camel:
            self._camel(field.camel, found)
            apart = False
        found.sort()
        if apart or len(found) < 2:
            return found  # no match hides or repeats another: nothing to resolve
        result: list[RawMatch] = []
        groups = self._group_numbers
        # By group: where its kept matches reach, and the span of the last one kept (a term
        # that shares a kept span is kept too).
        cursor = [-1] * self._group_count
        last_start = [-1] * self._group_count
        last_end = [-1] * self._group_count
        previous = (-1, 0, -1, 0)
        for hit in found:
            if hit == previous:
                continue  # the same match twice; sorting made the copies neighbours
            previous = hit
            start, _, term, end = hit
            group = groups[term]
            if start >= cursor[group] or (start == last_start[group] and end == last_end[group]):
                result.append(hit)
                if end > cursor[group]:
                    cursor[group] = end
                last_start[group] = start
                last_end[group] = end
        return result

    def _scan_any(self, field: FieldWords, found: list[RawMatch]) -> None:
        words = field.words
        issuperset = words.issuperset
        entries = self._entries
        view, low = field.view, field.low
        for word in self._first_words.intersection(words):  # order-free: results are sorted later
            entry = entries[word]
            # A phrase is only possible if the field has all its later words.
            phrases = False
            if entry.seconds:
                for second in entry.seconds.intersection(words):
                    if any(map(issuperset, entry.needs[second])):
                        phrases = True
                        break
            if phrases or not entry.bare:
                _occurrences(found, word, entry, phrases, view, low)

    def _scan_spaced(self, field: FieldWords, found: list[RawMatch]) -> bool:
        """`_scan_any` for a field whose words are the runs of letters and digits, in one
        pass over `field.spaced`: _scan.c's `walk` where it is built, else the automaton.

        Either finds every whole word that is a term or an acronym by itself, and every
        place where the first words of a phrase stand 1-4 separators apart (a separator is a
        space in `spaced`). A phrase can match nowhere else, so the phrase regex runs only
        there; elsewhere a word is its single-word terms, as in `_at`. True when no match can
        hide or repeat another: each is a single word, and the terms of one word differ.
        """
        table = self._words_table
        hits: list[_Hit] = _scan.walk(table, field.spaced) if table is not None else self._automaton_hits(field.spaced)
        if not hits:
            return True
        view, low = field.view, field.low
        entries = self._by_index
        apart = True
        for start, end, index, phrase in hits:
            entry = entries[index]
            if phrase:
                apart = _at(found, entry, True, view, low, start, end) and apart
            elif entry.only >= 0:
                found.append((start, start - end, entry.only, end))
            else:
                apart = _at(found, entry, False, view, low, start, end) and apart
        return apart

    def _automaton_hits(self, spaced: str) -> list[_Hit]:
        """What _scan.c's `walk` gives, from the automaton: (start, end, entry number, whether
        a phrase may start there) for each word that starts a term, in the view's offsets."""
        singles: list[tuple[int, int, int]] = []
        pairs: dict[int, tuple[int, int]] = {}
        for last, (back, index, size, pair) in self._automaton.iter(spaced):
            # `last` indexes `spaced`, one ahead of the view: the word starts at last - back.
            if pair:
                pairs[last - back] = (index, size)
            else:
                singles.append((last - back, last - 1, index))
        hits = [(start, end, index, pairs.pop(start, None) is not None) for start, end, index in singles]
        hits += [(start, start + size, index, True) for start, (index, size) in pairs.items()]
        return hits

    def _camel(self, identifiers: Sequence[Camel], found: list[RawMatch]) -> None:
        for origin, camel in identifiers:
            hits = self._camel_hits.get(camel)
            if hits is None:
                if len(self._camel_hits) >= _CAMEL_CACHE:
                    self._camel_hits.clear()
                hits = self._camel_hits[camel] = self._camel_word(camel)
            found.extend((origin + start, back, term, origin + end) for start, back, term, end in hits)

    def _camel_word(self, camel: CamelWord) -> tuple[RawMatch, ...]:
        """The matches within one camelCase word, offsets within it."""
        if camel.whole in self._first_words or self._first_words.isdisjoint(camel.lowered):
            return ()  # matched as one word already ("PayPal"), or no part starts a term
        found: list[RawMatch] = []
        parts, lowered = camel.parts, camel.lowered
        for position, (start, end, part) in enumerate(parts):
            entry = self._entries.get(lowered[position])
            if entry is None:
                continue
            hit = False
            for size in range(min(entry.longest, len(parts) - position - 1), 0, -1):
                terms = entry.rests.get(lowered[position + 1 : position + 1 + size])
                if terms:
                    stop = parts[position + size][1]
                    found.extend((start, start - stop, term, stop) for term in terms)
                    hit = True
                    break
            if not hit:
                found.extend((start, start - end, term, end) for term in entry.single)
                found.extend((start, start - end, term, end) for exact, term in entry.acronyms if exact == part)
        return tuple(found)


_CAMEL_CACHE = 4096  # camelCase words whose matches a matcher keeps; cleared when full


def _automaton(entries: Mapping[str, _Entry]) -> Any:
    """The automaton of `Matcher._scan_spaced`: " word " for each word that is a term by
    itself, and for each phrase its first words, up to three, 1-4 spaces apart: a phrase can
    match nowhere else. Three, because "in the", "to the" or "from the" start phrases but
    stand in every ticket. Its values: (from the last character back to the word's start in
    the view, the word's entry's number in `entries`, the word's length, whether a phrase may
    start there)."""
    automaton = ahocorasick.Automaton()
    for index, (word, entry) in enumerate(entries.items()):
        if not entry.bare:
            automaton.add_word(f" {word} ", (len(word) + 1, index, len(word), False))
        for later in sorted({rest[:2] for rest in entry.rests}):
            for gaps in itertools.product(range(1, 5), repeat=len(later)):
                key = " " + word + "".join(" " * gap + next_word for gap, next_word in zip(gaps, later, strict=True))
                automaton.add_word(key, (len(key) - 1, index, len(word), True))
    automaton.make_automaton()
    return automaton


# What a key of _scan.c's WordTable says (_scan.c has the same values).
_SINGLE, _FIRST, _PAIR, _MORE, _TRIPLE = 1, 2, 4, 8, 16


def _word_table(entries: Mapping[str, _Entry]) -> Any:
    """_scan.c's table for `Matcher._scan_spaced`: each word that starts a term, with its
    entry's number; and for each phrase its first two words and, when it has more, its first
    three (one space apart). A phrase can match nowhere else. Words outside ASCII are left
    out: they are never in a text `_scan_spaced` reads."""
    keys: dict[str, list[int]] = {}
    for index, (word, entry) in enumerate(entries.items()):
        if not word.isascii():
            continue
        keys[word] = [index, (0 if entry.bare else _SINGLE) | (_FIRST if entry.rests else 0)]
        for rest in entry.rests:
            pair = f"{word} {rest[0]}"
            if not pair.isascii():
                continue
            keys.setdefault(pair, [-1, 0])[1] |= _PAIR if len(rest) == 1 else _MORE
            if len(rest) > 1 and rest[1].isascii():
                keys.setdefault(f"{pair} {rest[1]}", [-1, 0])[1] |= _TRIPLE
    return _scan.WordTable([(key, index, flags) for key, (index, flags) in keys.items()])


def _occurrences(found: list[RawMatch], word: str, entry: _Entry, phrases: bool, view: str, low: str) -> None:
    size = len(word)
    limit = len(low)
    start = low.find(word)
    while start >= 0:
        end = start + size
        # Whole words only: the set pre-filter found the word, find() finds its places.
        if (start == 0 or not low[start - 1].isalnum()) and (end == limit or not low[end].isalnum()):
            _at(found, entry, phrases, view, low, start, end)
        start = low.find(word, end)


def _at(
    found: list[RawMatch],
    entry: _Entry,
    phrases: bool,
    view: str,
    low: str,
    start: int,
    end: int,
) -> bool:
    """The matches that start at low[start:end], a word of `entry`; False when one may hide
    or repeat another: a phrase (it overlaps the words after its first), or a term matched
    both as the word and as an acronym."""
    if phrases:
        # The longest phrase wins over the single word: one regex tries the entry's phrases,
        # longest first, each word whole after 1-4 separators.
        match = entry.phrases.match(low, end)
        if match is not None:
            stop = match.end()
            found.extend((start, start - stop, term, stop) for term in entry.rests[entry.rest(low, end, stop)])
            return False
    if entry.single:
        found.extend((start, start - end, term, end) for term in entry.single)
    if entry.acronyms:
        text = view[start:end]
        found.extend((start, start - end, term, end) for exact, term in entry.acronyms if exact == text)
    return entry.distinct


def lower_view(view: str) -> str:
    """Lowercase without changing the length (a few characters lowercase to two)."""
    low = view.lower()
    if len(low) == len(view):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in view)


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
        if not isinstance(value, list):
            raise self.fail(key_path, "expected a list of strings")
        # A list may hold another (a YAML alias of a list kept once, e.g. the gateways'
        # names for the terms and the project domains): its strings count as this list's.
        flat = [v for item in value for v in (item if isinstance(item, list) else [item])]
        if not all(isinstance(v, (str, int, float)) for v in flat):
            raise self.fail(key_path, "expected a list of strings")
        return tuple(str(v) for v in flat)

    def number(self, value: Any, key_path: str, default: float | None = None) -> float:
        if value is None and default is not None:
            return default
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise self.fail(key_path, f"expected a number, got {value!r}")
        return float(value)

    def read(self, data: Any) -> Lexicon:
        top = self.mapping(data, "")
        fields = {
            name: self.number(v, f"fields.{name}") for name, v in self.mapping(top.get("fields"), "fields").items()
        }
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
            domains=tuple(
                self.domain(name, body, f"domains.{name}")
                for name, body in self.mapping(top.get("domains"), "domains").items()
            ),
            key_exempt=frozenset(
                word.lower()
                for word in self.strings(
                    self.mapping(top.get("tracker_keys"), "tracker_keys").get("except"), "tracker_keys.except"
                )
            ),
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
        indicators = {
            k: self.number(v, f"{key_path}.indicators.{k}")
            for k, v in self.mapping(body.get("indicators"), f"{key_path}.indicators").items()
        }
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
        risk = {
            k: self.number(v, f"{key_path}.risk.{k}")
            for k, v in self.mapping(body.get("risk"), f"{key_path}.risk").items()
        }
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
        words = tuple(
            form for word in self.strings(body.get("words"), f"{key_path}.words") for form in inflect(word.lower())
        )
        return Sense(
            id=sense_id,
            words=words,
            terms=self.strings(body.get("terms"), f"{key_path}.terms"),
            unless_near=self.strings(body.get("unless_near"), f"{key_path}.unless_near"),
            unless_before=self.strings(body.get("unless_before"), f"{key_path}.unless_before"),
            unless_after=self.strings(body.get("unless_after"), f"{key_path}.unless_after"),
            ticket_wide=body.get("scope", "window") == "ticket",
        )

    def domain(self, name: str, item: Any, key_path: str) -> Domain:
        body = self.mapping(item, key_path)
        indicator = body.get("indicator")
        self.check_indicators([indicator] if isinstance(indicator, str) else [], f"{key_path}.indicator")
        if not isinstance(indicator, str):
            raise self.fail(f"{key_path}.indicator", "a domain names the indicator it adds")
        with_any = self.strings(body.get("with_any"), f"{key_path}.with_any")
        self.check_indicators(with_any, f"{key_path}.with_any")
        frameworks = {
            k: self.number(v, f"{key_path}.frameworks.{k}")
            for k, v in self.mapping(body.get("frameworks"), f"{key_path}.frameworks").items()
        }
        for framework in frameworks:
            if framework not in FRAMEWORKS:
                raise self.fail(f"{key_path}.frameworks.{framework}", "unknown framework")

        def lowered(key: str) -> tuple[str, ...]:
            return tuple(word.lower() for word in self.strings(body.get(key), f"{key_path}.{key}"))

        return Domain(
            id=name,
            words=frozenset(lowered("words")),
            affixes=lowered("affixes"),
            unless=frozenset(lowered("unless")),
            indicator=indicator,
            weight=self.number(body.get("weight"), f"{key_path}.weight", 1.0),
            with_any=frozenset(with_any),
            frameworks=frameworks,
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
            name_prefixes=self.strings(body.get("name_prefixes"), f"{key_path}.name_prefixes"),
        )
