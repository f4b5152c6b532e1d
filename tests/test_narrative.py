"""Narrative checks on records: length, content parts, evidence findings, sections, sensitive content."""
from nlp.aspects import coverage
from nlp.config import NarrativeConfig
from nlp.counting import char_count, wps_count
from nlp.evidence import extract_claims
from nlp.findings import Provenance
from nlp.narrative import analyse_practice, analyse_project
from nlp.records import FieldValue, PracticeRecord, ProjectRecord

CFG = NarrativeConfig()
CONTENT = ("对原有人工装配线实施改造，新建智能总装线3条，引进六轴机器人24台、视觉检测系统4套，部署MES系统，"
           "工艺由人工装配调整为“机器人上料—自动装配—在线检测”连续作业，形成年产200万台的生产能力。")
EFFECT = "改造后生产效率由每小时120台提升至260台，用工由40人减至15人，产品合格率由97.5%提升至99.3%，为行业提供示范。"


def project(name="智能总装线改造项目", content=CONTENT, effect=EFFECT):
    fields = {"项目名称": FieldValue(name, name, "B"), "项目建设内容": FieldValue(content, content, "M"),
              "技术改造实施效果": FieldValue(effect, effect, "N")}
    return ProjectRecord("p1", Provenance("a.xlsx", "Sheet1", 7), fields, city="佛山市")


def codes(result):
    return sorted(f.code for f in result.findings)


def test_clean_project_has_no_findings():
    result = analyse_project(project(), CFG)
    assert codes(result) == []
    assert result.fields["项目建设内容"].coverage.found == ["建设内容", "产线规模", "技术设备", "工艺路线"]
    assert set(result.fields["技术改造实施效果"].coverage.quantified) == {"生产效率", "用工", "质量品控"}
    assert result.before_after


def test_over_limit_by_wps_count_is_an_error_whose_span_starts_where_the_limit_falls():
    effect = "改造后生产效率大幅提升，产品合格率明显提高，" * 20  # 字数 = characters: no half-width runs
    result = analyse_project(project(effect=effect), CFG)
    (f,) = [f for f in result.findings if f.code == "LEN_OVER_LIMIT"]
    assert f.severity == "error" and f.data["measure"] == "wps" and f.data["wps"] == 440
    assert f.field == "技术改造实施效果" and f.provenance.cell == "N7"
    assert wps_count(effect[:f.start]) == 300 and f.end == len(effect)
    assert "字数统计”为440字" in f.message and "超出140字" in f.message


def test_over_limit_span_follows_the_wps_count_when_half_width_runs_count_one():
    effect = EFFECT * 7  # 441 characters without spaces, 343 字
    result = analyse_project(project(effect=effect), CFG)
    (f,) = [f for f in result.findings if f.code == "LEN_OVER_LIMIT"]
    assert f.severity == "error" and (f.data["chars"], f.data["wps"]) == (441, 343)
    assert wps_count(effect[:f.start]) == 300 and char_count(effect[:f.start]) > 300
    assert "441" in f.message  # the other count is stated too


def test_only_characters_over_is_a_warning_naming_both_counts_and_the_notice_measure():
    effect = EFFECT * 5  # 315 characters without spaces, 245 字
    result = analyse_project(project(effect=effect), CFG)
    (f,) = [f for f in result.findings if f.code == "LEN_OVER_LIMIT"]
    assert f.severity == "warning" and f.data["measure"] == "chars"
    assert (f.data["chars"], f.data["wps"], f.data["limit"]) == (315, 245, 300)
    assert "245字" in f.message and "315" in f.message and "字数不超过300字" in f.message
    assert "以WPS/Word“字数统计”为准" in f.message
    assert char_count(effect[:f.start]) == 300 and f.end == len(effect)


def test_practice_limit_quotes_the_notice():
    text = "一、企业简介\n" + "公司" * 800 + "2.85" * 10
    (f,) = [f for f in analyse_practice(practice(text), CFG).findings if f.code == "LEN_OVER_LIMIT"]
    assert f.severity == "error" and "典型做法超过1500字" in f.message


