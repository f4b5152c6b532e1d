"""Build realistic submission files for tests: the template's layouts and the careless variants."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl

HEADER_TOP = ["序号", "项目名称", "项目承担单位", "项目建设地点\n(市、区、镇)", "所属战略产业集群", "所属行业",
              "所属五大优势传统产业", "技术改造方向(可多选)", None, None, "建设起止时间", "总投资(亿元)",
              "项目建设内容（300字以内）", "技术改造实施效果（300字以内）", "企业联系人及联系方式"]
DIRECTIONS = ["智能化", "数字化", "绿色化"]

CONTENT = ("新建电饭煲智能总装线2条，配置六轴机器人24台、视觉检测系统4套，部署MES系统，"
           "工艺由人工装配改为机器人自动装配，形成年产200万台的生产能力。")
EFFECT = "改造后生产效率由每小时120台提升至260台，用工由40人减至15人，产品合格率由97.5%提升至99.3%。"


def project_row(n: int = 1, **overrides) -> list:
    """One row of 附件1 in the template's column order (A..O)."""
    row = {"序号": n, "项目名称": f"智能总装线技术改造项目{n}", "项目承担单位": f"佛山市测试电器有限公司{n}",
           "项目建设地点": "佛山市顺德区容桂街道", "所属战略产业集群": "智能家电", "所属行业": "33.电气机械和器材制造业",
           "所属五大优势传统产业": "家电", "智能化": "是", "数字化": "是", "绿色化": "否",
           "建设起止时间": "2021年3月-2023年6月", "总投资(亿元)": 1.25, "项目建设内容": CONTENT,
           "技术改造实施效果": EFFECT, "企业联系人及联系方式": "陈志明 138-0000-1234"}
    row.update(overrides)
    return list(row.values())


def write_template_xlsx(path: Path, rows: list[list], *, title: bool = True, example: bool = True,
                        notes: bool = True, sheet: str = "Sheet1", header_top=None) -> Path:
    """附件1 as issued: title row, two-row header with 技术改造方向 merged over three columns, 例 row, 备注 rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    r = 1
    if title:
        ws.cell(1, 1, "“百企千项”示范行动——工业技术改造项目推荐表")
        ws.merge_cells("A1:O1")
        r = 2
    for ci, text in enumerate(header_top or HEADER_TOP, start=1):
        if text:
            ws.cell(r, ci, text)
    for ci, text in zip((8, 9, 10), DIRECTIONS):
        ws.cell(r + 1, ci, text)
    for ci in range(1, 16):
        if ci not in (8, 9, 10):
            ws.merge_cells(start_row=r, start_column=ci, end_row=r + 1, end_column=ci)
    ws.merge_cells(start_row=r, start_column=8, end_row=r, end_column=10)
    r += 2
    if example:
        ws.cell(r, 1, "例:")
        ws.cell(r, 2, "XXX项目")
        ws.cell(r, 3, "XXXX公司")
        r += 1
    for row in rows:
        for ci, value in enumerate(row, start=1):
            c = ws.cell(r, ci, value)
            if isinstance(value, str):
                c.data_type = "s"
        r += 1
    if notes:
        ws.cell(r + 1, 1, "备注: 1.所属产业按照二十大战略新兴产业集群选择下拉框填写")
        ws.cell(r + 2, 1, "2.所属行业按照统计制度41个工业行业分类填写")
    wb.save(path)
    return path


def first_data_row(title: bool = True, example: bool = True) -> int:
    return 1 + (1 if title else 0) + 2 + (1 if example else 0)


def flat_header() -> list[str]:
    return ["序号", "项目名称", "项目承担单位", "项目建设地点", "所属战略产业集群", "所属行业", "所属五大优势传统产业",
            "智能化", "数字化", "绿色化", "建设起止时间", "总投资(亿元)", "项目建设内容", "技术改造实施效果",
            "企业联系人及联系方式"]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(flat_header())
    for row in rows:
        writer.writerow(row)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xls(path: Path, rows: list[list], *, date_cell: dt.datetime | None = None,
              errors: dict[tuple[int, int], str] | None = None) -> Path:
    """附件1 in the legacy .xls format with the two-row header and merged cells (xlwt); ``errors`` puts error
    values (``{(row, col): "#DIV/0!"}``, 0-based) where a spreadsheet program saves them."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    for ci, text in enumerate(HEADER_TOP):
        if ci in (7, 8, 9):
            continue
        ws.write_merge(0, 1, ci, ci, text)
    ws.write_merge(0, 0, 7, 9, "技术改造方向(可多选)")
    for ci, text in zip((7, 8, 9), DIRECTIONS):
        ws.write(1, ci, text)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for ri, row in enumerate(rows, start=2):
        for ci, value in enumerate(row):
            if value is None or (date_cell is not None and (ri, ci) == (2, 10)):
                continue
            ws.write(ri, ci, value)
    if date_cell is not None:
        ws.write(2, 10, date_cell, date_style)
    for (ri, ci), error in (errors or {}).items():
        ws.row(ri).set_cell_error(ci, error)
    wb.save(str(path))
    return path


