"""Ticket keys for a change: PR/MR title, branch, PR/MR body, then every commit message.

The pure part (`find_keys`, `discover_from`) reads text; `change_from_env` reads what GitHub
Actions or GitLab CI say about the change; `discover` adds the commit messages from git,
through one small wrapper (`_Git`), and says when a shallow clone may hide commits.

Key format and the places to look: shared/reference/integrations.md §2.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracer.env import Env

# Uppercase project key, a dash, a number without a leading zero; not part of a longer token,
# and not followed by "-digit" (CVE-2021-44228, dates).
KEY_PATTERN = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9_]+-[1-9][0-9]*)(?![0-9A-Za-z]|-[0-9])")
_LOWER_PATTERN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9_]+-[1-9][0-9]*)(?![0-9A-Za-z]|-[0-9])")
# Standards and algorithms that look like keys in security text (AES-256, SHA-256, ISO-27001, ...).
STOPLIST = frozenset(
    {
        "AES", "SHA", "SHA1", "SHA2", "SHA3", "RSA", "DSA", "ECDSA", "ECDH", "DH", "DES", "MD", "HMAC", "PBKDF",
        "PBKDF2", "ARGON2", "CHACHA20", "POLY1305", "ED25519", "X25519", "X509", "PKCS", "ASN", "BASE",
        "UTF", "UCS", "ASCII", "ISO", "IEC", "CWE", "CVE", "CAPEC", "GHSA", "TLS", "SSL", "DTLS", "PCI", "DSS",
        "SOC", "SOC2", "HTTP", "HTTPS", "RFC", "NIST", "FIPS", "SP", "OWASP", "ASVS", "GDPR", "HIPAA", "SOX",
        "IPV4", "IPV6", "JWT", "OAUTH", "OAUTH2", "CIS", "FEDRAMP", "COBIT", "PII", "PHI",
    }
)
# Branch words that precede a year or a version rather than a ticket number.
_RELEASE_WORDS = frozenset({"RELEASE", "REL", "HOTFIX", "SPRINT", "VERSION", "BUILD", "DEPLOY", "TAG", "YEAR", "WEEK"})
_DATE_AFTER = re.compile(r"[-_./][0-9]{1,2}(?![0-9])")
_ZERO_SHA = re.compile(r"^0+$")
SHALLOW_HINT = "fetch the full history: `fetch-depth: 0` (actions/checkout) or `GIT_DEPTH: 0` (GitLab CI)"


@dataclass(frozen=True)
class Change:
    """What is known about the change before git is asked: where it came from, texts, range."""

    provider: str = "local"  # "github", "gitlab" or "local"
    title: str = ""
    body: str = ""
    branch: str = ""
    base: str = ""  # the commit the change starts from (exclusive), if known
    head: str = ""
    messages: tuple[tuple[str, str], ...] = ()  # (sha, message) known without git (push events)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyDiscovery:
    keys: tuple[str, ...]
    where_found: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key -> places, in order
    warnings: tuple[str, ...] = ()
    shallow: bool = False


def find_keys(
    text: str,
    allowlist: Iterable[str] = (),
    *,
    branch: bool = False,
    stoplist: frozenset[str] = STOPLIST,
) -> list[str]:
    """Keys in one text, in order, deduplicated.

    With an allowlist only its projects count (the stoplist is then not needed), and in a
    branch name a lowercase key of an allowed project counts too (feature/pay-42-login).
    """
    allowed = {key.upper() for key in allowlist}
    found: list[str] = []
    pattern = _LOWER_PATTERN if branch and allowed else KEY_PATTERN
    for match in pattern.finditer(text or ""):
        key = match.group(1).upper()
        project, number = key.rsplit("-", 1)
        if allowed:
            if project not in allowed:
                continue
        elif project in stoplist:
            continue
        if branch and _looks_like_date(project, number, text[match.end() :]):
            continue
        if key not in found:
            found.append(key)
    return found


def _looks_like_date(project: str, number: str, after: str) -> bool:
    year_like = len(number) == 4 and number[:2] in ("19", "20")
    return year_like and (project in _RELEASE_WORDS or bool(_DATE_AFTER.match(after)))


def discover_from(
    change: Change,
    commits: Iterable[tuple[str, str]] = (),
    allowlist: Iterable[str] = (),
    *,
    shallow: bool = False,
    warnings: Iterable[str] = (),
) -> KeyDiscovery:
    """Keys from the title, the branch, the body and the commits, in that order."""
    allowed = tuple(allowlist)
    places: dict[str, list[str]] = {}

    def add(keys: list[str], where: str) -> None:
        for key in keys:
            spots = places.setdefault(key, [])
            if where not in spots:
                spots.append(where)

    kind = "merge request" if change.provider == "gitlab" else "pull request"
    add(find_keys(change.title, allowed), f"{kind} title")
    add(find_keys(change.branch, allowed, branch=True), f"branch {change.branch}")
    add(find_keys(change.body, allowed), f"{kind} description")
    seen: set[str] = set()
    for sha, message in (*change.messages, *commits):
        if sha in seen:
            continue
        seen.add(sha)
        add(find_keys(message, allowed), f"commit {sha[:12]}")
    notes = [*change.warnings, *warnings]
    if shallow and not any("shallow" in note for note in notes):
        notes.append(f"the git clone is shallow, so commits of this change may be missing; {SHALLOW_HINT}")
    return KeyDiscovery(
        keys=tuple(places),
        where_found={key: tuple(spots) for key, spots in places.items()},
        warnings=tuple(notes),
        shallow=shallow,
    )


def change_from_env(env: Env) -> Change:
    """The change as GitHub Actions or GitLab CI describe it; "local" when neither does."""
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_EVENT_PATH"):
        return _github_change(env)
    if env.get("GITLAB_CI") == "true" or env.get("CI_COMMIT_REF_NAME"):
        return _gitlab_change(env)
    return Change()


def _github_change(env: Env) -> Change:
    warnings: list[str] = []
    event: dict[str, Any] = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
            event = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError) as exc:
            warnings.append(f"cannot read the GitHub event payload {path} ({exc.__class__.__name__})")
    pull = _mapping(event.get("pull_request"))
    if pull:
        head, base = _mapping(pull.get("head")), _mapping(pull.get("base"))
        return Change(
            provider="github",
            title=_text(pull.get("title")),
            body=_text(pull.get("body")),
            branch=env.get("GITHUB_HEAD_REF") or _text(head.get("ref")),
            base=_text(base.get("sha")),
            head=_text(head.get("sha")),
            warnings=tuple(warnings),
        )
    # A push: the payload lists the pushed commits with their messages.
    messages = tuple(
        (_text(commit.get("id")), _text(commit.get("message")))
        for commit in event.get("commits") or []
        if isinstance(commit, dict)
    )
    ref = env.get("GITHUB_REF")
    branch = env.get("GITHUB_REF_NAME") if ref.startswith("refs/heads/") or not ref else ""
    before = _text(event.get("before"))
    return Change(
        provider="github",
        branch=branch,
        base="" if _ZERO_SHA.match(before or "0") else before,
        head=_text(event.get("after")) or env.get("GITHUB_SHA"),
        messages=messages,
        warnings=tuple(warnings),
    )


def _gitlab_change(env: Env) -> Change:
    warnings = []
    if env.get("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED") == "true":
        warnings.append("GitLab cut the merge request description at 2700 characters; keys after that are not seen")
    if env.get("CI_MERGE_REQUEST_IID"):
        return Change(
            provider="gitlab",
            title=env.get("CI_MERGE_REQUEST_TITLE"),
            body=env.get("CI_MERGE_REQUEST_DESCRIPTION"),
            branch=env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
            base=env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
            head=env.get("CI_COMMIT_SHA"),
            warnings=tuple(warnings),
        )
    before = env.get("CI_COMMIT_BEFORE_SHA")
    sha = env.get("CI_COMMIT_SHA")
    message = env.get("CI_COMMIT_MESSAGE")
    return Change(
        provider="gitlab",
        branch=env.get("CI_COMMIT_BRANCH") or env.get("CI_COMMIT_REF_NAME"),
        base="" if not before or _ZERO_SHA.match(before) else before,
        head=sha,
        messages=((sha or "HEAD", message),) if message else (),
        warnings=tuple(warnings),
    )


def discover(env: Env, repo: Path, allowlist: Iterable[str] = ()) -> KeyDiscovery:
    """Keys for the change being checked: CI context plus the commit messages git has."""
    change = change_from_env(env)
    warnings: list[str] = []
    git = _Git.open(repo)
    if git is None:
        if change.provider == "local":
            warnings.append(f"{repo} is not a git repository; no branch or commits to read keys from")
        elif change.base:
            warnings.append(f"{repo} is not a git repository; commit messages not read")
        return discover_from(change, (), allowlist, warnings=warnings)
    shallow = git.is_shallow()
    if change.provider == "local" and not change.branch:
        change = Change(branch=git.branch(), head="HEAD")
    base = change.base or git.default_base()
    commits: list[tuple[str, str]] = []
    if base:
        listed = git.messages(base, change.head or "HEAD")
        if listed is None:
            warnings.append(
                f"commit {base[:12]} (the start of this change) is not in the clone; commit messages not read"
                + (f"; {SHALLOW_HINT}" if shallow else "")
            )
        else:
            commits = listed
    elif not change.messages:
        warnings.append("no base branch to compare with (origin/HEAD, main, master); commit messages not read")
    return discover_from(change, commits, allowlist, shallow=shallow, warnings=warnings)


class _Git:
    """The few git questions key discovery asks, through GitPython; failures answer None."""

    def __init__(self, repo: Any) -> None:
        self._repo = repo

    @classmethod
    def open(cls, path: Path) -> _Git | None:
        try:
            import git  # gitpython, imported only when keys are looked for
        except ImportError:
            return None
        try:
            return cls(git.Repo(path, search_parent_directories=True))
        except (git.exc.GitError, OSError, ValueError):
            return None

    def _run(self, *args: str) -> str | None:
        import git

        try:
            return str(self._repo.git.execute(["git", *args], with_extended_output=False))
        except (git.exc.GitError, OSError, ValueError):
            return None

    def is_shallow(self) -> bool:
        return self._run("rev-parse", "--is-shallow-repository") == "true"

    def branch(self) -> str:
        name = self._run("rev-parse", "--abbrev-ref", "HEAD") or ""
        return "" if name == "HEAD" else name

    def default_base(self) -> str:
        """The merge base of HEAD with the first of origin/HEAD, origin/main, ... that exists."""
        current = self._run("rev-parse", "HEAD")
        for ref in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
            tip = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
            if not tip or tip == current:
                continue
            # In a shallow clone there may be no merge base; then compare with the tip itself.
            return self._run("merge-base", "HEAD", tip) or tip
        return ""

    def messages(self, base: str, head: str) -> list[tuple[str, str]] | None:
        out = self._run("log", "--format=%H%x00%B%x1e", f"{base}..{head}", "--")
        if out is None:
            return None
        commits = []
        for record in out.split("\x1e"):
            sha, _, message = record.strip("\n").partition("\x00")
            if sha:
                commits.append((sha, message))
        return commits


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
