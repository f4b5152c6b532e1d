"""Turn a spreadsheet (附件1 or 附件2) into typed records, skipping the example row and the notes below."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..config import Limits
from ..findings import Finding, Provenance
from ..records import EnterpriseRecord, FieldValue, ProjectRecord, Record
from ..textnorm import cell_text, squash
from . import header as hdr
from .errors import IngestError
from .sheets import Cell, CellText, Sheet, column_letter, read_sheets

_NOTES = re.compile(r"^(备注|注[:：]|注\d|说明[:：]|填表说明|填报说明)")
_EXAMPLE = re.compile(r"^(例|示例|样例|范例)\s*[:：]?")
_TOTAL = re.compile(r"^(合计|总计|小计)$")


@dataclass
class TableResult:
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: what the title rows above the header said (they often name the city)
    titles: list[str] = field(default_factory=list)
    sheets_read: int = 0


def _row_texts(cells: list[Cell]) -> list[str]:
    return [cell_text(c.value).strip() for c in cells]


def _first_text(cells: list[Cell]) -> str:
    return next((t for t in _row_texts(cells) if t), "")


def _sheet_records(display: str, stem: str, sheet: Sheet, limits: Limits, result: TableResult) -> str:
    """Read one sheet into result: "ok", "empty" or "noheader"."""
    head: list[tuple[int, list[Cell]]] = []
    rows = sheet.rows
    for rownum, cells in rows:
        head.append((rownum, cells))
        if len(head) >= limits.header_scan_rows:
            break
    header = hdr.detect(head)
    if header is None:
        if any(_first_text(cells) for _, cells in head):
            return "noheader"
        return "empty" if not any(_first_text(cells) for _, cells in rows) else "noheader"
    result.sheets_read += 1
    for rownum, cells in head:
        if rownum < header.first_row:
            title = " ".join(t for t in _row_texts(cells) if t)
            if title:
                result.titles.append(title)
    missing = header.missing_required()
    if missing:
        result.findings.append(Finding(
            "COLUMN_MISSING", f"工作表“{sheet.name}”缺少必填列：{'、'.join(missing)}", field=None,
            provenance=Provenance(display, sheet.name, header.first_row), data={"columns": missing}))
    record_cls = ProjectRecord if header.kind == "project" else EnterpriseRecord
    key_columns = {"项目名称", "项目承担单位", "项目建设内容", "技术改造实施效果", "企业名称"}

    def body() -> Iterator[tuple[int, list[Cell]]]:
        for rownum, cells in head:
            if rownum > header.last_row:
                yield rownum, cells
        yield from rows

    for rownum, cells in body():
        try:
            first = _first_text(cells)
            if not first:
                continue
            if _NOTES.match(first):
                break
            if _EXAMPLE.match(first) or _TOTAL.match(squash(first)):
                continue
            fields: dict[str, FieldValue] = {}
            extra: dict[str, FieldValue] = {}
            for ci, name in header.columns.items():
                if ci >= len(cells) or cells[ci].value is None:
                    fields[name] = FieldValue("", None, column_letter(ci + 1), None, header.labels[ci])
            for ci, cell in enumerate(cells):
                if cell.value is None or ci not in header.labels:
                    continue
                text = cell_text(cell.value)
                if len(text) > limits.max_cell_chars:
                    raise ValueError(f"单元格{column_letter(ci + 1)}{rownum}长达{len(text)}个字符，超过单元格上限"
                                     f"{limits.max_cell_chars}个字符（Excel/WPS单元格最多能容纳的字符数），请核对文件")
                value = FieldValue(text, cell.value, column_letter(ci + 1), cell.from_row, header.labels[ci])
                name = header.columns.get(ci)
                if name:
                    fields[name] = value
                elif text.strip():
                    extra[header.labels[ci]] = value
            if not any(fields.get(k) and fields[k].text.strip() for k in key_columns):
                continue  # a numbered but empty row, or stray text beside the table
            rid = f"{stem}:{sheet.name}:{rownum}"
            record = record_cls(rid, Provenance(display, sheet.name, rownum), fields, extra, units=header.units)
            result.records.append(record)
        except Exception as exc:  # a broken row is reported and skipped, the sheet goes on
            result.findings.append(Finding("ROW_UNREADABLE", f"第{rownum}行无法读取，已跳过（{exc}）",
                                           provenance=Provenance(display, sheet.name, rownum)))
    return "ok"


def cell_findings(record: Record) -> list[Finding]:
    """CELL_FORMULA / CELL_ERROR for each field of ``record`` read from a cell without a plain value (a formula
    without a saved result, an error value): the field holds the formula's text (or the error value), never
    nothing, and the reviewer is told why."""
    out: list[Finding] = []
    for name, value in [*record.fields.items(), *record.extra.items()]:
        raw = value.raw
        if not isinstance(raw, CellText):
            continue
        where = record.provenance(name)
        cell = where.cell or ""
        shown = raw.formula if raw.formula is None or len(raw.formula) <= 60 else raw.formula[:60] + "…"
        if raw.error:
            read = f"，已按公式文本读取（公式：{shown}）" if raw.formula else "，已按错误值原样读取"
            message = f"单元格{cell}的值是错误值{raw.error}{read}；请在表格软件中核对并改为正确内容"
            code = "CELL_ERROR"
        else:
            message = (f"单元格{cell}是公式，文件中没有保存计算结果，已按公式文本读取（{shown}）；如本应是文字，"
                       f"请在表格软件中去掉开头的“=”或将单元格设为文本后重新填写")
            code = "CELL_FORMULA"
        out.append(Finding(code, message, field=name, provenance=where, start=0, end=len(value.text),
                           record_id=record.id, data={"formula": raw.formula, "error": raw.error}))
    return out


def read_table(path: Path, kind: str, display: str, stem: str, limits: Limits) -> TableResult:
    """All records of a spreadsheet file; raises IngestError when no sheet has a recognisable header."""
    result = TableResult()
    skipped: list[str] = []
    empty: list[str] = []
    for sheet in read_sheets(path, kind):
        outcome = _sheet_records(display, stem, sheet, limits, result)
        if outcome == "noheader":
            skipped.append(sheet.name)
        elif outcome == "empty":
            empty.append(sheet.name)
    if not result.sheets_read:
        if not skipped:
            raise IngestError(display, "表格为空（没有任何内容）" if empty else "文件中没有工作表")
        raise IngestError(display, "未找到可识别的表头（应含“项目名称”“项目建设内容”等列，或“企业名称”等列）；"
                                   f"已检查工作表：{'、'.join(skipped)}")
    for name in skipped:
        result.findings.append(Finding("SHEET_SKIPPED", f"工作表“{name}”未找到可识别的表头，已跳过",
                                       provenance=Provenance(display, name)))
    return result
