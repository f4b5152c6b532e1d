"""Sections and sub-parts of 示范企业典型做法 narratives (nlp/sections.py), on narratives written for these tests in
the layouts offices use, and on the sample round."""
import dataclasses
import json
import time
from pathlib import Path

import pytest

from nlp.codelists import CORPORA
from nlp.sections import SECTIONS, SUBPARTS, SectionResult, detect_sections, detect_subparts

ROOT = Path(__file__).resolve().parents[1]

INTRO = ("广东粤科精密模具有限公司成立于2009年，位于东莞市长安镇，是一家民营企业，属高端装备制造战略性新兴产业集群、专用设备制造业。"
         "公司现有员工920人，主要产品为汽车覆盖件冲压模具和精密注塑模具，年产模具1800套，汽车冲压模具国内市场占有率约5%。"
         "公司是国家高新技术企业、广东省专精特新中小企业，拥有有效发明专利33件。2023年实现营业收入11.2亿元、纳税6800万元。")
NO_ACCIDENT = "近三年公司未发生重大及以上质量、安全、环保事故。"
PLAN = ("投入与路线。2020—2023年，公司累计投入技术改造资金2.3亿元。公司编制数字化工厂建设规划，按照“单机联网—车间互联—工厂智能”"
        "三步走路线推进，成立由董事长任组长的技改领导小组。具体做法如下：每年确定改造清单，实行季度调度，三是月度通报制度同步执行。")
RESULTS = ("改造成效。通过改造，模具设计周期由40天缩短至22天，加工精度提升至±0.01毫米，一次试模合格率由70%提升至91%，"
           "人均产值由95万元提高到146万元，单位产值能耗下降17%。")
CASES = ("典型案例。一是五轴加工中心智能产线项目。投资6500万元，引进五轴高速加工中心18台，配套自动换刀和在线测量系统，加工效率提高45%。"
         "二是模具设计云平台项目。投资1200万元，搭建协同设计平台，设计返工率下降38%。")
LESSONS = ["坚持需求牵引，以客户痛点确定改造重点。先改瓶颈工序，再推广到全厂，避免设备闲置。",
           "注重数据积累，把工艺知识沉淀为标准模块。新员工借助模块库即可完成常规设计。",
           "坚持人才先行，培养复合型技改队伍。与职业院校联合办班，三年培养数控编程人员120名。"]
TEMPLATE_HEADINGS = ("一、企业简介", "二、近年来开展技术改造情况", "三、具有示范借鉴意义的经验做法")


def narrative(headings=TEMPLATE_HEADINGS, sub=("1.", "2.", "3."), points=("1.", "2.", "3."),
              no_accident=True, lessons=True):
    parts = [headings[0], INTRO + (NO_ACCIDENT if no_accident else ""),
             headings[1], sub[0] + PLAN, sub[1] + RESULTS, sub[2] + CASES]
    if lessons:
        parts += [headings[2]] + [p + text for p, text in zip(points, LESSONS)]
    return "\n".join(parts)


LAYOUTS = {
    "template": narrative(),
    "paren": narrative(("（一）企业基本情况", "（二）技术改造开展情况", "（三）经验做法与启示"), ("1、", "2、", "3、"),
                       ("1、", "2、", "3、")),
    "part": narrative(("第一部分 企业概况", "第二部分 技改情况", "第三部分 经验体会"), ("（一）", "（二）", "（三）"),
                      ("一是", "二是", "三是")),
    "arabic_top": narrative(("1、企业概况", "2、技术改造情况", "3、经验做法"), ("（1）", "（2）", "（3）"),
                            ("（1）", "（2）", "（3）")),
    "unnumbered": narrative(("企业简介", "技术改造情况", "经验做法")),
    "dot_numbers": narrative(("一．企业简介", "二．技术改造情况", "三．经验与启示")),
    "full_width_spaces": narrative(("　一 、 企业 简介　", "（ 二 ）  技改情况 ", "三．经验  做法"), ("１．", "２．", "３．"),
                                   ("１．", "２．", "３．")),
    "brackets": narrative(("【企业简介】", "【技术改造情况】", "【经验做法】")),
    "crlf": narrative().replace("\n", "\r\n"),
    "title_line_first": "广东粤科精密模具有限公司典型经验做法\n" + narrative(),
    "run_in": ("一、企业简介：" + INTRO + NO_ACCIDENT + "\n二、技术改造开展情况：" + PLAN + RESULTS + CASES
               + "\n三、经验与启示：" + "".join(p + t for p, t in zip(("一是", "二是", "三是"), LESSONS))),
    "headings_inside_one_line": ("一、企业简介 " + INTRO + NO_ACCIDENT + "二、近年来开展技术改造情况 1." + PLAN + "2." + RESULTS
                                 + "3." + CASES + "三、具有示范借鉴意义的经验做法 "
                                 + "".join(p + t for p, t in zip(("1.", "2.", "3."), LESSONS))),
}

