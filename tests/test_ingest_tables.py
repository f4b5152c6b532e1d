"""附件1/附件2 from .xlsx, .xls and .csv: headers by meaning, provenance, the template's quirks."""
import datetime as dt

import openpyxl
import pytest

from builders import (CONTENT, EFFECT, first_data_row, project_row, set_cells_as_saved, write_csv,
                      write_summary_xlsx, write_template_xlsx, write_xls)
from nlp.ingest import ingest


def test_template_two_row_header_maps_every_column(tmp_path):
    path = write_template_xlsx(tmp_path / "佛山市附件1.xlsx", [project_row(1), project_row(2, 绿色化="是")])
    result = ingest([path])
    assert result.failures == []
    assert [r.kind for r in result.records] == ["project", "project"]  # 例 row and 备注 skipped
    first, second = result.records
    assert set(first.fields) >= {"项目名称", "项目承担单位", "项目建设地点", "所属战略产业集群", "所属行业",
                                 "所属五大优势传统产业", "智能化", "数字化", "绿色化", "建设起止时间", "总投资(亿元)",
                                 "项目建设内容", "技术改造实施效果", "企业联系人及联系方式"}
    row = first_data_row()
    assert first.source.row == row and second.source.row == row + 1
    assert first.provenance("项目建设内容").cell == f"M{row}"
    assert first.provenance("绿色化").cell == f"J{row}"
    assert second.text("绿色化") == "是"
    assert first.text("项目建设内容") == CONTENT
    assert first.city == "佛山市"  # from the file name


def test_careless_headers_full_width_spaces_and_line_breaks(tmp_path):
    top = ["序 号", "项目\n名称", "项目承担\n单位", "项目建设地点（市、区、镇）", "所属战略\n产业集群", "所属行业 ",
           "所属五大优势\n传统产业", "技术改造方向（可多选）", None, None, "建设起止\n时间", "总投资\n（亿元）",
           "项目建设内容\n（300字以内）", "技术改造实施效果（300字以内）", "企业联系人及\n联系方式"]
    path = write_template_xlsx(tmp_path / "a.xlsx", [project_row(1, **{"总投资(亿元)": "1.25"})],
                               header_top=top, title=False, example=False, notes=False)
    (record,) = ingest([path]).records
    assert record.text("项目名称") == "智能总装线技术改造项目1"
    assert record.text("总投资(亿元)") == "1.25"
    assert record.text("技术改造实施效果") == EFFECT


def test_columns_mapped_by_meaning_not_position(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    header = ["技术改造实施效果", "项目名称", "企业名称", "项目建设内容", "总投资（亿元）", "智能化改造", "数字化改造",
              "绿色化改造", "建设期", "联系人及电话", "所属产业集群", "所属行业", "传统产业", "建设地点", "审核意见"]
    ws.append(header)
    ws.append([EFFECT, "项目甲", "东莞市甲公司", CONTENT, 0.5, "是", "否", "否", "2022年1月-2023年1月",
               "李四 13800001111", "汽车", "31.汽车制造业", "不属于", "东莞市长安镇", "同意推荐"])
    wb.save(tmp_path / "东莞.xlsx")
    (record,) = ingest([tmp_path / "东莞.xlsx"]).records
    assert record.text("技术改造实施效果") == EFFECT
    assert record.provenance("技术改造实施效果").cell == "A2"
    assert record.text("项目承担单位") == "东莞市甲公司"
    assert record.extra["审核意见"].text == "同意推荐"  # unknown columns kept


def test_several_sheets_and_a_sheet_without_header(tmp_path):
    path = write_template_xlsx(tmp_path / "x.xlsx", [project_row(1)])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("说明").cell(1, 1, "填表说明：请按模板填写")
    second = wb.copy_worksheet(wb["Sheet1"])
    second.title = "第二批"
    wb.save(path)
    result = ingest([path])
    assert sorted(r.source.sheet for r in result.records) == ["Sheet1", "第二批"]
    assert [f.code for f in result.findings] == ["SHEET_SKIPPED"]


def test_csv_utf8_and_gbk(tmp_path):
    for encoding in ("utf-8-sig", "gb18030"):
        path = write_csv(tmp_path / f"附件1-{encoding}.csv", [project_row(1), project_row(2)], encoding)
        result = ingest([path])
        assert result.failures == [], encoding
        assert len(result.records) == 2
        assert result.records[0].text("项目建设内容") == CONTENT
        assert result.records[1].source.row == 3


def test_xls_with_merged_header_and_date_cell(tmp_path):
    path = write_xls(tmp_path / "附件1.xls", [project_row(1), project_row(2)], date_cell=dt.datetime(2022, 5, 1))
    result = ingest([path])
    assert result.failures == []
    first, second = result.records
    assert first.text("绿色化") == "否" and first.provenance("绿色化").cell == "J3"
    assert isinstance(first.fields["建设起止时间"].raw, dt.datetime)
    assert first.text("建设起止时间") == "2022-05-01"
    assert second.text("项目建设内容") == CONTENT


def test_numbers_as_text_and_excel_serial_dates(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "项目承担单位", "项目建设内容", "技术改造实施效果", "开工时间", "完工时间", "总投资（万元）"])
    ws.append(["项目乙", "乙公司", CONTENT, EFFECT, 44287, dt.datetime(2023, 6, 30), "１２００"])
    wb.save(tmp_path / "b.xlsx")
    (record,) = ingest([tmp_path / "b.xlsx"]).records
    assert record.fields["开工时间"].raw == 44287
    assert record.units == {"总投资(亿元)": "万元"}
    from nlp.checks.values import month_of, parse_amount
    assert month_of(record.fields["开工时间"].raw) == (2021, 4)
    assert month_of(record.fields["完工时间"].raw) == (2023, 6)
    assert parse_amount(record.fields["总投资(亿元)"].raw, "万元").value == 0.12


