"""tracer/_scan.c against the pure-Python code it stands in for (tracer/lexicon.py).

The C scanner is used only with a current native build; the Python path (FieldWords' own
preparation, the Aho-Corasick automaton) stays the reference. Text here is made of the
lexicon's own words and phrases, separated as tickets separate them, so that phrases
start, half start and run on at every gap size.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import require_native_build
from tracer import config, lexicon
from tracer.classify import (
    _CompiledSense,
    _fields,
    _last_words,
    _merge_checks,
    _TicketText,
    _word_before,
    build_classifier,
)
from tracer.lexicon import FieldWords, Matcher, RawMatch
from tracer.model import Ticket


@pytest.fixture(scope="module")
def scanners() -> Iterator[tuple[Matcher, Matcher]]:
    """The classifier's matcher with the C walk, and a copy that walks the automaton."""
    require_native_build(active=True)
    walked = build_classifier(config.load(None)).matcher
    automaton = build_classifier(config.load(None)).matcher
    automaton._words_table = None
    automaton._automaton = lexicon._automaton(automaton._entries)
    yield walked, automaton


def _vocabulary() -> list[str]:
    matcher = build_classifier(config.load(None)).matcher
    words: set[str] = set()
    for word, entry in matcher._entries.items():
        words.add(word)
        for rest in entry.rests:
            words.update(rest)
    # and words that are in no term, in a ticket's spellings
    return [*sorted(words), "the", "a", "to", "Stripe", "forgotPassword", "PHI", "x1", "2FA", "ok"]


_WORDS = _vocabulary()
_GAPS = [" ", "  ", "   ", "    ", "     ", "-", ". ", ", ", "_", "/", "\n", " - ", "'", "\t", "(", "):", "\x1c"]


@st.composite
def ticket_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=0, max_size=30))
    text = draw(st.sampled_from(["", " ", "("]))
    for word in words:
        case = draw(st.sampled_from([str.lower, str.upper, str.title, str]))
        text += case(word) + draw(st.sampled_from(_GAPS))
    return text


def _scan_spaced(matcher: Matcher, field: FieldWords) -> tuple[list[RawMatch], bool]:
    found: list[RawMatch] = []
    apart = matcher._scan_spaced(field, found)
    return sorted(found), apart


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ticket_text())
def test_the_c_walk_finds_what_the_automaton_finds(scanners: tuple[Matcher, Matcher], text: str) -> None:
    walked, automaton = scanners
    field = FieldWords(text)
    assert field.runs
    assert _scan_spaced(walked, field) == _scan_spaced(automaton, field)
    assert walked.scan(field) == automaton.scan(field)


def test_the_c_walk_on_phrases_and_their_gaps(scanners: tuple[Matcher, Matcher]) -> None:
    walked, automaton = scanners
    texts = [
        "Card numbers are written to the application log in full.",
        "card    numbers, card     numbers, card-number",
        "the lab results of the patient chart are shown to a journal entry approver",
        "written to the",  # a phrase's first words at the very end
        "right to erasure; right  to   be    forgotten",
        "",
        " ",
    ]
    for text in texts:
        field = FieldWords(text)
        result = _scan_spaced(walked, field)
        assert result == _scan_spaced(automaton, field), text
    # and a phrase really is found through it (the walk is not empty by accident)
    field = FieldWords("Card numbers are written to the application log in full.")
    terms = {walked.terms[term].id for _, _, term, _ in walked.scan(field)}
    assert len(terms) >= 2


@settings(max_examples=400, deadline=None)
# camelCase words where the scan for hints starts and ends, and a capital after a capital
@example(text="resetPassword")
@example(text="see forgotPassword")
@example(text="HTTPServer and userID2FA, x.getAPIKey()")
@given(
    text=st.one_of(
        ticket_text(),
        st.text(alphabet=st.characters(max_codepoint=127), max_size=80),
        st.text(max_size=40),  # not ASCII: the C preparation declines, Python prepares
    )
)
def test_the_c_preparation_is_the_python_one(text: str) -> None:
    require_native_build(active=True)
    prepared = FieldWords(text)
    saved = lexicon._scan
    lexicon._scan = None
    try:
        reference = FieldWords(text)
    finally:
        lexicon._scan = saved
    assert (prepared.low, prepared.spaced, prepared.runs, prepared.camel) == (
        reference.low,
        reference.spaced,
        reference.runs,
        reference.camel,
    )
    assert prepared.tokens == reference.tokens


