"""Near-duplicates: kinds, shared passages, stock phrases, clusters (lexical layer; the semantic layer is
exercised on the sample and eval sets)."""
import json
from pathlib import Path

from nlp.duplicates import DupDoc, calibrated_config, clusters, find_duplicates

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
    # the skeleton's genre phrases (项目建成后, 提供了可复制的经验) are stock: the calibrated thresholds still see it
    pairs = find_duplicates([doc(1, t1, ""), doc(2, t2, ""), *background()], None, calibrated_config())
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


# ---- alignment: difflib's blocks in linear-ish time; long texts read up to the cap ---------------------------

import difflib  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402

import pytest  # noqa: E402
import sys  # noqa: E402

from nlp.config import DEFAULT_CONFIG  # noqa: E402
from nlp.duplicates import (DuplicateConfig, SharedPassage, _normalise, align, edits,  # noqa: E402
                            matching_blocks)

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "evalsets" / "dev"


def _jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def difflib_align(a, b, min_len):
    """The alignment as it was: difflib.SequenceMatcher(autojunk=False) on the normalised fields (the oracle)."""
    out = []
    for fa, ta in a.fields.items():
        na, ia = _normalise(ta)
        for fb, tb in b.fields.items():
            nb, ib = _normalise(tb)
            if not na or not nb:
                continue
            for m in difflib.SequenceMatcher(None, na, nb, autojunk=False).get_matching_blocks():
                if m.size >= min_len:
                    out.append(SharedPassage(fa, ia[m.a], ia[m.a + m.size - 1] + 1, fb, ib[m.b], ib[m.b + m.size - 1] + 1))
    return out


def oracle_sets():
    """(name, docs, labelled id pairs) of the dev set (projects, 典型做法) and corpora/duplicates."""
    assert DEV.exists(), "the dev evaluation set must lie beside the repository (../shared)"
    names = ("项目建设内容", "技术改造实施效果")
    dev_pairs = [(p["a"], p["b"]) for p in _jsonl(DEV / "duplicates.jsonl")]
    calib = ROOT / "corpora" / "duplicates"
    return [("dev projects", [DupDoc(r["id"], {n: r[n] for n in names}) for r in _jsonl(DEV / "projects.jsonl")], dev_pairs),
            ("dev practices", [DupDoc(r["id"], {"text": r["text"]}) for r in _jsonl(DEV / "enterprises.jsonl")], []),
            ("corpora/duplicates", [DupDoc(r["id"], {n: r[n] for n in names}) for r in _jsonl(calib / "rows.jsonl")],
             [(p["a"], p["b"]) for p in _jsonl(calib / "pairs.jsonl")])]


@pytest.mark.slow
def test_shared_passages_are_difflibs_on_the_dev_and_calibration_sets():
    rng = random.Random(14)
    compared = 0
    for name, docs, labelled in oracle_sets():
        by_id = {d.id: d for d in docs}
        flagged = [(by_id[p.a], by_id[p.b]) for p in find_duplicates(docs, None, calibrated_config())]
        every = [(a, b) for i, a in enumerate(docs) for b in docs[i + 1:]]
        pairs = flagged + [(by_id[a], by_id[b]) for a, b in labelled] + rng.sample(every, min(len(every), 250))
        for a, b in pairs:
            for min_len in (6, 8):  # skeleton passages and the passages shown
                assert align(a, b, min_len) == difflib_align(a, b, min_len), (name, a.id, b.id, min_len)
            ta, tb = "。".join(a.fields.values()), "。".join(b.fields.values())
            expected = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in
                        difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes() if tag != "equal"]
            assert edits(ta, tb) == expected, (name, a.id, b.id)  # what a light edit changed
            compared += 1
    assert compared > 600


def test_a_text_repeating_itself_is_aligned_by_rapidfuzz_with_difflibs_blocks():
    a, b = "测试文本" * 300, "前言" + "测试文本" * 300 + "另外"  # every 6-gram 300 times: seeds would be quadratic
    expected = [(m.a, m.b, m.size) for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
                if m.size >= 6]
    assert matching_blocks(a, b, 6) == expected == [(0, 2, 1200)]


def test_config_reads_the_one_cap_of_superlinear_steps():
    assert DuplicateConfig().max_chars == DEFAULT_CONFIG.limits.max_analysed_chars


def _run(code: str, timeout: int) -> str:
    """Run ``code`` in a fresh interpreter at the repository root (the guard against a hang: a timeout)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_copies_of_a_100000_character_text_compare_quickly():
    out = _run("""
