"""Generate the bundled sample round (corpora/sample/<city>/...) from the readable source data.

    python corpora/sample/make_sample.py

Reads source/projects.json and source/enterprises.json, writes each city's 附件1 and 附件2 the way that
city's clerk fills the template (the official two-row header, a careless variant, a single-row variant),
one 附件3 .docx per enterprise, and expected_findings.json: every planted rule violation with the file,
sheet and cell where the checker must find it. Deterministic in content: the same source gives the same
cells and paragraphs (only the files' timestamps differ).
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import sys

import openpyxl
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
sys.path.insert(0, str(HERE.parents[1]))

from app.templates import FIRST_DATA_ROW, NOTES, PROJECT_COLUMNS as COLUMNS, write_practice_docx, \
    write_project_table, put  # noqa: E402

# Planted rule violations: (city, index of the city's row in source order, column, value written, code).
PLANTED_ROWS = [
    ("佛山市", 4, "项目建设地点", "湖南省郴州市苏仙区白露塘镇", "LOCATION_NOT_GUANGDONG"),
    ("佛山市", 7, "所属战略产业集群", "新能源汽车", "CLUSTER_UNKNOWN"),
    ("佛山市", 10, "总投资(亿元)", 5000, "INVESTMENT_UNIT_SUSPECT"),
    ("佛山市", 13, "建设起止时间", "2019年5月-2020年8月", "PERIOD_ENDS_BEFORE_2021"),
    ("佛山市", 16, "绿色化", "否", "DIRECTION_NONE"),
    ("佛山市", 19, "建设起止时间", "2022.03-2023.12", "PERIOD_FORMAT_NONSTANDARD"),
    ("佛山市", 22, "所属行业", "31.纺织业", "SECTOR_NUMBER_MISMATCH"),
    ("汕头市", 3, "建设起止时间", "2023年8月-2022年3月", "PERIOD_START_AFTER_END"),
    ("汕头市", 6, "所属行业", "3841.锂离子电池制造", "SECTOR_UNKNOWN"),
    ("汕头市", 9, "企业联系人及联系方式", "王经理", "CONTACT_INCOMPLETE"),
    ("汕头市", 12, "项目名称", None, "FIELD_MISSING"),
    ("汕头市", 15, "智能化", "√", "DIRECTION_VALUE_INVALID"),
    ("汕头市", 18, "项目建设地点", "汕头市顺德区陈村镇", "LOCATION_DISTRICT_MISMATCH"),
    ("汕头市", 21, "建设起止时间", dt.datetime(2022, 5, 1), "PERIOD_UNPARSEABLE"),
    ("韶关市", 2, "建设起止时间", "2024年3月-2029年6月", "PERIOD_ENDS_AFTER_ROUND"),
    ("韶关市", 5, "总投资(亿元)", -0.5, "INVESTMENT_NOT_POSITIVE"),
    ("韶关市", 8, "总投资(亿元)", "待定", "INVESTMENT_NOT_NUMERIC"),
    ("韶关市", 11, "建设起止时间", "2022年13月-2023年5月", "PERIOD_UNPARSEABLE"),
    ("韶关市", 14, "所属行业", "8.农副食品加工业", "SECTOR_CLUSTER_IMPLAUSIBLE"),
    ("韶关市", 17, "项目建设地点", "广州市黄埔区云埔街道", "LOCATION_OTHER_CITY"),
]
# A recycled submission: 汕头's row 1 reuses 佛山's row 1 narratives with a few figures and places changed
# (in source/projects.json); both rows must get DUPLICATE_OF.
PLANTED_COPIES = {("佛山市", 1), ("汕头市", 1)}
# for DIRECTION_NONE the other two directions are set to 否 as well
CLEAR_DIRECTIONS = {("佛山市", 16)}
# for SECTOR_CLUSTER_IMPLAUSIBLE the row's cluster becomes 汽车 (and its sector 农副食品加工业, above)
CLUSTER_OVERRIDE = {("韶关市", 14): "汽车"}


def _project_rows(projects: list[dict], city: str, expected: list[dict], file: str, sheet: str,
                  first_row: int, col_of: dict[str, int], invest_factor: float = 1.0) -> list[dict]:
    rows = [dict(p) for p in projects if p["城市"] == city]
    for i, row in enumerate(rows):
        row["总投资(亿元)"] = round(row["总投资(亿元)"] * invest_factor, 4) if invest_factor != 1 else row["总投资(亿元)"]
        if (city, i) in CLEAR_DIRECTIONS:
            row["智能化"] = row["数字化"] = row["绿色化"] = "否"
        if (city, i) in CLUSTER_OVERRIDE:
            row["所属战略产业集群"] = CLUSTER_OVERRIDE[(city, i)]
    for pc, index, column, value, code in PLANTED_ROWS:
        if pc != city:
            continue
        rows[index][column] = value
        where = column if code not in ("DIRECTION_NONE",) else None
        expected.append({"file": file, "sheet": sheet, "row": first_row + index,
                         "cell": f"{get_column_letter(col_of[where])}{first_row + index}" if where else None,
                         "field": where, "code": code})
    for pc, index in sorted(PLANTED_COPIES):
        if pc == city:
            expected.append({"file": file, "sheet": sheet, "row": first_row + index, "cell": None, "field": None,
                             "code": "DUPLICATE_OF"})
    return rows


def write_official(path: Path, city: str, projects: list[dict], expected: list[dict]) -> None:
    """The template as issued (app.templates): title, two-row header, 例 row, 备注 notes."""
    rows = _project_rows(projects, city, expected, path.relative_to(HERE.parent).as_posix(), "Sheet1",
                         FIRST_DATA_ROW, {name: i + 2 for i, name in enumerate(COLUMNS)})
    write_project_table(path, rows, city)


def write_careless(path: Path, city: str, projects: list[dict], expected: list[dict]) -> None:
    """A clerk's copy: headers with line breaks, full-width brackets and spaces; numbers as text; the company
    cell merged over its consecutive projects; a second sheet of instructions; the notes kept."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "重点项目"
    top = ["序 号", "项目\n名称", "项目承担\n单位", "项目建设地点（市、区、镇）", "所属战略\n产业集群", "所属行业",
           "所属五大优势\n传统产业", "技术改造方向\n（可多选）", None, None, "建设起止\n时间", "总投资\n（亿元）",
           "项目建设内容\n（300字以内）", "技术改造实施效果\n（300字以内）", "企业联系人及\n联系方式"]
    for ci, text in enumerate(top, start=1):
        if text:
            put(ws, 1, ci, text, wrap=True)
    for ci, text in zip((8, 9, 10), ("智能化 ", "数字化", " 绿色化")):
        put(ws, 2, ci, text)
    for ci in range(1, 16):
        if ci not in (8, 9, 10):
            ws.merge_cells(start_row=1, start_column=ci, end_row=2, end_column=ci)
    ws.merge_cells("H1:J1")
    col_of = {name: i + 2 for i, name in enumerate(COLUMNS)}
    file = path.relative_to(HERE.parent).as_posix()
    rows = _project_rows(projects, city, expected, file, "重点项目", 3, col_of)
    for n, row in enumerate(rows, start=1):
        r = n + 2
        put(ws, r, 1, str(n))
        for name, ci in col_of.items():
            value = row[name]
            if name == "总投资(亿元)" and isinstance(value, float):
                value = f"{value:g}"  # typed as text
            put(ws, r, ci, value)
    # merge the company cell over consecutive rows of one company (the first row keeps the value)
    start = 0
    companies = [row["项目承担单位"] for row in rows]
    for i in range(1, len(rows) + 1):
        if i == len(rows) or companies[i] != companies[start]:
            if i - start > 1:
                ws.merge_cells(start_row=start + 3, start_column=3, end_row=i + 2, end_column=3)
            start = i
    r = len(rows) + 4
    put(ws, r, 1, "备注：" + "；".join(n.split("：", 1)[-1] for n in NOTES))
    info = wb.create_sheet("填表说明")
    put(info, 1, 1, "请各地按附件格式填写，项目建设内容与实施效果均不超过300字。")
    wb.save(path)