NO_HEADINGS = (INTRO + NO_ACCIDENT + "\n" + PLAN[len("投入与路线。"):] + "\n" + RESULTS[len("改造成效。"):] + "\n"
               + CASES[len("典型案例。"):] + "\n总结几年来的实践，主要有以下几点体会："
               + "".join(p + t for p, t in zip(("一是", "二是", "三是"), LESSONS)))

TRADITIONAL = (
    "一、企業簡介\n廣東粵科精密模具有限公司成立於2009年，位於東莞市長安鎮，是一家民營企業。公司現有員工920人，主要產品為汽車覆蓋件"
    "衝壓模具，國內市場佔有率約5%。公司是國家高新技術企業，2023年實現營業收入11.2億元、納稅6800萬元。近三年未發生重大及以上質量、"
    "安全、環保事故。\n二、近年來開展技術改造情況\n1.2020—2023年，公司累計投入技術改造資金2.3億元，編製數字化工廠建設規劃，"
    "按照“單機聯網—車間互聯—工廠智能”三步走路線推進。\n2.通過改造，模具設計週期由40天縮短至22天，一次試模合格率由70%提升至91%。"
    "\n3.典型案例。投資6500萬元，引進五軸高速加工中心18台，加工效率提高45%。\n三、具有示範借鑒意義的經驗做法\n"
    "1.堅持需求牽引，以客戶痛點確定改造重點。\n2.注重數據積累，把工藝知識沉澱為標準模塊。")


def check_consistent(text, secs):
    """Sections in order, inside the text, not overlapping, headings inside their section."""
    assert list(secs) == list(SECTIONS)
    last_end = 0
    for name in SECTIONS:
        r = secs[name]
        assert isinstance(r, SectionResult)
        if not r.present:
            assert r.how == "missing" and r.start is None and r.end is None
            continue
        assert r.how in ("heading", "content")
        assert 0 <= last_end <= r.start < r.end <= len(text)
        last_end = r.end
        if r.heading is not None:
            assert r.start <= r.heading.start < r.heading.end <= r.end
            assert text[r.heading.start:r.heading.end] == r.heading.text
        if r.how == "heading":
            assert r.heading is not None and r.start == r.heading.start


def contains(text, r, piece):
    return r.present and piece in text[r.start:r.end]


# ---- layouts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layouts_find_all_three_sections_by_heading(layout):
    text = LAYOUTS[layout]
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert all(secs[n].present for n in SECTIONS)
    assert all(secs[n].how == "heading" for n in SECTIONS)
    assert contains(text, secs["企业简介"], "成立于2009年") and contains(text, secs["企业简介"], "环保事故")
    assert contains(text, secs["技术改造情况"], "累计投入技术改造资金2.3亿元")
    assert contains(text, secs["技术改造情况"], "设计返工率下降38%")
    assert contains(text, secs["经验做法"], "坚持需求牵引") and contains(text, secs["经验做法"], "三年培养数控编程人员120名")
    assert not contains(text, secs["技术改造情况"], "坚持需求牵引")
    assert not contains(text, secs["企业简介"], "累计投入技术改造资金")


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layouts_find_all_six_subparts(layout):
    text = LAYOUTS[layout]
    subs = detect_subparts(text)
    assert list(subs) == list(SUBPARTS)
    for name, r in subs.items():
        assert r.present, name
        for sp in r.spans:
            assert sp.label == name and text[sp.start:sp.end] == sp.text and sp.text.strip()


