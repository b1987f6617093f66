"""`.vibeward/config.yml`: this repository's local vibeward settings (not the compliance policy).

Written by `vibeward config ai`; read by `inject` and the post-checkout hook:

    ai:
      assistants: [copilot, cursor]   # where `vibeward inject` writes by default
      auto_inject: true               # the post-checkout hook re-injects for the branch's ticket

Other top-level keys in the file are kept as they are.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tracer import yamlsafe
from tracer.errors import ConfigError

PATH = Path(".vibeward") / "config.yml"
ASSISTANTS = ("copilot", "cursor", "agents", "claude")
_HEADER = "# vibeward local settings, written by `vibeward config` (docs/requirements.md)\n"


@dataclass(frozen=True)
class AiSettings:
    assistants: tuple[str, ...] = ()
    auto_inject: bool = False


def settings_path(root: Path) -> Path:
    return root / PATH


def _load_raw(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        data = yamlsafe.load(text) if text.strip() else {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc.__class__.__name__})", "fix or delete the file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top")
    return data


def load(root: Path) -> AiSettings:
    path = settings_path(root)
    section = _load_raw(path).get("ai") or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: ai: expected a mapping")
    assistants = section.get("assistants") or []
    if isinstance(assistants, str):
        assistants = [assistants]
    if not isinstance(assistants, list) or any(a not in ASSISTANTS for a in assistants):
        raise ConfigError(f"{path}: ai.assistants: expected some of {', '.join(ASSISTANTS)}, got {assistants!r}")
    auto = section.get("auto_inject", False)
    if not isinstance(auto, bool):
        raise ConfigError(f"{path}: ai.auto_inject: expected true or false, got {auto!r}")
    return AiSettings(assistants=tuple(assistants), auto_inject=auto)


def save(root: Path, settings: AiSettings) -> Path:
    """Store the `ai:` section, keeping the file's other keys."""
    path = settings_path(root)
    data = _load_raw(path)
    data["ai"] = {"assistants": list(settings.assistants), "auto_inject": settings.auto_inject}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_HEADER + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write ({exc.strerror})") from None
    return path
