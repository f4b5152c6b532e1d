"""The reviewer's Excel report: findings with their cells, records coloured by severity, city quotas, failures.

Every text is written as a string, never as a formula: a narrative starting with = + - @ stays text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from nlp.findings import SEVERITY_RANK, SEVERITY_ZH, Finding
from nlp.pipeline import RoundAnalysis
from nlp.records import Record

FILLS = {"error": PatternFill("solid", fgColor="F8CBAD"), "warning": PatternFill("solid", fgColor="FFE699"),
         "info": PatternFill("solid", fgColor="DDEBF7"), None: PatternFill("solid", fgColor="E2EFDA")}
KIND_ZH = {"project": "重点项目（附件1）", "enterprise": "示范企业（附件2）", "practice": "典型做法（附件3）"}
EXCERPT = 60


def _put(ws, row: int, col: int, value: Any):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
    return cell


def _table(ws, headers: list[str], widths: list[int]) -> None:
    for ci, (text, width) in enumerate(zip(headers, widths), start=1):
        _put(ws, 1, ci, text).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(ci)].width = width
    ws.freeze_panes = "A2"


def _excerpt(record: Record | None, f: Finding) -> str:
    if record is None or f.field is None:
        return ""
    text = record.text(f.field)
    if f.start is not None and f.end is not None:
        text = text[f.start:f.end]
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def _findings_sheet(wb, analysis: RoundAnalysis, by_id: dict[str, Record]) -> None:
    ws = wb.create_sheet("问题清单")
    _table(ws, ["严重程度", "代码", "问题", "说明", "地市", "企业", "文件", "工作表", "单元格/位置", "字段", "原文摘录", "记录编号"],
           [9, 26, 20, 60, 9, 30, 40, 12, 12, 18, 40, 30])
    findings = sorted(analysis.all_findings(), key=lambda f: (-SEVERITY_RANK[f.severity], f.city or "",
                                                              f.provenance.file if f.provenance else ""))
    for r, f in enumerate(findings, start=2):
        record = by_id.get(f.record_id or "")
        prov = f.provenance
        place = ""
        if prov is not None:
            place = prov.cell or (f"第{prov.row}行" if prov.row else "") or \
                (f"第{prov.paragraph + 1}段" if prov.paragraph is not None else "")
        values = [SEVERITY_ZH[f.severity], f.code, f.title, f.message, f.city or (record.city if record else ""),
                  record.company if record else "", prov.file if prov else "", prov.sheet if prov else "",
                  place, f.field or "", _excerpt(record, f), f.record_id or ""]
        for ci, v in enumerate(values, start=1):
            _put(ws, r, ci, v)
        ws.cell(row=r, column=1).fill = FILLS[f.severity]
    ws.auto_filter.ref = f"A1:L{max(len(findings) + 1, 1)}"


def _narrative_columns(analysis: RoundAnalysis, record: Record) -> list[Any]:
    """字数 of each narrative (characters without spaces / WPS 字数), figures stated, before→after given."""
    result = analysis.narratives.get(record.id)
    if result is None:
        return ["", "", "", ""]
    counts = [f"{fa.chars}/{fa.wps}" for fa in result.fields.values()]
    claims = sum(len(fa.claims) for fa in result.fields.values())
    return ["；".join(counts[:1]), "；".join(counts[1:]), claims, "是" if result.before_after else "否"]


def _records_sheet(wb, analysis: RoundAnalysis) -> None:
    ws = wb.create_sheet("记录")
    _table(ws, ["记录编号", "类型", "地市", "企业", "项目名称", "文件", "工作表", "行", "问题数", "错误", "警告", "提示", "最严重",
                "字数：建设内容或典型做法（字符/WPS）", "字数：实施效果（字符/WPS）", "量化数据条数", "有改造前后对比"],
           [30, 16, 9, 30, 36, 40, 12, 6, 8, 6, 6, 6, 9, 16, 16, 12, 12])
    for r, record in enumerate(analysis.records, start=2):
        findings = analysis.findings_of(record)
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        worst = analysis.worst(record)
        values = [record.id, KIND_ZH[record.kind], record.city or "", record.company, record.text("项目名称"),
                  record.source.file, record.source.sheet or "", record.source.row, len(findings),
                  counts["error"], counts["warning"], counts["info"], SEVERITY_ZH.get(worst, "无"),
                  *_narrative_columns(analysis, record)]
        for ci, v in enumerate(values, start=1):
            _put(ws, r, ci, v).fill = FILLS[worst]
    ws.auto_filter.ref = f"A1:Q{max(len(analysis.records) + 1, 1)}"


def _cities_sheet(wb, analysis: RoundAnalysis) -> None:
    ws = wb.create_sheet("地市汇总")
    _table(ws, ["地市", "区域", "重点项目数", "要求项目数", "示范企业数", "要求企业数", "标杆企业数", "典型做法数", "是否达标", "问题"],
           [10, 8, 10, 10, 10, 10, 10, 10, 9, 80])
    for r, c in enumerate(analysis.checks.cities, start=2):
        values = [c.city, c.region or "", c.projects, c.min_projects, c.enterprises, c.min_enterprises,
                  c.benchmark_enterprises, c.practices, "是" if c.quota_ok else "否",
                  "；".join(f.message for f in c.findings)]
        for ci, v in enumerate(values, start=1):
            _put(ws, r, ci, v)
        ws.cell(row=r, column=9).fill = FILLS[None] if c.quota_ok else FILLS["error"]


def _failures_sheet(wb, analysis: RoundAnalysis) -> None:
    ws = wb.create_sheet("无法读取的文件")
    _table(ws, ["文件", "原因"], [60, 90])
    for r, f in enumerate(analysis.ingest.failures, start=2):
        _put(ws, r, 1, f.file)
        _put(ws, r, 2, f.reason).fill = FILLS["error"]


def write_excel(analysis: RoundAnalysis, path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    by_id = {r.id: r for r in analysis.records}
    _findings_sheet(wb, analysis, by_id)
    _records_sheet(wb, analysis)
    _cities_sheet(wb, analysis)
    _failures_sheet(wb, analysis)
    wb.save(path)
