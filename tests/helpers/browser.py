"""Headless Chromium (Debian's `chromium`, installed by .ci/run) for opening generated pages.

One page per Chromium run, with a fresh --user-data-dir each time. Console messages and page
errors are read from Chromium's own log (`--enable-logging=stderr --v=0` writes each one as
`...:CONSOLE(...)] "message", source: ...`): the simplest reliable way without a DevTools
client, and `console_lines` is tested against a page that does log errors. Without Chromium
the tests skip, except in CI (CI set), where they must run.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\] (.*)$")


def chromium() -> str:
    """The Chromium binary, or skip (fail in CI)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing, and CI must run the browser tests (.ci/run installs it)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")


def run(page: Path, profile: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    profile.mkdir(parents=True, exist_ok=True)
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def console_lines(stderr: str) -> list[str]:
    """Every console message and uncaught error Chromium logged for the page."""
    return [match.group(1) for line in stderr.splitlines() if (match := _CONSOLE.search(line))]


def load(page: Path, profile: Path) -> tuple[str, list[str]]:
    """(the DOM after loading, console messages): one run with --dump-dom and logging on."""
    done = run(page, profile, "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, console_lines(done.stderr)


def screenshot(page: Path, png: Path, profile: Path, width: int = 1200, height: int = 2400) -> None:
    done = run(page, profile, f"--screenshot={png}", f"--window-size={width},{height}", "--hide-scrollbars")
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]


def print_pdf(page: Path, pdf: Path, profile: Path) -> None:
    done = run(page, profile, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]


def png_facts(png: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the pixel data): a blank page has very few."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    pixels, offset = bytearray(), 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            pixels += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, len(set(zlib.decompress(bytes(pixels))))
