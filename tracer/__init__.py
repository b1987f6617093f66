"""vibeward: carries security and compliance requirements from the ticket to the code."""
from __future__ import annotations

from tracer import native

__version__ = "0.1.0"

# The classifier's compiled modules, when this checkout has a current build (tracer/native.py).
native.activate(__path__)