import json
from nlp.duplicates import DupDoc, DuplicateConfig, find_duplicates
rows = [json.loads(l) for l in open("corpora/duplicates/rows.jsonl", encoding="utf-8")]
text = "".join(r["项目建设内容"] + r["技术改造实施效果"] for r in rows)[:100_000]
edited = text[:50_000] + "（此处改过）" + text[50_000:]  # changed beyond the characters compared
docs = [DupDoc("a", {"text": text}), DupDoc("b", {"text": text}), DupDoc("c", {"text": edited})]
pairs = find_duplicates(docs, None, DuplicateConfig())
print(json.dumps({(p.a + p.b): [p.kind, max(s.a_end for s in p.shared)] for p in pairs}))
""", timeout=60)
    found = json.loads(out)
    cap = DEFAULT_CONFIG.limits.max_analysed_chars
    assert found["ab"][0] == "exact"
    assert found["ac"][0] == found["bc"][0] == "light_edit"  # equal as far as compared, but not the same text
    assert all(end <= cap for _, end in found.values())


def test_a_round_of_twenty_999000_character_texts_goes_through():
    # the stall zip of issue 14: 20 text entries of 999 KB each, here as ten copies and ten distinct texts
    out = _run("""
import json
from nlp.duplicates import DupDoc, DuplicateConfig, find_duplicates
rows = [json.loads(l) for l in open("corpora/duplicates/rows.jsonl", encoding="utf-8")]
prose = "".join(r["项目建设内容"] for r in rows)
same = (prose * 40)[:999_000]
docs = [DupDoc(f"s{i}", {"text": same}) for i in range(10)]
docs += [DupDoc(f"d{i}", {"text": ((prose[i * 3000:] + prose[:i * 3000]) * 40)[:999_000]}) for i in range(10)]
assert all(len(d.fields["text"]) >= 999_000 for d in docs)
pairs = find_duplicates(docs, None, DuplicateConfig())
print(json.dumps(sorted((p.a, p.b, p.kind) for p in pairs)))
""", timeout=120)
    pairs = json.loads(out)
    assert sum(k == "exact" and a.startswith("s") and b.startswith("s") for a, b, k in pairs) == 45


# ---- stock phrases known before the round -----------------------------------------------------------------

from nlp.duplicates import STOCK_PHRASES, _shingles, stock_shingles  # noqa: E402

MAKE_STOCK = ROOT / "corpora" / "duplicates" / "make_stock_phrases.py"


def test_stock_phrases_file_is_what_its_script_writes():
    done = subprocess.run([sys.executable, str(MAKE_STOCK), "--check"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    phrases = json.loads(STOCK_PHRASES.read_text(encoding="utf-8"))["phrases"]
    assert {"form", "codelists", "corpora"} <= set(phrases)
    known = stock_shingles(4)
    for phrase in ("一、企业简介", "是一家民营企业", "属现代轻工纺织战略性产业集群", "有限公司成立于2004年", "位于佛山市顺德区"):
        from nlp.duplicates import normal_form
        assert _shingles(normal_form(phrase), 4) <= known, phrase


def _sample_practices():
    from nlp.ingest import ingest

    return [DupDoc(r.id, {"text": r.text("text")}, {"company": r.company})
            for r in ingest([ROOT / "corpora" / "sample"]).records if r.kind == "practice"]


def test_a_small_round_of_practices_is_not_paired_on_the_forms_wording():
    docs = _sample_practices()  # eight 典型做法 of three cities, written from the one template: none copied
    assert len(docs) == 8
    assert find_duplicates(docs, None, calibrated_config(), known=()) != []  # the round alone cannot tell
    assert find_duplicates(docs, None, calibrated_config()) == []


def test_stock_phrases_without_the_samples_own_texts_still_know_its_wording():
    sys.path.insert(0, str(MAKE_STOCK.parent))
    try:
        import make_stock_phrases
    finally:
        sys.path.remove(str(MAKE_STOCK.parent))
    data = make_stock_phrases.build(without=("corpora/sample/source",))
    known = {s for phrases in data["phrases"].values() for p in phrases if len(p) >= 4 for s in _shingles(p, 4)}
    assert find_duplicates(_sample_practices(), None, calibrated_config(), known=known) == []


def test_stock_phrases_do_not_hide_a_copy():
    text = json.loads((ROOT / "corpora/sample/source/enterprises.json").read_text("utf-8"))[0]["text"]
    copy = text.replace("广东顺瑞智能家电有限公司", "佛山市美恒电器有限公司").replace("2006年", "2008年")
    others = [d for d in _sample_practices() if d.meta["company"] != "广东顺瑞智能家电有限公司"]
    assert len(others) == 7
    pairs = find_duplicates([DupDoc("a", {"text": text}), DupDoc("b", {"text": copy}), *others], None, calibrated_config())
    assert kinds(pairs) == {("a", "b"): "light_edit"}


def _traditional(text: str) -> str:
    """``text`` written in traditional characters, with nlp/fold.py's own table read backwards."""
    from nlp.fold import traditional_table

    back: dict[str, str] = {}
    for trad, simp in sorted(traditional_table().items()):
        back.setdefault(simp, trad)
    return "".join(back.get(ch, ch) for ch in text)


