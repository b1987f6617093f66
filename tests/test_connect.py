"""`vibeward connect jira` against a local fake JIRA, and the `tracker:` config section."""

from __future__ import annotations

import base64
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
import yaml
from click.testing import CliRunner, Result

from tests.helpers.fake_trackers import FakeJira
from tracer import config
from tracer.cli import cli
from tracer.connect import user_config_path, user_tracker
from tracer.env import Env
from tracer.errors import ConfigError

EMAIL, TOKEN, PAT = "dev@example.com", "tok-cloud-1234567890", "pat-dc-1234567890"


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("no D-Bus session")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(previous)


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira(cloud=True, email=EMAIL, token=TOKEN) as fake:
        yield fake


@pytest.fixture
def dc() -> Iterator[FakeJira]:
    with FakeJira(cloud=False, pat=PAT) as fake:
        yield fake


def run(tmp_path: Path, args: list[str], **env: str) -> Result:
    environment = {"VIBEWARD_USER_CONFIG": str(tmp_path / "user" / "config.yml"), "CI": ""}
    for name in ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT"):
        environment[name] = ""
    environment.update(env)
    return CliRunner().invoke(cli, ["connect", "jira", *args], env=environment)


def saved(tmp_path: Path) -> dict:
    return yaml.safe_load((tmp_path / "user" / "config.yml").read_text())


def test_cloud_connection_is_saved_and_checked(tmp_path: Path, cloud: FakeJira) -> None:
    result = run(
        tmp_path,
        ["--url", cloud.url + "/", "--project", "pay", "--auth", "cloud"],
        JIRA_EMAIL=EMAIL,
        JIRA_API_TOKEN=TOKEN,
    )
    assert result.exit_code == 0, result.output
    assert (
        "connected: JIRA Cloud 1001.0.0-SNAPSHOT; project PAY (Payments) found; token from JIRA_API_TOKEN"
        in result.stdout
    )
    assert saved(tmp_path) == {"tracker": {"type": "jira", "url": cloud.url, "project": "PAY", "auth": "cloud"}}
    text = (tmp_path / "user" / "config.yml").read_text()
    assert TOKEN not in text and "No secrets here" in text
    assert stat.S_IMODE((tmp_path / "user" / "config.yml").stat().st_mode) == 0o600
    # the client reads serverInfo when it starts (Cloud or not), then the check asks for it
    assert [r.path for r in cloud.requests] == ["/rest/api/2/serverInfo"] * 2 + ["/rest/api/2/project/PAY"]


def test_data_center_with_pat_by_default(tmp_path: Path, dc: FakeJira) -> None:
    result = run(tmp_path, ["--url", dc.url, "--project", "SEC"], JIRA_PAT=PAT)
    assert result.exit_code == 0, result.output
    assert "connected: JIRA Server 9.12.4; project SEC (Security) found; token from JIRA_PAT" in result.stdout
    assert saved(tmp_path)["tracker"]["auth"] == "pat"
    assert dc.requests[0].headers["authorization"] == f"Bearer {PAT}"


def test_other_settings_in_the_user_config_are_kept(tmp_path: Path, cloud: FakeJira) -> None:
    path = tmp_path / "user" / "config.yml"
    path.parent.mkdir()
    path.write_text("color: false\ntracker:\n  type: jira\n  url: https://old.example.com\n")
    result = run(tmp_path, ["--url", cloud.url, "--project", "PAY", "--email", EMAIL, "--no-check"])
    assert result.exit_code == 0, result.output
    assert saved(tmp_path) == {
        "color": False,
        "tracker": {"type": "jira", "url": cloud.url, "project": "PAY", "auth": "cloud", "email": EMAIL},
    }
    assert cloud.requests == []  # --no-check


