"""vibeward: carries security and compliance requirements from the ticket to the code."""
from __future__ import annotations

__version__ = "0.1.0"
