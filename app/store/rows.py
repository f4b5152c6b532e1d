"""Contract dict -> table rows (and small helpers shared by the store)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from nlp.constants import DIRECTIONS, SEVERITY_POSITION

#: keys of the contract stored in their own tables; everything else is kept in rounds.meta
SPLIT_KEYS = ("records", "duplicates", "cities")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def now() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime) -> datetime:
    """Datetimes come back naive from SQLite: they were stored as UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def pipes(items: list[str]) -> str:
    return "|" + "".join(f"{i}|" for i in items)


def unpipe(text: str) -> list[str]:
    return [i for i in text.split("|") if i]


def source_text(source: dict | None) -> str:
    """'file · sheet · 第N行' (parts that are absent left out)."""
    source = source or {}
    parts = [str(source.get("file") or ""), str(source.get("sheet") or "")]
    if source.get("row") is not None:
        parts.append(f"第{source['row']}行")
    return " · ".join(p for p in parts if p)


def declared_of(rec: dict) -> list[str]:
    declared = rec.get("declared_directions") or {}
    return [d for d in DIRECTIONS if declared.get(d)] + [d for d, v in declared.items() if v and d not in DIRECTIONS]


def inferred_of(rec: dict) -> list[str]:
    return [d for d, v in (rec.get("directions") or {}).items() if isinstance(v, dict) and v.get("tag")]


def worst_of(findings: list[dict]) -> str:
    none = SEVERITY_POSITION[""]
    best = min((SEVERITY_POSITION.get(f.get("severity") or "", none) for f in findings), default=none)
    return next(s for s, r in SEVERITY_POSITION.items() if r == best)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def record_row(round_label: str, ord_: int, rec: Any) -> dict:
    """The records row of one contract record (ValueError for a malformed one)."""
    if not isinstance(rec, dict):
        raise ValueError(f"第{ord_ + 1}条记录不是对象")
    rid, kind = rec.get("id"), rec.get("kind")
    if not isinstance(rid, str) or not rid:
        raise ValueError(f"第{ord_ + 1}条记录缺少编号（id）")
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"记录{rid}缺少类型（kind）")
    fields = rec.get("fields") or {}
    if not isinstance(fields, dict):
        raise ValueError(f"记录{rid}的fields不是对象")
    findings = rec.get("findings") or []
    if not isinstance(findings, list):
        raise ValueError(f"记录{rid}的findings不是列表")
    codes = list(dict.fromkeys(str(f.get("code")) for f in findings))
    company, project = _text(rec.get("company")), _text(fields.get("项目名称"))
    worst = worst_of(findings)
    return {"round": round_label, "record_id": rid, "ord": ord_, "kind": kind, "city": _text(rec.get("city")),
            "company": company, "project": project, "source": source_text(rec.get("source")),
            "worst_severity": worst, "severity_rank": SEVERITY_POSITION[worst], "n_findings": len(findings),
            "codes": pipes(codes), "declared": pipes(declared_of(rec)), "inferred": pipes(inferred_of(rec)),
            "duplicate": False}


def data_row(round_label: str, rec: dict) -> dict:
    """The record_data row: search text and the record itself."""
    fields = rec.get("fields") or {}
    parts = [_text(rec.get("company")), _text(fields.get("项目名称"))] + [_text(v) for v in fields.values()]
    return {"round": round_label, "record_id": rec["id"], "search": "\n".join(parts).lower(), "data": dumps(rec)}


def finding_rows(round_label: str, rec: dict) -> list[dict]:
    out = []
    for f in rec.get("findings") or []:
        if not isinstance(f, dict) or not f.get("code"):
            raise ValueError(f"记录{rec['id']}含无效的问题条目")
        out.append({"round": round_label, "record_id": rec["id"], "code": str(f["code"]),
                    "severity": str(f.get("severity") or ""), "field": f.get("field"),
                    "span_start": f.get("start"), "span_end": f.get("end"), "message": _text(f.get("message"))})
    return out


def pair_row(round_label: str, ord_: int, pair: Any) -> dict:
    if not isinstance(pair, dict) or not pair.get("a") or not pair.get("b"):
        raise ValueError(f"第{ord_ + 1}对疑似重复缺少a或b")
    score = pair.get("score")
    return {"round": round_label, "ord": ord_, "a": str(pair["a"]), "b": str(pair["b"]),
            "kind": _text(pair.get("kind")), "score": float(score) if score is not None else None,
            "archived_round": _text(pair["round"]) if pair.get("round") is not None else None, "data": dumps(pair)}


def city_row(round_label: str, ord_: int, city: Any) -> dict:
    if not isinstance(city, dict) or not city.get("city"):
        raise ValueError(f"第{ord_ + 1}个地市条目缺少city")
    return {"round": round_label, "city": str(city["city"]), "ord": ord_, "data": dumps(city)}


def meta_of(contract: dict) -> dict:
    return {k: v for k, v in contract.items() if k not in SPLIT_KEYS}


def file_row(round_label: str, row: dict) -> dict:
    """The round_files row of one file entry (file, name, city, kind, sha256, size, records, origin, at, by)."""
    return {"round": round_label, "file": str(row["file"]), "name": str(row.get("name") or row["file"]),
            "city": _text(row.get("city")), "kind": _text(row.get("kind")), "sha256": str(row["sha256"]).lower(),
            "size": int(row.get("size") or 0), "records": int(row.get("records") or 0),
            "origin": _text(row.get("origin")), "uploaded_at": row.get("uploaded_at") or now(),
            "uploaded_by": _text(row.get("uploaded_by")) or "?"}