def test_enterprise_summary_keeps_unknown_columns(tmp_path):
    path = write_summary_xlsx(tmp_path / "附件2.xlsx", [[1, "佛山市", "佛山市甲公司", "民营", "智能家电",
                                                       "33.电气机械和器材制造业", "是", "智能化", 12000, "张三",
                                                       "13800002222", "行业龙头"]])
    (record,) = ingest([path]).records
    assert record.kind == "enterprise"
    assert record.company == "佛山市甲公司"
    assert record.text("是否标杆企业") == "是"
    assert record.extra["推荐理由"].text == "行业龙头"
    assert record.units == {"技改投入": "万元"}


def test_stray_line_breaks_and_spaces_in_values_kept_as_read(tmp_path):
    name = " 项目丙\n（一期） "
    path = write_template_xlsx(tmp_path / "c.xlsx", [project_row(1, 项目名称=name)])
    (record,) = ingest([path]).records
    assert record.text("项目名称") == name


# ---- no silently lost cell: formulas and error values ------------------------------------------------------

def _formula_round(tmp_path):
    """附件1 as a spreadsheet program leaves it: row 1's 项目建设内容 a text typed with a leading "=" that became a
    formula with no saved result (what openpyxl writes for "=…"), its 技术改造实施效果 a bare error value; row 2's
    总投资 a formula with its saved result and its 技术改造实施效果 a formula whose saved result is #NAME?."""
    path = write_template_xlsx(tmp_path / "佛山市附件1.xlsx", [project_row(1), project_row(2)])
    row = first_data_row()
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws[f"M{row}"] = "=" + CONTENT
    assert ws[f"M{row}"].data_type == "f"
    ws[f"N{row}"] = "#NAME?"
    assert ws[f"N{row}"].data_type == "e"
    wb.save(path)
    set_cells_as_saved(path, {f"A{row}": f'<c r="A{row}" t="str"><f>IF(1,"",1)</f><v></v></c>',  # saved ""
                              f"L{row + 1}": f'<c r="L{row + 1}"><f>0.8+0.45</f><v>1.25</v></c>',
                              f"N{row + 1}": f'<c r="N{row + 1}" t="e"><f>{EFFECT}</f><v>#NAME?</v></c>'})
    return path, row


def test_formula_and_error_cells_are_read_as_text_with_a_finding(tmp_path):
    from nlp.checks import round_context, run_checks

    path, row = _formula_round(tmp_path)
    first, second = ingest([path]).records
    assert first.text("项目建设内容") == "=" + CONTENT  # the formula's text, never empty
    assert first.text("技术改造实施效果") == "#NAME?"
    assert second.text("总投资(亿元)") == "1.25"  # a saved result is the value, silently
    assert first.text("序号") == ""  # a formula whose saved result is the empty text is empty, as shown
    assert second.text("技术改造实施效果") == "=" + EFFECT  # the formula behind the saved #NAME?
    checked = run_checks([first, second], round_context(2025))
    by = {r.id: {(f.code, f.field): f for f in checked.by_record[r.id]} for r in (first, second)}
    formula = by[first.id][("CELL_FORMULA", "项目建设内容")]
    assert formula.severity == "warning" and formula.provenance.cell == f"M{row}"
    assert (formula.start, formula.end) == (0, len(CONTENT) + 1) and "没有保存计算结果" in formula.message
    error = by[first.id][("CELL_ERROR", "技术改造实施效果")]
    assert error.data["error"] == "#NAME?" and error.data["formula"] is None and f"N{row}" in error.message
    saved_error = by[second.id][("CELL_ERROR", "技术改造实施效果")]
    assert saved_error.data == {"formula": "=" + EFFECT, "error": "#NAME?"}
    assert not any(f.field in ("总投资(亿元)", "序号") and f.code.startswith("CELL_")
                   for r in (first, second) for f in checked.by_record[r.id])
    codes = [f.code for r in (first, second) for f in checked.by_record[r.id]]
    assert "FIELD_MISSING" not in codes  # no 项目建设内容为空 about a cell that has content


def test_an_error_value_in_an_xls_is_text_with_a_finding_not_a_number(tmp_path):
    from nlp.ingest.tables import cell_findings

    # xlrd reads an error cell as a number code (#DIV/0! is 7): it must never become the field's figure
    path = write_xls(tmp_path / "a.xls", [project_row(1, 技术改造实施效果=None)], errors={(2, 13): "#DIV/0!"})
    (record,) = ingest([path]).records
    assert record.text("技术改造实施效果") == "#DIV/0!"
    (f,) = cell_findings(record)
    assert f.code == "CELL_ERROR" and f.data["error"] == "#DIV/0!" and f.provenance.cell == "N3"


@pytest.mark.slow
def test_report_and_json_carry_the_formula_text_and_exports_write_it_as_text(tmp_path):
    import json

    from app.cli import main

    path, row = _formula_round(tmp_path)
    report, out = tmp_path / "report.xlsx", tmp_path / "out.json"
    main(["check", str(path), "-o", str(report), "--json", str(out), "-q"])
    data = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    assert '"CELL_FORMULA"' in text and '"CELL_ERROR"' in text
    assert ("=" + CONTENT) in text
    wb = openpyxl.load_workbook(report)
    found = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert found, "the formula's text is in the report"
    assert all(c.data_type == "s" for c in found)  # written as text, never as a formula
