"""A real PostgreSQL for tests, from Debian's postgresql package: initdb and pg_ctl on a temporary folder, a free
port on 127.0.0.1 and a unix socket in that folder, run as an unprivileged user when the tests run as root
(initdb refuses root, and CI runs as root). `make test` installs the package when initdb is missing.

    def test_x(postgres):                       # session-scoped: one server for the test session
        url = postgres.url("blueprint_test")    # postgresql://blueprint@127.0.0.1:PORT/blueprint_test
        postgres.execute("CREATE TABLE ...")    # as the superuser, autocommit
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

USER = "blueprint"
DATABASE = "blueprint_test"


def pg_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server programs (the newest version), or of initdb on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A PostgreSQL server in ``folder`` on ``port`` (trust authentication, 127.0.0.1 and a socket only)."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        self.bindir, self.folder = bindir, folder
        self.data, self.log = folder / "data", folder / "postgres.log"
        self.port = _free_port()
        self.as_user = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
            self.as_user = ["runuser", "-u", "nobody", "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, cwd=self.folder, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}")

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB -c work_mem=64MB")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "-t", "60", "start")
        self.execute(f"CREATE DATABASE {DATABASE}", database="postgres")

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = DATABASE, user: str = USER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, params=None, database: str = DATABASE) -> None:
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql, params)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the test session (skipped, saying how to install it, when there is none)."""
    bindir = pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL's initdb was not found: `make postgresql` installs Debian's postgresql package.")
    server = Postgres(bindir, Path(tempfile.mkdtemp(prefix="blueprint-pg-")))
    server.start()
    try:
        yield server
    finally:
        server.stop()
