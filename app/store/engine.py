"""Engine creation: SQLite (WAL, foreign keys, busy timeout, real transactions) or any SQLAlchemy URL.

A SQLite store file is private: created 0600 (its folder 0700 when created here), and an existing one, with its
-wal/-shm, loses any group/other permission when opened; SQLite gives the -wal/-shm the database file's mode.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from .models import data_dir

DEFAULT_FILE = "review.sqlite"
BUSY_TIMEOUT_MS = 30_000


def resolve_target(target: str | Path | None) -> str:
    """The SQLAlchemy URL for Store.open's target (None -> review.sqlite under the data dir)."""
    if target is None:
        return _sqlite_url(data_dir() / DEFAULT_FILE)
    if isinstance(target, str) and "://" in target:
        return target
    return _sqlite_url(Path(target))


def _sqlite_url(path: Path) -> str:
    path = path.expanduser().resolve()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_private(path: Path) -> None:
    """Create the SQLite file ``path`` 0600 if missing; drop group/other permissions of it and its -wal/-shm."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # an empty file is a new SQLite database
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
            if mode & 0o077:
                os.chmod(file, mode & 0o700)
        except FileNotFoundError:
            pass
        except PermissionError:
            pass  # not ours (read-only share): leave it as it is


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for in-memory databases)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str) -> Engine:
    """An engine; on SQLite each transaction is an explicit BEGIN (IMMEDIATE for writes)."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    file = _sqlite_file(url)
    if file is not None:
        make_private(file)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let us emit BEGIN ourselves (pysqlite defers it otherwise)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # writers take the lock up front so read-then-write transactions serialise instead of failing
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("jigai_write") else "BEGIN")

    return engine
