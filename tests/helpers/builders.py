"""Builders for tickets, configs and small repositories in temporary folders."""
from __future__ import annotations

import subprocess
from pathlib import Path
from textwrap import dedent

import yaml


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def write_ticket(path: Path, **fields: object) -> Path:
    data = {"key": "SEC-1", "title": "A ticket", "description": "", "labels": [], "components": []}
    data.update(fields)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def git_repo(root: Path) -> Path:
    """Make root a real git repository with everything committed."""
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "test@example.com")
    git("config", "user.name", "Test")
    git("add", "-A")
    git("commit", "-q", "-m", "initial")
    return root
