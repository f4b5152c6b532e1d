"""附件1/附件2 from .xlsx, .xls and .csv: headers by meaning, provenance, the template's quirks."""
import datetime as dt

import openpyxl

from builders import (CONTENT, EFFECT, first_data_row, project_row, write_csv, write_summary_xlsx,
                      write_template_xlsx, write_xls)
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
