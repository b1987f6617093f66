"""The control catalog: controls.yml (package data) read into Control records."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tracer import yamlsafe
from tracer.errors import ConfigError, InputError
from tracer.model import FRAMEWORKS, Citation, Control, Floor, ParamSpec

CATALOG_PATH = Path(__file__).parent / "controls.yml"
CITATION_SOURCES = (*FRAMEWORKS, "ASVS", "TOP10", "CWE", "NIST")


@dataclass(frozen=True)
class Catalog:
    controls: tuple[Control, ...]
    frameworks: tuple[tuple[str, str], ...]  # (id, display name with version)

    def get(self, control_id: str) -> Control:
        for control in self.controls:
            if control.id == control_id:
                return control
        known = ", ".join(c.id for c in self.controls)
        raise InputError(f"unknown control id '{control_id}'", f"known ids: {known}")

    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.controls)

    def param_owner(self, param_name: str) -> Control | None:
        for control in self.controls:
            if any(p.name == param_name for p in control.params):
                return control
        return None

    def for_framework(self, framework: str) -> tuple[Control, ...]:
        return tuple(c for c in self.controls if framework in c.required_by)

    def resolve(self, ids: Iterable[str]) -> tuple[Control, ...]:
        return tuple(self.get(control_id) for control_id in ids)


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the control catalog ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("controls"), list):
        raise ConfigError(f"{path}: the control catalog has no `controls` list")
    controls = tuple(_control(item, path) for item in data["controls"])
    frameworks = tuple(
        (name, f"{body.get('name', name)} {body.get('version', '')}".strip())
        for name, body in (data.get("frameworks") or {}).items()
    )
    return Catalog(controls=controls, frameworks=frameworks)


def _control(item: Any, path: Path) -> Control:
    if not isinstance(item, dict) or "id" not in item:
        raise ConfigError(f"{path}: a control entry has no `id`")
    control_id = str(item["id"])
    try:
        citations = tuple(
            Citation(
                ref=str(entry["ref"]),
                source=source,
                note=str(entry.get("note") or ""),
                general=bool(entry.get("general", False)),
                practice=bool(entry.get("practice", False)),
                effective_from=str(entry.get("effective_from") or ""),
            )
            for source in CITATION_SOURCES
            for entry in (item.get("citations") or {}).get(source) or ()
        )
        params = tuple(
            ParamSpec(
                name=str(p["name"]),
                unit=str(p.get("unit") or ""),
                stricter=str(p.get("stricter", "higher")),
                policy=p.get("policy"),
                floors=tuple(
                    Floor(value=f["value"], citation=str(f["citation"]), framework=f.get("framework"))
                    for f in p.get("floors") or ()
                ),
            )
            for p in item.get("params") or ()
        )
        return Control(
            id=control_id,
            title=str(item.get("title", control_id)),
            theme=str(item.get("theme", "")),
            statement=str(item.get("statement", "")),
            verification=str(item.get("verification", "code")),
            check=str(item.get("check", "presence")),
            severity=str(item.get("severity", "medium")),
            indicators=tuple(item.get("indicators") or ()),
            required_by=tuple(item.get("required_by") or ()),
            citations=citations,
            params=params,
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: control {control_id}: malformed entry ({exc})") from None