def write_single_row(path: Path, city: str, projects: list[dict], expected: list[dict]) -> None:
    """A city's own layout: one header row with a 地市 column, directions as separate columns, 总投资 in 万元,
    and a 合计 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    header = ["地市", "序号", "项目名称", "项目承担单位", "项目建设地点", "所属战略产业集群", "所属行业",
              "所属五大优势传统产业", "智能化改造", "数字化改造", "绿色化改造", "建设起止时间", "总投资（万元）",
              "项目建设内容", "技术改造实施效果", "企业联系人及联系方式"]
    for ci, text in enumerate(header, start=1):
        put(ws, 1, ci, text)
    col_of = {name: i + 3 for i, name in enumerate(COLUMNS)}
    rows = _project_rows(projects, city, expected, path.relative_to(HERE.parent).as_posix(), "附件1", 2, col_of,
                         invest_factor=1e4)
    total = 0.0
    for n, row in enumerate(rows, start=1):
        r = n + 1
        put(ws, r, 1, city)
        put(ws, r, 2, n)
        for name, ci in col_of.items():
            put(ws, r, ci, row[name])
        if isinstance(row["总投资(亿元)"], (int, float)):
            total += row["总投资(亿元)"]
    put(ws, len(rows) + 2, 1, "合计")
    put(ws, len(rows) + 2, 13, round(total, 2))
    wb.save(path)


def write_summary(path: Path, city: str, enterprises: list[dict], expected: list[dict]) -> None:
    """附件2: the enterprise summary table, with a column the notice does not name (备注说明)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "示范企业"
    ws.merge_cells("A1:K1")
    put(ws, 1, 1, f"“百企千项”示范行动——示范企业推荐汇总表（{city}）")
    header = ["序号", "企业名称", "企业性质", "所属战略产业集群", "所属行业", "是否标杆企业", "技术改造方向",
              "技改投入（万元）", "联系人", "联系电话", "备注说明"]
    for ci, text in enumerate(header, start=1):
        put(ws, 2, ci, text)
    file = path.relative_to(HERE.parent).as_posix()
    rows = [e for e in enterprises if e["城市"] == city]
    for n, e in enumerate(rows, start=1):
        r = n + 2
        benchmark = e["是否标杆企业"]
        if city == "佛山市":
            benchmark = "是"  # planted: three 标杆企业 where 1–2 are allowed
        values = [n, e["企业名称"], e["企业性质"], e["所属战略产业集群"], e["所属行业"], benchmark,
                  e["技术改造方向"], e["技改投入(万元)"], e["联系人"], e["联系电话"], "" if n > 1 else "市级推荐"]
        for ci, v in enumerate(values, start=1):
            put(ws, r, ci, v)
        if e["企业名称"] == "汕头市金平区海润食品有限公司":
            expected.append({"file": file, "sheet": "示范企业", "row": r, "cell": f"B{r}", "field": "企业名称",
                             "code": "ENTERPRISE_NO_PROJECT"})
    if city == "佛山市":
        expected.append({"file": None, "city": city, "code": "BENCHMARK_COUNT"})
    wb.save(path)


