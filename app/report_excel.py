"""The one Excel writer: the CLI's report (``jigai check -o``) and the review app's export (the 导出 tab,
``jigai export``) are both written here, from the contract — ``nlp.contract.to_contract`` for the CLI, the
store's contract for a viewer (already confined to a city reviewer's own city) for the app — and, for the app,
each record's latest decision.

Sheets: 记录 (named 审核结果 and with the decision columns when decisions are given), 问题清单, 地市汇总,
疑似重复, 无法读取的文件. Every text is written as a string, never as a formula: a narrative starting with
= + - @ stays text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from nlp.constants import CODES, DUPLICATE_KIND_SHORT, RECORD_KIND_ZH, SEVERITY_RANK, SEVERITY_ZH
from nlp.messages import RESTRICTED_NOTE

from .web.panels import changed_text, file_name, finding_message, origin_text, place_text

FILLS = {"error": PatternFill("solid", fgColor="F8CBAD"), "warning": PatternFill("solid", fgColor="FFE699"),
         "info": PatternFill("solid", fgColor="DDEBF7"), None: PatternFill("solid", fgColor="E2EFDA")}
EXCERPT = 60
UNREVIEWED = "未审"

RECORD_COLUMNS = [("记录编号", 30), ("类型", 16), ("地市", 9), ("企业", 30), ("项目名称", 36), ("出处", 46),
                  ("位置", 16), ("问题数", 8), ("最严重", 8), ("问题代码", 30), ("申报方向", 16), ("识别方向", 16),
                  ("疑似重复", 8)]
DECISION_COLUMNS = [("审核结论", 10), ("审核意见", 40), ("审核人", 10), ("审核时间", 19), ("版本", 6)]
NARRATIVE_COLUMNS = [("错误", 6), ("警告", 6), ("提示", 6), ("字数：建设内容或典型做法（字符/WPS）", 16),
                     ("字数：实施效果（字符/WPS）", 16), ("量化数据条数", 12), ("有改造前后对比", 12)]


def put(ws, row: int, col: int, value: Any):
    """Write one cell; a text is always a string cell (never a formula), without the characters XML refuses."""
    if value is None:
        value = ""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
    return cell


def table(wb, title: str, columns: list[tuple[str, int]], rows: list[list[Any]]):
    """A sheet with a bold, frozen, filtered header row and one row per list of values."""
    ws = wb.create_sheet(title)
    for ci, (text, width) in enumerate(columns, start=1):
        put(ws, 1, ci, text).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(ci)].width = width
    ws.freeze_panes = "A2"
    for r, values in enumerate(rows, start=2):
        for ci, value in enumerate(values, start=1):
            put(ws, r, ci, value)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    return ws


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


def _narrative(record: dict, findings: list[dict]) -> list[Any]:
    """Findings per severity; 字数 of each narrative (characters without spaces / WPS 字数), figures stated,
    before→after given (blank for a record without narratives)."""
    per = [sum(1 for f in findings if f.get("severity") == s) for s in ("error", "warning", "info")]
    if "counts" not in record:
        return [*per, "", "", "", ""]
    counts = [f"{c.get('chars')}/{c.get('wps')}" for c in (record.get("counts") or {}).values()]
    return [*per, "；".join(counts[:1]), "；".join(counts[1:]), len(record.get("evidence") or []),
            "是" if record.get("before_after") else "否"]


def _records_sheet(wb, contract: dict, decisions: Mapping | None) -> None:
    duplicated = {x for p in contract.get("duplicates") or [] for x in (p.get("a"), p.get("b"))}
    columns = RECORD_COLUMNS + (DECISION_COLUMNS if decisions is not None else []) + NARRATIVE_COLUMNS
    rows, worst = [], []
    for rec in contract.get("records") or []:
        findings = rec.get("findings") or []
        worst.append(_worst(findings))
        declared, inferred = _directions(rec)
        values = [rec.get("id"), RECORD_KIND_ZH.get(rec.get("kind"), rec.get("kind")), rec.get("city") or "",
                  rec.get("company"), (rec.get("fields") or {}).get("项目名称", ""), origin_text(rec),
                  place_text(rec.get("source")), len(findings), SEVERITY_ZH.get(worst[-1], "无"),
                  "、".join(dict.fromkeys(f.get("code") for f in findings)), declared, inferred,
                  "是" if rec.get("id") in duplicated else "否"]
        if decisions is not None:
            d = decisions.get(rec.get("id"))
            values += [d.status, d.note, d.reviewer, _when(d.at), d.version] if d else [UNREVIEWED, "", "", "", ""]
        rows.append(values + _narrative(rec, findings))
    ws = table(wb, "审核结果" if decisions is not None else "记录", columns, rows)
    for r, w in enumerate(worst, start=2):
        ws.cell(row=r, column=9).fill = FILLS[w]


def _all_findings(contract: dict) -> list[tuple[dict, dict]]:
    """(finding, its record or {}) for every finding: the files', each record's, and the cities' own (those
    about one record are in that record's findings already and carry its ``source``)."""
    rows = [(f, {}) for f in contract.get("file_findings") or []]
    rows += [(f, rec) for rec in contract.get("records") or [] for f in rec.get("findings") or []]
    rows += [(f, {"city": c.get("city")}) for c in contract.get("cities") or [] for f in c.get("findings") or []
             if not f.get("source")]
    return sorted(rows, key=lambda x: (-SEVERITY_RANK.get(x[0].get("severity"), 0), x[1].get("city") or "",
                                       file_name(x[0].get("source") or x[1].get("source"))))


