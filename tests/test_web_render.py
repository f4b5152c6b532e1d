"""The review app's HTML: escaping, highlights at the right characters, overlaps, layers, duplicates."""
from html.parser import HTMLParser

import pytest

from app.web.panels import (render_directions, render_duplicates, render_excerpts, render_fields, render_findings,
                            render_header)
from app.web.render import LAYERS, Mark, esc, highlight, render_narratives
from webapp import FS_EFFECT, HOSTILE, small_contract

VOID = {"br", "img", "hr", "input", "meta", "link"}


class Segments(HTMLParser):
    """Text pieces with the classes of every element around them; fails on badly nested tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, set[str], dict]] = []
        self.pieces: list[tuple[str, set[str], dict]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            attrs = dict(attrs)
            self.stack.append((tag, set((attrs.get("class") or "").split()), attrs))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1][0] if self.stack else None}"
        self.stack.pop()

    def handle_data(self, data):
        classes = set().union(*(c for _, c, _ in self.stack)) if self.stack else set()
        attrs = {k: v for _, _, a in self.stack for k, v in a.items()}
        self.pieces.append((data, classes, attrs))


def parse(html: str) -> Segments:
    p = Segments()
    p.feed(html)
    p.close()
    assert not p.stack, "unclosed tags"
    return p


def field_segments(html: str, field: str) -> list[tuple[str, set[str]]]:
    """The pieces inside <div class="narr" data-field=field>."""
    return [(t, c) for t, c, a in parse(html).pieces if "narr" in c and a.get("data-field") == field]


def text_with(segments, cls: str) -> list[str]:
    """Runs of consecutive characters carrying ``cls``."""
    runs, current = [], ""
    for text, classes in segments:
        if cls in classes:
            current += text
        elif current:
            runs.append(current)
            current = ""
    return runs + ([current] if current else [])


# -- escaping -----------------------------------------------------------------------------------------------
def test_esc_neutralises_html_and_template_syntax():
    out = esc(HOSTILE)
    assert "<" not in out and ">" not in out and '"' not in out
    assert "{" not in out and "}" not in out and "$" not in out
    assert "[点我](http://evil.example/)" in out  # the markdown stays literal text (gr.HTML never renders markdown)


def test_hostile_narrative_renders_as_plain_text():
    record = small_contract()["records"][1]
    html = render_narratives(record, list(LAYERS))
    tags = set(parse(html).tags)
    assert not tags & {"script", "img", "a", "iframe"}
    assert "onerror=" not in html.replace("onerror=&quot;", "")  # only ever as escaped text
    shown = "".join(t for t, _ in field_segments(html, "项目建设内容"))
    assert shown == HOSTILE  # the reviewer reads exactly what was submitted


@pytest.mark.parametrize("render", [
    lambda r: render_header(r), lambda r: render_fields(r), lambda r: render_findings(
        [{"code": "DUPLICATE_OF", "severity": "warning", "field": HOSTILE, "message": HOSTILE}]),
    lambda r: render_excerpts([{"field": "text", "text": HOSTILE, "score": 1, "why": HOSTILE}], [0]),
    lambda r: render_directions(dict(r, directions={"智能化": {"tag": True, "reasons": [{"text": HOSTILE}]}}),
                                {"智能化": {"verdict": "accept", "reviewer": HOSTILE, "at": "", "note": HOSTILE}}),
])
def test_every_panel_escapes_submitted_text(render):
    record = small_contract()["records"][1]
    html = render(record)
    assert not set(parse(html).tags) & {"script", "img", "a"}
    assert "&lt;script&gt;" in html or "&lt;img" in html


# -- highlights ---------------------------------------------------------------------------------------------
def test_evidence_highlight_covers_exactly_its_characters():
    record = small_contract()["records"][0]
    e = record["evidence"][0]
    html = render_narratives(record, ["evidence"])
    segments = field_segments(html, "技术改造实施效果")
    assert "".join(t for t, _ in segments) == FS_EFFECT
    assert text_with(segments, "l-evidence") == [FS_EFFECT[e["start"]:e["end"]]]


def test_direction_terms_highlighted_with_their_direction():
    record = small_contract()["records"][0]
    html = render_narratives(record, ["directions"])
    segments = field_segments(html, "项目建设内容")
    assert text_with(segments, "d-smart") == ["工业机器人"]
    assert not text_with(segments, "l-evidence")


def test_overlapping_and_nested_spans_split_cleanly():
    text = "0123456789abcdef"
    marks = [Mark(0, 10, "evidence", "A", "a"), Mark(5, 15, "directions", "B", "b"), Mark(7, 8, "sensitive", "C", "c")]
    p = parse(highlight(text, marks))
    segments = [(t, c) for t, c, _ in p.pieces]
    assert "".join(t for t, _ in segments) == text
    assert text_with(segments, "A") == ["0123456789"]
    assert text_with(segments, "B") == ["56789abcde"]
    assert text_with(segments, "C") == ["7"]
    assert [(t, {"A", "B", "C"} & c) for t, c in segments] == [
        ("01234", {"A"}), ("56", {"A", "B"}), ("7", {"A", "B", "C"}), ("89", {"A", "B"}), ("abcde", {"B"}),
        ("f", set())]


def test_spans_out_of_range_are_clamped_or_dropped():
    text = "abcdef"
    marks = [Mark(-3, 2, "evidence", "A", ""), Mark(4, 99, "overflow", "B", ""), Mark(3, 3, "x", "C", ""),
             Mark(5, 1, "x", "D", "")]
    segments = [(t, c) for t, c, _ in parse(highlight(text, marks)).pieces]
    assert "".join(t for t, _ in segments) == text
    assert text_with(segments, "A") == ["ab"] and text_with(segments, "B") == ["ef"]
    assert not text_with(segments, "C") and not text_with(segments, "D")


def test_overflow_sensitive_and_sections_layers():
    text = "一、企业简介\n某公司。联系人王某某，电话13800000000。\n" + "甲" * 40
    record = {"id": "p", "kind": "practice", "fields": {"text": text},
              "sections": {"企业简介": {"present": True, "start": 0, "end": 30}},
              "subsections": {"无事故说明": {"present": True, "spans": [{"start": 7, "end": 11, "label": "无事故说明"}]}},
              "sensitive": [{"field": "text", "start": 20, "end": 31, "reason": "手机号码"}],
              "findings": [{"code": "LEN_OVER_LIMIT", "severity": "error", "field": "text", "start": len(text) - 5,
                            "end": len(text), "message": "超出"}]}
    html = render_narratives(record, list(LAYERS))
    segments = field_segments(html, "text")
    assert text_with(segments, "l-sensitive") == [text[20:31]]
    assert text_with(segments, "l-overflow") == [text[-5:]]
    assert text_with(segments, "l-subpart") == [text[7:11]]
    assert "sec-tag" in html and "企业简介" in html


def test_layer_switching_shows_only_the_chosen_layers():
    record = small_contract()["records"][0]
    everything = render_narratives(record, list(LAYERS))
    assert "l-evidence" in everything and "l-direction" in everything
    only_dirs = render_narratives(record, ["directions"])
    body = "".join(t for t, _ in field_segments(only_dirs, "技术改造实施效果"))
    assert body == FS_EFFECT
    assert not text_with(field_segments(only_dirs, "技术改造实施效果"), "l-evidence")
    none = render_narratives(record, [])
    assert not any(c & {"l-evidence", "l-direction"} for _, c in field_segments(none, "项目建设内容"))
    assert "未选择高亮图层" in none


# -- panels ---------------------------------------------------------------------------------------------------
def test_duplicates_side_by_side_highlight_shared_passage_on_both_sides():
    contract = small_contract()
    fs1, st1 = contract["records"][0], contract["records"][2]
    pair = dict(contract["duplicates"][0], other=st1)
    html = render_duplicates(fs1, [pair])
    p = parse(html)
    cols = [c for c in p.pieces if "dup-col" in c[1]]
    left = [(t, c) for t, c, a in cols if "narr" in c and "本记录" not in t]
    shared = text_with(left, "l-shared")
    assert shared == [FS_EFFECT, FS_EFFECT]  # left (this record, offset 0) and right (offset 2)
    assert "汕头市测试玩具有限公司" in html and "轻度改写" in html
    # seen from the other side the pair is mirrored: this record is b
    mirrored = render_duplicates(st1, [dict(contract["duplicates"][0], other=fs1)])
    first_col = mirrored.split('class="dup-col"')[1]
    assert "xx" in first_col.split("l-shared")[0]  # st-1's own 2 leading characters stay unhighlighted


def test_duplicates_of_another_city_are_not_shown_to_a_city_reviewer():
    fs1 = small_contract()["records"][0]
    pair = dict(small_contract()["duplicates"][0], other={"id": "st-1", "city": "汕头市", "restricted": True})
    html = render_duplicates(fs1, [pair])
    assert "无权查看原文" in html and "汕头市测试玩具" not in html


def test_directions_table_marks_declared_vs_inferred_mismatch():
    record = small_contract()["records"][0]
    html = render_directions(record)
    rows = html.split("<tr")
    digital = next(r for r in rows if "数字化" in r)
    assert 'class="mismatch"' in digital  # inferred 数字化, not declared
    smart = next(r for r in rows if "智能化" in r and "d-smart" in r)
    assert 'class="mismatch"' not in smart


def test_findings_sorted_by_severity_and_excerpts_marked():
    html = render_findings([{"code": "CLUSTER_VARIANT", "severity": "info", "message": "i"},
                            {"code": "LEN_OVER_LIMIT", "severity": "error", "message": "e"}])
    assert html.index("超过字数限制") < html.index("产业集群写法不规范")
    ex = render_excerpts([{"text": "甲"}, {"text": "乙"}], [1])
    assert ex.count("已加入宣传汇编") == 1 and ex.index("乙") < ex.index("已加入宣传汇编")


# -- 出处 and 改动 as the exports and the record view print them -------------------------------------------------
def test_origin_is_city_company_and_file_name_without_folders():
    from app.web.panels import changed_text, file_name, finding_message, origin_text, place_text, where_text

    record = {"city": "佛山市", "company": "佛山市测试电器有限公司",
              "source": {"file": "2025/sample/佛山市/佛山市-附件1.xlsx", "sheet": "Sheet1", "row": 7}}
    assert origin_text(record) == "佛山市 · 佛山市测试电器有限公司 · 佛山市-附件1.xlsx"
    assert place_text(record["source"]) == "Sheet1 · 第7行" and where_text(record["source"]) == "佛山市-附件1.xlsx · Sheet1 · 第7行"
    assert file_name({"file": "上传.zip/佛山市\\附件3\\附件3-某公司典型做法.docx"}) == "附件3-某公司典型做法.docx"
    assert "sample/" not in render_header(record) and "佛山市-附件1.xlsx · Sheet1 · 第7行" in render_header(record)
    assert changed_text({"company": ["A → B"], "figures": ["2000 → 1800", "6 → 5"]}) == "企业：A → B；数据：2000 → 1800，6 → 5"
    assert changed_text({"figures": [], "company": []}) == "改动了：数据、企业"  # another city's pair: kinds only
    f = {"message": "与佛山市“乙”（sample/佛山市/附件3/乙.docx）的材料套用同一模板",
         "data": {"other_source": {"file": "sample/佛山市/附件3/乙.docx"}}}
    assert finding_message(f) == "与佛山市“乙”（乙.docx）的材料套用同一模板"
    assert "乙.docx）" in render_findings([dict(f, code="DUPLICATE_OF", severity="warning")])


def test_each_span_is_drawn_on_the_field_it_names_only():
    """Spans are read per field as the contract places them: one without a field is drawn nowhere (it was drawn on
    every narrative), one naming the other field is drawn there only."""
    data = {"fields": {"项目建设内容": "建设产线一条，产能提升30%。", "技术改造实施效果": "能耗下降20%，效率提升。"},
            "counts": {"项目建设内容": {"chars": 14, "wps": 14, "limit": 600},
                       "技术改造实施效果": {"chars": 12, "wps": 12, "limit": 600}},
            "evidence": [{"field": "技术改造实施效果", "start": 2, "end": 7, "text": "下降20%"},
                         {"start": 0, "end": 4, "text": "建设产线"}],
            "sensitive": [{"field": "项目建设内容", "start": 9, "end": 14, "label": "x"}]}
    html = render_narratives(data, ["evidence", "sensitive"])
    assert text_with(field_segments(html, "技术改造实施效果"), "l-evidence") == ["下降20%"]
    assert text_with(field_segments(html, "项目建设内容"), "l-evidence") == []
    assert text_with(field_segments(html, "项目建设内容"), "l-sensitive") == ["提升30%"]
    assert text_with(field_segments(html, "技术改造实施效果"), "l-sensitive") == []


def test_count_line_reads_the_contracts_counts_and_the_length_finding():
    text = "甲" * 20
    base = {"fields": {"text": text}, "counts": {"text": {"chars": 20, "wps": 20, "limit": 3000}}}
    html = render_narratives(base, [])
    assert "字数20（不计空格字符数20），限3000字" in html and 'class="count over"' not in html
    warned = dict(base, findings=[{"code": "LEN_OVER_LIMIT", "severity": "warning", "field": "text", "start": 10,
                                   "end": 20, "message": "", "data": {"limit": 3000}}])
    assert 'class="count over"' not in render_narratives(warned, [])
    over = dict(base, counts={"text": {"chars": 20, "wps": 20}},  # a contract stored before counts had limits
                findings=[dict(warned["findings"][0], severity="error", data={"limit": 15})])
    html = render_narratives(over, [])
    assert 'class="count over"' in html and "限15字" in html
