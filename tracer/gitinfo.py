"""Where the scanned code lives: repository URL, commit and the path inside the repo.

Used only to link report lines to the code; every failure here degrades to "no links".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tracer.env import Env


@dataclass(frozen=True)
class RepoInfo:
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
    try:
        import git  # gitpython; imported here so commands that need no git do not pay for it
    except ImportError:
        return RepoInfo()
    try:
        repo = git.Repo(root, search_parent_directories=True)
        top = Path(repo.working_tree_dir or root).resolve()
        prefix = root.resolve().relative_to(top).as_posix()
        commit = repo.head.commit.hexsha
        remote = next((r.url for r in repo.remotes if r.name == "origin"), "")
    except (git.exc.GitError, ValueError, OSError):
        return RepoInfo()
    server, repository = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    url = f"{server}/{repository}" if server and repository else web_url(remote)
    if env.get("GITHUB_SHA") and env.get("GITHUB_EVENT_NAME") != "pull_request":
        commit = env.get("GITHUB_SHA")
    return RepoInfo(url=url, commit=commit, prefix="" if prefix == "." else prefix)
