"""Diff awareness: the pure diff parser, the git wrapper on real repositories, and the engine on both."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from tests.helpers.builders import git_repo, write_files
from tracer import diff
from tracer.cli import cli
from tracer.env import Env
from tracer.errors import GitError
from tracer.model import ChangeSet
from tracer.pipeline import CheckRequest, changes_for

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs" / "trace.schema.json").read_text())

DIFF = '''diff --git a/app/new.py b/app/new.py
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/app/new.py
@@ -0,0 +1,3 @@
+import os
+++ this line starts with two pluses
+x = 1
diff --git a/app/db.py b/app/db.py
index 2222222..3333333 100644
--- a/app/db.py
+++ b/app/db.py
@@ -5 +5 @@ def old():
-    return 1
+    return 2
@@ -10,2 +9,0 @@ def gone():
-    a
-    b
@@ -20,0 +19,2 @@ def added():
+    c
+    d
diff --git a/app/removed.py b/app/removed.py
deleted file mode 100644
--- a/app/removed.py
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git "a/app/t\\303\\251st\\tx.py" "b/app/t\\303\\251st\\tx.py"
--- "a/app/t\\303\\251st\\tx.py"
+++ "b/app/t\\303\\251st\\tx.py"
@@ -1 +1 @@
-a
+b
'''


def test_parse_added_and_modified_lines() -> None:
    changes = diff.parse(DIFF, base="main")
    assert changes.base == "main"
    assert changes.files == {
        "app/new.py": ((1, 3),),  # the "+++" content line did not start a new file
        "app/db.py": ((5, 5), (19, 20)),  # the pure deletion marks nothing
        "app/tést\tx.py": ((1, 1),),
    }


def test_touches_is_any_overlap() -> None:
    changes = ChangeSet(base="main", files={"a.py": ((5, 5), (19, 20))})
    assert changes.touches("a.py", 5, 5) and changes.touches("a.py", 1, 5) and changes.touches("a.py", 20, 30)
    assert not changes.touches("a.py", 6, 18) and not changes.touches("b.py", 5, 5)
    assert changes.touches("a.py", 19, 0)  # an end before the start is the start line


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout.strip()


BASE_APP = {
    "app/db.py": '''
        import sqlite3


        def old(conn, user_id):
            return conn.execute(f"SELECT * FROM users WHERE id = {user_id}")
    ''',
    "app/limits.py": '''
        def limited():
            return None
    ''',
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: an old violation; feature: a new violation and a new line of evidence."""
    root = git_repo(write_files(tmp_path / "repo", BASE_APP))
    git(root, "checkout", "-q", "-b", "feature")
    with (root / "app" / "db.py").open("a", encoding="utf-8") as handle:
        handle.write('\n\ndef new(conn, name):\n    return conn.execute(f"SELECT * FROM users WHERE name = {name}")\n')
    (root / "app" / "limits.py").write_text(
        "# vibeward: implements rate_limiting\ndef limited():\n    return None\n", encoding="utf-8"
    )
    git(root, "commit", "-q", "-am", "feature")
    return root


def test_changes_from_a_real_repository(repo: Path) -> None:
    changes, notes = changes_for(CheckRequest(path=repo, base="main"), repo, Env.from_environ({}))
    assert notes == () and changes is not None
    assert changes.files == {"app/db.py": ((6, 9),), "app/limits.py": ((1, 1),)}
    # an uncommitted edit is part of the change too (the engine scans the working tree)
    (repo / "app" / "limits.py").write_text("# vibeward: implements rate_limiting\ndef limited():\n    return 1\n")
    changes, _ = changes_for(CheckRequest(path=repo, base="main"), repo, Env.from_environ({}))
    assert changes is not None and changes.files["app/limits.py"] == ((1, 1), (3, 3))


def test_changes_of_a_subfolder_are_relative_to_it(repo: Path) -> None:
    changes, _ = changes_for(CheckRequest(path=repo / "app", base="main"), repo / "app", Env.from_environ({}))
    assert changes is not None and set(changes.files) == {"db.py", "limits.py"}


def test_hook_variables_do_not_redirect_git(repo: Path, tmp_path: Path) -> None:
    elsewhere = git_repo(write_files(tmp_path / "other", {"x.py": "x = 1\n"}))
    env = Env.from_environ({"GIT_DIR": str(elsewhere / ".git"), "GIT_WORK_TREE": str(elsewhere)})
    changes, _ = changes_for(CheckRequest(path=repo, base="main"), repo, env)
    assert changes is not None and "app/db.py" in changes.files


def test_shallow_clone_names_fetch_depth(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(shallow))
    base = git(repo, "rev-parse", "main")
    with pytest.raises(GitError) as raised:
        changes_for(CheckRequest(path=shallow, base=base, base_required=True), shallow, Env.from_environ({}))
    assert "shallow" in raised.value.message and "fetch-depth: 0" in raised.value.hint
    # a base that came from the CI context degrades to "every violation counts", with the same advice
    changes, notes = changes_for(CheckRequest(path=shallow, base=base), shallow, Env.from_environ({}))
    assert changes is None and "fetch-depth: 0" in notes[0] and "every violation counts as new" in notes[0]


