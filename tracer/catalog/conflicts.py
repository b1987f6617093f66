"""The conflict rules: conflicts.yml (package data) read into records.

The rules are data, not code: which duties point in opposite directions, why, and the
options an organisation can record under `resolutions:` in compliance-config.yml.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tracer import yamlsafe
from tracer.errors import ConfigError

CONFLICTS_PATH = Path(__file__).parent / "conflicts.yml"


@dataclass(frozen=True)
class Side:
    control: str
    frameworks: tuple[str, ...] = ()  # () = any (the OWASP baseline counts)
    citations: tuple[str, ...] = ()  # () = any
    duty: str = ""


@dataclass(frozen=True)
class ConflictRule:
    id: str
    title: str
    when: Side
    against: tuple[Side, ...]
    explanation: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ConfigRule:
    """A contradiction inside the organisation's own config; its text has placeholders."""

    id: str
    title: str
    description: str
    explanation: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ConflictRules:
    rules: tuple[ConflictRule, ...]
    config_rules: tuple[ConfigRule, ...]

    def config_rule(self, rule_id: str) -> ConfigRule:
        for rule in self.config_rules:
            if rule.id == rule_id:
                return rule
        raise ConfigError(f"{CONFLICTS_PATH}: no config rule {rule_id!r}")

    def knows(self, conflict_id: str) -> bool:
        """Is this a conflict id a `resolutions:` entry may name?"""
        prefix, _, rest = conflict_id.partition(".")
        if rest:
            return any(rule.id == prefix for rule in self.config_rules)
        return any(rule.id == conflict_id for rule in self.rules)


@lru_cache(maxsize=2)
def load_conflict_rules(path: Path = CONFLICTS_PATH) -> ConflictRules:
    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the conflict rules ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"{path}: the conflict rules have no `rules` list")
    try:
        rules = tuple(
            ConflictRule(
                id=str(item["id"]),
                title=str(item["title"]),
                when=_side(item["when"]),
                against=tuple(_side(side) for side in item["against"]),
                explanation=" ".join(str(item.get("explanation") or "").split()),
                options=tuple(str(option) for option in item.get("options") or ()),
            )
            for item in data["rules"]
        )
        config_rules = tuple(
            ConfigRule(
                id=str(item["id"]),
                title=str(item["title"]),
                description=str(item["description"]),
                explanation=" ".join(str(item.get("explanation") or "").split()),
                options=tuple(str(option) for option in item.get("options") or ()),
            )
            for item in data.get("config_rules") or ()
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: malformed conflict rule ({exc})") from None
    return ConflictRules(rules=rules, config_rules=config_rules)


def _side(item: Any) -> Side:
    return Side(
        control=str(item["control"]),
        frameworks=tuple(str(f) for f in item.get("frameworks") or ()),
        citations=tuple(str(c) for c in item.get("citations") or ()),
        duty=str(item.get("duty") or ""),
    )
