"""Composite reads: a record's full view, the publicity picks, the dashboard and the round's contract."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, func, or_, select

from . import queries as Q
from . import rows as R
from .models import DIRECTIONS, STATUSES, UNREVIEWED, RecordView
from .schema import cities, decisions, direction_reviews, duplicate_pairs, findings, publicity_picks, records, rounds


def _restricted(row) -> dict:
    """What a city viewer learns of another city's record in a pair: no content."""
    return {"id": row.record_id, "city": row.city, "kind": row.kind, "restricted": True}


def _hide_other_cities(record: dict, scope: str) -> dict:
    """A city viewer's copy of its own record: a DUPLICATE_OF finding about another city's record says which city
    and how alike, not that record's company, file or row (the pair panel shows no content of it either)."""
    from nlp.pipeline import KIND_ZH

    findings = []
    for f in record.get("findings") or []:
        data = f.get("data") or {}
        other_city = data.get("other_city")
        if f.get("code") == "DUPLICATE_OF" and other_city and other_city != scope:
            when = f"{data['round']}年已报送的" if data.get("round") else ""
            f = dict(f, message=f"与{when}{other_city}的一份材料{KIND_ZH.get(data.get('kind'), '相似')}，"
                                f"相似度{float(data.get('score') or 0):.2f}（其他地市的材料详情仅省级账号可见）",
                     data={k: v for k, v in data.items() if k not in ("other_company", "other_source")})
        findings.append(f)
    return dict(record, findings=findings)


def record_view(conn: Connection, scope: str | None, round_label: str, record_id: str) -> RecordView:
    row = conn.execute(Q.with_data(Q.queue_select(round_label, None).where(records.c.record_id == record_id))).one()
    pairs = conn.execute(select(duplicate_pairs.c.data, duplicate_pairs.c.a, duplicate_pairs.c.b,
                                duplicate_pairs.c.archived_round)
                         .where(duplicate_pairs.c.round == round_label,
                                or_(duplicate_pairs.c.a == record_id,
                                    (duplicate_pairs.c.b == record_id) & duplicate_pairs.c.archived_round.is_(None)))
                         .order_by(duplicate_pairs.c.ord)).all()
    other_ids = {p.b if p.a == record_id else p.a for p in pairs if p.archived_round is None}
    others = {}
    if other_ids:
        others = {o.record_id: o for o in conn.execute(
            Q.with_data(select(records.c.record_id, records.c.city, records.c.kind)
                        .where(records.c.round == round_label, records.c.record_id.in_(other_ids))))}
    duplicates = []
    for p in pairs:
        pair = R.loads(p.data)
        if p.archived_round is not None:
            pair["other"] = {k: pair[k] for k in ("b", "round", "kind", "score") if k in pair} | {"id": p.b}
        else:
            other = others.get(p.b if p.a == record_id else p.a)
            if other is None:
                pair["other"] = {"id": p.b if p.a == record_id else p.a, "missing": True}
            elif scope is not None and other.city != scope:
                pair["other"] = _restricted(other)
            else:
                pair["other"] = R.loads(other.data)
        duplicates.append(pair)
    history = [Q.decision_of(d) for d in conn.execute(
        select(decisions).where(decisions.c.round == round_label, decisions.c.record_id == record_id)
        .order_by(decisions.c.version))]
    reviews = {}
    for d in conn.execute(select(direction_reviews).where(direction_reviews.c.round == round_label,
                                                          direction_reviews.c.record_id == record_id)
                          .order_by(direction_reviews.c.id)):
        reviews[d.direction] = {"verdict": d.verdict, "reviewer": d.reviewer, "at": R.aware(d.at), "note": d.note}
    picks = conn.execute(select(publicity_picks.c.highlight_index)
                         .where(publicity_picks.c.round == round_label, publicity_picks.c.record_id == record_id)
                         .order_by(publicity_picks.c.highlight_index)).scalars().all()
    data = R.loads(row.data)
    return RecordView(row=Q.queue_row(row), data=_hide_other_cities(data, scope) if scope else data,
                      duplicates=duplicates,
                      decision=history[-1] if history else None, history=history, direction_reviews=reviews,
                      publicity=list(picks))


