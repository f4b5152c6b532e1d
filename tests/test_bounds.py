"""Bounded work: text far over any limit is counted in full, analysed on its first part (TEXT_TOO_LONG), and
absurd documents or cells are refused with a Chinese reason naming the file or cell — never a hang."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from builders import write_csv, write_docx, project_row, zip_of
from nlp.config import DEFAULT_CONFIG, Config, Limits, NarrativeConfig
from nlp.counting import analysed_part, char_count, wps_count
from nlp.directions import record_fields
from nlp.findings import Provenance
from nlp.ingest import ingest
from nlp.narrative import analyse_practice, analyse_project
from nlp.narrative import excerpts
from nlp.records import FieldValue, PracticeRecord, ProjectRecord

ROOT = Path(__file__).resolve().parents[1]
CFG = NarrativeConfig()
CAP = DEFAULT_CONFIG.limits.max_analysed_chars
PRACTICE = ("一、企业简介\n广东测试电器有限公司成立于2004年，位于佛山市顺德区，是一家民营企业，近三年未发生重大及以上安全事故。\n"
            "二、技术改造情况\n2021年至2023年累计投入技术改造资金3.2亿元，新建智能总装线3条，引进六轴机器人24台。\n"
            "三、经验做法\n（一）坚持顶层设计。改造后生产效率由每小时120台提升至260台，产品合格率由97.5%提升至99.3%。\n")
#: one paragraph of a 典型做法, repeated to build absurd texts (highly repetitive: a zip of it is tiny)
FILLER = "公司持续推进生产线自动化改造，引进工业机器人和视觉检测设备，生产效率由每班800件提升至1500件。"


def practice(text: str) -> PracticeRecord:
    return PracticeRecord("doc", Provenance("d.docx"), {"text": FieldValue(text, text)}, company_name="广东测试电器有限公司")


def project(effect: str, name: str = "智能总装线改造项目") -> ProjectRecord:
    fields = {"项目名称": FieldValue(name, name, "B"), "项目建设内容": FieldValue("新建智能总装线3条。", None, "M"),
              "技术改造实施效果": FieldValue(effect, effect, "N")}
    return ProjectRecord("p1", Provenance("a.xlsx", "Sheet1", 7), fields, city="佛山市")


def test_analysed_part_is_a_prefix():
    assert analysed_part("一二三四", 10) == "一二三四"
    assert analysed_part("一二三四", 2) == "一二"


def test_counts_are_linear_on_a_long_text():
    text = ("合格率由97.5%提升至99.3% ，" * 50_000)
    assert char_count(text) == 18 * 50_000 and wps_count(text) == 10 * 50_000


def test_long_practice_is_counted_in_full_and_analysed_on_its_first_part():
    text = PRACTICE + FILLER * 400  # ~19,000 characters
    result = analyse_practice(practice(text), CFG)
    (too_long,) = [f for f in result.findings if f.code == "TEXT_TOO_LONG"]
    assert (too_long.start, too_long.end) == (CAP, len(text)) and too_long.severity == "warning"
    assert str(len(text)) in too_long.message and str(CAP) in too_long.message
    (over,) = [f for f in result.findings if f.code == "LEN_OVER_LIMIT"]
    assert over.severity == "error" and over.data["wps"] == wps_count(text) and over.data["chars"] == char_count(text)
    fa = result.fields["text"]
    assert fa.analysed == CAP and fa.truncated and len(fa.analysed_text) == CAP and fa.text == text
    assert fa.claims and all(c.end <= CAP for c in fa.claims)
    assert all(result.sections[s].present for s in ("企业简介", "技术改造情况", "经验做法"))
    picked = excerpts(result)
    assert picked and all(h.end <= CAP for h in picked)


def test_text_within_the_cap_has_no_too_long_finding():
    result = analyse_practice(practice(PRACTICE + FILLER * 60), CFG)  # ~3,000 characters: over 1500, under the cap
    assert "TEXT_TOO_LONG" not in {f.code for f in result.findings}
    assert not result.fields["text"].truncated


def test_absence_findings_say_only_the_first_part_was_checked():
    text = "一、企业简介\n公司成立于2004年。\n" + "公司持续推进生产线改造。" * 1000 + "三、经验做法\n（一）坚持顶层设计。"
    result = analyse_practice(practice(text), CFG, max_chars=2_000)
    (missing,) = [f for f in result.findings if f.code == "SECTION_MISSING" and f.data["section"] == "经验做法"]
    assert "仅检查了前2000个字符" in missing.message


def test_long_project_field_and_name_get_one_finding_each_and_directions_read_the_cap():
    effect = FILLER * 300
    record = project(effect, name="智能总装线改造项目" * 1000)
    result = analyse_project(record, CFG)
    too_long = sorted(f.field for f in result.findings if f.code == "TEXT_TOO_LONG")
    assert too_long == ["技术改造实施效果", "项目名称"]
    fields = record_fields(record)
    assert len(fields["技术改造实施效果"]) == CAP and len(fields["项目名称"]) == CAP
    assert fields["项目建设内容"] == "新建智能总装线3条。"


def test_document_over_the_cap_is_refused_naming_the_file(tmp_path):
    limits = Limits(max_document_chars=5_000)
    (tmp_path / "佛山市-典型做法-甲.txt").write_text(PRACTICE + FILLER * 110, encoding="utf-8")  # under 4 bytes a character
    (tmp_path / "佛山市-典型做法-乙.txt").write_text(FILLER * 500, encoding="utf-8")  # refused by its bytes
    write_docx(tmp_path / "佛山市-典型做法-丙.docx", [FILLER] * 150)
    (tmp_path / "佛山市-典型做法-丁.txt").write_text(PRACTICE, encoding="utf-8")
    result = ingest([tmp_path], Config(limits=limits))
    failures = {Path(f.file).name: f.reason for f in result.failures}
    assert set(failures) == {"佛山市-典型做法-甲.txt", "佛山市-典型做法-乙.txt", "佛山市-典型做法-丙.docx"}
    assert "超过单份典型做法的读取上限5000个字符" in failures["佛山市-典型做法-甲.txt"]
    size = (tmp_path / "佛山市-典型做法-乙.txt").stat().st_size
    assert f"文件大小{size / 1e3:.0f} KB" in failures["佛山市-典型做法-乙.txt"]
    assert "文字长达" in failures["佛山市-典型做法-丙.docx"]
    assert [r.text("text") for r in result.practices] == [PRACTICE.strip()]  # the good file is read in full


def test_pdf_with_too_many_pages_is_refused(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "佛山市-典型做法.pdf"
    c = canvas.Canvas(str(path))
    for _ in range(4):
        c.setFont("STSong-Light", 11)
        c.drawString(40, 800, "一、企业简介")
        c.showPage()
    c.save()
    result = ingest([path], Config(limits=Limits(max_pdf_pages=3)))
    (failure,) = result.failures
    assert failure.file == "佛山市-典型做法.pdf" and "PDF共4页，超过单份典型做法的读取上限3页" in failure.reason


def test_csv_cell_over_the_cap_skips_its_row_only(tmp_path):
    huge = FILLER * 4_000  # 200,000 characters: over Excel's 32,767 and over the csv module's own 131,072
    path = write_csv(tmp_path / "佛山市-附件1.csv", [project_row(1), project_row(2, 技术改造实施效果=huge), project_row(3)])
    result = ingest([path])
    assert not result.failures
    assert [r.name for r in result.projects] == ["智能总装线技术改造项目1", "智能总装线技术改造项目3"]
    (row,) = [f for f in result.findings if f.code == "ROW_UNREADABLE"]
    assert row.provenance.row == 3 and f"单元格N3长达{len(huge)}个字符" in row.message and "32767" in row.message


# ---- no hang: the whole engine in a subprocess with a generous guard -------------------------------------------
_RUN = textwrap.dedent("""
    import json, sys
    from nlp.config import Config
    from nlp.embeddings.config import EmbeddingConfig
    from nlp.pipeline import analyse
    config = Config(embeddings=EmbeddingConfig(backend=sys.argv[2]))
    a = analyse([sys.argv[1]], 2025, config)
    print(json.dumps({"failures": [[f.file, f.reason] for f in a.ingest.failures],
                      "records": len(a.records), "pairs": len(a.duplicates), "timings": a.timings,
                      "codes": sorted({f.code for f in a.all_findings()})}, ensure_ascii=False))