def test_token_from_the_keyring(tmp_path: Path, cloud: FakeJira, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("vibeward", cloud.url, TOKEN)
    result = run(tmp_path, ["--url", cloud.url, "--project", "PAY", "--auth", "cloud", "--email", EMAIL])
    assert result.exit_code == 0, result.output
    assert "token from keyring" in result.stdout
    assert TOKEN not in result.output


def test_no_token_anywhere(tmp_path: Path, cloud: FakeJira, memory_keyring: MemoryKeyring) -> None:
    result = run(tmp_path, ["--url", cloud.url, "--project", "PAY", "--auth", "cloud"], JIRA_EMAIL=EMAIL)
    assert result.exit_code == 2
    assert "saved: JIRA" in result.stdout  # the connection is kept; only the check could not run
    assert "no JIRA token: JIRA_API_TOKEN is not set; the keyring holds no secret for vibeward" in result.stderr
    assert "JIRA_EMAIL and JIRA_API_TOKEN" in result.stderr
    assert cloud.requests == []


def test_keyring_unavailable_or_not_installed(tmp_path: Path, cloud: FakeJira, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        result = run(tmp_path, ["--url", cloud.url, "--project", "PAY", "--auth", "pat"])
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 2
    assert "the OS keyring is not available (KeyringError)" in result.stderr
    monkeypatch.setitem(sys.modules, "keyring", None)  # as if it were not installed
    result = run(tmp_path, ["--url", cloud.url, "--project", "PAY", "--auth", "pat"])
    assert result.exit_code == 2
    assert "the keyring package is not installed" in result.stderr


def test_bad_credentials_exit_3_and_never_print_the_token(tmp_path: Path, cloud: FakeJira) -> None:
    wrong = "tok-WRONG-9a8b7c6d5e"
    result = run(tmp_path, ["--url", cloud.url, "--project", "PAY"], JIRA_EMAIL=EMAIL, JIRA_API_TOKEN=wrong)
    assert result.exit_code == 3
    assert "rejected the credentials (HTTP 401, Cloud API token, basic auth)" in result.stderr
    assert wrong not in result.output


def test_unknown_project_exits_2(tmp_path: Path, cloud: FakeJira) -> None:
    result = run(tmp_path, ["--url", cloud.url, "--project", "NOPE"], JIRA_EMAIL=EMAIL, JIRA_API_TOKEN=TOKEN)
    assert result.exit_code == 2
    assert f"project NOPE not found in JIRA at {cloud.url}" in result.stderr


def test_auth_kind_mismatch_is_a_warning(tmp_path: Path, dc: FakeJira) -> None:
    dc.expected_auth = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()  # a DC that allows it
    result = run(
        tmp_path, ["--url", dc.url, "--project", "SEC", "--auth", "cloud"], JIRA_EMAIL=EMAIL, JIRA_API_TOKEN=TOKEN
    )
    assert result.exit_code == 0, result.output
    assert "warning: JIRA says it is Data Center/Server; a personal access token (--auth pat)" in result.stderr


def test_unreachable_jira_exits_3(tmp_path: Path) -> None:
    gone = FakeJira(cloud=True)
    url = gone.url
    gone.close()
    result = run(tmp_path, ["--url", url, "--project", "PAY"], JIRA_EMAIL=EMAIL, JIRA_API_TOKEN=TOKEN)
    assert result.exit_code == 3
    assert f"cannot reach JIRA at {url}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "acme.atlassian.net", "--project", "PAY"], "--url must be an http(s) URL"),
        (["--url", "https://me:secret@acme.atlassian.net", "--project", "PAY"], "must not contain credentials"),
        (["--url", "https://acme.atlassian.net", "--project", "P-1"], "--project must be a JIRA project key"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(tmp_path, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "user" / "config.yml").exists()


def test_user_config_location() -> None:
    assert user_config_path(Env.from_environ({"XDG_CONFIG_HOME": "/x"})) == Path("/x/vibeward/config.yml")
    assert user_config_path(Env.from_environ({"HOME": "/home/u"})) == Path("/home/u/.config/vibeward/config.yml")
    assert user_config_path(Env.from_environ({"VIBEWARD_USER_CONFIG": "/t/c.yml", "XDG_CONFIG_HOME": "/x"})) == Path(
        "/t/c.yml"
    )


def test_saved_connection_reads_back_as_tracker_config(tmp_path: Path, cloud: FakeJira) -> None:
    run(tmp_path, ["--url", cloud.url, "--project", "PAY", "--email", EMAIL, "--no-check"])
    found = user_tracker(Env.from_environ({"VIBEWARD_USER_CONFIG": str(tmp_path / "user" / "config.yml")}))
    assert found is not None
    tracker, email = found
    assert (tracker.type, tracker.url, tracker.project_keys, tracker.auth, email) == (
        "jira",
        cloud.url,
        ("PAY",),
        "cloud",
        EMAIL,
    )
    assert user_tracker(Env.from_environ({"VIBEWARD_USER_CONFIG": str(tmp_path / "none.yml")})) is None


# -- the `tracker:` section of compliance-config.yml -----------------------------------


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "compliance-config.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_tracker_section(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "tracker:\n  type: jira\n  url: https://acme.atlassian.net/\n  project_keys: [PAY, SEC]\n"
        "  on_tracker_error: warn\n  on_missing_key: pass\n  auth: cloud\n",
    )
    tracker = config.load(path).tracker
    assert tracker == config.TrackerConfig(
        type="jira",
        url="https://acme.atlassian.net",
        project_keys=("PAY", "SEC"),
        on_tracker_error="warn",
        on_missing_key="pass",
        auth="cloud",
    )
    assert config.load(None).tracker == config.TrackerConfig()  # defaults: pick by env, fail closed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  type: trello\n", ":2: tracker.type: expected one of jira, github, gitlab, linear, file, got 'trello'"),
        ("  on_tracker_error: ignore\n", ":2: tracker.on_tracker_error: expected one of fail, warn"),
        ("  on_missing_key: skip\n", ":2: tracker.on_missing_key: expected one of fail, warn, pass"),
        ("  url: https://bot:tok@acme.atlassian.net\n", ":2: tracker.url: must not contain credentials"),
        ("  url: acme.atlassian.net\n", ":2: tracker.url: expected an http(s) URL"),
        ("  project_keys: [PAY, pay]\n", ":2: tracker.project_keys[1]: 'pay' is not a project key"),
        ("  auth: oauth\n", ":2: tracker.auth: expected one of cloud, pat"),
    ],
)
def test_tracker_section_errors_name_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = write_config(tmp_path, "tracker:\n" + body)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert caught.value.message.startswith(str(path))
    assert message in caught.value.message
    assert caught.value.exit_code == 2


def test_unknown_tracker_key_warns(tmp_path: Path) -> None:
    path = write_config(tmp_path, "tracker:\n  type: file\n  token: nope\n")
    loaded = config.load(path)
    assert loaded.tracker.type == "file"
    assert any("unknown key 'tracker.token'" in w for w in loaded.warnings)
