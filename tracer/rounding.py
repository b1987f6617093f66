"""`round(value, digits)` for the classifier's weights and scores, without the decimal string.

Python's round() with digits writes the value as a correctly rounded decimal string and reads
it back (dtoa, snprintf, strtod): about 2,400 instructions a call, 4% of a classified
ticket's. Scaled by a power of ten, the value's nearest integer is the exact decimal's unless
the scaled value is exactly a half: rounding is monotonic and every n + 1/2 below 2**52 is a
float, so the product lands on the same side of each half as the exact one, or on it. That
integer divided by the scale is the float the string reads back as (both are the float
nearest n / 10**digits). A half, a huge value or one not finite goes to round() itself.
Same result, bit for bit (tests/test_rounding.py).
"""

from __future__ import annotations

import math
from typing import Final

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
