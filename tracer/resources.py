"""Where the data that ships with vibeward lives.

In a wheel, `semgrep-rules/` and `templates/` are copied into `tracer/_resources/`;
in a source checkout they sit at the top of the repository.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_resources" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE / "_resources" / name


def rules_dir() -> Path:
    return resource_dir("semgrep-rules")


def templates_dir() -> Path:
    return resource_dir("templates")
