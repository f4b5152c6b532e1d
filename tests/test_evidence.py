"""Quantitative evidence: numerals, units, comparisons, and what is not a quantity."""
import pytest

from nlp.evidence import extract_claims
from nlp.numbers import fold_width, to_number


def one(text):
    claims = extract_claims(text)
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


@pytest.mark.parametrize("numeral,value", [("2.85", 2.85), ("1,200", 1200), ("1.2万", 12000), ("三", 3), ("十二", 12),
                                           ("两千三百零五", 2305), ("千万", 1e7), ("一万二千", 12000), ("百分之二十", 20),
                                           ("１２", 12), ("半", 0.5)])
def test_numerals(numeral, value):
    assert to_number(numeral) == pytest.approx(value)


def test_fold_width_keeps_offsets():
    text = "合格率提升１２．５％"
    assert len(fold_width(text)) == len(text) and fold_width(text).endswith("12.5%")


@pytest.mark.parametrize("text,before,after,change,unit,direction", [
    ("不良率由2.1%降至0.8%", 2.1, 0.8, -1.3, "%", "down"),
    ("年产能从5万套提升到12万套", 5, 12, 7, "万套", "up"),
    ("单位产品能耗由0.42吨标准煤降至0.31吨标准煤", 0.42, 0.31, -0.11, "吨标准煤", "down"),
    ("订单交付周期由35天缩短至18天", 35, 18, -17, "天", "down"),
    ("报表编制时间由3天缩短至半天", 3, 0.5, -2.5, "天", "down"),
    ("合格率由９６．３％提升至９９．１％", 96.3, 99.1, 2.8, "%", "up"),
])
def test_before_after(text, before, after, change, unit, direction):
    c = one(text)
    assert (c.before, c.after, c.unit, c.direction) == (pytest.approx(before), pytest.approx(after), unit, direction)
    assert c.change == pytest.approx(change)
    assert c.text == text


@pytest.mark.parametrize("text,change,unit,direction", [
    ("生产效率较改造前提升30%", 30, "%", "up"),
    ("原料损耗下降1.8个百分点", -1.8, "个百分点", "down"),
    ("单位产值综合能耗同比下降19.4%", -19.4, "%", "down"),
    ("碳排放减少三成", -3, "成", "down"),
    ("产值翻一番", 2, "倍", "up"),
    ("加工效率提高两倍", 2, "倍", "up"),
    ("能耗降低百分之二十", -20, "%", "down"),
])
def test_changes(text, change, unit, direction):
    c = one(text)
    assert (c.change, c.unit, c.direction) == (pytest.approx(change), unit, direction)


def test_basis_and_metric():
    c = one("改造后，单线用工较改造前减少26人")
    assert c.basis == "较改造前" and c.metric == "单线用工" and c.text == "单线用工较改造前减少26人"


@pytest.mark.parametrize("text,unit", [("年节电约260万千瓦时", "万千瓦时"), ("新增产能5万t/a", "万t/a"),
                                       ("VOCs排放浓度降至15mg/m3以下", "mg/m3"), ("加工成本为120元/吨", "元/吨"),
                                       ("年产能达到300万件/年", "万件/年"), ("氨逃逸控制在3ppm", "ppm"),
                                       ("年新增销售收入近千万元", "元")])
def test_units(text, unit):
    assert one(text).quantities[0].unit == unit


def test_absolute_levels_are_claims_without_comparison():
    claims = extract_claims("灌装速度达到每小时36000瓶，全线自动化率达95%，年产能为8万吨。")
    assert [c.compares for c in claims] == [False, False, False]
    assert [c.after for c in claims] == [36000, 95, 8]


@pytest.mark.parametrize("text", [
    "公司成立于2004年，2021—2023年持续推进技术改造。",
    "通过ISO9001、ISO14001认证，建设5G专网和3D视觉平台。",
    "联系人：张三，电话138-0000-3101。",
    "二氧化碳捕集技术取得突破，年过半百的老厂焕发新生。",
    "一是坚持规划引领；二是注重人才培养。",
    "（一）企业基本情况\n1.投入与规划。",
    "推进工业4.0建设。",
])
def test_not_quantities(text):
    assert extract_claims(text) == []


def test_enumerations_split_when_both_sides_have_figures():
    claims = extract_claims("关键工序数控化率达到85%以上、人均产值提升30%的目标")
    assert [c.text for c in claims] == ["关键工序数控化率达到85%以上", "人均产值提升30%的目标"]
    assert len(extract_claims("引进焊接、涂装机器人86台")) == 1


def test_implausible_values():
    problems = lambda t: [code for c in extract_claims(t) for code, _ in c.problems]  # noqa: E731
    assert problems("产品一次合格率由95.2%提升至103%") == ["IMPLAUSIBLE_VALUE"]
    assert problems("模具换模时间缩短300%") == ["IMPLAUSIBLE_VALUE"]
    assert problems("生产效率提升1200%") == ["IMPLAUSIBLE_VALUE"]
    assert problems("生产效率提升120%") == []
    assert problems("产值增长300%") == []


def test_unit_missing():
    problems = [code for c in extract_claims("操作人员由15减少至4，效率提升45") for code, _ in c.problems]
    assert problems == ["UNIT_MISSING", "UNIT_MISSING"]
    assert extract_claims("关键尺寸CPK由1.0提升至1.67")[0].problems == []


def test_zero_and_half():
    assert one("六价铬实现零使用").after == 0
    assert one("一半以上的订单实现自动排产").after == 50


def test_offsets_point_into_text_as_read():
    text = "  改造后，合格率由９６％提升至９９％；\n用工减少３０人。"
    for c in extract_claims(text):
        assert text[c.start:c.end] == c.text


def test_bad_input_does_not_crash():
    for text in ["", "12345", "<script>alert(1)</script>效率提升30%", "產能由5萬套提升至12萬套", "效率提升30%🚀",
                 "\x00\x07效率\x1b提升", "[链接](http://x)产值增长20%", "提升" * 50000]:
        extract_claims(text)
    assert extract_claims("產能由5萬套提升至12萬套")[0].before == 5  # traditional 萬