def test_template_headings_are_the_heading_lines():
    text = LAYOUTS["template"]
    secs = detect_sections(text)
    assert [secs[n].heading.text for n in SECTIONS] == list(TEMPLATE_HEADINGS)
    assert [secs[n].start for n in SECTIONS] == [text.index(h) for h in TEMPLATE_HEADINGS]


def test_sub_points_and_inline_san_shi_do_not_open_sections():
    text = LAYOUTS["template"]
    secs = detect_sections(text)
    tech = secs["技术改造情况"]
    for piece in ("1.投入与路线", "2.改造成效", "3.典型案例", "三是月度通报制度", "具体做法如下"):
        assert contains(text, tech, piece), piece
    assert secs["经验做法"].start == text.index("三、具有示范借鉴意义的经验做法")


def test_run_in_headings():
    text = LAYOUTS["run_in"]
    secs = detect_sections(text)
    assert secs["企业简介"].heading.text.startswith("一、企业简介")
    assert secs["技术改造情况"].heading.text.startswith("二、技术改造开展情况")
    assert "广东粤科" not in secs["企业简介"].heading.text
    assert secs["经验做法"].heading.text.startswith("三、经验与启示")
    points = detect_subparts(text)["分条经验"].spans
    assert [p.text[:2] for p in points] == ["一是", "二是", "三是"]


def test_full_width_heading_keeps_its_whole_title():
    text = LAYOUTS["full_width_spaces"]
    secs = detect_sections(text)
    assert secs["经验做法"].heading.text == "三．经验  做法"
    assert secs["企业简介"].heading.text == "一 、 企业 简介"


def test_title_line_is_not_a_section():
    text = LAYOUTS["title_line_first"]
    secs = detect_sections(text)
    assert secs["企业简介"].start == text.index("一、企业简介")


def test_traditional_characters():
    secs = detect_sections(TRADITIONAL)
    check_consistent(TRADITIONAL, secs)
    assert all(secs[n].how == "heading" for n in SECTIONS)
    assert secs["经验做法"].heading.text == "三、具有示範借鑒意義的經驗做法"
    subs = detect_subparts(TRADITIONAL, secs)
    assert all(subs[n].present for n in SUBPARTS)
    assert "未發生" in subs["无事故说明"].spans[0].text


# ---- content ------------------------------------------------------------------------------------------------


def test_no_headings_found_by_content():
    text = NO_HEADINGS
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert [secs[n].how for n in SECTIONS] == ["content"] * 3
    assert secs["企业简介"].start == 0
    assert contains(text, secs["企业简介"], "环保事故")
    assert secs["技术改造情况"].start == text.index("2020—2023年")
    assert contains(text, secs["技术改造情况"], "设计返工率下降38%")
    assert secs["经验做法"].start == text.index("总结几年来的实践")
    assert secs["经验做法"].end == len(text)
    subs = detect_subparts(text, secs)
    assert all(subs[n].present for n in SUBPARTS)
    assert len(subs["分条经验"].spans) == 3


def test_no_headings_no_line_breaks():
    text = NO_HEADINGS.replace("\n", "")
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert all(secs[n].present for n in SECTIONS)
    assert secs["技术改造情况"].start == text.index("2020—2023年")
    assert secs["经验做法"].start == text.index("总结几年来的实践")


def test_non_standard_headings_are_not_missing_sections():
    text = narrative(("一、公司基本情况", "二、智造升级之路", "三、可复制推广的几点做法"))
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert all(secs[n].present for n in SECTIONS)
    tech = secs["技术改造情况"]
    assert tech.how == "content" and tech.heading.text == "二、智造升级之路"
    assert tech.start == text.index("二、智造升级之路")


def test_missing_section_three_with_zuofa_in_section_two():
    text = narrative(lessons=False) + "\n通过上述改造路径和做法，公司走出了一条模具企业智能化转型之路。"
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert secs["企业简介"].present and secs["技术改造情况"].present
    assert not secs["经验做法"].present and secs["经验做法"].how == "missing"
    subs = detect_subparts(text, secs)
    assert not subs["分条经验"].present
    assert subs["典型案例"].present and subs["成效数据"].present


def test_missing_section_three_followed_by_plans_and_contact():
    text = (narrative(lessons=False) + "\n下一步，公司将继续推进智能工厂建设，力争2026年营业收入突破15亿元。"
            + "\n联系人：李明，电话：13800001111")
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert not secs["经验做法"].present
    assert not contains(text, secs["技术改造情况"], "联系人")


