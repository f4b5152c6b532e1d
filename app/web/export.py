"""Exports from the store: the Excel report with each record's decision, and the publicity pack (Word).

Built from ``store.contract(viewer, round)``, ``store.decisions()`` and ``store.publicity()``, so a city
reviewer exports only its own city. Every cell is written as text through ``report_excel._put``.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl

from app.report_excel import EXCERPT, FILLS, KIND_ZH, _put, _table
from nlp.findings import CODES, SEVERITY_RANK, SEVERITY_ZH

from .panels import DUP_KIND_ZH, changed_text, file_name, finding_message, origin_text, place_text

UNREVIEWED = "未审"


def _worst(findings: list[dict]) -> str | None:
    worst = None
    for f in findings:
        if SEVERITY_RANK.get(f.get("severity"), 0) > SEVERITY_RANK[worst]:
            worst = f.get("severity")
    return worst


def _directions(record: dict) -> tuple[str, str]:
    declared = record.get("declared_directions") or {}
    inferred = record.get("directions") or {}
    return ("、".join(d for d, v in declared.items() if v),
            "、".join(d for d, v in inferred.items() if v.get("tag")))


def _when(at) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S") if hasattr(at, "strftime") else str(at or "")


def _excerpt(record: dict, f: dict) -> str:
    text = (record.get("fields") or {}).get(f.get("field") or "") or ""
    if isinstance(f.get("start"), int) and isinstance(f.get("end"), int):
        text = text[f["start"]:f["end"]]
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def _records_sheet(wb, contract: dict, decisions: dict, duplicated: set[str]) -> None:
    ws = wb.create_sheet("审核结果")
    _table(ws, ["记录编号", "类型", "地市", "企业", "项目名称", "出处", "位置", "问题数", "最严重", "问题代码", "申报方向",
                "识别方向", "疑似重复", "审核结论", "审核意见", "审核人", "审核时间", "版本"],
           [30, 16, 9, 30, 36, 46, 16, 8, 8, 30, 16, 16, 8, 10, 40, 10, 19, 6])
    for r, rec in enumerate(contract.get("records") or [], start=2):
        findings = rec.get("findings") or []
        worst = _worst(findings)
        d = decisions.get(rec.get("id"))
        declared, inferred = _directions(rec)
        values = [rec.get("id"), KIND_ZH.get(rec.get("kind"), rec.get("kind")), rec.get("city") or "",
                  rec.get("company"),
                  (rec.get("fields") or {}).get("项目名称", ""), origin_text(rec), place_text(rec.get("source")),
                  len(findings),
                  SEVERITY_ZH.get(worst, "无"), "、".join(dict.fromkeys(f.get("code") for f in findings)), declared,
                  inferred, "是" if rec.get("id") in duplicated else "否", d.status if d else UNREVIEWED,
                  d.note if d else "", d.reviewer if d else "", _when(d.at) if d else "", d.version if d else ""]
        for ci, v in enumerate(values, start=1):
            _put(ws, r, ci, "" if v is None else v)
        ws.cell(row=r, column=9).fill = FILLS[worst]
    ws.auto_filter.ref = f"A1:R{max(len(contract.get('records') or []) + 1, 1)}"


def _findings_sheet(wb, contract: dict, decisions: dict) -> None:
    ws = wb.create_sheet("问题清单")
    _table(ws, ["严重程度", "代码", "问题", "说明", "地市", "企业", "出处", "位置", "字段", "原文摘录", "记录编号", "审核结论"],
           [9, 26, 20, 60, 9, 30, 46, 16, 18, 40, 30, 10])
    rows = [(f, rec) for rec in contract.get("records") or [] for f in rec.get("findings") or []]
    rows.sort(key=lambda x: (-SEVERITY_RANK.get(x[0].get("severity"), 0), x[1].get("city") or ""))
    for r, (f, rec) in enumerate(rows, start=2):
        info = CODES.get(f.get("code"))
        d = decisions.get(rec.get("id"))
        values = [SEVERITY_ZH.get(f.get("severity"), ""), f.get("code"), info.title if info else "", finding_message(f),
                  rec.get("city") or "", rec.get("company"), origin_text(rec, f.get("source")),
                  place_text(f.get("source") or rec.get("source")), f.get("field") or "", _excerpt(rec, f), rec.get("id"), d.status if d else UNREVIEWED]
        for ci, v in enumerate(values, start=1):
            _put(ws, r, ci, "" if v is None else v)
        ws.cell(row=r, column=1).fill = FILLS.get(f.get("severity"), FILLS[None])
    ws.auto_filter.ref = f"A1:L{max(len(rows) + 1, 1)}"


def _cities_sheet(wb, contract: dict) -> None:
    ws = wb.create_sheet("地市汇总")
    _table(ws, ["地市", "区域", "重点项目数", "要求项目数", "示范企业数", "要求企业数", "标杆企业数", "典型做法数", "是否达标", "问题"],
           [10, 8, 10, 10, 10, 10, 10, 10, 9, 80])
    for r, c in enumerate(contract.get("cities") or [], start=2):
        values = [c.get("city"), c.get("region") or "", c.get("projects"), c.get("min_projects"), c.get("enterprises"),
                  c.get("min_enterprises"), c.get("benchmark_enterprises"), c.get("practices"),
                  "是" if c.get("quota_ok") else "否", "；".join(f.get("message", "") for f in c.get("findings") or [])]
        for ci, v in enumerate(values, start=1):
            _put(ws, r, ci, "" if v is None else v)
        ws.cell(row=r, column=9).fill = FILLS[None] if c.get("quota_ok") else FILLS["error"]


def _pair_side(pair: dict, side: str, by_id: dict[str, dict]) -> str:
    """出处 of one side of a pair: the record's 地市 · 企业 · 文件名; another city's record (in a city reviewer's
    export) by its city only; an earlier round's record as such."""
    rec = by_id.get(pair.get(side)) if side == "a" or pair.get("round") is None else None
    if rec is not None:
        return origin_text(rec)
    if pair.get("restricted"):
        return f"{pair.get('other_city') or '其他地市'}（其他地市的材料详情仅省级账号可见）"
    return f"{pair['round']}年已报送材料" if pair.get("round") else ""


