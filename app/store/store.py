"""The review store: one round's contract, reviewers' decisions and the audit log, in SQLite or PostgreSQL.

Every read and write takes a Viewer; a city viewer is confined to its own city in the SQL itself.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from . import queries as Q
from . import rows as R
from .engine import make_engine, resolve_target
from .importer import check_args, check_file_rows, import_into
from .migrations import current_version, migrate
from .models import (DIRECTIONS, STATUSES, VERDICTS, AccessDenied, AuditEntry, Decision, DecisionConflict,
                     ImportResult, NotFound, RecordView, RoundFile, Viewer, check_viewer)
from .schema import audit_log, decisions, direction_reviews, publicity_picks, records, round_files, rounds

OTHER_CITY = "无权查看其他地市的记录"
#: audit actions of uploads that import nothing (an import writes ``import`` and ``upload`` itself)
UPLOAD_ACTIONS = ("upload", "remove_file", "remove_quarantined")


def scope_of(viewer: Viewer) -> str | None:
    """The only city a viewer may see (None: every city)."""
    check_viewer(viewer)
    return viewer.city if viewer.role == "city" else None


def _natural(label: str) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", label) if p]


class Store:
    """Open with Store.open(); see docs/store.md."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._pg = self.engine.dialect.name == "postgresql"

    @classmethod
    def open(cls, target: str | Path | None = None) -> "Store":
        store = cls(resolve_target(target))
        try:
            migrate(store.engine)
        except Exception:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction with one consistent snapshot."""
        with self.engine.connect() as conn:
            if self._pg:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(jigai_write=True) as conn, conn.begin():
            yield conn

    def schema_version(self) -> int:
        with self._read() as conn:
            return current_version(conn)

    # -- helpers -----------------------------------------------------------------------------------------
    @staticmethod
    def _require_round(conn: Connection, round_label: str) -> None:
        if conn.execute(select(rounds.c.label).where(rounds.c.label == round_label)).first() is None:
            raise NotFound(f"未找到轮次：{round_label}")

    def _visible_record(self, conn: Connection, viewer: Viewer, round_label: str, record_id: str, *columns):
        """The record's row (city, data and ``columns``); NotFound / AccessDenied."""
        scope = scope_of(viewer)
        query = select(records.c.city, *columns).where(records.c.round == round_label,
                                                       records.c.record_id == record_id)
        row = conn.execute(Q.with_data(query)).first()
        if row is None:
            self._require_round(conn, round_label)
            raise NotFound(f"未找到记录：{record_id}")
        if scope is not None and row.city != scope:
            raise AccessDenied(OTHER_CITY)
        return row

    def _latest_decision(self, conn: Connection, round_label: str, record_id: str) -> Decision | None:
        return Q.latest_decision(conn, round_label, record_id)

    @staticmethod
    def _audit(conn: Connection, actor: str, action: str, round_label: str | None, record_id: str | None,
               detail: dict) -> None:
        conn.execute(insert(audit_log).values(at=R.now(), actor=actor, action=action, round=round_label,
                                              record_id=record_id, detail=R.dumps(detail)))

    # -- import ------------------------------------------------------------------------------------------
    def import_round(self, round_label: str, contract: dict, files: list[tuple[str, str]],
                     actor: str, *, file_rows: list[dict] | None = None, upload: dict | None = None) -> ImportResult:
        """Replace the round's contract rows in one transaction (skipped when the file hashes are unchanged).

        ``file_rows`` replace the round's file list (``round_files``); ``upload`` is audited as an ``upload``
        entry (what changed: files and records), the one the upload tab shows after a reload."""
        files = [tuple(f) for f in files]
        check_args(round_label, contract, files, actor)
        if file_rows is not None:
            check_file_rows(file_rows)
        if upload is not None and (upload.get("action") or "upload") not in UPLOAD_ACTIONS:
            raise ValueError(f"未知的上传操作：{upload.get('action')!r}")
        with self._write() as conn:
            return import_into(conn, round_label, contract, files, actor, file_rows, upload)

    def log_upload(self, actor: str, action: str, round_label: str, detail: dict) -> None:
        """Audit an upload-side event that imports nothing: ``upload`` (refused, timed out), ``remove_file``,
        ``remove_quarantined``."""
        if action not in UPLOAD_ACTIONS:
            raise ValueError(f"未知的上传操作：{action!r}")
        if not actor:
            raise ValueError("缺少操作人")
        with self._write() as conn:
            self._audit(conn, actor, action, round_label, None, detail)

    # -- reads -------------------------------------------------------------------------------------------
    def rounds(self, viewer: Viewer) -> list[str]:
        """Every round label, newest first (labels are not city data)."""
        check_viewer(viewer)
        with self._read() as conn:
            labels = conn.execute(select(rounds.c.label)).scalars().all()
        return sorted(labels, key=_natural, reverse=True)

    def queue(self, viewer: Viewer, round_label: str, *, city=None, severity=None, code=None, direction=None,
              status=None, search=None, duplicates_only=False, sort="severity") -> list:
        query = Q.queue_select(round_label, scope_of(viewer), city=city, severity=severity, code=code,
                               direction=direction, status=status, search=search,
                               duplicates_only=duplicates_only, sort=sort)
        with self._read() as conn:
            self._require_round(conn, round_label)
            return [Q.queue_row(r) for r in conn.execute(query)]

    def record(self, viewer: Viewer, round_label: str, record_id: str) -> RecordView:
        from .views import record_view

        with self._read() as conn:
            self._visible_record(conn, viewer, round_label, record_id)
            return record_view(conn, scope_of(viewer), round_label, record_id)

    def decisions(self, viewer: Viewer, round_label: str) -> dict[str, Decision]:
        """The latest decision of each record the viewer may see."""
        scope = scope_of(viewer)
        latest = Q.latest_decisions(round_label)
        q = (select(latest).join(records, (records.c.round == round_label)
                                 & (records.c.record_id == latest.c.record_id)))
        if scope is not None:
            q = q.where(records.c.city == scope)
        with self._read() as conn:
            self._require_round(conn, round_label)
            return {r.record_id: Q.decision_of(r) for r in conn.execute(q.order_by(records.c.ord))}

    def publicity(self, viewer: Viewer, round_label: str) -> list[dict]:
        from .views import publicity_entries

        with self._read() as conn:
            self._require_round(conn, round_label)
            return publicity_entries(conn, scope_of(viewer), round_label)

    def dashboard(self, viewer: Viewer, round_label: str) -> dict:
        from .views import dashboard

        with self._read() as conn:
            self._require_round(conn, round_label)
            return dashboard(conn, scope_of(viewer), round_label)

    def contract(self, viewer: Viewer, round_label: str) -> dict:
        from .views import contract

        with self._read() as conn:
            self._require_round(conn, round_label)
            return contract(conn, scope_of(viewer), round_label)

    def round_files(self, viewer: Viewer, round_label: str) -> list[RoundFile]:
        """The files the round is made of now, by city and name (a city viewer: its own city's only)."""
        scope = scope_of(viewer)
        q = select(round_files).where(round_files.c.round == round_label)
        if scope is not None:
            q = q.where(round_files.c.city == scope)
        with self._read() as conn:
            rows = conn.execute(q.order_by(round_files.c.city, round_files.c.name)).all()
        return [RoundFile(r.file, r.name, r.city, r.kind, r.sha256, r.size, r.records, r.origin,
                          R.aware(r.uploaded_at), r.uploaded_by) for r in rows]

    def last_upload(self, viewer: Viewer, round_label: str) -> AuditEntry | None:
        """The round's latest ``upload`` audit entry (provincial viewers only: it names every city's files)."""
        if scope_of(viewer) is not None:
            return None
        q = (select(audit_log).where(audit_log.c.round == round_label,
                                     audit_log.c.action.in_(("upload", "remove_file")))
             .order_by(audit_log.c.id.desc()).limit(1))
        with self._read() as conn:
            r = conn.execute(q).first()
        return None if r is None else AuditEntry(at=R.aware(r.at), actor=r.actor, action=r.action, round=r.round,
                                                 record_id=r.record_id, detail=R.loads(r.detail) or {}, id=r.id)

    def audit_log(self, round_label: str | None = None, limit: int = 1000) -> list[AuditEntry]:
        """The latest ``limit`` entries, newest first."""
        q = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if round_label is not None:
            q = q.where(audit_log.c.round == round_label)
        with self._read() as conn:
            return [AuditEntry(at=R.aware(r.at), actor=r.actor, action=r.action, round=r.round,
                               record_id=r.record_id, detail=R.loads(r.detail) or {}, id=r.id)
                    for r in conn.execute(q)]

    # -- writes ------------------------------------------------------------------------------------------
    def decide(self, viewer: Viewer, round_label: str, record_id: str, status: str, note: str,
               expected_version: int) -> Decision:
        """Record a decision on top of ``expected_version`` (the version the reviewer saw; 0 = none)."""
        check_viewer(viewer)
        if status not in STATUSES:
            raise ValueError(f"审核结论应为{'、'.join(STATUSES)}之一，而不是{status!r}")
        if not isinstance(expected_version, int) or expected_version < 0:
            raise ValueError(f"版本号无效：{expected_version!r}")
        note = note or ""
        try:
            with self._write() as conn:
                self._visible_record(conn, viewer, round_label, record_id)
                current = self._latest_decision(conn, round_label, record_id)
                version = current.version if current else 0
                if expected_version > version:
                    raise ValueError(f"版本号{expected_version}不存在（当前为{version}）")
                if expected_version < version:
                    raise DecisionConflict(current)
                made = Decision(record_id, status, note, viewer.username, R.now(), version + 1)
                conn.execute(insert(decisions).values(round=round_label, record_id=record_id, version=made.version,
                                                      status=status, note=note, reviewer=made.reviewer, at=made.at))
                self._audit(conn, viewer.username, "decide", round_label, record_id,
                            {"status": status, "note": note, "version": made.version})
                return made
        except IntegrityError as err:  # a concurrent reviewer stored the same version first
            with self._read() as conn:
                raise DecisionConflict(self._latest_decision(conn, round_label, record_id)) from err

    def review_direction(self, viewer: Viewer, round_label: str, record_id: str, direction: str, verdict: str,
                         note: str = "") -> None:
        """A reviewer's verdict on one transformation direction of a record (append-only; latest wins)."""
        check_viewer(viewer)
        if direction not in DIRECTIONS:
            raise ValueError(f"改造方向应为{'、'.join(DIRECTIONS)}之一，而不是{direction!r}")
        if verdict not in VERDICTS:
            raise ValueError(f"方向审核结论应为{'、'.join(VERDICTS)}之一，而不是{verdict!r}")
        with self._write() as conn:
            self._visible_record(conn, viewer, round_label, record_id)
            conn.execute(insert(direction_reviews).values(
                round=round_label, record_id=record_id, direction=direction, verdict=verdict, note=note or "",
                reviewer=viewer.username, at=R.now()))
            self._audit(conn, viewer.username, "review_direction", round_label, record_id,
                        {"direction": direction, "verdict": verdict, "note": note or ""})

    def set_publicity(self, viewer: Viewer, round_label: str, record_id: str, highlight_index: int,
                      picked: bool) -> None:
        """Pick (or unpick) one of the record's highlights for the publicity pack."""
        check_viewer(viewer)
        with self._write() as conn:
            row = self._visible_record(conn, viewer, round_label, record_id)
            highlights = (R.loads(row.data) or {}).get("highlights") or []
            if not isinstance(highlight_index, int) or not 0 <= highlight_index < len(highlights):
                raise ValueError(f"该记录没有第{highlight_index}条亮点（共{len(highlights)}条）")
            key = ((publicity_picks.c.round == round_label) & (publicity_picks.c.record_id == record_id)
                   & (publicity_picks.c.highlight_index == highlight_index))
            conn.execute(delete(publicity_picks).where(key))
            text = highlights[highlight_index].get("text", "")
            if picked:
                conn.execute(insert(publicity_picks).values(
                    round=round_label, record_id=record_id, highlight_index=highlight_index, text=text,
                    reviewer=viewer.username, at=R.now()))
            self._audit(conn, viewer.username, "set_publicity", round_label, record_id,
                        {"index": highlight_index, "picked": bool(picked), "text": text})
