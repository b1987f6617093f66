"""The `vibeward` command: a check's head start (tracer/headstart.py), then the CLI.

Only the head start's few modules are imported before it has started the engine.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

from tracer import headstart


def main() -> NoReturn:
    headstart.begin(sys.argv[1:], os.environ, Path.cwd())
    try:
        from tracer.cli import main as cli_main

        code = cli_main()
    finally:
        headstart.finish()
    sys.exit(code)
