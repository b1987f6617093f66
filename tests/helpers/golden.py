"""Golden files: compare output with tests/golden/<name>, or rewrite it with --update-golden."""
from __future__ import annotations

import re
from pathlib import Path

from tracer import __version__

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
_VOLATILE = [
    (re.compile(r'"vibeward_version": "[^"]+"'), '"vibeward_version": "<version>"'),
    (re.compile(r"\b[0-9a-f]{40}\b"), "<sha>"),
    (re.compile(r"/tmp/[^\s\"']+"), "<tmp>"),
    # The tool's own version where a format names it plainly (SARIF tool.driver.version).
    (re.compile(re.escape(f'"version": "{__version__}"')), '"version": "<version>"'),
]


def mask(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def assert_golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    actual = mask(actual)
    if update or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not update:
            raise AssertionError(f"{path} did not exist; written now, check it and commit it")
        return
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs; run pytest --update-golden if intended"
