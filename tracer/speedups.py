"""Quicker equivalents of two Python idioms on the classifier's path, with the same results.

`rounded(value, digits)` is `round(value, digits)` without the decimal string. Python's
round() with digits writes the value as a correctly rounded decimal string and reads it back
(dtoa, snprintf, strtod): about 2,400 instructions a call, 4% of a classified ticket's.
Scaled by a power of ten, the value's nearest integer is the exact decimal's unless the
scaled value is exactly a half: rounding is monotonic and every n + 1/2 below 2**52 is a
float, so the product lands on the same side of each half as the exact one, or on it. That
integer divided by the scale is the float the string reads back as (both are the float
nearest n / 10**digits). A half, a huge value or one not finite goes to round() itself.

`maker(cls)(*values)`, `record(cls, field_names(cls), *values)`, is `cls(*values)` for a frozen dataclass whose
__init__ only stores its fields: object.__new__, then each field set by object.__setattr__,
in one call to tracer/_scan.c where it is built, where the __init__ is a Python frame and
calling those two from compiled code costs more than the record.

Both are bit for bit what they stand for (tests/test_speedups.py).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
from collections.abc import Callable
from typing import Any, Final, Protocol, TypeVar

_Record = TypeVar("_Record")


def _native_scan() -> Any:
    """tracer/_scan.c, on the package path only with a current native build (tracer/native.py)."""
    try:
        return importlib.import_module("tracer._scan")
    except ImportError:
        return None


scan = _native_scan()  # None: the pure-Python paths, the references the C ones are tested against
_new, _store = object.__new__, object.__setattr__

_EXACT: Final = 2.0**52  # below this a float's integer part is exact, and so is its fraction


def rounded(value: float, digits: int) -> float:
    """round(value, digits); quick for 1 <= digits <= 3."""
    if digits == 3:  # the scales as literals: a tuple of them would be boxed at every call
        scale = 1000.0
    elif digits == 2:
        scale = 100.0
    elif digits == 1:
        scale = 10.0
    else:
        return round(value, digits)
    scaled = value * scale
    if -_EXACT < scaled < _EXACT:  # also False for NaN and the infinities
        whole = math.floor(scaled)
        fraction = scaled - whole
        if fraction != 0.5:  # (between -1 and 0 the fraction is rounded, monotonically too)
            if fraction > 0.5:
                whole += 1
            # copysign: round() keeps the sign of a value that rounds to zero (-0.0001 -> -0.0)
            return math.copysign(whole / scale, value)
    return round(value, digits)


def _record(cls: type[_Record], names: tuple[str, ...], /, *values: Any) -> _Record:
    """object.__new__(cls) with names[i] set to values[i] (`names`: all its fields)."""
    made: _Record = _new(cls)
    for name, value in zip(names, values, strict=True):
        _store(made, name, value)
    return made


def field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, in order: `record`'s names for making it as cls(*values)
    does, which holds only where its __init__ stores every field and does nothing else."""
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or not all(item.init for item in fields):
        raise TypeError(f"{cls.__name__}'s __init__ does more than store its fields: record() cannot stand in")
    return tuple(item.name for item in fields)


class _RecordMaker(Protocol):
    def __call__(self, cls: type[_Record], names: tuple[str, ...], /, *values: Any) -> _Record: ...


# The C function itself where it is built: called from compiled code, a wrapper around it
# would cost more than it saves.
record: _RecordMaker = scan.record if scan is not None else _record


def maker(cls: type[_Record]) -> Callable[..., _Record]:
    """cls(*values) by `record`, for a frozen dataclass whose __init__ only stores its fields."""
    return functools.partial(record, cls, field_names(cls))
