"""`rounding.rounded` is round(): the same float, bit for bit, sign of zero included."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tracer.rounding import rounded


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


def _same(value: float, digits: int) -> None:
    assert _bits(rounded(value, digits)) == _bits(round(value, digits)), (value, digits)


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=0, max_value=5))
@example(2.675, 2)  # stored just below 2.675: round() gives 2.67, value * 100 is 267.5 exactly
@example(1.4625000000000001, 3)  # a weight x multiplier the classifier makes, on a half
@example(-0.0004, 3)  # rounds to -0.0
@example(-0.0, 3)
@example(0.0005, 3)  # stored above a half: rounds up
@example(2.0**52 / 1000, 3)
@example(1e300, 1)
def test_any_float(value: float, digits: int) -> None:
    _same(value, digits)


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=-2, max_value=2),
)
def test_decimals_on_and_beside_a_half(units: int, digits: int, ulps: int) -> None:
    # n + 0.5 at one more decimal than kept, and the floats a few steps either side of it:
    # where the scaled fraction is closest to one half and the quick path must step aside.
    value = float(f"{units}5e-{digits + 1}")
    for _ in range(abs(ulps)):
        value = math.nextafter(value, math.copysign(math.inf, ulps))
    _same(value, digits)


@given(
    st.sampled_from([0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0, 3.0]),
    st.lists(st.sampled_from([0.3, 0.5, 0.6, 0.8, 0.85, 0.9, 1.0, 1.1, 1.2, 1.25, 1.5]), max_size=4),
    st.integers(min_value=1, max_value=3),
)
def test_weights_as_the_classifier_makes_them(weight: float, multipliers: list[float], digits: int) -> None:
    value = weight
    for multiplier in multipliers:
        value *= multiplier
    _same(value, digits)
    _same(-value, digits)


@pytest.mark.parametrize("digits", [0, 4, 7])
def test_other_digits_are_round_itself(digits: int) -> None:
    for value in (0.123456789, 2.5, 3.5, -1.05, 1234.56789):
        _same(value, digits)
