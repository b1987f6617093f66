"""`speedups.rounded` is round() (the same float, bit for bit, sign of zero included), and
`speedups.record` what a frozen dataclass's __init__ makes."""

from __future__ import annotations

import dataclasses
import math
import struct
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import require_native_build
from tracer import speedups
from tracer.model import Classification, Evidence, FrameworkHit, IndicatorHit, RiskFactor, RiskScore
from tracer.speedups import field_names, rounded


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


_RECORDS = [
    (Evidence, ("description", "card number", 4, 15, 1.2, "pci.card")),
    (IndicatorHit, ("payment", 2.5, (Evidence("title", "card"),))),
    (FrameworkHit, ("PCI-DSS", "indicator", ())),
    (RiskFactor, ("exposure", 0.75, '"log" (description)')),
    (RiskScore, (6.5, "high", (RiskFactor("base", 2.0, "base"),), ("require_security_review",))),
    (Classification, (True, (), (), RiskScore(0.0, "low", ()))),
]


def _maker(which: str) -> Any:
    if which == "python":
        return speedups._record
    require_native_build(active=True)  # make test builds it
    assert speedups.scan is not None
    return speedups.scan.record


@pytest.mark.parametrize("which", ["python", "c"])
@pytest.mark.parametrize(("cls", "values"), _RECORDS, ids=[cls.__name__ for cls, _ in _RECORDS])
def test_a_record_is_what_its_constructor_makes(cls: type, values: tuple[Any, ...], which: str) -> None:
    make = _maker(which)
    made_by_constructor = cls(*values)
    made = make(cls, field_names(cls), *values)
    assert type(made) is cls
    assert made == made_by_constructor and hash(made) == hash(made_by_constructor)
    assert list(vars(made).items()) == list(vars(made_by_constructor).items())
    assert repr(made) == repr(made_by_constructor)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "changed"  # type: ignore[attr-defined]


@pytest.mark.parametrize("which", ["python", "c"])
def test_a_record_needs_one_value_per_name(which: str) -> None:
    make = _maker(which)
    with pytest.raises((TypeError, ValueError)):
        make(RiskFactor, field_names(RiskFactor), "base", 2.0)
    if which == "c":
        with pytest.raises(TypeError):
            make("not a type", ())
        with pytest.raises(TypeError):
            make(int, ())  # made by its own __new__, as object.__new__(int) would say


@pytest.mark.parametrize(("cls", "values"), _RECORDS, ids=[cls.__name__ for cls, _ in _RECORDS])
def test_a_maker_makes_what_the_constructor_makes(cls: type, values: tuple[Any, ...]) -> None:
    made = speedups.maker(cls)(*values)
    assert type(made) is cls and made == cls(*values)
    assert list(vars(made).items()) == list(vars(cls(*values)).items())


def test_a_class_whose_init_does_more_gets_no_maker() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            if not self.name:
                raise ValueError("a name")

    @dataclasses.dataclass(frozen=True)
    class Derived:
        name: str
        size: int = dataclasses.field(init=False, default=0)

    for cls in (Checked, Derived):
        with pytest.raises(TypeError, match="does more than store its fields"):
            speedups.maker(cls)


def test_the_classifier_makes_its_records_in_c_where_it_is_built() -> None:
    require_native_build(active=True)
    assert speedups.record is speedups.scan.record
    assert speedups.maker(RiskFactor).func is speedups.scan.record  # type: ignore[attr-defined]
