"""A throwaway PostgreSQL cluster for the tests: initdb in a temp folder, a free port, stopped at the end.

The binaries come from Debian's postgresql package (/usr/lib/postgresql/<version>/bin), which
.ci/run installs. PostgreSQL refuses to run as root, so as root the cluster is run as the
`postgres` system user (created by that package) or, failing that, a `vibeward-test` user.
Without the binaries the tests skip, except in CI (CI set), where they must run.

Import the fixtures into a test module: `from tests.helpers.postgres import postgres_cluster, postgres_url`.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TEST_USER = "vibeward-test"
DATABASE = "vibeward_test"
_names = itertools.count(1)


def find_bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin that has initdb, else the folder of initdb on PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> list[str]:
    """The command prefix that runs the server binaries as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", TEST_USER):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"]
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER], check=True)
    return ["runuser", "-u", TEST_USER, "--"]


@dataclass
class Cluster:
    bin_dir: Path
    folder: Path
    port: int
    prefix: list[str]

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_test_database(self) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    def create_database(self) -> str:
        """A new empty namespace for one test; returns its URL.

        A schema, named in the URL's search_path, is as empty as a new database for the ledger
        (which names its tables unqualified) and is made in milliseconds, not a checkpoint.
        """
        import psycopg

        name = f"t_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}?options=-csearch_path%3D{name}"

    def start(self) -> None:
        log = self.folder / "server.log"
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [
                *self.prefix,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "30",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )


def start_cluster() -> Cluster:
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    prefix = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="vibeward-pg-"))
    if prefix:
        user = prefix[2]
        shutil.chown(folder, user=user, group=pwd.getpwnam(user).pw_gid)
    cluster = Cluster(bin_dir=bin_dir, folder=folder, port=_free_port(), prefix=prefix)
    init = subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(cluster.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
    try:
        cluster.start()
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {exc.stderr!r} {log}") from None
    try:
        cluster.create_test_database()
    except BaseException:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    if find_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's initdb is missing, and CI must run these tests (.ci/run installs postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); CI runs these tests")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """A fresh, empty place in the session's cluster, for one test."""
    return postgres_cluster.create_database()
