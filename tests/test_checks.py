"""Form-rule checks: parsers and row checks on records built in memory."""
import datetime as dt

import pytest

from nlp.checks import round_context, run_checks
from nlp.checks.values import parse_amount, parse_contact, parse_period, yes_no
from nlp.codelists import codelists
from nlp.findings import CODES, Finding, Provenance
from nlp.records import EnterpriseRecord, FieldValue, PracticeRecord, ProjectRecord

CTX = round_context(2025)


@pytest.mark.parametrize("text,start,end,standard", [
    ("2021年3月-2023年10月", (2021, 3), (2023, 10), True),
    ("2021.3-2023.10", (2021, 3), (2023, 10), False),
    ("2021/03—2023/10", (2021, 3), (2023, 10), False),
    ("2021年3月至2023年10月", (2021, 3), (2023, 10), True),
    ("２０２１年３月－２０２３年１０月", (2021, 3), (2023, 10), True),
    ("2021-03-15~2023-10-30", (2021, 3), (2023, 10), False),
    ("2021年3月1日-2023年10月31日", (2021, 3), (2023, 10), False),
    (" 2022.03 - 2023.12 ", (2022, 3), (2023, 12), False),
])
def test_period_forms(text, start, end, standard):
    p = parse_period(text)
    assert (p.start, p.end, p.standard) == (start, end, standard)


@pytest.mark.parametrize("value,phrase", [("2021年-2023年", "只写了年份"), ("2022年13月-2023年5月", "月份"),
                                          ("待定", "无法识别"), (dt.datetime(2022, 5, 1), "只有一个日期"),
                                          ("2022年5月", "只有一个年月")])
def test_period_problems(value, phrase):
    p = parse_period(value)
    assert p.start is None and phrase in p.problem


@pytest.mark.parametrize("value,unit,expected", [(2.85, None, 2.85), ("2.85", None, 2.85), ("约2.85亿元", None, 2.85),
                                                 ("5000万元", None, 0.5), ("1,200", "万元", 0.12), (3000, "万元", 0.3),
                                                 ("０.５", None, 0.5)])
def test_amounts(value, unit, expected):
    assert parse_amount(value, unit).value == pytest.approx(expected)


def test_amount_not_numeric():
    assert parse_amount("待定").value is None


@pytest.mark.parametrize("text,name,phone", [("梁子健 138-0000-3101", "梁子健", "138-0000-3101"),
                                             ("联系人：王海涛，电话：13800005678", "王海涛", "13800005678"),
                                             ("陈工 020-83133450", "陈工", "020-83133450"),
                                             ("王经理", "王经理", None), ("13800001111", None, "13800001111")])
def test_contacts(text, name, phone):
    c = parse_contact(text)
    assert (c.name, c.phone) == (name, phone)


def test_yes_no():
    assert yes_no("是") == (True, True) and yes_no(" 否 ") == (False, True)
    assert yes_no("√") == (True, False) and yes_no("") == (False, True) and yes_no("可能") == (False, False)


def _project(**values) -> ProjectRecord:
    base = {"项目名称": "项目", "项目承担单位": "佛山市甲公司", "项目建设地点": "佛山市顺德区容桂街道",
            "所属战略产业集群": "智能家电", "所属行业": "33.电气机械和器材制造业", "所属五大优势传统产业": "家电",
            "智能化": "是", "数字化": "否", "绿色化": "否", "建设起止时间": "2021年3月-2023年6月", "总投资(亿元)": 1.2,
            "项目建设内容": "新建产线", "技术改造实施效果": "效率提升", "企业联系人及联系方式": "张三 13800001111"}
    base.update(values)
    fields = {k: FieldValue("" if v is None else str(v), v, chr(65 + i), None, k) for i, (k, v) in enumerate(base.items())}
    return ProjectRecord(f"t:{id(values)}", Provenance("t.xlsx", "Sheet1", 5), fields, city="佛山市")


def _codes(record) -> list[str]:
    return [f.code for f in run_checks([record], CTX).by_record[record.id]
            if not f.code.startswith("QUOTA")]


def test_clean_row_has_no_findings():
    assert _codes(_project()) == []


