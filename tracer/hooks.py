"""The pre-push hook: which commits a push sends, and a plain `.git/hooks/pre-push` that checks them.

A push is described either by pre-commit (PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF) or by
git itself on the hook's stdin, one line per ref (githooks(5)):
`<local ref> SP <local sha> SP <remote ref> SP <remote sha>`. Deletions are skipped; a new
remote branch starts after the commits the remote already has
(`git rev-list <local> --not --remotes=<remote>`). Like pre-commit, the first ref with
commits to push is checked. Reference: shared/reference/integrations.md §5.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from tracer.env import Env
from tracer.errors import UsageError
from tracer.gitrepo import Git
from tracer.keys import find_keys

HOOK_MARK = "# vibeward-managed pre-push hook"
REMOTE_VARIABLE = "VIBEWARD_PUSH_REMOTE"


@dataclass(frozen=True)
class PushedRef:
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def deletes(self) -> bool:
        return self.local_ref == "(delete)" or _zero(self.local_sha)

    @property
    def creates(self) -> bool:
        return _zero(self.remote_sha)


@dataclass(frozen=True)
class PushRange:
    base: str  # the commit the pushed change starts from; "" when it includes the root commit
    head: str  # the pushed commit
    ref: str = ""


def parse_push_lines(text: str) -> list[PushedRef]:
    """githooks(5) pre-push stdin -> refs; malformed lines are skipped."""
    refs = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4:
            refs.append(PushedRef(*parts))
    return refs


def push_range(env: Env, stdin_text: str, git: Git) -> PushRange | None:
    """The range to check, or None when the push sends no commits (only deletions, or up to date)."""
    to_ref = env.get("PRE_COMMIT_TO_REF")
    if to_ref:  # pre-commit read stdin already; without FROM_REF the push includes the root commit
        return PushRange(base=env.get("PRE_COMMIT_FROM_REF"), head=to_ref, ref=env.get("PRE_COMMIT_LOCAL_BRANCH"))
    remote = env.get(REMOTE_VARIABLE) or env.get("PRE_COMMIT_REMOTE_NAME") or "origin"
    for ref in parse_push_lines(stdin_text):
        if ref.deletes:
            continue
        if not ref.creates and git.commit(ref.remote_sha) is not None:
            if git.commit(ref.remote_sha) == git.commit(ref.local_sha):
                continue  # nothing new on this ref
            return PushRange(base=ref.remote_sha, head=ref.local_sha, ref=ref.local_ref)
        # A new remote branch, or a remote tip this clone lacks (a force push): start after
        # what the remote already has.
        commits = git.new_commits(ref.local_sha, remote)
        if not commits:
            continue
        parent = git.commit(f"{commits[-1]}^")
        return PushRange(base=parent or "", head=ref.local_sha, ref=ref.local_ref)
    return None


def hook_script(python: str) -> str:
    """A POSIX sh pre-push hook running `vibeward check --pre-push` with the push on its stdin."""
    quoted = shlex.quote(python)
    return f"""#!/bin/sh
{HOOK_MARK} (written by `vibeward install-hook`; `--force` replaces a foreign hook)
# git passes the remote name and URL as arguments and the pushed refs on stdin (githooks(5));
# vibeward reads stdin itself and checks the pushed commits, diff-aware, publishing nothing.
{REMOTE_VARIABLE}="$1"
export {REMOTE_VARIABLE}
if [ -x {quoted} ]; then
    exec {quoted} -m tracer check --pre-push
fi
exec vibeward check --pre-push
"""


def install(git: Git, python: str, *, force: bool) -> tuple[Path, str]:
    """Write the pre-push hook; (its path, "installed" | "updated" | "unchanged" | "replaced")."""
    return _write_hook(git, "pre-push", hook_script(python), HOOK_MARK, force, "or call vibeward from it")


def _write_hook(git: Git, name: str, script: str, mark: str, force: bool, alternative: str) -> tuple[Path, str]:
    """Write one of vibeward's hooks, never silently over a foreign one (--force keeps a backup)."""
    folder = git.hooks_dir()
    path = folder / name
    state = "installed"
    if path.exists():
        try:
            current = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the existing hook ({exc.strerror})") from None
        if current == script:
            return path, "unchanged"
        if mark in current:
            state = "updated"
        elif not force:
            raise UsageError(
                f"{path} exists and is not vibeward's",
                f"pass --force to replace it (it is kept as {name}.vibeward-backup), {alternative}",
            )
        else:
            path.replace(folder / f"{name}.vibeward-backup")
            state = "replaced"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(script, encoding="utf-8")
        path.chmod(0o755)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the hook ({exc.strerror})") from None
    return path, state


def _zero(sha: str) -> bool:
    """git's all-zero object name (40 digits, or 64 in a SHA-256 repository)."""
    return bool(sha) and set(sha) == {"0"}


# -- post-checkout: re-inject the branch's ticket into the AI assistants' files ----------------
# Separate from the pre-push hook above; written by `vibeward install-hook --post-checkout`.
# git runs it after `git checkout`/`git switch` with <previous HEAD> <new HEAD> <flag>, flag 1
# for a branch checkout (githooks(5)). It never fails the checkout: every error is a warning.

POST_CHECKOUT_MARK = "# vibeward-managed post-checkout hook"


def post_checkout_script(python: str) -> str:
    """A POSIX sh post-checkout hook running `vibeward hook post-checkout` on branch checkouts."""
    quoted = shlex.quote(python)
    return f"""#!/bin/sh
{POST_CHECKOUT_MARK} (written by `vibeward install-hook --post-checkout`)
# Re-injects the security requirements of the branch's ticket (from the branch name) into the
# assistants chosen with `vibeward config ai --assistant X --auto-inject true`. Never blocks a checkout.
[ "$3" = "1" ] || exit 0
if [ -x {quoted} ]; then
    {quoted} -m tracer hook post-checkout "$@" || true
elif command -v vibeward >/dev/null 2>&1; then
    vibeward hook post-checkout "$@" || true
fi
exit 0
"""


def install_post_checkout(git: Git, python: str, *, force: bool) -> tuple[Path, str]:
    """Write the post-checkout hook; (its path, "installed" | "updated" | "unchanged" | "replaced")."""
    return _write_hook(
        git,
        "post-checkout",
        post_checkout_script(python),
        POST_CHECKOUT_MARK,
        force,
        'or call `vibeward hook post-checkout "$@"` from it',
    )


def branch_keys(git: Git, allowlist: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """The current branch and the ticket keys in its name ("" and [] on a detached HEAD)."""
    branch = git.run("rev-parse", "--abbrev-ref", "HEAD")
    if branch == "HEAD":
        return "", []
    return branch, find_keys(branch, allowlist, branch=True)
