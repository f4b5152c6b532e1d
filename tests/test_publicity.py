"""Publicity excerpts and the pack, on the sample round."""
import docx
import openpyxl
import pytest

from app.cli import main
from nlp.highlights import candidates, pick_highlights
from nlp.evidence import extract_claims
from nlp.sensitive import find_sensitive

TEXT = """三、具有示范借鉴意义的经验做法
1.坚持规划引领。公司编制三年技改规划，先在总装工序试点，验证见效后再向全厂复制，避免一次性大投入的风险。
2.以数据贯通打破部门壁垒。打通ERP、MES等6套系统接口，月度报表编制时间由3天缩短至半天。
3.联系人：王海涛，电话13800005678。"""


def test_candidates_are_whole_sentences_without_point_titles():
    cands = candidates(TEXT)
    texts = [c.text for c in cands]
    assert "坚持规划引领。" not in texts and "1.坚持规划引领。" not in texts
    assert any(t.startswith("公司编制三年技改规划") and t.endswith("风险。") for t in texts)
    for c in cands:
        assert TEXT[c.start:c.end] == c.text


def test_picks_are_explained_diverse_and_never_sensitive():
    picks = pick_highlights(TEXT, "text", extract_claims(TEXT), sensitive=find_sensitive(TEXT))
    assert picks and all(h.why for h in picks)
    assert not any("13800005678" in h.text or "王海涛" in h.text for h in picks)
    assert len({h.text for h in picks}) == len(picks)
    assert picks[0].score >= picks[-1].score or len(picks) == 1


@pytest.mark.slow
def test_publicity_pack_from_the_cli(tmp_path):
    from pathlib import Path
    sample = Path(__file__).resolve().parents[1] / "corpora" / "sample"
    out, xlsx = tmp_path / "pack.docx", tmp_path / "pack.xlsx"
    assert main(["publicity", str(sample), "-o", str(out), "--xlsx", str(xlsx), "--round", "2025", "-q"]) == 0
    document = docx.Document(str(out))
    styles = [p.style.name for p in document.paragraphs]
    assert styles[0] == "Title" and "Heading 1" in styles and "Heading 2" in styles
    body = "\n".join(p.text for p in document.paragraphs)
    assert "13800005678" not in body and "王海涛" not in body  # the planted contact line never appears
    assert "出处：" in body and "推荐理由：" in body
    assert "instrText" in document.element.xml or "fldSimple" in document.element.xml  # table of contents
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["全部摘录", "按方向", "按产业集群", "按行业", "按地市"]
    assert wb["按地市"].max_row > 3


def test_one_industry_for_both_packs():
    """A 典型做法 is filed under its company's 附件2 row (else its first 附件1 row); the CLI's pack and the app's
    Word export both read app.publicity.industry."""
    from app.publicity import OTHER, UNKNOWN_INDUSTRY, directions_of, industry, industry_index
    from app.web import export_pack

    records = [{"kind": "project", "company": "佛山市甲电器有限公司",
                "fields": {"所属战略产业集群": "汽车", "所属行业": "汽车制造业"}},
               {"kind": "enterprise", "company": "佛山市甲电器有限公司",
                "fields": {"所属战略产业集群": "家用电器", "所属行业": "通用设备制造业"}},
               {"kind": "practice", "company": "佛山市甲电器有限公司", "fields": {"text": "……"},
                "directions": {"智能化": {"tag": True}, "数字化": {"tag": False}}},
               {"kind": "practice", "company": "无名公司", "fields": {"text": "……"}}]
    index = industry_index(records)
    assert industry(records[2], index) == ("智能家电", "通用设备制造业")  # the 附件2 row, not the 附件1 one
    assert industry(records[0], index) == ("汽车", "汽车制造业")  # a project's own columns
    assert industry(records[3], index) == (UNKNOWN_INDUSTRY, OTHER)
    assert directions_of(records[2]) == ["智能化"] and directions_of(records[3]) == [OTHER]
    assert export_pack.industry is industry and not hasattr(export_pack, "_industry")


def test_the_cli_pack_is_collected_from_the_contract(tmp_path):
    """Entries from the contract's highlights: 出处 as 地市 · 企业 · 文件名 · the paragraph the excerpt was read in."""
    from app.publicity import collect, write_docx

    contract = {"round": "2025", "records": [
        {"id": "p1", "kind": "practice", "city": "佛山市", "company": "佛山市甲电器有限公司",
         "source": {"file": "2025/佛山市/典型做法-甲.docx"}, "fields": {"text": "……"},
         "directions": {"智能化": {"tag": True}},
         "highlights": [{"field": "text", "start": 40, "end": 60, "text": "先试点再复制。", "score": 0.9, "why": "有具体做法",
                         "source": {"file": "2025/佛山市/典型做法-甲.docx", "paragraph": 2}},
                        {"field": "text", "start": 80, "end": 90, "text": "数据贯通。", "score": 0.5, "why": "方法"},
                        {"field": "text", "start": 95, "end": 99, "text": "第三条。", "score": 0.4, "why": "x"}]},
        {"id": "e1", "kind": "enterprise", "city": "佛山市", "company": "佛山市甲电器有限公司",
         "fields": {"所属战略产业集群": "智能家电", "所属行业": "通用设备制造业"}}]}
    entries = collect(contract, per_record=2)
    assert [e.excerpt["text"] for e in entries] == ["先试点再复制。", "数据贯通。"]
    assert entries[0].source == "佛山市 · 佛山市甲电器有限公司 · 典型做法-甲.docx · 第3段"
    assert entries[1].source == "佛山市 · 佛山市甲电器有限公司 · 典型做法-甲.docx"  # no place: the record's file
    assert (entries[0].cluster, entries[0].directions) == ("智能家电", ["智能化"])
    write_docx(contract["round"], entries, tmp_path / "pack.docx")
    body = "\n".join(p.text for p in docx.Document(str(tmp_path / "pack.docx")).paragraphs)
    assert "——出处：佛山市 · 佛山市甲电器有限公司 · 典型做法-甲.docx · 第3段｜通用设备制造业｜推荐理由：有具体做法" in body
