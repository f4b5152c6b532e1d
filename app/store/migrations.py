"""Schema version and forward migrations.

Rule: MIGRATIONS[i] takes a database at version i to version i+1; SCHEMA_VERSION == len(MIGRATIONS).
Steps are only ever appended (never edited once released). ``migrate`` runs the missing steps and records
the new version in one transaction; a database newer than this program is refused (SchemaError).
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, Engine, inspect, text

from .models import SchemaError
from .schema import APPEND_ONLY, metadata, round_files, schema_info


def _v1_create_all(conn: Connection) -> None:
    """Version 1: every table, plus triggers that keep the audit log and decisions append-only."""
    metadata.create_all(conn)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION jigai_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END $$")
        for table in APPEND_ONLY:
            conn.exec_driver_sql(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                                 "FOR EACH ROW EXECUTE FUNCTION jigai_append_only()")
    elif conn.dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for op in ("UPDATE", "DELETE"):
                conn.exec_driver_sql(f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                                     f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _v2_records_city_index(conn: Connection) -> None:
    """Version 2: index for the queue's city filter."""
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_records_round_city ON records (round, city)")


def _v3_round_files(conn: Connection) -> None:
    """Version 3: ``round_files``, the files a round is made of (who uploaded each, when, records read)."""
    round_files.create(conn, checkfirst=True)


MIGRATIONS: list[Callable[[Connection], None]] = [_v1_create_all, _v2_records_city_index, _v3_round_files]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """The version recorded in the database (0 for an empty one)."""
    if not inspect(conn).has_table("schema_info"):
        return 0
    found = conn.execute(schema_info.select()).scalars().all()
    return max(found) if found else 0


def migrate(engine: Engine, target: int = SCHEMA_VERSION) -> int:
    """Bring the database forward to ``target`` (default: the latest) in one transaction; returns the version."""
    if not 0 <= target <= SCHEMA_VERSION:
        raise ValueError(f"target version {target} outside 0..{SCHEMA_VERSION}")
    with engine.connect().execution_options(jigai_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":  # two processes opening a fresh database at once
            conn.execute(text("SELECT pg_advisory_xact_lock(74171)"))
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise SchemaError(f"审核库的结构版本为{version}，高于本程序支持的{SCHEMA_VERSION}，请升级程序后再打开"
                              f" (database schema {version} is newer than this program's {SCHEMA_VERSION})")
        if version >= target:
            return version
        for step in MIGRATIONS[version:target]:
            step(conn)
        conn.execute(schema_info.delete())
        conn.execute(schema_info.insert().values(version=target))
        return target