def test_not_a_repository(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "plain", {"a.py": "x = 1\n"})
    with pytest.raises(GitError, match="not in a git checkout"):
        changes_for(CheckRequest(path=folder, base="main", base_required=True), folder, Env.from_environ({}))


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", **(env or {})}, catch_exceptions=False)


def check_json(root: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = run("check", str(root), "--controls", "parameterized_queries,rate_limiting", "--format", "json",
                 "--no-evidence", "--no-cache", *args)
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    return result.exit_code, data


def by_control(data: dict[str, object]) -> dict[str, dict[str, object]]:
    requirements = data["requirements"]
    assert isinstance(requirements, list)
    return {r["control"]: r for r in requirements}


@pytest.mark.slow
def test_only_violations_on_changed_lines_fail(repo: Path) -> None:
    code, data = check_json(repo, "--base", "main")
    queries = by_control(data)["parameterized_queries"]
    assert {(v["start_line"], v["in_change"]) for v in queries["violations"]} == {(5, False), (9, True)}
    assert code == 1  # the new violation on line 9 fails the check

    # Without the new violation, the old one on line 5 is pre-existing: reported, not failing.
    git(repo, "checkout", "-q", "-b", "clean", "main")
    (repo / "app" / "limits.py").write_text("# vibeward: implements rate_limiting\ndef limited():\n    return 2\n")
    git(repo, "commit", "-q", "-am", "only evidence")
    code, data = check_json(repo, "--base", "main")
    assert code == 0, data["verdict"]
    verdict = data["verdict"]
    assert isinstance(verdict, dict)
    assert verdict["counts"]["pre_existing"] == 1 and "pre-existing, not blocking" in verdict["summary"]
    rate = by_control(data)["rate_limiting"]
    assert rate["status"] == "implemented" and rate["locations"][0]["in_change"] is True  # new evidence line
    change = data["change"]
    assert isinstance(change, dict) and change["changed_files"] == ["app/limits.py"]

    # Without a base nothing is pre-existing, and the configuration can make old violations fail too.
    code, data = check_json(repo)
    assert code == 1 and data["change"] is None
    (repo / "compliance-config.yml").write_text("pre_existing_violations: fail\n", encoding="utf-8")
    code, data = check_json(repo, "--base", "main")
    assert code == 1


@pytest.mark.slow
def test_evidence_anywhere_in_the_repository_counts(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "evidence-old", "main")
    (repo / "app" / "limits.py").write_text("# vibeward: implements rate_limiting\ndef limited():\n    return None\n")
    git(repo, "commit", "-q", "-am", "evidence")
    git(repo, "checkout", "-q", "-b", "unrelated")
    (repo / "README.md").write_text("docs\n", encoding="utf-8")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "docs only")
    code, data = check_json(repo, "--base", "evidence-old")
    rate = by_control(data)["rate_limiting"]
    assert rate["status"] == "implemented" and rate["locations"][0]["in_change"] is False
    assert code == 0


@pytest.mark.slow
def test_coverage_delta_from_a_base_worktree(repo: Path) -> None:
    code, data = check_json(repo, "--base", "main", "--delta")
    assert code == 1  # the new violation on line 9
    change = data["change"]
    assert isinstance(change, dict)
    delta = change["delta"]
    assert delta["base_commit"] == git(repo, "rev-parse", "main")
    assert delta["newly_met"] == ["rate_limiting"] and delta["newly_broken"] == []
    assert (delta["met_before"], delta["met_after"]) == (0, 1)
    assert {c["control"]: (c["before"], c["after"]) for c in delta["controls"]} == {
        "parameterized_queries": ("violated", "violated"),
        "rate_limiting": ("missing", "implemented"),
    }
    assert git(repo, "worktree", "list").count("\n") == 0  # the temporary worktree is gone

    # Removing the evidence the base had is "newly broken".
    git(repo, "checkout", "-q", "-b", "regress", "feature")
    git(repo, "checkout", "-q", "-b", "later")
    (repo / "app" / "limits.py").write_text("def limited():\n    return None\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "drop the limiter")
    _, data = check_json(repo, "--base", "regress", "--delta")
    change = data["change"]
    assert isinstance(change, dict) and change["delta"]["newly_broken"] == ["rate_limiting"]


@pytest.mark.slow
def test_a_named_base_missing_from_a_shallow_clone_is_a_git_error(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(shallow))
    base = git(repo, "rev-parse", "main")
    result = run("check", str(shallow), "--controls", "parameterized_queries", "--format", "json", "--no-evidence",
                 "--no-cache", "--base", base)
    assert result.exit_code == 3 and "fetch-depth: 0" in result.stderr
