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


# ---- a tag rests on the text (issue 16) -------------------------------------------------------------
import json  # noqa: E402
from pathlib import Path  # noqa: E402

LABELLED = Path(__file__).resolve().parents[1] / "corpora" / "labelled"


def _rows(name):
    return [json.loads(line) for line in (LABELLED / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_no_tag_without_a_supporting_span():
    model = load_model()
    texts = ["公司致力于打造行业标杆，新建厂房两栋，员工人数由300人增加到450人，年产值提高两成。",
             "新建智能总装线，引进六轴机器人24台，部署MES系统实现数据采集，建设屋顶分布式光伏。"]
    results = tag_texts([{"x": t} for t in texts], model, None, None)
    for result in results:
        entry = result.to_json()
        for d in DIRECTIONS:
            if entry[d]["tag"]:
                assert entry[d]["reasons"], (d, entry[d])
                assert all(texts[results.index(result)][r["start"]:r["end"]] == r["text"] for r in entry[d]["reasons"])
            assert not (entry[d]["tag"] and entry[d].get("suggested"))
    assert not any(results[0].tags.values())
    assert all(results[1].tags.values())


def test_suggestion_is_not_a_tag():
    model = load_model()
    (result,) = tag_texts([{"x": "新建智能总装线，引进六轴机器人24台。"}], model, None, None)
    for d in DIRECTIONS:  # whatever the blend says, a direction with no span is at most a suggestion
        if not result.reasons(d):
            assert not result.tags[d]
            assert result.to_json()[d].get("suggested", False) == result.suggested[d]


def test_ordinary_company_texts_get_no_tag():
    rows = _rows("ood_company/texts.jsonl")
    assert len(rows) >= 60
    results = tag_texts([{"text": r["text"]} for r in rows], load_model(), None, None)
    tagged = [(r["id"], d) for r, res in zip(rows, results) for d in DIRECTIONS if res.tags[d] or res.suggested[d]]
    assert tagged == []


def test_traps_behave_as_documented():
    rows = _rows("direction_traps/traps.jsonl")
    results = tag_texts([{"text": r["text"]} for r in rows], load_model(), None, None)
    for row, res in zip(rows, results):
        trap = row["trap"]
        at = row["text"].find(trap["mention"])
        hits = [e for e in res.evidence if e.direction == trap["direction"] and e.start < at + len(trap["mention"])
                and at < e.end]
        if trap["why"] is None:
            assert res.tags[trap["direction"]] and any(e.status == "counts" for e in hits), row["id"]
        else:
            assert not res.tags[trap["direction"]], row["id"]
            assert all(e.status == trap["why"] for e in hits), (row["id"], [(e.text, e.status) for e in hits])
        for label in row["labels"]:
            assert res.tags[label], (row["id"], label)


def _record(row):
    values = {k: row[k] for k in ("项目名称", "项目建设内容", "技术改造实施效果", *DIRECTIONS)}
    fields = {k: FieldValue(v, v, chr(66 + i)) for i, (k, v) in enumerate(values.items())}
    return ProjectRecord(row["id"], Provenance("rows.jsonl", "S", 1), fields, city="佛山市")


def test_unsupported_precision_and_recall_on_own_rows():
    rows = _rows("direction_support/rows.jsonl")
    model = load_model()
    records = [_record(r) for r in rows]
    results = tag_texts([{k: r.text(k) for k in ("项目名称", "项目建设内容", "技术改造实施效果")} for r in records],
                        model, None, None)
    tp = flagged = positives = 0
    for row, record, result in zip(rows, records, results):
        declared = {d: row[d] == "是" for d in DIRECTIONS}
        said = {f.data["direction"] for f in direction_findings(record, result, declared, model)
                if f.code == "DIRECTION_UNSUPPORTED"}
        truth = {d for d, ok in row["supported"].items() if not ok}
        tp, flagged, positives = tp + len(said & truth), flagged + len(said), positives + len(truth)
    assert positives >= 10 and tp / flagged >= 0.9 and tp / positives >= 0.8


@pytest.mark.parametrize("text,direction", [
    ("建设电池全生命周期溯源管理平台，与国家溯源综合管理平台对接，拆解信息逐包上传。", "数字化"),
    ("常减压装置实施APC多变量先进控制，建设实时数据库。", "智能化"),
    ("常减压装置实施APC多变量先进控制，建设实时数据库。", "数字化"),
    ("配置视觉分级机4台、自动剥壳去肠线6条和自动称重包装机8台。", "智能化"),
    ("杀青和烘干以电加热替代柴火灶，车间烟尘基本消除。", "绿色化"),
])
def test_the_notices_kinds_of_work_count_as_support(text, direction):
    assert scores(text)[direction] > 0


@pytest.mark.parametrize("text,direction,status", [
    ("诚聘数据分析专员1名、ERP操作员1名。", "数字化", "role"),
    ("新款扫地机器人将于9月上市。", "智能化", "product"),
    ("本公司主营LED节能灯具、吸顶灯和筒灯。", "绿色化", "product"),
    ("倡导绿色低碳生活，组织员工义务植树。", "绿色化", "boilerplate"),
    ("公司计划于2026年建设光伏车棚。", "绿色化", "plan"),
])
def test_more_contexts_that_void_a_term(text, direction, status):
    assert any(d == direction and st == status for d, _, st in statuses(text))
    assert scores(text)[direction] == 0


def test_a_plan_carried_out_counts():
    s = scores("原计划建设的能源管理系统已于2023年3月上线运行，实现水、电、气分项计量。")
    assert s["绿色化"] > 0.5


def test_traditional_characters_match_with_spans_as_read():
    text = "部署ＭＥＳ系統，建設屋頂分佈式光伏電站，餘熱回收。"
    ev = find_evidence({"x": text})
    assert {e.direction for e in ev if e.status == "counts"} == {"数字化", "绿色化"}
    for e in ev:
        assert text[e.start:e.end] == e.text


def test_review_panel_shows_a_suggestion_as_such():
    from app.web.panels import render_directions

    html = render_directions({"directions": {"绿色化": {"tag": False, "suggested": True, "score": 0.4, "reasons": []},
                                             "智能化": {"tag": False, "score": 0.1, "reasons": []}}})
    assert "建议（无文字依据，仅供参考）" in html and html.count("建议") == 1