def _duplicates_sheet(wb, contract: dict) -> None:
    ws = wb.create_sheet("疑似重复")
    _table(ws, ["记录A", "记录A出处", "记录B", "记录B出处", "类型", "相似度", "往年轮次", "改动"],
           [34, 40, 34, 40, 18, 8, 10, 60])
    by_id = {rec.get("id"): rec for rec in contract.get("records") or []}
    for r, p in enumerate(contract.get("duplicates") or [], start=2):
        for ci, v in enumerate([p.get("a"), _pair_side(p, "a", by_id), p.get("b"), _pair_side(p, "b", by_id),
                                DUP_KIND_ZH.get(p.get("kind"), p.get("kind")), p.get("score"), p.get("round") or "",
                                changed_text(p.get("changed"))], start=1):
            _put(ws, r, ci, "" if v is None else v)


def _failures_sheet(wb, contract: dict) -> None:
    ws = wb.create_sheet("无法读取的文件")
    _table(ws, ["文件", "原因"], [60, 90])
    for r, f in enumerate(contract.get("failures") or [], start=2):
        _put(ws, r, 1, file_name(f) or "")
        _put(ws, r, 2, f.get("reason") or "").fill = FILLS["error"]


def write_review_excel(contract: dict, decisions: dict, path: Path) -> Path:
    """The review report: records with decisions, findings, cities, duplicates, unreadable files."""
    duplicated = {x for p in contract.get("duplicates") or [] for x in (p.get("a"), p.get("b"))}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _records_sheet(wb, contract, decisions, duplicated)
    _findings_sheet(wb, contract, decisions)
    _cities_sheet(wb, contract)
    _duplicates_sheet(wb, contract)
    _failures_sheet(wb, contract)
    wb.save(path)
    return Path(path)
