"""Near-duplicates: kinds, shared passages, stock phrases, clusters (lexical layer; the semantic layer is
exercised on the sample and eval sets)."""
import json
from pathlib import Path

from nlp.duplicates import DupDoc, clusters, find_duplicates

BASE_C = ("对原有半自动焊装车间实施整体改造，新建侧围、地板总成焊装线各1条，引进六轴焊接机器人86台、激光在线测量系统4套，"
          "部署MES制造执行系统和焊接质量数据采集平台，工艺由人工上件改为机器人自动上件、自动焊接、在线检测。")
BASE_E = "项目建成后，焊装自动化率由35%提升至92%，单线操作人员由42人减至11人，焊点一次合格率由97.2%提升至99.6%。"
STOCK = "通过技术改造，实现降本增效，项目具有良好的示范带动作用。"


def doc(i, content, effect, company="甲公司"):
    return DupDoc(f"r{i}", {"项目建设内容": content, "技术改造实施效果": effect}, {"company": company})


def background(n=40):
    """Distinct projects (the sample round's source rows), each with the genre's stock phrases added."""
    rows = json.loads((Path(__file__).resolve().parents[1] / "corpora/sample/source/projects.json").read_text("utf-8"))
    opening, distinct = set(), []
    for r in rows:  # the sample plants one recycled submission: keep the first of the two
        if r["项目建设内容"][:20] not in opening:
            opening.add(r["项目建设内容"][:20])
            distinct.append(r)
    return [doc(100 + i, STOCK + r["项目建设内容"], r["技术改造实施效果"] + STOCK, r["项目承担单位"])
            for i, r in enumerate(distinct[:n])]


def kinds(pairs):
    return {(p.a, p.b): p.kind for p in pairs}


def test_exact_after_normalisation():
    pairs = find_duplicates([doc(1, BASE_C, BASE_E), doc(2, BASE_C.replace("，", ",") + "\n", " " + BASE_E), *background()])
    assert kinds(pairs) == {("r1", "r2"): "exact"}


def test_light_edit_with_what_changed():
    edited_c = BASE_C.replace("86台", "64台").replace("4套", "3套")
    edited_e = BASE_E.replace("35%", "40%").replace("42人", "38人")
    pairs = find_duplicates([doc(1, BASE_C, BASE_E, "佛山市甲汽车部件有限公司"),
                             doc(2, edited_c, edited_e, "江门市乙汽车部件有限公司"), *background()])
    (pair,) = pairs
    assert pair.kind == "light_edit"
    assert any("86 → 64" in c for c in pair.changed["figures"])
    assert pair.changed["company"][0] == "佛山市甲汽车部件有限公司 → 江门市乙汽车部件有限公司"


def test_short_text_pasted_inside_a_longer_one():
    longer = BASE_C + "同时建设厂区分布式光伏电站2兆瓦，配套储能系统，年发电约220万千瓦时，所发电量全部自用。" * 3
    pairs = find_duplicates([doc(1, BASE_C, ""), doc(2, longer, "年节约电费约150万元。"), *background()])
    assert kinds(pairs).get(("r1", "r2")) == "light_edit"
    assert pairs[0].features["containment"] >= 0.8


def test_template_same_skeleton_different_facts():
    skeleton = ("项目以{a}为核心，新建{b}生产线{n}条，配置{c}，构建{d}体系，实现生产过程全流程数字化管控。"
                "项目建成后，{m}由{x}提升至{y}，年新增产值{v}亿元，为同行业{a}改造提供了可复制的经验。")
    t1 = skeleton.format(a="智能压铸", b="铝合金压铸", n=3, c="压铸岛机器人12台", d="质量追溯", m="压铸良品率", x="91%", y="97%", v=1.2)
    t2 = skeleton.format(a="数字印染", b="针织面料染整", n=2, c="自动配液系统5套", d="能耗监测", m="一次染色成功率", x="83%", y="95%", v=0.8)
    pairs = find_duplicates([doc(1, t1, ""), doc(2, t2, ""), *background()])
    assert kinds(pairs).get(("r1", "r2")) == "template"


def test_stock_phrases_alone_make_no_pairs():
    assert find_duplicates(background(40)) == []


def test_shared_passages_point_into_both_texts():
    a, b = doc(1, BASE_C, BASE_E), doc(2, "说明：" + BASE_C, BASE_E.replace("92%", "90%"))
    (pair,) = find_duplicates([a, b, *background()])
    assert pair.shared
    for s in pair.shared:
        left = a.fields[s.a_field][s.a_start:s.a_end]
        right = b.fields[s.b_field][s.b_start:s.b_end]
        assert left.replace("，", "") == right.replace("，", "")


def test_clusters_of_three_or_more():
    docs = [doc(i, BASE_C.replace("86", str(80 + i)), BASE_E, f"公司{i}") for i in range(3)] + background()
    assert clusters(find_duplicates(docs)) == [["r0", "r1", "r2"]]