def test_a_word_table_refuses_what_it_cannot_hold() -> None:
    require_native_build(active=True)
    with pytest.raises(TypeError):
        lexicon._scan.WordTable([("pätient", 0, 1)])
    with pytest.raises(ValueError, match="given twice"):
        lexicon._scan.WordTable([("card", 0, 1), ("card", 1, 1)])
    table = lexicon._scan.WordTable([("card", 7, 1)])
    assert lexicon._scan.walk(table, " my card ") == [(3, 7, 7, False)]  # "my card": view offsets
    with pytest.raises(ValueError, match=r"walk\(\) reads an ASCII text"):
        lexicon._scan.walk(table, " pätient ")
    with pytest.raises(ValueError, match=r"present\(\) reads an ASCII text"):
        lexicon._scan.present(table, ("card",), " pätient ")
    assert lexicon._scan.present(table, ("card",) * 8, " my card ") == {"card"}


@settings(max_examples=300, deadline=None)
@given(
    text=ticket_text(),
    asked=st.lists(st.frozensets(st.sampled_from([*_WORDS[:400], "forgot", "password", "zzz", "pätient"]))),
)
def test_context_words_are_found_as_splitting_finds_them(text: str, asked: list[frozenset[str]]) -> None:
    require_native_build(active=True)
    known = asked[: len(asked) // 2]  # the classifier's contexts; the rest are asked about too
    vocabulary = lexicon.Vocabulary(known)
    looked_up = FieldWords(text, vocabulary)
    split = FieldWords(text)
    assert looked_up.vocabulary is vocabulary and split.vocabulary is None
    for words in asked:
        assert looked_up.overlaps(words) == split.overlaps(words), words
    assert vocabulary.covers(frozenset()) and not vocabulary.covers(frozenset({"not-a-context-word"}))


@settings(max_examples=300, deadline=None)
@given(
    text=ticket_text(),
    cut=st.tuples(st.integers(0, 400), st.integers(0, 12), st.integers(0, 80)),
    phrases=st.lists(st.lists(st.sampled_from(_WORDS[:300]), min_size=2, max_size=3), max_size=3),
    asked=st.lists(st.frozensets(st.sampled_from([*_WORDS[:400], "the", "zzz"])), min_size=1),
)
def test_a_window_finds_the_context_words_its_cut_words_hold(
    text: str, cut: tuple[int, int, int], phrases: list[list[str]], asked: list[frozenset[str]]
) -> None:
    require_native_build(active=True)
    known = asked[: (len(asked) + 1) // 2]  # the classifier's contexts; the rest are asked about too
    vocabulary = lexicon.Vocabulary(known)
    field = FieldWords(text, vocabulary)
    if not field.spaced:
        return
    start = min(cut[0], len(field.low))
    end = min(start + cut[1], len(field.low))
    read = lexicon.Window(field.low, start, end, cut[2], field.spaced, vocabulary)
    split = lexicon.Window(field.low, start, end, cut[2], field.spaced)
    assert read.found == vocabulary._all & set(split.words) and split.found is None
    for words in asked:
        context = lexicon.Context(words, tuple(" ".join(p) for p in phrases), frozenset(p[0] for p in phrases))
        assert context.in_window(read) == context.in_window(split), context
        assert read.covers(context) == (vocabulary.covers(words) and vocabulary.covers(context.phrase_keys))


@settings(max_examples=300, deadline=None)
@given(
    text=ticket_text(),
    phrases=st.lists(st.lists(st.sampled_from(_WORDS[:60]), min_size=2, max_size=3), min_size=1, max_size=4),
    taken=st.integers(0, 40),
)
def test_a_phrase_is_found_in_spaced_text_as_in_the_joined_words(
    text: str, phrases: list[list[str]], taken: int
) -> None:
    field = FieldWords(text)
    words = field.tokens
    if len(words) >= 2:  # and a phrase the text surely holds, from two of its words in a row
        at = taken % (len(words) - 1)
        phrases = [*phrases, words[at : at + 2]]
    context = lexicon.Context(frozenset(), tuple(" ".join(p) for p in phrases), frozenset(p[0] for p in phrases))
    assert context.phrase_in_field(field) == context.phrase_in(f" {field.joined} ")


@settings(max_examples=300, deadline=None)
@given(
    text=ticket_text(),
    forms=st.lists(st.lists(st.sampled_from(_WORDS[:300]), min_size=1, max_size=3), min_size=1, max_size=4),
    gap=st.sampled_from(["", " ", "  ", " - ", "--- ", " ---\n", "  ---\n", ": ", "_", "(", ". \n"]),
    chosen=st.integers(0, 3),
)
def test_a_before_match_ends_with_the_word_the_classifier_looks_at_first(
    text: str, forms: list[list[str]], gap: str, chosen: int
) -> None:
    # `_suppressed` runs a sense's `before` regex only where the word before the match is
    # the last word of one of its forms: the regex must never match anywhere else.
    sense = _CompiledSense("t", None, tuple(tuple(form) for form in forms), (), False)
    checks = _merge_checks([sense], None)
    assert checks.before is not None and checks.before_ends is not None
    field = FieldWords(text + " ".join(forms[chosen % len(forms)]) + gap + "next word")
    if not field.spaced:
        return
    for start in range(len(field.low) + 1):
        if checks.before.search(field.low, max(0, start - checks.reach), start):
            assert _word_before(field.spaced, start) in checks.before_ends, (field.low, start)


def test_the_word_before_a_match_allows_four_separators_and_a_newline() -> None:
    spaced = FieldWords("xx card ---\nnumber").spaced
    assert _word_before(spaced, 12) == "card"  # " ---\n": five characters apart
    assert _word_before(FieldWords("xx card ----\nnumber").spaced, 13) == ""  # six
    assert _word_before(FieldWords("forgotPassword").spaced, 6) == "forgot"  # a camelCase part
    assert _word_before(FieldWords("  number").spaced, 2) == ""  # nothing before
    assert _last_words([("sent", "by", "e-mail"), ("fax",)]) == {"mail", "fax"}  # the last run of letters
    assert _last_words([("card",), ("--",)]) is None  # a form without one: the regex decides alone
    assert _last_words([("c++",)]) is None  # "++" and four separators: more than `_GAP_BEFORE` apart


def test_a_phrase_is_found_across_punctuation_but_not_across_fields() -> None:
    context = lexicon.Context(frozenset(), ("reset link", "card data"), frozenset({"reset", "card"}))
    assert context.phrase_in_field(FieldWords("Send the reset -- link again"))
    assert not context.phrase_in_field(FieldWords("resets link; prereset link; reset linked"))
    ticket = Ticket(key="T-1", title="Fix the card", description="data export")
    assert not _TicketText(_fields(ticket, None)).has(context)  # no phrase from title to description
    assert _TicketText(_fields(Ticket(key="T-2", title="The card data leaks"), None)).has(context)


def test_a_window_cuts_words_at_its_edges_and_reads_past_the_end() -> None:
    require_native_build(active=True)
    vocabulary = lexicon.Vocabulary([frozenset({"reset", "res", "link", "the", "expired"})])
    field = FieldWords("the reset link expired", vocabulary)
    # 4 characters either side of "link" cut "reset" to "set" and "expired" to "exp"
    window = lexicon.Window(field.low, 10, 14, 4, field.spaced, vocabulary)
    assert window.found == set() and window.before == ["set"] and window.after == ["exp"]
    uncovered = lexicon.Context(frozenset({"set"}), (), frozenset())  # not a word it was made from
    assert not window.covers(uncovered) and uncovered.in_window(window)
    window = lexicon.Window(field.low, 10, 14, 8, field.spaced, vocabulary)
    assert window.found == {"reset", "expired"} and window.before == ["e", "reset"]
    window = lexicon.Window(field.low, 10, 14, 40, field.spaced, vocabulary)  # past either end
    assert window.found == {"the", "reset", "expired"} and window.words == ["the", "reset", "expired"]
    table = lexicon._scan.WordTable([("res", 0, 0)])
    assert lexicon._scan.present(table, ("res",), " res reset ", 0, 4, 5, 99) == {"res"}
    assert lexicon._scan.present(table, ("res",), " res reset ", 5, 8, 8, 8) == {"res"}  # "res" of "reset"
    with pytest.raises(ValueError, match="negative"):
        lexicon._scan.present(table, ("res",), " res ", -1, 2, 3, 4)
    with pytest.raises(TypeError):
        lexicon._scan.present(table, ("res",), " res ", 1, 2)


def test_a_vocabulary_remembers_the_contexts_it_covers() -> None:
    require_native_build(active=True)
    vocabulary = lexicon.Vocabulary([frozenset({"reset", "link"})])
    other = lexicon.Vocabulary([frozenset({"reset", "link", "token"})])
    covered = lexicon.Context(frozenset({"reset"}), ("reset link",), frozenset({"reset"}))
    outside = lexicon.Context(frozenset({"reset", "token"}), (), frozenset())
    assert vocabulary.knows(covered) and covered.known_to == [vocabulary]
    assert not vocabulary.knows(outside) and outside.known_to == []
    assert other.knows(outside) and other.knows(covered) and covered.known_to == [other]
    assert vocabulary.knows(covered)  # asked again after another vocabulary: looked at again


def test_a_field_finds_context_words_in_camel_case_and_beside_punctuation() -> None:
    require_native_build(active=True)
    vocabulary = lexicon.Vocabulary([frozenset({"password", "reset", "token"})])
    field = FieldWords("Fix forgotPassword (reset-link) for tokenizer", vocabulary)
    assert field.overlaps(frozenset({"password"}))  # a camelCase part
    assert field.overlaps(frozenset({"reset"}))
    assert not field.overlaps(frozenset({"token"}))  # "tokenizer" is another word


def test_a_phrase_longer_than_the_key_buffer_is_left_to_the_regex() -> None:
    require_native_build(active=True)
    long = "x" * 300  # an org's trigger keyword may hold a word this long
    table = lexicon._scan.WordTable([("card", 0, 2), (f"card {long}", -1, 4), ("pin", 1, 2), ("pin code", -1, 8)])
    assert lexicon._scan.walk(table, f" card {long} ") == [(0, 4, 0, True)]
    assert lexicon._scan.walk(table, " card short ") == []
    assert lexicon._scan.walk(table, f" pin code {long} ") == []  # no such third word: no key that long
    table = lexicon._scan.WordTable([("pin", 1, 2), ("pin code", -1, 8), (f"pin code {long}", -1, 16)])
    assert lexicon._scan.walk(table, f" pin code {long} ") == [(0, 3, 1, True)]


def test_the_classifiers_vocabulary_covers_every_context_it_looks_up() -> None:
    require_native_build(active=True)
    classifier = build_classifier(config.load(None))
    vocabulary = classifier.vocabulary
    assert vocabulary is not None
    assert vocabulary.covers(classifier.damp_words)
    contexts = [*classifier.near_of.values(), *(c for d in classifier.dampeners for c in (d.words, d.unless))]
    contexts += [s.near for senses in classifier.senses_by_term.values() for s in senses]
    contexts += [s.near for senses in classifier.senses_by_word.values() for s in senses]
    for context in contexts:
        if context is not None:
            assert vocabulary.covers(context.words) and vocabulary.covers(context.phrase_keys), context