def write_summary_xlsx(path: Path, rows: list[list], header: list[str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总表"
    header = header or ["序号", "地市", "企业名称", "企业性质", "所属战略产业集群", "所属行业", "是否标杆企业",
                        "技术改造方向", "技改投入（万元）", "联系人", "联系电话", "推荐理由"]
    for ci, text in enumerate(header, start=1):
        ws.cell(1, ci, text)
    for ri, row in enumerate(rows, start=2):
        for ci, value in enumerate(row, start=1):
            ws.cell(ri, ci, value)
    wb.save(path)
    return path


PRACTICE = ("一、企业简介\n佛山市测试电器有限公司成立于2005年，主营厨房小家电。近三年未发生重大及以上质量、环保事故和较大及以上安全事故。\n"
            "二、近年来开展技术改造情况\n1.2021—2023年累计投入技术改造资金2.1亿元。\n2.人均产值由60万元提升至92万元。\n"
            "三、具有示范借鉴意义的经验做法\n1.从痛点工序切入，小步快跑。")


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None,
               merge_table_row: int | None = None) -> Path:
    from docx import Document

    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for ri, row in enumerate(table):
            for ci, text in enumerate(row):
                t.cell(ri, ci).text = text
        if merge_table_row is not None:
            t.cell(merge_table_row, 0).merge(t.cell(merge_table_row, len(table[0]) - 1))
    doc.save(path)
    return path


class _GbkZipInfo(zipfile.ZipInfo):
    """What Windows' built-in zip writes: GBK names without the UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def zip_of(path: Path, members: dict[str, bytes], gbk_names: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = (_GbkZipInfo if gbk_names else zipfile.ZipInfo)(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def set_cells_as_saved(path: Path, cells: dict[str, str], sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    """Replace cells of a written .xlsx with the XML a spreadsheet program saves, e.g. a formula with its saved
    result (``<c r="L5"><f>0.8+0.45</f><v>1.25</v></c>``) or a saved error (``<c r="N5" t="e"><f>…</f>
    <v>#NAME?</v></c>``), which openpyxl cannot write itself."""
    import re

    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    xml = members[sheet].decode("utf-8")
    for ref, cell_xml in cells.items():
        pattern = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        xml, n = pattern.subn(lambda m: cell_xml, xml, count=1)
        if n != 1:
            raise ValueError(f"cell {ref} not found in {sheet}")
    members[sheet] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def write_pdf_text(path: Path, lines: list[str]) -> Path:
    """A PDF with a real text layer (reportlab's built-in Chinese CID font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        c.drawString(40, y, line)
        y -= 18
    c.save()
    return path


def write_pdf_image_only(path: Path) -> Path:
    """A PDF with no text layer (what a scanner produces), drawn shapes only."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(50, 50, 400, 600, fill=1)
    c.save()
    return path


def write_pdf_cid_only(path: Path, glyphs: int = 200) -> Path:
    """A PDF whose font has no Unicode map: text extracts as (cid:NNN), as from some WPS exports."""
    codes = "".join(f"{i % 900 + 1:04X}" for i in range(glyphs))
    stream = f"BT /F1 12 Tf 72 720 Td <{codes}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /NoMap /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path
