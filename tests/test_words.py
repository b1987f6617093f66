"""How a field's text is cut into words outside plain ASCII (tracer/lexicon.py): the regex
that stands in for `str.translate` with the split table must cut exactly where it cuts."""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracer import lexicon
from tracer.lexicon import Camel, split_words

# Any code point, lone surrogates included (they reach us from surrogateescape-decoded input).
ANY_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()))
# Words that mix cases, beside letters outside ASCII and the separators that cut words.
MIXED = st.text(alphabet="aBcDé\u00c9x1Z \u00a0\u2019\u2014-_.\u4e2d\u2028\u3000\n", max_size=60)


def _split_by_table(text: str) -> list[str]:
    return text.translate(lexicon._SPLIT_TABLE).split()


def test_every_character_splits_words_as_the_table_and_str_split_do() -> None:
    # One text with each code point between two letters: a separator cuts it there.
    text = "".join(f"a{chr(code)}" for code in range(sys.maxunicode + 1)) + "a"
    assert not text.isascii()
    assert split_words(text) == _split_by_table(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_TEXT, MIXED))
def test_words_outside_ascii_are_the_words_of_the_table(text: str) -> None:
    assert split_words(text) == _split_by_table(text)


def _camel_by_table(view: str) -> tuple[Camel, ...]:
    """`_camel_identifiers` for text outside ASCII, as it was written first: every word a candidate."""
    found: list[Camel] = []
    for word in sorted(set(_split_by_table(view))):
        camel = lexicon._camel_word(word)
        if camel is None:
            continue
        start = view.find(word)
        while start >= 0:
            end = start + len(word)
            if (start == 0 or not view[start - 1].isalnum()) and (end == len(view) or not view[end].isalnum()):
                found.append((start, camel))
            start = view.find(word, end)
    return tuple(sorted(found))


def test_the_bytes_that_cut_words_are_every_separator_outside_ascii() -> None:
    for code in range(128, sys.maxunicode + 1):
        char = chr(code)
        cuts = lexicon._WIDE_SPLIT_BYTES.fullmatch(char.encode("utf-8", "surrogatepass")) is not None
        assert cuts == (char.isspace() or code in lexicon._SPLIT_TABLE), hex(code)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_TEXT, MIXED))
def test_camel_case_words_outside_ascii_are_found_as_every_word_would_find_them(text: str) -> None:
    assert lexicon._camel_identifiers(text) == _camel_by_table(text)


def test_camel_case_words_beside_letters_outside_ascii() -> None:
    view = "Fix forgotPassword \u2014 résumé getUserByID\u2019s flow, not Ünïcode or NASA"
    words = [camel.whole for _, camel in lexicon._camel_identifiers(view)]
    assert words == ["forgotpassword", "getuserbyid"]