def test_heading_without_body_is_missing():
    text = narrative(lessons=False) + "\n三、具有示范借鉴意义的经验做法\n"
    secs = detect_sections(text)
    assert not secs["经验做法"].present
    assert secs["经验做法"].heading is not None and secs["经验做法"].heading.text == "三、具有示范借鉴意义的经验做法"


def test_missing_first_section():
    text = "\n".join(["二、近年来开展技术改造情况", "1." + PLAN, "2." + RESULTS, "3." + CASES,
                      "三、具有示范借鉴意义的经验做法"] + [f"{i}.{t}" for i, t in enumerate(LESSONS, 1)])
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert not secs["企业简介"].present
    assert secs["技术改造情况"].start == 0 and secs["经验做法"].present
    assert not detect_subparts(text, secs)["无事故说明"].present


def test_missing_no_accident_statement():
    text = narrative(no_accident=False)
    subs = detect_subparts(text)
    assert not subs["无事故说明"].present and subs["无事故说明"].spans == []
    assert all(subs[n].present for n in SUBPARTS if n != "无事故说明")


def test_no_accident_statement_found_and_labelled():
    text = narrative()
    spans = detect_subparts(text)["无事故说明"].spans
    assert len(spans) == 1 and spans[0].text == NO_ACCIDENT and spans[0].label == "无事故说明"


def test_subparts_absent_when_not_written():
    text = "\n".join([
        "一、企业简介", INTRO,
        "二、近年来开展技术改造情况",
        "近年来公司高度重视技术改造，累计投入资金2.3亿元，更新了一批加工设备，生产效率提高30%。",
        "三、具有示范借鉴意义的经验做法",
        "公司始终坚持以市场需求为导向推进技术改造，注重把改造与人才培养结合起来，取得了较好效果。",
    ])
    secs = detect_sections(text)
    assert all(secs[n].present for n in SECTIONS)
    subs = detect_subparts(text, secs)
    assert not subs["无事故说明"].present
    assert not subs["投入与时间段"].present  # 近年来 is no period
    assert not subs["顶层设计与路径"].present
    assert not subs["典型案例"].present
    assert subs["成效数据"].present
    assert not subs["分条经验"].present


def test_subparts_stay_in_their_section():
    text = narrative()
    secs = detect_sections(text)
    subs = detect_subparts(text, secs)
    assert subs == detect_subparts(text)
    for name, r in subs.items():
        home = {"无事故说明": "企业简介", "分条经验": "经验做法"}.get(name, "技术改造情况")
        for sp in r.spans:
            assert secs[home].start <= sp.start < sp.end <= secs[home].end, (name, sp.text)
    assert [sp.text[:2] for sp in subs["分条经验"].spans] == ["1.", "2.", "3."]


def test_investment_period_forms():
    for period in ("2021—2023年", "2021-2023年", "近三年", "“十四五”以来", "2020年以来"):
        text = narrative().replace("2020—2023年，公司累计投入技术改造资金2.3亿元", f"{period}，公司累计投入技术改造资金2.3亿元")
        spans = detect_subparts(text)["投入与时间段"].spans
        assert any(period in sp.text and "2.3亿元" in sp.text for sp in spans), period


# ---- edge cases -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n  ", "\u3000"])
def test_empty_text(text):
    secs = detect_sections(text)
    assert all(not r.present and r.how == "missing" for r in secs.values())
    subs = detect_subparts(text, secs)
    assert all(not r.present and r.spans == [] for r in subs.values())