@pytest.mark.parametrize("values,code", [
    ({"项目建设地点": "湖南省郴州市苏仙区"}, "LOCATION_NOT_GUANGDONG"),
    ({"项目建设地点": "广西壮族自治区梧州市"}, "LOCATION_NOT_GUANGDONG"),
    ({"项目建设地点": "顺德区容桂街道"}, "LOCATION_CITY_UNKNOWN"),
    ({"项目建设地点": "佛山市黄埔区"}, "LOCATION_DISTRICT_MISMATCH"),
    ({"项目建设地点": "广州市黄埔区"}, "LOCATION_OTHER_CITY"),
    ({"所属战略产业集群": "新能源汽车"}, "CLUSTER_UNKNOWN"),
    ({"所属战略产业集群": "智能家电产业集群"}, "CLUSTER_VARIANT"),
    ({"所属行业": "3841.锂离子电池制造"}, "SECTOR_UNKNOWN"),
    ({"所属行业": "31.电气机械和器材制造业"}, "SECTOR_NUMBER_MISMATCH"),
    ({"所属行业": "8.农副食品加工业"}, "SECTOR_CLUSTER_IMPLAUSIBLE"),
    ({"所属五大优势传统产业": "汽车"}, "TRADITIONAL_UNKNOWN"),
    ({"智能化": "Y"}, "DIRECTION_VALUE_INVALID"),
    ({"智能化": "否"}, "DIRECTION_NONE"),
    ({"建设起止时间": "2023年8月-2022年3月"}, "PERIOD_START_AFTER_END"),
    ({"建设起止时间": "2019年1月-2020年12月"}, "PERIOD_ENDS_BEFORE_2021"),
    ({"建设起止时间": "2024年1月-2026年3月"}, "PERIOD_ENDS_AFTER_ROUND"),
    ({"建设起止时间": "2021.3-2023.10"}, "PERIOD_FORMAT_NONSTANDARD"),
    ({"建设起止时间": "两年"}, "PERIOD_UNPARSEABLE"),
    ({"总投资(亿元)": "待定"}, "INVESTMENT_NOT_NUMERIC"),
    ({"总投资(亿元)": 0}, "INVESTMENT_NOT_POSITIVE"),
    ({"总投资(亿元)": 5000}, "INVESTMENT_UNIT_SUSPECT"),
    ({"总投资(亿元)": 85000000}, "INVESTMENT_UNIT_SUSPECT"),
    ({"企业联系人及联系方式": "13800001111"}, "CONTACT_INCOMPLETE"),
    ({"项目建设内容": None}, "FIELD_MISSING"),
])
def test_each_rule(values, code):
    assert code in _codes(_project(**values))


def test_cluster_variants_and_sector_forms_accepted():
    for cluster in ("汽车产业", "新一代电子信息产业集群", "高端装备"):
        assert codelists().cluster(cluster) is not None, cluster
    for sector in ("31.汽车制造业", "31、汽车制造业", "汽车制造业", "C36汽车制造业", "C36"):
        assert codelists().sector(sector).sector.no == 31, sector
    assert _codes(_project(所属战略产业集群="汽车产业", 所属行业="C36汽车制造业")) == ["CLUSTER_VARIANT"]


def test_round_date_decides_completion():
    record = _project(建设起止时间="2024年1月-2026年3月")
    assert "PERIOD_ENDS_AFTER_ROUND" not in [f.code for f in run_checks([record], round_context(2026)).by_record[record.id]]


def test_finding_spans_point_into_text_as_read():
    record = _project(项目建设地点="湖南省郴州市苏仙区")
    (f,) = [f for f in run_checks([record], CTX).by_record[record.id] if f.code == "LOCATION_NOT_GUANGDONG"]
    assert record.text("项目建设地点")[f.start:f.end] == "湖南"
    assert f.provenance.cell == "C5"


def test_city_quotas_benchmarks_and_links():
    projects = [_project() for _ in range(3)]
    for p in projects:
        p.id = f"p{id(p)}"

    def enterprise(name, benchmark):
        fields = {"企业名称": FieldValue(name, name, "B"), "是否标杆企业": FieldValue(benchmark, benchmark, "F")}
        return EnterpriseRecord(f"e:{name}", Provenance("附件2.xlsx", "S", 3), fields, city="佛山市")

    ents = [enterprise("佛山市甲公司", "是"), enterprise("佛山市乙公司", "是"), enterprise("佛山市丙公司", "是")]
    practice = PracticeRecord("doc", Provenance("x.docx"), {"text": FieldValue("…")}, city="佛山市",
                              company_name="佛山市丁公司")
    result = run_checks([*projects, *ents, practice], CTX)
    (city,) = result.cities
    codes = sorted(f.code for f in city.findings)
    assert codes.count("ENTERPRISE_NO_PROJECT") == 2  # 乙 and 丙 have no project; 甲 has three
    assert {"QUOTA_PROJECTS_SHORT", "QUOTA_ENTERPRISES_SHORT", "BENCHMARK_COUNT", "PRACTICE_NOT_IN_SUMMARY"} <= set(codes)
    assert codes.count("PRACTICE_MISSING") == 3
    assert city.quota_ok is False and city.projects == 3 and city.benchmark_enterprises == 3


def test_finding_codes_are_registered_and_documented():
    with pytest.raises(KeyError):
        Finding("NOT_A_CODE", "x")
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[1] / "docs" / "findings.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in doc, code