def publicity_entries(conn: Connection, scope: str | None, round_label: str) -> list[dict]:
    q = Q.with_data(select(publicity_picks, records.c.city, records.c.company, records.c.kind)
                    .join(records, (records.c.round == publicity_picks.c.round)
                          & (records.c.record_id == publicity_picks.c.record_id))
                    .where(publicity_picks.c.round == round_label)
                    .order_by(records.c.ord, publicity_picks.c.highlight_index))
    if scope is not None:
        q = q.where(records.c.city == scope)
    out = []
    for r in conn.execute(q):
        data = R.loads(r.data)
        highlights = data.get("highlights") or []
        if r.highlight_index >= len(highlights):
            continue
        out.append({"record_id": r.record_id, "city": r.city, "company": r.company, "kind": r.kind,
                    "index": r.highlight_index, "highlight": highlights[r.highlight_index], "record": data,
                    "picked_by": r.reviewer, "at": R.aware(r.at)})
    return out


def dashboard(conn: Connection, scope: str | None, round_label: str) -> dict:
    rows = conn.execute(Q.queue_select(round_label, scope)).all()
    per_city, reviewed = Counter(r.city for r in rows), Counter(r.city for r in rows if r.status != UNREVIEWED)
    status = dict.fromkeys((UNREVIEWED,) + STATUSES, 0) | Counter(r.status for r in rows)
    directions = {d: {"declared": 0, "inferred": 0} for d in DIRECTIONS}
    for r in rows:
        for key in ("declared", "inferred"):
            for d in R.unpipe(getattr(r, key)):
                directions.setdefault(d, {"declared": 0, "inferred": 0})[key] += 1
    codes_q = (select(findings.c.code, func.count()).join(
        records, (records.c.round == findings.c.round) & (records.c.record_id == findings.c.record_id))
        .where(findings.c.round == round_label).group_by(findings.c.code).order_by(findings.c.code))
    city_q = select(cities.c.city, cities.c.data).where(cities.c.round == round_label).order_by(cities.c.ord)
    if scope is not None:
        codes_q, city_q = codes_q.where(records.c.city == scope), city_q.where(cities.c.city == scope)
    city_list = [R.loads(c.data) | {"records": per_city[c.city], "reviewed": reviewed[c.city]}
                 for c in conn.execute(city_q)]
    listed = {c["city"] for c in city_list}
    city_list += [{"city": c, "records": n, "reviewed": reviewed[c]} for c, n in per_city.items()
                  if c and c not in listed]
    return {"cities": city_list, "directions": directions, "codes": dict(conn.execute(codes_q).all()),
            "status": status}


def contract(conn: Connection, scope: str | None, round_label: str) -> dict:
    meta = R.loads(conn.execute(select(rounds.c.meta).where(rounds.c.label == round_label)).scalar_one()) or {}
    rq = Q.with_data(select().select_from(records)).where(records.c.round == round_label).order_by(records.c.ord)
    cq = select(cities.c.data).where(cities.c.round == round_label).order_by(cities.c.ord)
    if scope is not None:
        rq, cq = rq.where(records.c.city == scope), cq.where(cities.c.city == scope)
    recs = [R.loads(d) for d in conn.execute(rq).scalars()]
    pairs = [R.loads(d) for d in conn.execute(select(duplicate_pairs.c.data)
                                              .where(duplicate_pairs.c.round == round_label)
                                              .order_by(duplicate_pairs.c.ord)).scalars()]
    out = dict(meta, records=recs, duplicates=pairs, cities=[R.loads(d) for d in conn.execute(cq).scalars()])
    if scope is not None:
        _confine(out, scope)
    return out


def _confine(out: dict, scope: str) -> None:
    """Limit a contract's pairs, clusters and file lists to a city viewer's own records and files, and its
    findings to what that viewer may learn of other cities (:func:`_hide_other_cities`)."""
    out["records"] = [_hide_other_cities(r, scope) for r in out["records"]]
    ids = {r["id"] for r in out["records"]}
    out["duplicates"] = [p for p in out["duplicates"]
                         if p.get("a") in ids or (p.get("round") is None and p.get("b") in ids)]
    if "duplicate_clusters" in out:
        kept = [[m for m in cluster if m in ids] for cluster in out["duplicate_clusters"] or []]
        out["duplicate_clusters"] = [c for c in kept if len(c) >= 2]
    files = {(r.get("source") or {}).get("file") for r in out["records"]}

    def mine(name) -> bool:
        return bool(name) and (name in files or scope in str(name))

    if "files" in out:
        out["files"] = [f for f in out["files"] or [] if mine(f.get("file"))]
    if "file_findings" in out:
        out["file_findings"] = [f for f in out["file_findings"] or [] if mine((f.get("source") or {}).get("file"))]
    if "failures" in out:
        out["failures"] = [f for f in out["failures"] or [] if mine(f.get("file"))]
