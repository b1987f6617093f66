"""An installed wheel must find its rule pack and templates, not only an editable checkout."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_wheel_ships_rules_templates_and_catalog(repo_root: Path, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=repo_root,
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("vibeward-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "tracer/catalog/controls.yml" in names
    assert "tracer/catalog/default-policy.yml" in names
    assert "tracer/py.typed" in names
    assert any(n.startswith("tracer/_resources/semgrep-rules/password_hashing/") for n in names)
    assert "tracer/_resources/templates/README.md" in names
    # The unpacked wheel, on its own, resolves the resources inside the package.
    probe = "from tracer.resources import rules_dir, templates_dir; print(rules_dir()); print(templates_dir())"
    completed = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path / 'site')!r}); {probe}"],
        capture_output=True,
        text=True,
        check=True,
    )
    rules, templates = completed.stdout.splitlines()
    assert rules == str(tmp_path / "site" / "tracer" / "_resources" / "semgrep-rules")
    assert templates == str(tmp_path / "site" / "tracer" / "_resources" / "templates")