def test_effect_without_figures_and_without_comparison():
    assert "NO_QUANT_EVIDENCE" in codes(analyse_project(project(effect="生产效率显著提高，产品质量更加稳定可靠，具有良好的示范带动作用。"), CFG))
    after_only = "新线灌装速度达到每小时36000瓶，全线自动化率达95%，年产能为8万吨，可实现年销售收入3.5亿元。"
    result = analyse_project(project(effect=after_only), CFG)
    assert "NO_BEFORE_AFTER" in codes(result) and "NO_QUANT_EVIDENCE" not in codes(result)


def test_implausible_and_unitless_figures_point_at_the_claim():
    effect = "产品一次合格率由95.2%提升至103%，操作人员由15减少至4。"
    result = analyse_project(project(effect=effect), CFG)
    by_code = {f.code: f for f in result.findings}
    assert effect[by_code["IMPLAUSIBLE_VALUE"].start:by_code["IMPLAUSIBLE_VALUE"].end] == "产品一次合格率由95.2%提升至103%"
    assert effect[by_code["UNIT_MISSING"].start:by_code["UNIT_MISSING"].end] == "操作人员由15减少至4"


def test_content_missing_equipment():
    content = "坚持传统工艺与现代管理相结合，新建精制加工车间3000平方米，推进标准化、规模化发展，形成年产800吨的生产能力。"
    result = analyse_project(project(content=content), CFG)
    (f,) = [f for f in result.findings if f.code == "CONTENT_PART_MISSING"]
    assert f.data["missing"] == ["技术设备"]


def test_near_empty_and_restated_name():
    result = analyse_project(project(content="智能总装线改造项目", effect="见附件"), CFG)
    assert {"TEXT_RESTATES_NAME", "TEXT_NEAR_EMPTY"} <= set(codes(result))


def test_sensitive_content_in_effect():
    effect = EFFECT + "详情请联系项目负责人陈国栋，电话13800138000。"
    result = analyse_project(project(effect=effect), CFG)
    assert {"SENSITIVE_CONTACT", "SENSITIVE_NAME"} <= set(codes(result))


def test_bad_input_never_crashes():
    for text in ["", "12345", "<script>alert(1)</script>", "![img](http://x)", "產能由5萬套提升至12萬套",
                 "效率提升30%🚀", "\x00\x07\x1b", "提升30%" * 20000]:
        analyse_project(project(content=text, effect=text), CFG)
        analyse_practice(PracticeRecord("d", Provenance("d.docx"), {"text": FieldValue(text or " ")}), CFG)
    assert "LEN_OVER_LIMIT" in codes(analyse_project(project(effect="提升30%" * 20000), CFG))


PRACTICE = """一、企业简介
广东测试电器有限公司成立于2005年，位于佛山市顺德区，主营厨房小家电，现有员工1200人，是国家高新技术企业。2023年营业收入18.6亿元。近三年未发生重大及以上质量、环保事故和较大及以上安全事故。
二、近年来开展技术改造情况
1.投入与规划。2021—2023年累计投入技术改造资金2.1亿元，编制智能制造三年规划，按“自动化—数字化—智能化”路径推进。
2.改造成效。人均产值由60万元提升至92万元，产品合格率由96.5%提升至99.2%，单位产值能耗下降18%。
3.典型案例。总装车间智能化改造项目投资6000万元，建成柔性总装线5条，用工由300人减至120人。
三、具有示范借鉴意义的经验做法
1.坚持规划引领，分步实施。2.从痛点工序切入，小步快跑。3.以数据贯通打破部门壁垒。"""


def practice(text):
    return PracticeRecord("doc", Provenance("d.docx"), {"text": FieldValue(text, text)}, company_name="广东测试电器有限公司")


def test_complete_practice():
    result = analyse_practice(practice(PRACTICE), CFG)
    assert codes(result) == []
    assert all(s.present for s in result.sections.values())


def test_practice_missing_section_three_and_no_accident_statement():
    text = PRACTICE.split("三、")[0].replace("近三年未发生重大及以上质量、环保事故和较大及以上安全事故。", "")
    result = analyse_practice(practice(text), CFG)
    missing = {(f.code, f.data.get("section") or f.data.get("subpart")) for f in result.findings}
    assert ("SECTION_MISSING", "经验做法") in missing
    assert ("SUBPART_MISSING", "无事故说明") in missing


