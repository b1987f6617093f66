"""The native engine, as vibeward starts it, gives the same findings as `semgrep scan`.

vibeward runs the native CLI because it starts in a fraction of the time (docs/performance.md),
and starts the installed package's binary directly as `osemgrep` rather than through the
`semgrep` script (`semgrep scan --experimental`); this test is the proof that nothing is lost,
on the example app and on the rule pack's own annotated targets.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tracer import locate
from tracer.catalog import load_catalog
from tracer.engine import ScanRequest, engine_command, is_native_binary
from tracer.env import Env

pytestmark = pytest.mark.slow


def findings(root: Path, controls: tuple[str, ...], engine: str) -> set[tuple[str, ...]]:
    env = Env.from_environ({**os.environ, "VIBEWARD_ENGINE": engine})
    if engine == "native":
        assert is_native_binary(engine_command(env))  # the binary itself, not the script
    result = locate.scan(ScanRequest(root=root, controls=controls, excludes=()), env)
    assert result.errors == ()
    return {
        (f.control, f.kind, f.rule, f.path, str(f.start_line), str(f.end_line), f.param_value) for f in result.findings
    }


def test_native_and_python_cli_agree_on_the_example_shop(repo_root: Path) -> None:
    controls = load_catalog().ids()
    root = repo_root / "examples" / "shop"
    native = findings(root, controls, "native")
    assert native  # the shop has evidence and a violation: an empty set would prove nothing
    assert native == findings(root, controls, "pysemgrep")


def test_native_and_python_cli_agree_on_the_rule_targets(repo_root: Path, tmp_path: Path) -> None:
    # The annotated targets of every control, in every language, scanned as one repository.
    targets = tmp_path / "targets"
    for source in (repo_root / "semgrep-rules").glob("*/*"):
        if source.suffix in {".py", ".js", ".ts", ".java", ".go"}:
            destination = targets / source.parent.name / source.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, destination)
    controls = load_catalog().ids()
    native = findings(targets, controls, "native")
    assert len(native) > 500
    assert native == findings(targets, controls, "pysemgrep")
