"""import_round's work inside one transaction: replace a round's contract rows, keep its reviews."""
from __future__ import annotations

import re

from sqlalchemy import Connection, delete, func, insert, select, update

from . import rows as R
from .models import ImportResult
from .schema import (audit_log, cities, duplicate_pairs, findings, imports, publicity_picks, record_data, records,
                     round_files, rounds)

SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 500


def check_args(round_label: str, contract: dict, files: list[tuple[str, str]], actor: str) -> None:
    if not isinstance(round_label, str) or not round_label.strip() or len(round_label) > 64:
        raise ValueError("轮次名称无效")
    if not isinstance(contract, dict) or not isinstance(contract.get("records"), list):
        raise ValueError("结果数据无效：缺少records列表")
    for name in ("duplicates", "cities"):
        if not isinstance(contract.get(name, []), list):
            raise ValueError(f"结果数据无效：{name}不是列表")
    for item in files:
        if len(item) != 2 or not SHA256.match(str(item[1]).lower()):
            raise ValueError(f"文件校验值无效：{item!r}")
    if not actor:
        raise ValueError("缺少操作人")


def _insert_chunked(conn: Connection, table, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[i:i + CHUNK])


def _counts(conn: Connection, round_label: str) -> tuple[int, int, int]:
    n = [conn.execute(select(func.count()).select_from(t).where(t.c.round == round_label)).scalar_one()
         for t in (records, findings, duplicate_pairs)]
    return n[0], n[1], n[2]


def _latest_hashes(conn: Connection, round_label: str) -> tuple[int, set[str]]:
    batch = conn.execute(select(func.max(imports.c.batch)).where(imports.c.round == round_label)).scalar()
    if batch is None:
        return 0, set()
    found = conn.execute(select(imports.c.sha256).where(imports.c.round == round_label, imports.c.batch == batch))
    return batch, set(found.scalars())


def _prune_picks(conn: Connection, round_label: str, by_id: dict[str, dict]) -> int:
    """Drop publicity picks whose record vanished or whose highlight changed text."""
    gone = 0
    for rid, index, picked_text in conn.execute(
            select(publicity_picks.c.record_id, publicity_picks.c.highlight_index, publicity_picks.c.text)
            .where(publicity_picks.c.round == round_label)).all():
        highlights = (by_id.get(rid) or {}).get("highlights") or []
        if index < len(highlights) and highlights[index].get("text", "") == picked_text:
            continue
        conn.execute(delete(publicity_picks).where(publicity_picks.c.round == round_label,
                                                   publicity_picks.c.record_id == rid,
                                                   publicity_picks.c.highlight_index == index))
        gone += 1
    return gone


def _changed(conn: Connection, round_label: str, contract: dict, kept: set[str]) -> set[str]:
    """Ids of surviving records whose fields (the text as read) differ from the stored ones."""
    if not kept:
        return set()
    new_fields = {rec.get("id"): R.dumps(rec.get("fields") or {}) for rec in contract["records"]
                  if isinstance(rec, dict) and rec.get("id") in kept}
    changed = set()
    for rid, data in conn.execute(select(record_data.c.record_id, record_data.c.data)
                                  .where(record_data.c.round == round_label)):
        if rid in new_fields and R.dumps((R.loads(data) or {}).get("fields") or {}) != new_fields[rid]:
            changed.add(rid)
    return changed


def check_file_rows(file_rows: list[dict]) -> None:
    for row in file_rows:
        if not isinstance(row, dict) or not row.get("file") or not SHA256.match(str(row.get("sha256", "")).lower()):
            raise ValueError(f"文件清单条目无效：{row!r}")


def _write_file_rows(conn: Connection, round_label: str, file_rows: list[dict]) -> None:
    conn.execute(delete(round_files).where(round_files.c.round == round_label))
    _insert_chunked(conn, round_files, [R.file_row(round_label, row) for row in file_rows])