def test_practice_over_1500():
    result = analyse_practice(practice(PRACTICE + "\n" + "公司持续推进技术改造。" * 150), CFG)
    assert "LEN_OVER_LIMIT" in codes(result)


def test_coverage_uses_claims_for_quantified():
    text = "产品质量更加稳定，生产效率提升30%。"
    cov = coverage(text, "effect", extract_claims(text))
    assert "质量品控" in cov.found and "质量品控" not in cov.quantified and "生产效率" in cov.quantified


def test_aspects_read_the_shared_clauses_a_stray_line_break_does_not_split_one():
    # the fold drops a line break inside a sentence (a narrow cell's wrap), so the clause holds its figure
    text = "产品质量\n更加稳定30%，能耗下降"
    cov = coverage(text, "effect", extract_claims(text))
    assert "质量品控" in cov.quantified
    given = coverage(text, "effect", extract_claims(text), clauses=[(0, 4), (5, 11)])
    assert "质量品控" in given.found and "质量品控" not in given.quantified


def test_the_result_carries_one_annotated_doc_per_field_whose_layers_are_what_it_found():
    from nlp.doc import layers_json
    from nlp.narrative import analyse_narratives, annotate
    record = project(effect=EFFECT + "联系人：张伟，电话13800138000。")
    result = analyse_narratives([record, practice_record()], CFG)
    docs = result["p1"].docs
    assert set(docs) == {"项目建设内容", "技术改造实施效果"} and docs["技术改造实施效果"].text == record.text("技术改造实施效果")
    layers = layers_json(docs["技术改造实施效果"])
    fa = result["p1"].fields["技术改造实施效果"]
    assert [(e["start"], e["end"]) for e in layers["evidence"]] == [(c.start, c.end) for c in fa.claims]
    assert [(s["start"], s["end"]) for s in layers["sensitive"]] == [(s.start, s.end) for f in result["p1"].findings
                                                                      if f.code.startswith("SENSITIVE") for s in [f]]
    assert "sections" in layers_json(result["d1"].docs["text"])
    # annotate: every narrative field of the round, in one pipe
    assert {k: set(v) for k, v in annotate([record, practice_record()], CFG).items()} == {
        "p1": {"项目建设内容", "技术改造实施效果"}, "d1": {"text"}}


def practice_record(text=None):
    text = text or ("一、企业简介\n公司成立于2005年。\n二、技术改造情况\n2022年投入3000万元，效率提升35%。\n"
                    "三、经验做法\n（一）建立设备联网平台，不良率下降40%。")
    return PracticeRecord("d1", Provenance("b.docx", None, None), {"text": FieldValue(text, text, "")}, city="佛山市")


def test_the_docs_hold_the_round_stages_lexicon_hits_and_excerpts():
    from pathlib import Path

    from nlp.config import DEFAULT_CONFIG
    from nlp.directions import record_fields
    from nlp.directions.lexicon import find_evidence
    from nlp.highlights import pick_highlights
    from nlp.ingest import ingest
    from nlp.narrative import analyse_narratives, direction_evidence, excerpts

    records = ingest([Path(__file__).resolve().parent.parent / "corpora" / "sample"], DEFAULT_CONFIG).records
    results = analyse_narratives(records, DEFAULT_CONFIG.narrative)
    picked = 0
    for record in records:
        if record.id not in results:
            continue
        result = results[record.id]
        evidence = find_evidence(record_fields(record))
        assert direction_evidence(record, result) == evidence
        expected = []
        for name in ("text", "技术改造实施效果"):
            fa = result.fields.get(name)
            if fa is not None:
                spans = [(e.start, e.end) for e in evidence if e.field == name and e.status == "counts"]
                expected += pick_highlights(fa.analysed_text, name, fa.claims, result.sections, result.subparts,
                                            spans, fa.sensitive, DEFAULT_CONFIG.highlights)
        assert excerpts(result) == expected
        picked += len(expected)
    assert picked > 20
