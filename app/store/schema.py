"""Table definitions (schema version 1; later versions add what app.store.migrations says).

JSON is kept as Text (json.dumps, ensure_ascii=False) so SQLite and PostgreSQL store it alike. Multi-valued
filter columns (codes, directions) are kept as "|A|B|" text so a LIKE '%|A|%' finds them portably.
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, Float, ForeignKey, ForeignKeyConstraint, Index, Integer, MetaData,
                        String, Table, Text, UniqueConstraint)

metadata = MetaData()
TZ = DateTime(timezone=True)


def _round(nullable: bool = False) -> Column:
    return Column("round", String(64), ForeignKey("rounds.label"), nullable=nullable)


schema_info = Table("schema_info", metadata, Column("version", Integer, nullable=False))

rounds = Table(
    "rounds", metadata,
    Column("label", String(64), primary_key=True),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("meta", Text, nullable=False, default="{}"),  # the contract less records, duplicates, cities
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _round(),
    Column("batch", Integer, nullable=False),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("at", TZ, nullable=False),
    Column("actor", String(128), nullable=False),
    Index("ix_imports_round_batch", "round", "batch"),
)

records = Table(
    "records", metadata,
    Column("round", String(64), ForeignKey("rounds.label"), primary_key=True),
    Column("record_id", String(512), primary_key=True),
    Column("ord", Integer, nullable=False),  # position in the contract
    Column("kind", String(32), nullable=False),
    Column("city", String(64), nullable=False, default=""),
    Column("company", Text, nullable=False, default=""),
    Column("project", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("worst_severity", String(16), nullable=False, default=""),
    Column("severity_rank", Integer, nullable=False),  # 0 error … 3 no findings
    Column("n_findings", Integer, nullable=False, default=0),
    Column("codes", Text, nullable=False, default="|"),
    Column("declared", Text, nullable=False, default="|"),
    Column("inferred", Text, nullable=False, default="|"),
    Column("duplicate", Boolean, nullable=False, default=False),
    Index("ix_records_round_sev", "round", "severity_rank", "ord"),
)

# the bulky part of a record, apart so that the queue's scan of ``records`` stays narrow
record_data = Table(
    "record_data", metadata,
    Column("round", String(64), primary_key=True),
    Column("record_id", String(512), primary_key=True),
    Column("search", Text, nullable=False, default=""),  # lower-cased company, project and field texts
    Column("data", Text, nullable=False),  # the contract record as imported
    ForeignKeyConstraint(["round", "record_id"], ["records.round", "records.record_id"], ondelete="CASCADE"),
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _round(),
    Column("record_id", String(512), nullable=False),
    Column("code", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("field", Text),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Column("message", Text, nullable=False, default=""),
    Index("ix_findings_round_record", "round", "record_id"),
    Index("ix_findings_round_code", "round", "code"),
)

duplicate_pairs = Table(
    "duplicate_pairs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _round(),
    Column("ord", Integer, nullable=False),
    Column("a", String(512), nullable=False),
    Column("b", String(512), nullable=False),
    Column("kind", String(32), nullable=False, default=""),
    Column("score", Float),
    Column("archived_round", String(64)),  # set when b is a record of an archived round
    Column("data", Text, nullable=False),
    Index("ix_pairs_round_a", "round", "a"),
    Index("ix_pairs_round_b", "round", "b"),
)

cities = Table(
    "cities", metadata,
    Column("round", String(64), ForeignKey("rounds.label"), primary_key=True),
    Column("city", String(64), primary_key=True),
    Column("ord", Integer, nullable=False),
    Column("data", Text, nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _round(),
    Column("record_id", String(512), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("reviewer", String(128), nullable=False),
    Column("at", TZ, nullable=False),
    UniqueConstraint("round", "record_id", "version", name="uq_decisions_version"),
)

direction_reviews = Table(
    "direction_reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _round(),
    Column("record_id", String(512), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("reviewer", String(128), nullable=False),
    Column("at", TZ, nullable=False),
    Index("ix_dirrev_round_record", "round", "record_id"),
)

publicity_picks = Table(
    "publicity_picks", metadata,
    Column("round", String(64), ForeignKey("rounds.label"), primary_key=True),
    Column("record_id", String(512), primary_key=True),
    Column("highlight_index", Integer, primary_key=True, autoincrement=False),
    Column("text", Text, nullable=False, default=""),  # the highlight's text when picked
    Column("reviewer", String(128), nullable=False),
    Column("at", TZ, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", TZ, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("round", String(64)),
    Column("record_id", String(512)),
    Column("detail", Text, nullable=False, default="{}"),
    Index("ix_audit_round", "round", "id"),
)

# schema version 3: the files the round is made of now (replaced with the round's rows on every import)
round_files = Table(
    "round_files", metadata,
    Column("round", String(64), ForeignKey("rounds.label"), primary_key=True),
    Column("file", String(512), primary_key=True),  # path in the round folder: 城市/名称 or 名称
    Column("name", Text, nullable=False),  # the safe base name that keys replacement
    Column("city", String(64), nullable=False, default=""),
    Column("kind", String(32), nullable=False, default=""),  # project / enterprise / practice / empty
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False, default=0),
    Column("records", Integer, nullable=False, default=0),
    Column("origin", Text, nullable=False, default=""),  # the name it was uploaded under (zip/entry)
    Column("uploaded_at", TZ, nullable=False),
    Column("uploaded_by", String(128), nullable=False),
)

#: tables that are never updated nor deleted from (guarded by triggers)
APPEND_ONLY = ("audit_log", "decisions")