def _covered(text: str, spans: list[tuple[int, int]]) -> float:
    import re

    kept = [m.start() for m in re.finditer(r"[^\s\W_]", text)]
    inside = sum(1 for i in kept if any(s <= i < e for s, e in spans))
    return inside / len(kept)


def test_a_traditional_character_copy_is_the_same_text_with_its_passages_in_full():
    from nlp.fold import fold_chars

    rows = json.loads((Path(__file__).resolve().parents[1] / "corpora/sample/source/projects.json").read_text("utf-8"))
    r = rows[0]
    a = doc(1, r["项目建设内容"], r["技术改造实施效果"], r["项目承担单位"])
    trad = {k: _traditional(v) for k, v in a.fields.items()}
    assert sum(x != y for x, y in zip(trad["项目建设内容"], a.fields["项目建设内容"])) >= 20  # truly traditional
    b = DupDoc("r2", trad, {"company": _traditional(r["项目承担单位"])})
    pairs = [p for p in find_duplicates([a, b, *background()]) if {p.a, p.b} == {"r1", "r2"}]
    (pair,) = pairs
    assert pair.kind == "exact"
    for side, d in (("a", a), ("b", b)):
        for name, text in d.fields.items():
            spans = [(getattr(s, f"{side}_start"), getattr(s, f"{side}_end")) for s in pair.shared
                     if getattr(s, f"{side}_field") == name]
            assert _covered(text, spans) >= 0.95, (side, name)
    for s in pair.shared:  # each passage points into each text as read, the same text once folded
        left = a.fields[s.a_field][s.a_start:s.a_end]
        right = b.fields[s.b_field][s.b_start:s.b_end]
        assert fold_chars(left) == fold_chars(right)


def test_a_traditional_copy_with_names_and_figures_changed_is_a_light_edit():
    edited_c = _traditional(BASE_C.replace("86台", "64台").replace("4套", "3套"))
    edited_e = _traditional(BASE_E.replace("35%", "40%").replace("42人", "38人"))
    pairs = find_duplicates([doc(1, BASE_C, BASE_E, "佛山市甲汽车部件有限公司"),
                             doc(2, edited_c, edited_e, _traditional("江门市乙汽车部件有限公司")), *background()])
    (pair,) = pairs
    assert pair.kind == "light_edit"
    assert any("86 → 64" in c for c in pair.changed["figures"])
    assert pair.features["masked_jaccard"] >= 0.9  # 0.12 when traditional characters were not folded
    assert pair.changed["company"][0] == "佛山市甲汽车部件有限公司 → " + _traditional("江门市乙汽车部件有限公司")


def test_an_archive_keyed_under_another_fold_is_rekeyed_and_finds_a_traditional_copy(tmp_path):
    from app.archive import Archive
    from nlp.fold import fold_id

    path = tmp_path / "a.sqlite"
    archive = Archive(path)
    assert archive.add([("project", doc(1, BASE_C, BASE_E))], "2022") == 1
    # as an archive written before the fold: other band keys and no fold recorded
    archive.db.execute("UPDATE bands SET hash = hash + 1")
    archive.db.execute("DELETE FROM meta WHERE key='fold'")
    archive.db.commit()
    copy = DupDoc("n1", {k: _traditional(v) for k, v in doc(1, BASE_C, BASE_E).fields.items()}, {})
    assert archive.search([copy], "project") == []  # the stale keys find nothing
    archive.close()
    archive = Archive(path)
    assert archive.db.execute("SELECT value FROM meta WHERE key='fold'").fetchone() == (fold_id(),)
    ((pair, archived),) = archive.search([copy], "project")
    assert pair.kind == "exact" and archived.round == "2022"
    archive.close()
