"""Composite reads: a record's full view, the publicity picks, the dashboard and the round's contract."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, func, or_, select

from . import queries as Q
from . import rows as R
from .models import DIRECTIONS, STATUSES, UNREVIEWED, RecordView
from .schema import cities, decisions, direction_reviews, duplicate_pairs, findings, publicity_picks, records, rounds


class OtherCities:
    """What a city viewer learns of a record of another city (or of no known city), in one place: its city and
    how alike it is, never its company, file, row, figures or id (ids are built from file names and company
    names). Another city's record is named by a placeholder, "汕头市的材料1", numbered in order of appearance and
    the same wherever it appears in one view or one contract (pairs, findings)."""

    def __init__(self, scope: str):
        self.scope = scope
        self.labels: dict[tuple, str] = {}

    def foreign(self, city: str | None) -> bool:
        return city != self.scope

    def label(self, record_id, city: str | None, round_label: str | None = None) -> str:
        key = (round_label, record_id)
        if key not in self.labels:
            who = f"{round_label}年" if round_label else ""
            who += city or "其他地市"
            n = sum(1 for v in self.labels.values() if v.startswith(who + "的材料")) + 1
            self.labels[key] = f"{who}的材料{n}"
        return self.labels[key]

    def restricted(self, row) -> dict:
        """The other side of a pair in the record view: no content."""
        return {"id": self.label(row.record_id, row.city), "city": row.city, "kind": row.kind, "restricted": True}

    def pair(self, pair: dict, mine: str, other_city: str | None) -> dict:
        """A copy of ``pair`` (``mine`` = "a" or "b", the viewer's side) whose other side, of another city, is a
        placeholder: no id, no 改动 values (their kinds stay), no offsets into its text."""
        other = "b" if mine == "a" else "a"
        out = dict(pair, restricted=True, other_city=other_city)
        out[other] = self.label(pair.get(other), other_city, pair.get("round"))
        if pair.get("changed"):
            out["changed"] = {k: [] for k in pair["changed"]}
        out["shared"] = [{k: v for k, v in s.items() if not k.startswith(other + "_")}
                         for s in pair.get("shared") or []]
        return out

    def record(self, record: dict) -> dict:
        """A copy of the viewer's own record: a DUPLICATE_OF finding about another city's record says which city
        and how alike, not that record's company, file, row or id (the highlighted span stays)."""
        from nlp.messages import duplicate_message

        findings = []
        for f in record.get("findings") or []:
            data = f.get("data") or {}
            other_city = data.get("other_city")
            if f.get("code") == "DUPLICATE_OF" and data.get("other") is not None and self.foreign(other_city):
                f = dict(f, message=duplicate_message(data.get("kind"), float(data.get("score") or 0), city=other_city,
                                                      round_label=data.get("round")),
                         data={k: v for k, v in data.items() if k not in ("other_company", "other_source")}
                         | {"other": self.label(data.get("other"), other_city, data.get("round"))})
            findings.append(f)
        out = dict(record, findings=findings)
        if record.get("fields_annotated"):  # the duplicate layer: another city's side is a label, no offsets
            out["fields_annotated"] = {name: dict(layers, **({"duplicate": [
                {k: v for k, v in s.items() if k not in ("other_field", "other_start", "other_end")}
                | {"other": self.label(s.get("other"), s.get("other_city"), s.get("round"))}
                if self.foreign(s.get("other_city")) else s for s in layers["duplicate"]]} if "duplicate" in layers else {}))
                for name, layers in record["fields_annotated"].items()}
        return out


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
    data = R.loads(row.data)
    veil = OtherCities(scope) if scope is not None else None
    archived_cities = _archived_cities([data])
    duplicates = []
    for p in pairs:
        pair = R.loads(p.data)
        if p.archived_round is not None:
            city = archived_cities.get((p.archived_round, p.b))
            if veil is not None and veil.foreign(city):
                pair = veil.pair(pair, "a", city)
                pair["other"] = {"id": pair["b"], "round": p.archived_round, "kind": pair.get("kind"),
                                 "score": pair.get("score"), "city": city, "restricted": True}
            else:
                pair["other"] = {k: pair[k] for k in ("b", "round", "kind", "score") if k in pair} | {"id": p.b}
        else:
            other = others.get(p.b if p.a == record_id else p.a)
            if other is None:
                pair["other"] = {"id": p.b if p.a == record_id else p.a, "missing": True}
            elif veil is not None and veil.foreign(other.city):
                pair = veil.pair(pair, "a" if p.a == record_id else "b", other.city)
                pair["other"] = veil.restricted(other)
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
    return RecordView(row=Q.queue_row(row), data=veil.record(data) if veil is not None else data,
                      duplicates=duplicates,
                      decision=history[-1] if history else None, history=history, direction_reviews=reviews,
                      publicity=list(picks))


def publicity_entries(conn: Connection, scope: str | None, round_label: str) -> list[dict]:
    """The picked excerpts with their record and its latest decision's ``status`` (未审 when none)."""
    latest = Q.latest_decisions(round_label)
    q = Q.with_data(select(publicity_picks, records.c.city, records.c.company, records.c.kind,
                           func.coalesce(latest.c.status, UNREVIEWED).label("status"))
                    .join(records, (records.c.round == publicity_picks.c.round)
                          & (records.c.record_id == publicity_picks.c.record_id))
                    .outerjoin(latest, latest.c.record_id == publicity_picks.c.record_id)
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
                    "picked_by": r.reviewer, "at": R.aware(r.at), "status": r.status})
    return out