def test_results_are_frozen():
    r = detect_sections(narrative())["企业简介"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.present = False


def test_long_text_is_fast_and_consistent():
    text = (narrative() + "\n") * (100_000 // (len(narrative()) + 1) + 1)
    text = text[:100_000]
    t0 = time.perf_counter()
    secs = detect_sections(text)
    detect_subparts(text, secs)
    assert time.perf_counter() - t0 < 5
    check_consistent(text, secs)
    assert all(secs[n].present for n in SECTIONS)


def test_a_round_of_narratives_is_fast():
    texts = [narrative() + f"\n（编号{i}）" for i in range(55)] + [NO_HEADINGS + f"编号{i}。" for i in range(55)]
    detect_sections("预热。")
    t0 = time.perf_counter()
    for t in texts:
        detect_subparts(t, detect_sections(t))
    assert time.perf_counter() - t0 < 1.0


def test_cue_file():
    data = json.loads((CORPORA / "sections.json").read_text(encoding="utf-8"))
    assert set(data["heading_cues"]) == set(SECTIONS)
    assert set(data["content_cues"]) >= set(SECTIONS)
    assert set(data["subparts"]) == set(SUBPARTS)
    for spec in data["subparts"].values():
        assert spec["section"] in SECTIONS
    assert "traditional_map" not in data  # one fold for every module: nlp/fold.py


# ---- the sample round ---------------------------------------------------------------------------------------

SAMPLE = json.loads((ROOT / "corpora" / "sample" / "source" / "enterprises.json").read_text(encoding="utf-8"))
INCOMPLETE = "汕头市金平区海润食品有限公司"


@pytest.mark.parametrize("ent", SAMPLE, ids=[e["企业名称"] for e in SAMPLE])
def test_sample_sections(ent):
    text = ent["text"]
    secs = detect_sections(text)
    check_consistent(text, secs)
    intro, tech, lessons = (secs[n] for n in SECTIONS)
    assert intro.present and tech.present
    assert intro.start == 0 and contains(text, intro, "成立于") and contains(text, intro, "纳税")
    assert contains(text, tech, "累计投入技术改造资金")
    assert not contains(text, intro, "累计投入技术改造资金")
    subs = detect_subparts(text, secs)
    if ent["企业名称"] == INCOMPLETE:
        assert not lessons.present
        assert not subs["无事故说明"].present
        assert not subs["分条经验"].present
        assert not contains(text, tech, "联系人")
    else:
        assert lessons.present
        assert subs["无事故说明"].present
        assert subs["分条经验"].present and len(subs["分条经验"].spans) >= 3
        last = text.rstrip()[-12:]
        assert contains(text, lessons, last)
        assert not contains(text, tech, last)
        assert "事故" not in text[lessons.start:lessons.end]
    for name in ("投入与时间段", "成效数据", "典型案例", "顶层设计与路径"):
        assert subs[name].present, name


def test_sample_heading_forms():
    by_name = {e["企业名称"]: e["text"] for e in SAMPLE}
    secs = detect_sections(by_name["佛山市禅陶新材料有限公司"])
    assert [secs[n].heading.text for n in SECTIONS] == ["（一）企业基本情况", "（二）技术改造开展情况", "（三）经验做法与启示"]
    secs = detect_sections(by_name["汕头市潮南锦华纺织印染有限公司"])
    assert [secs[n].heading.text for n in SECTIONS] == ["第一部分 企业概况", "第二部分 技改情况", "第三部分 经验做法"]
    text = by_name["韶关市武江精工机械有限公司"]
    secs = detect_sections(text)
    assert [secs[n].how for n in SECTIONS] == ["content"] * 3
    assert secs["技术改造情况"].start == text.index("2021—2023年，公司累计投入")
    assert secs["经验做法"].start == text.index("总结公司技改实践")


# ---- more layouts: 一是/二是 inside section 二, markdown, a fourth part ------------------------------------------

HARDWARE_INTRO = ("江门市恒泰五金制品有限公司创办于2001年，地处江门市蓬江区，为民营企业，主要生产不锈钢厨具和卫浴五金，现有职工560人，"
                  "产品远销欧美30多个国家。公司为国家高新技术企业，2023年产值6.1亿元，上缴税金2300万元。"
                  "三年来公司安全生产零事故，未出现重大质量和环境污染事件。")
HARDWARE_ITEMS = ["一是加大投入力度。2021年至今，公司先后投入技改资金9800万元，更新冲压、抛光设备160台（套）。",
                  "二是强化组织保障。成立技改工作专班，建立项目周例会制度，确保项目按期投产。",
                  "三是坚持绿色发展。建设废水循环处理系统，实现抛光废水零排放，单位产品能耗下降15%。"]
HARDWARE_RESULTS = "通过改造，公司人均产值由68万元提高到104万元，产品合格率由95%提升至99.2%，交货周期缩短30%。"
HARDWARE_CASE = "以抛光车间自动化改造项目为例，项目投资2600万元，引入机器人抛光工作站24套，抛光工序用工由120人减至35人。"
HARDWARE_LESSONS = ["一是坚持问题导向，从最苦最累的工序改起，员工支持度高。", "二是坚持小步快跑，单个项目投资可控、回收期短。",
                    "三是注重产学研合作，借助高校力量攻克抛光工艺难题。"]


def test_yi_shi_items_closing_section_two_are_not_lessons():
    text = "\n".join(["一、企业简介", HARDWARE_INTRO, "二、近年来开展技术改造情况", HARDWARE_RESULTS, HARDWARE_CASE,
                      *HARDWARE_ITEMS])
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert not secs["经验做法"].present
    assert contains(text, secs["技术改造情况"], "三是坚持绿色发展")
    subs = detect_subparts(text, secs)
    assert subs["无事故说明"].present and subs["顶层设计与路径"].present and subs["投入与时间段"].present
    assert not subs["分条经验"].present


def test_yi_shi_lessons_without_any_heading():
    text = "\n".join([HARDWARE_INTRO, *HARDWARE_ITEMS, HARDWARE_RESULTS, HARDWARE_CASE, *HARDWARE_LESSONS])
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert [secs[n].how for n in SECTIONS] == ["content"] * 3
    assert secs["技术改造情况"].start == text.index("一是加大投入力度")
    assert secs["经验做法"].start == text.index("一是坚持问题导向")
    assert len(detect_subparts(text, secs)["分条经验"].spans) == 3


@pytest.mark.parametrize("headings", [("## 一、企业简介", "## 二、近年来开展技术改造情况", "## 三、具有示范借鉴意义的经验做法"),
                                      ("**企业简介**", "**技术改造情况**", "**典型经验**"),
                                      ("一、企业基本情况", "二、技术改造主要做法及成效", "三、几点体会")])
def test_decorated_and_worded_headings(headings):
    text = "\n".join([headings[0], HARDWARE_INTRO, headings[1], *HARDWARE_ITEMS, HARDWARE_RESULTS, HARDWARE_CASE,
                      headings[2], *HARDWARE_LESSONS])
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert [secs[n].how for n in SECTIONS] == ["heading"] * 3
    assert [secs[n].start for n in SECTIONS] == [text.index(h) for h in headings]


def test_intro_without_heading_before_numbered_sections():
    text = "\n".join([HARDWARE_INTRO, "二、技改情况", *HARDWARE_ITEMS, HARDWARE_RESULTS, HARDWARE_CASE, "三、经验做法",
                      *HARDWARE_LESSONS])
    secs = detect_sections(text)
    check_consistent(text, secs)
    assert secs["企业简介"].how == "content" and secs["企业简介"].start == 0
    assert secs["企业简介"].end <= text.index("二、技改情况")
    assert secs["技术改造情况"].how == "heading" and secs["经验做法"].how == "heading"


def test_a_fourth_part_on_plans_is_not_lessons():
    text = narrative() + "\n四、下一步工作打算\n公司将继续加大投入，力争到2026年建成智能工厂。"
    secs = detect_sections(text)
    assert secs["经验做法"].present
    assert secs["经验做法"].end < text.index("四、下一步工作打算")


def _traditional(text: str) -> str:
    from nlp.fold import traditional_table

    back: dict[str, str] = {}
    for trad, simp in sorted(traditional_table().items()):
        back.setdefault(simp, trad)
    return "".join(back.get(ch, ch) for ch in text)


@pytest.mark.parametrize("ent", SAMPLE, ids=[e["企业名称"] for e in SAMPLE])
def test_sample_practice_in_traditional_characters_has_the_same_sections(ent):
    text = ent["text"]
    trad = _traditional(text)
    assert sum(a != b for a, b in zip(trad, text)) > 100  # every character the table knows is traditional
    simp, secs = detect_sections(text), detect_sections(trad)
    for name in SECTIONS:
        assert (secs[name].present, secs[name].how, secs[name].start, secs[name].end) == \
            (simp[name].present, simp[name].how, simp[name].start, simp[name].end), name
    s_subs, t_subs = detect_subparts(text, simp), detect_subparts(trad, secs)
    assert {n: t_subs[n].present for n in SUBPARTS} == {n: s_subs[n].present for n in SUBPARTS}