def import_into(conn: Connection, round_label: str, contract: dict, files: list[tuple[str, str]],
                actor: str, file_rows: list[dict] | None = None, upload: dict | None = None) -> ImportResult:
    """Everything import_round does; the caller owns the (write) transaction.

    ``file_rows`` (when given) replace the round's ``round_files``; ``upload`` (when given) is written to the
    audit log as an ``upload`` entry with the record changes added (what the upload tab shows after a reload)."""
    at = R.now()
    exists = conn.execute(select(rounds.c.label).where(rounds.c.label == round_label)).first()
    if exists is None:
        conn.execute(insert(rounds).values(label=round_label, created_at=at, updated_at=at, meta="{}"))
    conn.execute(select(rounds.c.label).where(rounds.c.label == round_label).with_for_update())  # PG: one importer
    batch, previous = _latest_hashes(conn, round_label)
    hashes = {str(h).lower() for _, h in files}
    if hashes and hashes == previous:
        if file_rows is not None:
            _write_file_rows(conn, round_label, file_rows)
        result = ImportResult(round_label, *_counts(conn, round_label), skipped=True)
        if upload is not None:
            conn.execute(insert(audit_log).values(at=at, actor=actor, action=upload.get("action") or "upload",
                                                  round=round_label,
                                                  record_id=None, detail=R.dumps(
                                                      {**upload, "skipped": True, "imported": True,
                                                       "records": result.records})))
        return result

    old_ids = set(conn.execute(select(records.c.record_id).where(records.c.round == round_label)).scalars())
    changed = _changed(conn, round_label, contract,
                       old_ids & {rec.get("id") for rec in contract["records"] if isinstance(rec, dict)})
    for table in (findings, duplicate_pairs, cities, record_data, records):
        conn.execute(delete(table).where(table.c.round == round_label))

    record_rows, data_rows, finding_rows = [], [], []
    for i, rec in enumerate(contract["records"]):
        record_rows.append(R.record_row(round_label, i, rec))
        data_rows.append(R.data_row(round_label, rec))
        finding_rows.extend(R.finding_rows(round_label, rec))
    pair_rows = [R.pair_row(round_label, i, p) for i, p in enumerate(contract.get("duplicates") or [])]
    in_pairs = {p["a"] for p in pair_rows} | {p["b"] for p in pair_rows if p["archived_round"] is None}
    for row in record_rows:
        row["duplicate"] = row["record_id"] in in_pairs
    city_rows = [R.city_row(round_label, i, c) for i, c in enumerate(contract.get("cities") or [])]
    for table, rows_ in ((records, record_rows), (record_data, data_rows), (findings, finding_rows),
                         (duplicate_pairs, pair_rows), (cities, city_rows)):
        _insert_chunked(conn, table, rows_)

    new_ids = {r["record_id"] for r in record_rows}
    pruned = _prune_picks(conn, round_label, {rec["id"]: rec for rec in contract["records"]})
    conn.execute(update(rounds).where(rounds.c.label == round_label)
                 .values(updated_at=at, meta=R.dumps(R.meta_of(contract))))
    _insert_chunked(conn, imports, [{"round": round_label, "batch": batch + 1, "file": str(name),
                                     "sha256": str(h).lower(), "at": at, "actor": actor} for name, h in files])
    result = ImportResult(round_label, len(record_rows), len(finding_rows), len(pair_rows), skipped=False)
    detail = {"batch": batch + 1, "files": [[str(n), str(h).lower()] for n, h in files],
              "records": result.records, "findings": result.findings, "duplicates": result.duplicates,
              "added": len(new_ids - old_ids), "removed": len(old_ids - new_ids), "changed": len(changed),
              "picks_dropped": pruned}
    conn.execute(insert(audit_log).values(at=at, actor=actor, action="import", round=round_label,
                                          record_id=None, detail=R.dumps(detail)))
    if file_rows is not None:
        _write_file_rows(conn, round_label, file_rows)
    if upload is not None:
        conn.execute(insert(audit_log).values(at=at, actor=actor, action=upload.get("action") or "upload",
                                              round=round_label, record_id=None,
                                              detail=R.dumps({**upload, "skipped": False, "imported": True,
                                                              "records": result.records,
                                                              "findings": result.findings,
                                                              "duplicates": result.duplicates,
                                                              "records_added": detail["added"],
                                                              "records_removed": detail["removed"],
                                                              "records_changed": len(changed)})))
    result.added, result.removed, result.changed = detail["added"], detail["removed"], len(changed)
    return result
