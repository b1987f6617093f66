"""The only module that reads the process environment.

`Env.from_environ` is called once, when a command starts, and the frozen result is
passed down; nothing else in the package touches os.environ.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Env:
    values: Mapping[str, str] = field(default_factory=dict, repr=False)
    no_color: bool = False
    ci: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Env:
        source = dict(os.environ if environ is None else environ)
        return cls(
            values=source,
            no_color="NO_COLOR" in source,
            ci=source.get("CI", "").lower() in {"1", "true", "yes"},
        )

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def cache_home(self) -> Path:
        """Where per-user caches live: $XDG_CACHE_HOME, else ~/.cache."""
        if self.get("XDG_CACHE_HOME"):
            return Path(self.get("XDG_CACHE_HOME"))
        return Path(self.get("HOME") or Path.home()) / ".cache"

    def vibeward_cache(self) -> Path:
        """vibeward's own cache folder: $VIBEWARD_CACHE_DIR, else `vibeward` in the user's caches."""
        if self.get("VIBEWARD_CACHE_DIR"):
            return Path(self.get("VIBEWARD_CACHE_DIR"))
        return self.cache_home() / "vibeward"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be printed (tokens, passwords)."""
        markers = ("TOKEN", "SECRET", "PASSWORD", "API_KEY", "_PAT")
        return tuple(
            value
            for name, value in self.values.items()
            if len(value) >= 6 and any(marker in name.upper() for marker in markers)
        )

    def engine_environ(self) -> dict[str, str]:
        """Environment for the semgrep process: offline, no version check, no metrics."""
        environ = {k: v for k, v in self.values.items() if not _is_secret_name(k)}
        environ["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
        environ["SEMGREP_SEND_METRICS"] = "off"
        return environ


def _is_secret_name(name: str) -> bool:
    upper = name.upper()
    return any(marker in upper for marker in ("TOKEN", "SECRET", "PASSWORD", "API_KEY", "_PAT"))
