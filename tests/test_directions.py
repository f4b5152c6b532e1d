"""Direction tagging: the lexicon's context rules, the shipped model, and the mismatch findings."""
import pytest

from nlp.directions import DIRECTIONS, direction_findings, tag_texts
from nlp.directions.lexicon import find_evidence, lexicon_scores
from nlp.directions.model import load_model
from nlp.findings import Provenance
from nlp.records import FieldValue, ProjectRecord


def statuses(text):
    return {(e.direction, e.text, e.status) for e in find_evidence({"x": text})}


def scores(text):
    return lexicon_scores(find_evidence({"x": text}))


def test_done_work_counts():
    s = scores("新建智能总装线3条，引进六轴机器人24台，部署MES系统，建设屋顶分布式光伏2兆瓦。")
    assert all(s[d] >= 0.8 for d in DIRECTIONS)


@pytest.mark.parametrize("text,direction,status", [
    ("下一步拟建设分布式光伏电站。", "绿色化", "plan"),
    ("公司计划引入MES系统。", "数字化", "plan"),
    ("车间设备暂未实现数据采集。", "数字化", "negated"),
    ("由广东智造机器人科技有限公司承建。", "智能化", "org_name"),
    ("项目建成后年产工业机器人500台。", "智能化", "product"),
])
def test_contexts_that_void_a_term(text, direction, status):
    assert any(d == direction and st == status for d, _, st in statuses(text))
    assert scores(text)[direction] == 0


def test_boilerplate_is_not_evidence():
    assert scores("公司全面推进智能化、数字化、绿色化转型，推动高端化、智能化发展。") == {d: 0 for d in DIRECTIONS}


def test_product_names_are_not_processes():
    assert scores("新建智能马桶生产线1条，年产智能马桶30万台，采用常规注塑和装配设备。")["智能化"] == 0


def test_green_product_counts_and_says_so():
    (result,) = tag_texts([{"x": "通过技术改造开发水性涂料绿色产品，年产水性涂料5000吨。"}], None)
    assert result.lexicon["绿色化"] > 0


def test_change_without_the_usual_keywords():
    s = scores("相机自动判别外观缺陷，窑炉尾气热量回收用于烘干坯体。")
    assert s["智能化"] > 0.5 and s["绿色化"] > 0.5


def test_the_word_plan_as_a_noun_is_not_a_plan():
    assert scores("计划、采购、生产数据实时共享，订单状态自动推送。")["数字化"] > 0.5


def test_spans_point_into_text_as_read():
    text = "　部署ＭＥＳ系统，建设屋顶光伏。"
    for e in find_evidence({"x": text}):
        assert text[e.start:e.end] == e.text


def _project(content, effect, **declared):
    values = {"项目名称": "技术改造项目", "项目建设内容": content, "技术改造实施效果": effect,
              "智能化": "否", "数字化": "否", "绿色化": "否"}
    values.update(declared)
    fields = {k: FieldValue(v, v, chr(66 + i)) for i, (k, v) in enumerate(values.items())}
    return ProjectRecord("r", Provenance("a.xlsx", "S", 5), fields, city="佛山市")


def test_mismatch_findings_with_spans():
    record = _project("新建焊装线，引进六轴焊接机器人86台，下一步拟建设分布式光伏电站。",
                      "焊装自动化率由35%提升至92%。", 智能化="否", 绿色化="是")
    (result,) = tag_texts([{k: record.text(k) for k in ("项目名称", "项目建设内容", "技术改造实施效果")}], None)
    declared = {"智能化": False, "数字化": False, "绿色化": True}
    found = {f.data["direction"]: f for f in direction_findings(record, result, declared, None)}
    undeclared, unsupported = found["智能化"], found["绿色化"]
    assert undeclared.code == "DIRECTION_UNDECLARED" and "机器人" in record.text(undeclared.field)[undeclared.start:undeclared.end]
    assert unsupported.code == "DIRECTION_UNSUPPORTED" and "仅为计划" in unsupported.message
    assert record.text(unsupported.field)[unsupported.start:unsupported.end] == "分布式光伏"


def test_shipped_model_loads_and_tags():
    model = load_model()
    assert model is not None, "models/directions.joblib must ship"
    items = [{"x": "新建智能总装线，引进六轴机器人24台和视觉检测系统，部署MES系统实现数据采集。"},
             {"x": "建设屋顶分布式光伏电站，窑炉余热回收，年节约标准煤3000吨，减少二氧化碳排放8000吨。"}]
    first, second = tag_texts(items, model, None, None)
    assert first.tags["智能化"] and first.tags["数字化"] and not first.tags["绿色化"]
    assert second.tags["绿色化"] and not second.tags["智能化"]
    assert all(0.0 <= v <= 1.0 for r in (first, second) for v in r.scores.values())
