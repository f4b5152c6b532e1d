"""A throwaway PostgreSQL server for the store tests (session fixture ``pg_url``).

$JIGAI_TEST_PG_URL (an SQLAlchemy URL of a database the tests may wipe) wins; otherwise a cluster is
initdb'd in a temp dir from /usr/lib/postgresql/*/bin and started on a free 127.0.0.1 port. As root the
server runs as the ``postgres`` system user (postgres refuses to run as root).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

ENV = "JIGAI_TEST_PG_URL"
DB = "jigai_test"
INSTALL_HINT = ("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: "
                "install Debian's postgresql package (apt-get install postgresql), or set "
                f"{ENV}=postgresql+psycopg://user@host:port/db to a database the tests may wipe")


def find_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """initdb + pg_ctl in a temp dir; ``url`` once started."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="jigai-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{tail}")

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w",
                  "-t", "60", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DB)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DB}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        except Exception:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url():
    """SQLAlchemy URL of an empty-able PostgreSQL database for this test session."""
    if os.environ.get(ENV):
        yield os.environ[ENV]
        return
    bindir = find_bin()
    if bindir is None:
        pytest.fail(INSTALL_HINT)
    server = LocalServer(bindir)
    try:
        url = server.start()
    except Exception as err:
        server.stop()
        pytest.fail(f"could not start a throwaway PostgreSQL server: {err}")
    try:
        yield url
    finally:
        server.stop()


def wipe(url: str) -> None:
    """Drop everything in the database's public schema (a clean database for the next test)."""
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