def _findings_sheet(wb, contract: dict, decisions: Mapping | None) -> None:
    columns = [("严重程度", 9), ("代码", 26), ("问题", 20), ("说明", 60), ("地市", 9), ("企业", 30), ("出处", 46),
               ("位置", 16), ("字段", 18), ("原文摘录", 40), ("记录编号", 30)]
    columns += [("审核结论", 10)] if decisions is not None else []
    pairs = _all_findings(contract)
    rows = []
    for f, rec in pairs:
        info = CODES.get(f.get("code"))
        source = f.get("source") or rec.get("source")
        values = [SEVERITY_ZH.get(f.get("severity"), ""), f.get("code"), info.title if info else "",
                  finding_message(f), rec.get("city") or "", rec.get("company") or "", origin_text(rec, source),
                  place_text(source), f.get("field") or "", _excerpt(rec, f), rec.get("id") or ""]
        if decisions is not None:
            d = decisions.get(rec.get("id"))
            values.append(d.status if d else (UNREVIEWED if rec.get("id") else ""))
        rows.append(values)
    ws = table(wb, "问题清单", columns, rows)
    for r, (f, _) in enumerate(pairs, start=2):
        ws.cell(row=r, column=1).fill = FILLS.get(f.get("severity"), FILLS[None])


def _cities_sheet(wb, contract: dict) -> None:
    columns = [("地市", 10), ("区域", 8), ("重点项目数", 10), ("要求项目数", 10), ("示范企业数", 10), ("要求企业数", 10),
               ("标杆企业数", 10), ("典型做法数", 10), ("是否达标", 9), ("问题", 80)]
    cities = contract.get("cities") or []
    rows = [[c.get("city"), c.get("region") or "", c.get("projects"), c.get("min_projects"), c.get("enterprises"),
             c.get("min_enterprises"), c.get("benchmark_enterprises"), c.get("practices"),
             "是" if c.get("quota_ok") else "否", "；".join(f.get("message", "") for f in c.get("findings") or [])]
            for c in cities]
    ws = table(wb, "地市汇总", columns, rows)
    for r, c in enumerate(cities, start=2):
        ws.cell(row=r, column=9).fill = FILLS[None] if c.get("quota_ok") else FILLS["error"]


def _pair_side(pair: dict, side: str, by_id: dict[str, dict]) -> str:
    """出处 of one side of a pair: the record's 地市 · 企业 · 文件名; another city's record (in a city reviewer's
    export) by its city only; an earlier round's record as such."""
    rec = by_id.get(pair.get(side)) if side == "a" or pair.get("round") is None else None
    if rec is not None:
        return origin_text(rec)
    if pair.get("restricted"):
        return f"{pair.get('other_city') or '其他地市'}{RESTRICTED_NOTE}"
    return f"{pair['round']}年已报送材料" if pair.get("round") else ""


def _duplicates_sheet(wb, contract: dict) -> None:
    columns = [("记录A", 34), ("记录A出处", 40), ("记录B", 34), ("记录B出处", 40), ("类型", 18), ("相似度", 8),
               ("往年轮次", 10), ("改动", 60)]
    by_id = {rec.get("id"): rec for rec in contract.get("records") or []}
    rows = [[p.get("a"), _pair_side(p, "a", by_id), p.get("b"), _pair_side(p, "b", by_id),
             DUPLICATE_KIND_SHORT.get(p.get("kind"), p.get("kind")), p.get("score"), p.get("round") or "",
             changed_text(p.get("changed"))] for p in contract.get("duplicates") or []]
    table(wb, "疑似重复", columns, rows)


def _failures_sheet(wb, contract: dict) -> None:
    failures = contract.get("failures") or []
    ws = table(wb, "无法读取的文件", [("文件", 60), ("原因", 90)],
               [[file_name(f), f.get("reason") or ""] for f in failures])
    for r in range(2, len(failures) + 2):
        ws.cell(row=r, column=2).fill = FILLS["error"]


def write_excel(contract: dict, path: Path, decisions: Mapping | None = None) -> Path:
    """The Excel report of a contract; with ``decisions`` (record id → the store's latest Decision), the review
    app's export: its records sheet is 审核结果 with each record's decision (未审 without one)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _records_sheet(wb, contract, decisions)
    _findings_sheet(wb, contract, decisions)
    _cities_sheet(wb, contract)
    _duplicates_sheet(wb, contract)
    _failures_sheet(wb, contract)
    wb.save(path)
    return Path(path)