#: the statuses that settle a record: "已审" counts these; 待定 (pending) is not a decision yet
RETURNED = "退回修改"
DECIDED = ("通过", RETURNED)
PENDING = "待定"
assert set(DECIDED) | {PENDING} == set(STATUSES)


def dashboard(conn: Connection, scope: str | None, round_label: str) -> dict:
    """Per city: records, ``reviewed`` (decided 通过 or 退回修改) and ``pending`` (待定); status counts;
    declared/inferred directions; finding codes."""
    rows = conn.execute(Q.queue_select(round_label, scope)).all()
    per_city, reviewed = Counter(r.city for r in rows), Counter(r.city for r in rows if r.status in DECIDED)
    pending = Counter(r.city for r in rows if r.status == PENDING)
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
    city_list = [R.loads(c.data) | {"records": per_city[c.city], "reviewed": reviewed[c.city],
                                    "pending": pending[c.city]}
                 for c in conn.execute(city_q)]
    listed = {c["city"] for c in city_list}
    city_list += [{"city": c, "records": n, "reviewed": reviewed[c], "pending": pending[c]}
                  for c, n in per_city.items() if c and c not in listed]
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
        city_of = dict(conn.execute(select(records.c.record_id, records.c.city)
                                    .where(records.c.round == round_label)).all())
        _confine(out, scope, city_of)
    return out


def _archived_cities(recs: list[dict]) -> dict[tuple, str | None]:
    """(archived round, archived record id) → its city, from the DUPLICATE_OF findings that name it."""
    out = {}
    for r in recs:
        for f in r.get("findings") or []:
            data = f.get("data") or {}
            if f.get("code") == "DUPLICATE_OF" and data.get("round"):
                out[(str(data["round"]), data.get("other"))] = data.get("other_city")
    return out


def _confine(out: dict, scope: str, city_of: dict[str, str | None]) -> None:
    """Limit a contract's pairs, clusters and file lists to a city viewer's own records and files, and what it
    says of other cities' records to what the record view says (:class:`OtherCities`): every export built from
    it follows the same rule. ``city_of``: the round's record id → city."""
    veil = OtherCities(scope)
    archived = _archived_cities(out["records"])
    out["records"] = [veil.record(r) for r in out["records"]]
    ids = {r["id"] for r in out["records"]}
    pairs = []
    for p in out["duplicates"]:
        if p.get("round") is not None:
            if p.get("a") in ids:
                city = archived.get((str(p["round"]), p.get("b")))
                pairs.append(veil.pair(p, "a", city) if veil.foreign(city) else p)
        elif p.get("a") in ids and p.get("b") in ids:
            pairs.append(p)
        elif p.get("a") in ids or p.get("b") in ids:
            mine = "a" if p.get("a") in ids else "b"
            pairs.append(veil.pair(p, mine, city_of.get(p.get("b" if mine == "a" else "a"))))
    out["duplicates"] = pairs
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
