"""Quantitative evidence: numerals, units, comparisons, and what is not a quantity."""
import pytest

from nlp.evidence import extract_claims
from nlp.numbers import to_number


def one(text):
    claims = extract_claims(text)
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


@pytest.mark.parametrize("numeral,value", [("2.85", 2.85), ("1,200", 1200), ("1.2万", 12000), ("三", 3), ("十二", 12),
                                           ("两千三百零五", 2305), ("千万", 1e7), ("一万二千", 12000), ("百分之二十", 20),
                                           ("１２", 12), ("半", 0.5)])
def test_numerals(numeral, value):
    assert to_number(numeral) == pytest.approx(value)


def test_full_width_and_traditional_text_reads_the_same():
    text = "合格率由９６．３％提升至９９．１％，產能由5萬套提升至12萬套"
    claims = extract_claims(text)
    assert [(c.before, c.after, c.unit) for c in claims] == [(96.3, 99.1, "%"), (5, 12, "万套")]
    assert [c.text for c in claims] == [text[c.start:c.end] for c in claims] == ["合格率由９６．３％提升至９９．１％",
                                                                                 "產能由5萬套提升至12萬套"]


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
    ("碳排放减少三成", -30, "%", "down"),
    ("能耗降低两成半", -25, "%", "down"),
    ("效率提升二点五倍", 2.5, "倍", "up"),
    ("成本降低三分之一", -33.3, "%", "down"),
    ("不良率下降百分之十五点六", -15.6, "%", "down"),
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
                                       ("年新增销售收入近千万元", "万元"), ("项目总投资一点二亿元", "亿元"),
                                       ("年节约标准煤三千二百吨标准煤", "吨标准煤"), ("新增检测工序四道", "道"),
                                       ("交付十二件", "件")])
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
    "推进工业4.0建设，打造5G、4G双网和3D视觉平台。",
    "实现工业4.0，系统升级为2.0版本，迈入智能制造3.0时代。",
    "二〇二三年完成改造，由二〇二一年至二〇二三年，型号X5-200与RV-20的机型。",
    "近三年未发生重大事故，公司制定三年规划，分三期实施，打造三位一体的管理体系。",
    "2023年上半年完成验收，一体化运行，千家万户。",
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


@pytest.mark.parametrize("text,value,unit", [
    ("项目总投资一点二亿元", 1.2, "亿元"), ("年减少固废零点八五吨", 0.85, "吨"), ("良品率达到百分之九十九点五", 99.5, "%"),
    ("缺陷率降至千分之三", 0.3, "%"), ("年产值达到三万五千元", 35000, "元"), ("月产一百二十套", 120, "套"),
    ("研发人员两千六百人", 2600, "人"), ("投资回收期不到四年", 4, "年")])
def test_chinese_numerals_in_text(text, value, unit):
    q = one(text).quantities[0]
    assert (q.value, q.unit) == (pytest.approx(value), unit)


def test_chinese_comparisons_with_any_unit():
    c = one("产线节拍由四十五秒缩短至三十二秒")
    assert (c.before, c.after, c.unit, c.direction, c.improvement) == (45, 32, "秒", "down", True)
    c = one("产值从三万五增加到十三万五")
    assert (c.before, c.after, c.direction) == (35000, 135000, "up")


@pytest.mark.parametrize("text,value,rng,approximate", [
    ("培训技术骨干十几人", None, (10, 20), True), ("用工减少三十多人", 30, (30, 40), True),
    ("年节约成本数十万元", None, (10, 100), True), ("用工减少近四成", 40, None, True),
    ("不良品减少八九成", None, (80, 90), True), ("建设周期三至五年", None, (3, 5), False),
    ("单位电耗下降25%～30%", None, (25, 30), False), ("新增设备6至8台", None, (6, 8), False),
    ("公司现有员工4600余人", 4600, (4600, 4700), True), ("年节约电费约30万元", 30, None, True)])
def test_approximate_figures_and_ranges(text, value, rng, approximate):
    c = one(text)
    q = c.quantities[0]
    assert (q.value, q.range, q.approximate) == (value, rng, approximate)
    assert (c.approximate, c.range) == (approximate, rng)
    j = c.to_json("技术改造实施效果")
    assert j["approximate"] is approximate and j.get("range") == (list(rng) if rng else None)


@pytest.mark.parametrize("text,before,after,unit", [
    ("改造前，这个过程至少需要20天……现在只需7天。", 20, 7, "天"),
    ("原来每班需要操作工12人；改造后，每班仅需3人。", 12, 3, "人"),
    ("过去人工检测一批产品耗时4小时，现在视觉检测系统只需20分钟。", 240, 20, "分钟"),
    ("改造前产品不良率为3.2%。项目实施后，不良率为0.9%。", 3.2, 0.9, "%"),
])
def test_before_after_across_clauses(text, before, after, unit):
    c = one(text)
    assert (c.before, c.after, c.unit, c.direction, c.improvement) == (pytest.approx(before), after, unit, "down", True)
    assert c.compares and text[c.before_span[0]:c.before_span[1]] in text[c.start:c.end]
    assert c.to_json("f")["before_span"] == list(c.before_span)


@pytest.mark.parametrize("text", ["公司现有员工200人，目前产值3亿元。",  # no "before" said: two levels
                                  "改造前投资500万元，改造后年产值3亿元。"])  # different kinds of figure
def test_no_pairing_without_the_text_saying_so(text):
    assert [c.compares for c in extract_claims(text)] == [False, False]


@pytest.mark.parametrize("text,improvement", [
    ("不良品率由2%降至1%", True), ("时间利用率由60%提升至80%", True), ("人均能耗下降10%", True),
    ("单线用工由42人减至11人", True), ("能耗上升5%", False), ("订单交付周期由35天缩短至18天", True),
    ("年节约电费30万元", True), ("产品种类增加5种", None)])
def test_improvement(text, improvement):
    c = one(text)
    assert c.improvement is improvement
    assert c.to_json("f").get("improvement") is improvement


def test_numerals_in_context_set():
    """The project's own numerals-in-context cases (corpora/labelled/numerals.jsonl, scored by `make eval`)."""
    from app.eval_numerals import numerals_in_context

    n = numerals_in_context()
    assert n["fig_gold"] >= 80 and n["pair_gold"] >= 15 and n["adversarial_cases"] >= 15
    assert n["fig_tp_pred"] / n["fig_pred"] >= 0.95 and n["fig_tp_gold"] / n["fig_gold"] >= 0.95
    assert n["pair_tp"] / n["pair_pred"] >= 0.95 and n["pair_found"] / n["pair_gold"] >= 0.9
    assert n["adversarial_figures"] == 0
