"""Generates docs/controls.md from the catalog and the rule pack (`make docs`)."""
from __future__ import annotations

from pathlib import Path

from tracer import yamlsafe
from tracer.catalog import load_catalog
from tracer.reporters.catalog import render_catalog_markdown
from tracer.resources import rules_dir


def rule_ids(root: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """control -> language -> rule ids, read from semgrep-rules/<control>/<language>.yml."""
    root = root or rules_dir()
    result: dict[str, dict[str, list[str]]] = {}
    for path in sorted(root.glob("*/*.yml")):
        if path.stem.endswith(".test"):
            continue
        data = yamlsafe.load(path.read_text(encoding="utf-8")) or {}
        ids = [str(rule["id"]) for rule in data.get("rules", []) if isinstance(rule, dict) and "id" in rule]
        if ids:
            result.setdefault(path.parent.name, {})[path.stem] = ids
    return result


def controls_markdown() -> str:
    return render_catalog_markdown(load_catalog().controls, rule_ids())


def main() -> None:
    target = Path(__file__).resolve().parent.parent / "docs" / "controls.md"
    target.write_text(controls_markdown(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
