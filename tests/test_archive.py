"""The archive of earlier rounds: add is idempotent, a new round finds what it recycles, naming the round."""
import json
from pathlib import Path

import pytest

from app.archive import Archive
from app.cli import main
from nlp.duplicates import DupDoc

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"
TEXT = ("对原有半自动焊装车间实施整体改造，新建侧围、地板总成焊装线各1条，引进六轴焊接机器人86台、激光在线测量系统4套，"
        "部署MES制造执行系统和焊接质量数据采集平台。")


def test_archive_add_search_and_schema(tmp_path):
    archive = Archive(tmp_path / "a.sqlite")
    docs = [("project", DupDoc("r1", {"项目建设内容": TEXT}, {"company": "甲公司", "city": "佛山市"}))]
    assert archive.add(docs, "2022") == 1
    assert archive.add(docs, "2022") == 0  # the same text is stored once per round
    assert archive.rounds() == {"2022": 1}
    new = DupDoc("n1", {"项目建设内容": TEXT.replace("86台", "60台")}, {"company": "乙公司"})
    ((pair, archived),) = archive.search([new], "project")
    assert pair.kind == "light_edit" and archived.round == "2022" and archived.doc.meta["company"] == "甲公司"
    assert archive.search([new], "practice") == []  # only records of the same kind are compared
    archive.close()


def test_hot_band_keys_refresh_when_asked(tmp_path, monkeypatch):
    import app.archive as archive_module

    monkeypatch.setattr(archive_module, "HOT_BAND_DOCS", 1)  # a key shared by 2+ records is "hot"
    archive = Archive(tmp_path / "a.sqlite")
    docs = [("project", DupDoc(f"r{i}", {"项目建设内容": TEXT + f"第{i}期。"})) for i in range(3)]
    hot = lambda: archive.db.execute("SELECT COUNT(*) FROM hot_bands").fetchone()[0]  # noqa: E731
    assert archive.add(docs[:2], "2022", refresh=False) == 2 and hot() == 0
    assert archive.add(docs[2:], "2022") == 1 and hot() > 0  # the three near-copies share band keys
    archive.close()


@pytest.mark.slow
def test_cli_archive_then_check_names_the_round(tmp_path, capsys):
    path, out = tmp_path / "archive.sqlite", tmp_path / "out.json"
    assert main(["archive", "add", str(SAMPLE / "汕头市"), "--round", "2023", "--archive", str(path), "-q"]) == 0
    assert main(["archive", "list", "--archive", str(path)]) == 0
    assert "2023" in capsys.readouterr().out
    assert main(["check", str(SAMPLE), "--round", "2025", "--archive", str(path), "--json", str(out), "-q"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    archived = [p for p in data["duplicates"] if p.get("round") == "2023"]
    exact = [p for p in archived if p["kind"] == "exact"]
    assert len(exact) == 29  # 汕头's own records, archived as they are
    # the sample's recycled submission: 佛山's row whose narratives 汕头 reused, now against the archived copy
    (light,) = [p for p in archived if p["kind"] != "exact"]
    assert light["kind"] == "light_edit" and light["a"].startswith("佛山市")
    shantou = [r for r in data["records"] if r["city"] == "汕头市" and r["kind"] == "project"]
    assert all(any(f["code"] == "DUPLICATE_OF" and "2023年" in f["message"] for f in r["findings"]) for r in shantou)
    # the engine's archive stage marked the shared passages on the new record's field, naming the round
    marked = [s for r in shantou for layers in r["fields_annotated"].values() for s in layers.get("duplicate", [])
              if s.get("round") == "2023"]
    assert marked and all(s["other_city"] == "汕头市" and s["text"] for s in marked)


def test_the_sqlite_archive_is_the_engines_archive_store(tmp_path):
    from nlp.stages.archive import ArchiveStore

    archive = Archive(tmp_path / "a.sqlite")
    assert isinstance(archive, ArchiveStore)
    archive.close()


def test_the_archives_frequent_shingles_are_known_before_a_round(tmp_path):
    import app.archive as archive_module
    from nlp.duplicates import _shingles, normal_form

    stock = "本企业按照集团统一部署推进精益管理"  # in every archived record: the archive's own stock phrase
    rows = [json.loads(line) for line in (SAMPLE.parent / "duplicates" / "rows.jsonl").open(encoding="utf-8")][:12]
    archive = Archive(tmp_path / "a.sqlite")
    docs = [("practice", DupDoc(r["id"], {"text": stock + r["项目建设内容"]})) for r in rows]
    docs.append(("project", DupDoc("p1", {"项目建设内容": stock + "，新建冲压车间一座，配置伺服压力机八台及自动上下料。"})))
    assert archive.add(docs, "2022") == 13
    assert _shingles(normal_form(stock), 4) <= archive.frequent_shingles() <= archive.known_shingles()
    assert archive_module.stock_shingles(4) <= archive.known_shingles()
    # a new project shares only that phrase with the one archived project: no pair, though the search itself
    # sees too few records to call the phrase common
    new = DupDoc("n1", {"项目建设内容": stock + "，改造喷涂线两条，引入静电旋杯和废气焚烧处理装置。"})
    assert archive.search([new], "project") == []
    archive.frequent_shingles = lambda: set()
    assert [p.kind for p, _ in archive.search([new], "project")] == ["template"]
    archive.close()


def test_one_duplicate_message_for_the_round_the_archive_and_a_city_view():
    """DUPLICATE_OF reads the same wherever it is written: nlp.messages.duplicate_message."""
    from app.store.views import OtherCities
    from nlp.messages import duplicate_message

    assert duplicate_message("exact", 1.0, city="佛山市", company="甲公司", where="甲.xlsx 第3行") == \
        "与佛山市“甲公司”（甲.xlsx 第3行）的材料完全相同，相似度1.00"
    assert duplicate_message("template", 0.7149, city="汕头市", company="乙公司", where="乙.xlsx", round_label="2023") == \
        "与2023年已报送的汕头市“乙公司”（乙.xlsx）的材料套用同一模板，相似度0.71"
    finding = {"code": "DUPLICATE_OF", "severity": "warning", "field": "项目建设内容", "start": 0, "end": 4,
               "message": "与2023年已报送的汕头市“乙公司”（2023/汕头市/乙.xlsx）的材料轻度改写（替换企业、地点或数据），相似度0.93",
               "data": {"kind": "light_edit", "other": "2023附件1-乙:Sheet1:3", "round": "2023", "other_city": "汕头市",
                        "other_company": "乙公司", "score": 0.931}}
    seen = OtherCities("佛山市").record({"id": "fs-1", "findings": [finding]})["findings"][0]
    assert seen["message"] == ("与2023年已报送的汕头市的一份材料轻度改写（替换企业、地点或数据），相似度0.93"
                               "（其他地市的材料详情仅省级账号可见）")
    assert "乙公司" not in str(seen) and seen["start"] == 0
