"""`vibeward connect`: remember a tracker connection for this user, and check it live.

The connection (type, URL, project, auth kind, account email) goes into the user's config
file, `$XDG_CONFIG_HOME/vibeward/config.yml` (VIBEWARD_USER_CONFIG overrides the path).
Secrets never do: the token comes from the environment or the OS keyring at run time.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tracer import yamlsafe
from tracer.config import TrackerConfig
from tracer.env import Env
from tracer.errors import ConfigError, InputError, UsageError
from tracer.sources import jira
from tracer.sources.transport import RetryPolicy, display_url

_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{1,29}$")
_CLOUD_HOSTS = (".atlassian.net", ".jira.com")


@dataclass(frozen=True)
class Connection:
    type: str
    url: str
    project: str
    auth: str  # jira: "cloud" or "pat"
    email: str = ""  # the Atlassian account for Cloud basic auth; not a secret


@dataclass(frozen=True)
class CheckResult:
    deployment: str  # "Cloud" or "Server"/"DataCenter"
    version: str
    project: str
    project_name: str
    token_from: str  # "JIRA_API_TOKEN", "JIRA_PAT" or "keyring"
    warnings: tuple[str, ...] = ()


def user_config_path(env: Env) -> Path:
    override = env.get("VIBEWARD_USER_CONFIG")
    if override:
        return Path(override)
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "vibeward" / "config.yml"


def jira_connection(url: str, project: str, auth: str | None, email: str | None, env: Env) -> Connection:
    """Validate what `connect jira` was given; the auth kind defaults from the host and env."""
    url = url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise UsageError(f"--url must be an http(s) URL, got {url!r}")
    if display_url(url) != url:
        raise UsageError("--url must not contain credentials; the token comes from the environment or keyring")
    project = project.strip().upper()
    if not _PROJECT.match(project):
        raise UsageError(f"--project must be a JIRA project key like PAY, got {project!r}")
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    kind = auth or ("cloud" if host.endswith(_CLOUD_HOSTS) else "pat" if env.get("JIRA_PAT") else "cloud")
    return Connection(type="jira", url=url, project=project, auth=kind, email=(email or "").strip())


def read_user_config(env: Env) -> dict[str, Any]:
    path = user_config_path(env)
    if not path.is_file():
        return {}
    try:
        data = yamlsafe.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the user config ({exc.__class__.__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the user config must be a mapping")
    return data


def user_tracker(env: Env) -> tuple[TrackerConfig, str] | None:
    """The saved connection as a TrackerConfig (and the account email), if there is one."""
    section = read_user_config(env).get("tracker")
    if not isinstance(section, dict) or section.get("type") != "jira":
        return None
    project = str(section.get("project") or "")
    tracker = TrackerConfig(
        type="jira",
        url=str(section.get("url") or ""),
        project_keys=(project,) if project else (),
        auth=str(section.get("auth") or ""),
    )
    return tracker, str(section.get("email") or "")


def save(connection: Connection, env: Env) -> Path:
    """Write the connection into the user config, keeping its other keys; never a secret."""
    path = user_config_path(env)
    data = read_user_config(env)
    section: dict[str, Any] = {
        "type": connection.type,
        "url": connection.url,
        "project": connection.project,
        "auth": connection.auth,
    }
    if connection.email:
        section["email"] = connection.email
    data["tracker"] = section
    text = "# Written by `vibeward connect`. No secrets here: tokens come from the environment or the keyring.\n"
    text += yaml.safe_dump(data, sort_keys=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".config-", suffix=".yml", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the user config ({exc.strerror})") from None
    return path


def check_jira(connection: Connection, env: Env, *, retry: RetryPolicy | None = None) -> CheckResult:
    """Ask JIRA for serverInfo and the project, with the token from the environment or keyring."""
    auth = jira.auth_from_env(env, connection.auth, connection.url, email=connection.email, use_keyring=True)
    # Interactive: answer fast, no retries; the user can simply run it again.
    source = jira.JiraSource(connection.url, auth, retry=retry or RetryPolicy(max_retries=0, timeout=15))
    info = source.server_info()
    deployment = str(info.get("deploymentType") or "Server")
    warnings = []
    if deployment == "Cloud" and connection.auth == "pat":
        warnings.append("JIRA says it is Cloud, where personal access tokens do not work; use --auth cloud")
    if deployment != "Cloud" and connection.auth == "cloud":
        warnings.append("JIRA says it is Data Center/Server; a personal access token (--auth pat) is the usual way in")
    name = source.project_name(connection.project)
    return CheckResult(
        deployment=deployment,
        version=str(info.get("version") or ""),
        project=connection.project,
        project_name=name,
        token_from=auth.origin,
        warnings=tuple(warnings),
    )
