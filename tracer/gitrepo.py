"""The git commands of diff awareness, the base-commit delta, the pre-push hook and the report
links (repository URL, commit, path inside the repository), in one wrapper.

git runs with the environment from `Env` minus the variables that point git at a
repository (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, ...): git exports some of them to
hooks, and they would send these commands to the wrong repository (pre-commit/pre-commit#300).
Every failure is a GitError carrying the command, its exit code and git's last stderr line.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tracer.env import Env
from tracer.errors import GitError

SHALLOW_HINT = "fetch the full history: `fetch-depth: 0` (actions/checkout) or `GIT_DEPTH: 0` (GitLab CI)"
ZERO_SHA = "0" * 40
DST_PREFIX = "b/"  # fixed, so that a user's diff.noprefix or diff.mnemonicPrefix cannot change it
_REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_PREFIX",
        "GIT_NAMESPACE",
        "GIT_QUARANTINE_PATH",  # set for pre-receive hooks
    }
)
TIMEOUT = 300


class Git:
    """git in one folder (a checkout, a subfolder of one, or a temporary worktree)."""

    def __init__(self, cwd: Path, env: Env) -> None:
        self.cwd = cwd
        self._environ = {k: v for k, v in env.values.items() if k not in _REPOSITORY_VARIABLES}
        self._environ.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_LFS_SKIP_SMUDGE="1")
        self._env = env

    @classmethod
    def open(cls, path: Path, env: Env) -> Git | None:
        """The wrapper for path, or None when path is not inside a git checkout (or git is missing)."""
        folder = path if path.is_dir() else path.parent
        git = cls(folder, env)
        try:
            inside = git.run("rev-parse", "--is-inside-work-tree")
        except GitError:
            return None
        return git if inside == "true" else None

    def run(self, *args: str) -> str:
        command = ["git", *args]
        try:
            completed = subprocess.run(
                command, cwd=self.cwd, env=self._environ, capture_output=True, timeout=TIMEOUT, check=False
            )
        except FileNotFoundError:
            raise GitError("git not found", "install git, or run vibeward where git is on PATH") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"`git {args[0]}` did not finish within {TIMEOUT} s") from None
        if completed.returncode != 0:
            stderr = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = stderr[-1] if stderr else "no message"
            words = list(args)
            while words[:1] == ["-c"]:  # name the subcommand, not its -c settings
                words = words[2:]
            raise GitError(f"`git {' '.join(words[:2])}` failed (exit {completed.returncode}): {detail}")
        return completed.stdout.decode("utf-8", "replace").rstrip("\n")

    def _try(self, *args: str) -> str | None:
        try:
            return self.run(*args)
        except GitError:
            return None

    def is_shallow(self) -> bool:
        return self._try("rev-parse", "--is-shallow-repository") == "true"

    def commit(self, ref: str) -> str | None:
        """The commit sha a ref names, or None when this clone does not have it."""
        return self._try("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")

    def merge_base(self, one: str, other: str = "HEAD") -> str | None:
        return self._try("merge-base", one, other)

    def prefix(self) -> str:
        """This folder relative to the top of the checkout ("" at the top), with forward slashes."""
        return (self._try("rev-parse", "--show-prefix") or "").rstrip("/")

    def is_clean(self) -> bool:
        """No tracked file differs from HEAD (untracked files do not count)."""
        return self._try("status", "--porcelain", "--untracked-files=no") == ""

    def diff(self, base: str) -> str:
        """`git diff --unified=0` of this folder: the merge base of base and HEAD against the checkout.

        One git call. `--merge-base` is `base...HEAD` plus any uncommitted edit, so the line
        numbers match the files the engine scans; in CI (a clean checkout) it is exactly
        `base...HEAD`.
        """
        try:
            return self.run(
                "-c",
                "core.quotePath=false",
                "diff",
                "--unified=0",
                "--no-color",
                "--no-ext-diff",
                "--find-renames",
                "--relative",
                "--src-prefix=a/",
                f"--dst-prefix={DST_PREFIX}",
                "--merge-base",
                base,
                "--",
            )
        except GitError as exc:
            if self.is_shallow():
                raise GitError(
                    f"cannot diff against {base}: this clone is shallow, so the base commit or the merge base"
                    " with HEAD is missing",
                    SHALLOW_HINT,
                ) from None
            raise GitError(
                f"cannot diff against {base}: {exc.message}",
                f"fetch the base branch (git fetch origin {base}) or pass --base with a commit this clone has",
            ) from None

    @contextmanager
    def worktree(self, commit: str) -> Iterator[Path]:
        """A temporary checkout of commit (git worktree), removed afterwards; no hooks, no LFS downloads."""
        with tempfile.TemporaryDirectory(prefix="vibeward-worktree-") as tmp:
            path = Path(tmp) / "tree"
            self.run("-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", "--quiet", str(path), commit)
            try:
                yield path
            finally:
                self._try("worktree", "remove", "--force", str(path))
                self._try("worktree", "prune")

    def new_commits(self, local: str, remote: str) -> list[str]:
        """Commits of local that no ref of remote has, newest first (a new branch's push)."""
        out = self.run("rev-list", local, "--not", f"--remotes={remote}")
        return [line for line in out.splitlines() if line]

    def hooks_dir(self) -> Path:
        """Where git looks for hooks (honours core.hooksPath and linked worktrees)."""
        found = Path(self.run("rev-parse", "--git-path", "hooks"))
        return found if found.is_absolute() else self.cwd / found


@dataclass(frozen=True)
class RepoInfo:
    """Where the scanned code lives, to link report lines to the code."""

    url: str = ""  # https://host/owner/repo, without .git
    commit: str = ""
    prefix: str = ""  # the scanned folder, relative to the repository top ("" when it is the top)

    def blob_url(self, path: str, start: int, end: int) -> str:
        if not self.url or not self.commit:
            return ""
        full = f"{self.prefix}/{path}" if self.prefix else path
        anchor = f"#L{start}" if end <= start else f"#L{start}-L{end}"
        return f"{self.url}/blob/{self.commit}/{full}{anchor}"


def web_url(remote: str) -> str:
    """git@host:o/r.git or https://user:token@host/o/r.git -> https://host/o/r (no credentials)."""
    remote = remote.strip()
    ssh = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?$", remote)
    if ssh:
        return f"https://{ssh.group(1)}/{ssh.group(2)}"
    web = re.match(r"^https?://(?:[^@/]+@)?([^/]+)/(.+?)(?:\.git)?/?$", remote)
    if web:
        return f"https://{web.group(1)}/{web.group(2)}"
    return ""


def repo_info(root: Path, env: Env) -> RepoInfo:
    """Two git calls; outside a checkout (or before the first commit) there are simply no links."""
    git = Git(root if root.is_dir() else root.parent, env)
    try:
        prefix, commit = git.run("rev-parse", "--show-prefix", "HEAD").splitlines()
    except (GitError, ValueError):
        return RepoInfo()
    remote = git._try("config", "--get", "remote.origin.url") or ""
    server, repository = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    url = f"{server}/{repository}" if server and repository else web_url(remote)
    if env.get("GITHUB_SHA") and env.get("GITHUB_EVENT_NAME") != "pull_request":
        commit = env.get("GITHUB_SHA")
    return RepoInfo(url=url, commit=commit, prefix=prefix.rstrip("/"))
