"""Copy text to the system clipboard, where one exists (`vibeward prompt --copy`).

pyperclip when it is installed, else the first of wl-copy (Wayland), xclip (X11) and
pbcopy (macOS) on PATH. This is the one documented exception to "subprocess only in
locate.py" (style.md §2 rule 15): a clipboard tool is an external process by nature,
and the call stays here, behind one function, with the text on stdin (never on argv).
"""
from __future__ import annotations

import contextlib
import importlib
import shutil
import subprocess
from collections.abc import Callable

# Each tool reads the text on stdin.
TOOLS: tuple[tuple[str, ...], ...] = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("pbcopy",),
)


def copy(text: str, which: Callable[[str], str | None] = shutil.which) -> str:
    """Copy and name the means used; "" when no clipboard is available (nothing is copied)."""
    try:
        pyperclip = importlib.import_module("pyperclip")
    except ImportError:
        pyperclip = None
    if pyperclip is not None:
        # pyperclip raises its own PyperclipException (not importable without it) when no clipboard works.
        with contextlib.suppress(Exception):
            pyperclip.copy(text)
            return "pyperclip"
    for command in TOOLS:
        program = which(command[0])
        if program is None:
            continue
        try:
            # A fixed argv from TOOLS, resolved on PATH; the text goes on stdin.
            subprocess.run(
                [program, *command[1:]], input=text.encode("utf-8"), check=True, timeout=10, capture_output=True
            )
        except (OSError, subprocess.SubprocessError):
            continue
        return command[0]
    return ""
