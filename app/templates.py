"""Write 附件1 and 附件3 the way the programme's templates lay them out (sample round, eval, bench)."""
from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from nlp.constants import DIRECTIONS, NARRATIVE_FIELDS

#: the form's columns after 序号, in the template's order
PROJECT_COLUMNS = ["项目名称", "项目承担单位", "项目建设地点", "所属战略产业集群", "所属行业", "所属五大优势传统产业",
                   "智能化", "数字化", "绿色化", "建设起止时间", "总投资(亿元)", "项目建设内容", "技术改造实施效果",
                   "企业联系人及联系方式"]
HEADER_TOP = ["序号", "项目名称", "项目承担单位", "项目建设地点\n(市、区、镇)", "所属战略产业集群", "所属行业",
              "所属五大优势传统产业", "技术改造方向(可多选)", None, None, "建设起止时间", "总投资(亿元)",
              "项目建设内容", "技术改造实施效果", "企业联系人及联系方式"]
EXAMPLE_ROW = ["例:", "XXX项目", "XXXX公司", "XX市XX县(市、区、镇)", "汽车", "31.汽车制造业", "否", "是", None, None,
               "2021年2月-2023年4月", "XXX", "(包括但不限于:项目主要建设内容、产线规模等,字数不超过300字)",
               "(包括但不限于:改造前后在产品种类、质量品控、生产效率等方面的提升情况,字数不超过300字)", None]
NOTES = ["备注：1.所属产业按照二十大战略新兴产业集群选择下拉框填写",
         "2.所属行业按照统计制度41个工业行业分类填写",
         "3.所属五大优势传统产业按照家居、食品饮料、纺织服装、家电、建材五个行业选择下拉框填报，如属于其他行业可选择“不属于”。",
         "4.技术改造方向在对应改造方向填写“是”或“否”，可多选。",
         "5.建设起止时间填写至月，如：2021年2月-2023年4月。",
         "6.“项目建设内容”、“技术改造实施效果”请参考范例填写，字数不超过300字。"]
#: the first data row of write_project_table's layout
FIRST_DATA_ROW = 6


def put(ws, row: int, col: int, value, wrap: bool = False):
    """Write a cell; strings stay strings (never formulas)."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def write_project_table(path: Path, rows: list[dict], city: str | None = None, sheet: str = "Sheet1") -> None:
    """附件1 as issued: title, 填报单位, two-row header (技术改造方向 over 智能化/数字化/绿色化), 例 row, data
    from row FIRST_DATA_ROW, 备注 notes below. ``rows`` are dicts keyed by PROJECT_COLUMNS."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.merge_cells("A1:O1")
    put(ws, 1, 1, "“百企千项”示范行动——工业技术改造项目推荐表").font = Font(bold=True, size=16)
    if city:
        put(ws, 2, 1, f"填报单位（盖章）：{city}工业和信息化局")
    ws.merge_cells("A2:O2")
    for ci, text in enumerate(HEADER_TOP, start=1):
        if text:
            put(ws, 3, ci, text, wrap=True).font = Font(bold=True)
    for ci, text in zip((8, 9, 10), DIRECTIONS):
        put(ws, 4, ci, text).font = Font(bold=True)
    for ci in range(1, 16):
        if ci not in (8, 9, 10):
            ws.merge_cells(start_row=3, start_column=ci, end_row=4, end_column=ci)
    ws.merge_cells("H3:J3")
    for ci, text in enumerate(EXAMPLE_ROW, start=1):
        if text is not None:
            put(ws, 5, ci, text)
    r = FIRST_DATA_ROW
    for n, row in enumerate(rows, start=1):
        put(ws, r, 1, n)
        for ci, name in enumerate(PROJECT_COLUMNS, start=2):
            put(ws, r, ci, row.get(name), wrap=name in NARRATIVE_FIELDS["project"])
        r += 1
    r += 1
    for note in NOTES:
        put(ws, r, 1, note)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=15)
        r += 1
    for ci, width in zip(range(1, 16), (6, 26, 24, 22, 14, 22, 12, 7, 7, 7, 20, 10, 60, 60, 22)):
        ws.column_dimensions[get_column_letter(ci)].width = width
    wb.save(path)


def _is_heading(line: str) -> bool:
    return len(line) <= 24 and line[:1] in "一二三（第" and not line.endswith("。")


def write_practice_docx(path: Path, company: str, text: str, layout: str = "plain") -> None:
    """附件3 as a Word document: the template's title, the company, the narrative with bold headings;
    ``layout="table"`` puts company and narrative in a form table (the narrative in a merged cell)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("“百企千项”示范行动——示范企业典型做法").bold = True
    lines = text.split("\n")
    if layout == "table":
        table = doc.add_table(rows=2, cols=2)
        table.style = "Table Grid"
        table.cell(0, 0).text = "企业名称"
        table.cell(0, 1).text = company
        merged = table.cell(1, 0).merge(table.cell(1, 1))
        merged.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            merged.add_paragraph(line)
    else:
        name = doc.add_paragraph()
        name.alignment = WD_ALIGN_PARAGRAPH.CENTER
        name.add_run(company)
        for line in lines:
            doc.add_paragraph().add_run(line).bold = _is_heading(line)
    doc.save(path)
