"""action.yml, the example workflow and .pre-commit-hooks.yaml: shape, pinning, and the argument script."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def uses_lines(name: str) -> list[str]:
    lines = (line.strip().removeprefix("- ") for line in (ROOT / name).read_text().splitlines())
    return [line.removeprefix("uses:").strip() for line in lines if line.startswith("uses:")]


def test_action_is_composite_with_inputs_through_env_only() -> None:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"config", "fail-mode", "formats", "ticket", "base"} <= set(action["inputs"])
    assert all(spec.get("description") for spec in action["inputs"].values())
    for name in ("verdict", "implemented", "missing", "violated", "sarif-path"):
        assert action["outputs"][name]["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"] and step["shell"] == "bash"
    install = action["runs"]["steps"][1]["run"]
    assert '"$GITHUB_ACTION_PATH"' in install
    assert all(PINNED.match(use) for use in uses_lines("action.yml"))


def run_check_step(tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """The check step's script with a stand-in `vibeward` that prints its arguments."""
    step = next(s for s in load("action.yml")["runs"]["steps"] if s.get("id") == "check")
    fake = tmp_path / "bin" / "vibeward"
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done\n', encoding="utf-8")
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:{os.environ['PATH']}"}
    for key in step["env"]:
        if key.startswith("VIBEWARD_INPUT_"):
            env[key] = inputs.get(key.removeprefix("VIBEWARD_INPUT_").lower(), "")
    return subprocess.run(["bash", "-c", step["run"]], env=env, capture_output=True, text=True, check=False)


def test_check_step_builds_the_command(tmp_path: Path) -> None:
    done = run_check_step(
        tmp_path, formats="sarif, junit", fail_mode="comment", ticket="PAY-1", base="main", config="c.yml"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "[check][.][--config][c.yml][--ticket][PAY-1][--base][main][--enforcement][comment]"
        "[--report][sarif=vibeward.sarif][--report][junit=vibeward-junit.xml]"
    )
    hostile = run_check_step(tmp_path / "x", ticket='$(touch pwned); "; rm -rf /', formats="")
    assert hostile.stdout == '[check][.][--ticket][$(touch pwned); "; rm -rf /]'
    assert not (tmp_path / "x" / "pwned").exists()
    bad = run_check_step(tmp_path / "y", fail_mode="strict")
    assert bad.returncode == 2 and bad.stdout.startswith("::error title=vibeward::fail-mode")


def test_example_workflow() -> None:
    workflow = load(".github/workflows/vibeward-example.yml")
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the `on` key as True
    job = workflow["jobs"]["trace"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write", "security-events": "write"}
    steps = job["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["category"] == "vibeward"
    external = [use for use in uses_lines(".github/workflows/vibeward-example.yml") if not use.startswith("./")]
    assert len(external) == 2 and all(PINNED.match(use) for use in external)
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert all(use.split(" #")[0] in ci for use in external if "codeql" not in use)  # the same pins as ci.yml


def test_pre_commit_hook() -> None:
    (hook,) = load(".pre-commit-hooks.yaml")
    assert hook["id"] == "vibeward" and hook["entry"] == "vibeward check --pre-push"
    assert hook["stages"] == ["pre-push"] and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is True and hook["require_serial"] is True
