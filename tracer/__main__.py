from __future__ import annotations

from tracer.cli import main

raise SystemExit(main())
