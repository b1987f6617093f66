from __future__ import annotations

from tracer.command import main

main()