def main() -> None:
    projects = json.loads((SOURCE / "projects.json").read_text(encoding="utf-8"))
    enterprises = json.loads((SOURCE / "enterprises.json").read_text(encoding="utf-8"))
    expected: list[dict] = []
    writers = {"佛山市": write_official, "汕头市": write_careless, "韶关市": write_single_row}
    for city, writer in writers.items():
        folder = HERE / city
        if folder.exists():
            shutil.rmtree(folder)
        (folder / "附件3").mkdir(parents=True)
        writer(folder / f"{city}-附件1-工业技术改造项目推荐表.xlsx", city, projects, expected)
        # 韶关's clerk saved the summary with an old extension (it is really .xlsx)
        suffix = ".xls" if city == "韶关市" else ".xlsx"
        write_summary(folder / f"{city}-附件2-示范企业推荐汇总表{suffix}", city, enterprises, expected)
        for e in (e for e in enterprises if e["城市"] == city):
            layout = "table" if e["企业名称"].startswith("汕头市澄海区") else "plain"
            write_practice_docx(folder / "附件3" / f"附件3-{e['企业名称']}典型做法.docx", e["企业名称"], e["text"], layout)
    (HERE / "expected_findings.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
    print(f"wrote {len(writers)} cities, {len(expected)} planted findings")


if __name__ == "__main__":
    main()