""")


def _analyse_in_subprocess(path: Path, backend: str = "auto", guard_s: int = 60) -> dict:
    try:
        done = subprocess.run([sys.executable, "-c", _RUN, str(path), backend], cwd=ROOT, capture_output=True,
                              text=True, timeout=guard_s)
    except subprocess.TimeoutExpired:
        pytest.fail(f"analyse({path.name}) did not finish within {guard_s} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _repetitive(nbytes: int) -> bytes:
    data = (PRACTICE + FILLER * (nbytes // len(FILLER.encode()) + 1)).encode("utf-8")
    return data[:nbytes - nbytes % 3] if len(data) >= nbytes else data  # whole UTF-8 characters


@pytest.mark.slow
def test_stall_zip_of_twenty_999_kb_texts_is_refused_fast(tmp_path):
    members = {f"佛山市/典型做法{i:02d}.txt": _repetitive(999_000) for i in range(20)}
    path = zip_of(tmp_path / "佛山市-附件3.zip", members)
    assert path.stat().st_size < 200_000  # the was 74 KB
    out = _analyse_in_subprocess(path)
    assert out["records"] == 0 and len(out["failures"]) == 20
    for file, reason in out["failures"]:
        assert file.startswith("佛山市-附件3.zip/佛山市/典型做法") and "文件大小999 KB" in reason and "读取上限100000个字符" in reason


@pytest.mark.slow
def test_forty_mb_plain_text_practice_is_refused_fast(tmp_path):
    path = tmp_path / "佛山市-典型做法-某公司.txt"
    path.write_bytes(_repetitive(40_000_000))
    out = _analyse_in_subprocess(path)
    ((file, reason),) = out["failures"]
    assert file == path.name and "40.0 MB" in reason and out["records"] == 0


@pytest.mark.slow
def test_twenty_long_practices_under_the_document_cap_finish(tmp_path):
    # 60,000 characters each (under max_document_chars, ten times max_analysed_chars), near-copies of each other:
    # every step whose cost grows faster than the length, the duplicate alignment included, reads the first part
    members = {f"佛山市/典型做法{i:02d}.txt": (PRACTICE + f"第{i}号" + FILLER * 1_250).encode("utf-8") for i in range(20)}
    path = zip_of(tmp_path / "佛山市-附件3.zip", members)
    # 15-20 s here on 2 busy cores (the duplicate alignment of 190 near-copy pairs is most of it); the guard only
    # tells "finishes" from the 34-minute stall, with room for a loaded machine
    out = _analyse_in_subprocess(path, backend="tfidf", guard_s=120)
    assert out["records"] == 20 and not out["failures"]
    assert {"TEXT_TOO_LONG", "LEN_OVER_LIMIT", "DUPLICATE_OF"} <= set(out["codes"])
