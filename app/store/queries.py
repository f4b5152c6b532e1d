"""SELECT builders and row converters shared by the Store's reads."""
from __future__ import annotations

from sqlalchemy import Connection, and_, case, func, literal, select

from . import rows as R
from .models import SEVERITIES, SORTS, STATUSES, UNREVIEWED, Decision, QueueRow
from .schema import decisions, record_data, records

QUEUE_COLUMNS = (records.c.record_id, records.c.kind, records.c.city, records.c.company, records.c.project,
                 records.c.worst_severity, records.c.n_findings, records.c.codes, records.c.declared,
                 records.c.inferred, records.c.duplicate, records.c.source)


def latest_decisions(round_label: str):
    """Subquery: each record's latest decision row in the round."""
    head = (select(decisions.c.record_id, func.max(decisions.c.version).label("v"))
            .where(decisions.c.round == round_label).group_by(decisions.c.record_id).subquery("head"))
    return (select(decisions).join(head, and_(decisions.c.record_id == head.c.record_id,
                                              decisions.c.version == head.c.v))
            .where(decisions.c.round == round_label).subquery("latest"))


def queue_select(round_label: str, scope: str | None, *, city=None, severity=None, code=None, direction=None,
                 status=None, search=None, duplicates_only=False, sort="severity"):
    """One SELECT of the queue's columns, filtered (scope = the city a city viewer is confined to)."""
    if sort not in SORTS:
        raise ValueError(f"未知排序方式：{sort!r}（可选：{'、'.join(SORTS)}）")
    if severity is not None and severity not in SEVERITIES + ("",):
        raise ValueError(f"未知严重程度：{severity!r}")
    if status is not None and status not in STATUSES + (UNREVIEWED,):
        raise ValueError(f"未知审核状态：{status!r}")
    latest = latest_decisions(round_label)
    status_col = func.coalesce(latest.c.status, literal(UNREVIEWED)).label("status")
    q = (select(*QUEUE_COLUMNS, status_col)
         .select_from(records.outerjoin(latest, records.c.record_id == latest.c.record_id))
         .where(records.c.round == round_label))
    if scope is not None:
        q = q.where(records.c.city == scope)
    if city:
        q = q.where(records.c.city == city)
    if severity is not None:
        q = q.where(records.c.worst_severity == severity)
    if code:
        q = q.where(records.c.codes.contains(f"|{code}|", autoescape=True))
    if direction:
        tag = f"|{direction}|"
        q = q.where(records.c.declared.contains(tag, autoescape=True)
                    | records.c.inferred.contains(tag, autoescape=True))
    if status == UNREVIEWED:
        q = q.where(latest.c.status.is_(None))
    elif status:
        q = q.where(latest.c.status == status)
    if search and search.strip():
        q = q.where(records.c.record_id.in_(
            select(record_data.c.record_id).where(record_data.c.round == round_label,
                                                  record_data.c.search.contains(search.strip().lower(),
                                                                                autoescape=True))))
    if duplicates_only:
        q = q.where(records.c.duplicate.is_(True))
    status_rank = case({s: i + 1 for i, s in enumerate(("待定", "退回修改", "通过"))},
                       value=latest.c.status, else_=0)
    order = {"severity": (records.c.severity_rank, records.c.n_findings.desc()),
             "city": (records.c.city,),
             "company": (records.c.company,),
             "findings": (records.c.n_findings.desc(), records.c.severity_rank),
             "status": (status_rank,)}[sort]
    return q.order_by(*order, records.c.ord)


def queue_row(row) -> QueueRow:
    return QueueRow(record_id=row.record_id, kind=row.kind, city=row.city, company=row.company,
                    project=row.project, worst_severity=row.worst_severity, findings=row.n_findings,
                    codes=R.unpipe(row.codes), declared=R.unpipe(row.declared), inferred=R.unpipe(row.inferred),
                    duplicate=bool(row.duplicate), status=row.status, source=row.source)


def decision_of(row) -> Decision:
    return Decision(record_id=row.record_id, status=row.status, note=row.note, reviewer=row.reviewer,
                    at=R.aware(row.at), version=row.version)


def latest_decision(conn: Connection, round_label: str, record_id: str) -> Decision | None:
    row = conn.execute(select(decisions).where(decisions.c.round == round_label, decisions.c.record_id == record_id)
                       .order_by(decisions.c.version.desc()).limit(1)).first()
    return decision_of(row) if row else None


def with_data(query):
    """``query`` (over records) with the record's data column joined in."""
    return query.join(record_data, (record_data.c.round == records.c.round)
                      & (record_data.c.record_id == records.c.record_id)).add_columns(record_data.c.data)
