"""What a reviewer's exports contain: a city reviewer's Excel and Word name another city's records only as the
record view does (city and likeness: never company, file, row, figures or id); Chinese labels; 出处 as
地市 · 企业 · 文件名 without internal folders; the publicity pack leaves out records decided 退回修改."""
import copy
import gzip
import json
from pathlib import Path

import openpyxl
import pytest

from app.store import Store
from app.web.auth import Users
from app.web.service import Service
from app.web.tables import dashboard_frames
from webapp import write_users

SNAPSHOT = Path(__file__).parent / "data" / "sample_contract.json.gz"
ARCHIVED = "2023附件1-汕头某企业:Sheet1:9"
ARCHIVED_COMPANY = "汕头市往年回收利用有限公司"


def sample_round() -> dict:
    """The sample round's contract as stored in tests/data (its contents, not its freshness, matter here), plus
    a 佛山市 record matched in the archive with a 2023 record of 汕头市."""
    contract = copy.deepcopy(json.loads(gzip.decompress(SNAPSHOT.read_bytes()))["contract"])
    fs = next(r for r in contract["records"] if r["city"] == "佛山市" and r["kind"] == "project")
    fs["findings"].append({"code": "DUPLICATE_OF", "severity": "warning", "field": "项目建设内容", "start": 0, "end": 5,
                           "message": f"与2023年已报送的汕头市“{ARCHIVED_COMPANY}”（2023/汕头市/往年.xlsx）的材料完全相同",
                           "data": {"kind": "exact", "other": ARCHIVED, "round": "2023", "other_city": "汕头市",
                                    "other_company": ARCHIVED_COMPANY, "score": 1.0}})
    contract["duplicates"].append({"a": fs["id"], "b": ARCHIVED, "kind": "exact", "score": 1.0, "round": "2023",
                                   "shared": [{"a_field": "项目建设内容", "a_start": 0, "a_end": 5,
                                               "b_field": "项目建设内容", "b_start": 3, "b_end": 8}],
                                   "changed": {"company": [f"{fs['company']} → {ARCHIVED_COMPANY}"]}})
    return contract


@pytest.fixture
def service(tmp_path):
    store = Store.open(tmp_path / "s.sqlite")
    store.import_round("2025", sample_round(), [("t.xlsx", "1" * 64)], "test")
    svc = Service(store, Users(write_users(tmp_path / "users.json")), tmp_path)
    yield svc
    store.close()


def cells(path: Path) -> dict[str, list[list[str]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [["" if c.value is None else str(c.value) for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets}


def everything(sheets: dict) -> str:
    return "\n".join("\t".join(row) for rows in sheets.values() for row in rows)


def foreign_marks(contract: dict, city: str) -> set[str]:
    """What must never reach a reviewer of ``city`` about other cities' records."""
    marks = {ARCHIVED, ARCHIVED_COMPANY, "2023/汕头市/往年.xlsx"}
    for r in contract["records"]:
        if r["city"] != city:
            marks |= {r["id"], r["company"], Path(r["source"]["file"]).name, Path(r["source"]["file"]).stem}
    for p in contract["duplicates"]:
        for values in (p.get("changed") or {}).values():
            marks |= set(values)  # "2000 → 1800", "A公司 → B公司": the other side's figures and names
    return {m for m in marks if m}


def test_city_excel_export_names_other_cities_only_by_city_and_likeness(service):
    contract = sample_round()
    sheets = cells(service.export_excel("fs", "2025"))
    text = everything(sheets)
    leaked = sorted(m for m in foreign_marks(contract, "佛山市") if m in text)
    assert not leaked, leaked
    # the cross-city light edit is still there: 汕头市, its kind and its score, with what kinds were changed
    dup = [dict(zip(sheets["疑似重复"][0], row)) for row in sheets["疑似重复"][1:]]
    cross = next(d for d in dup if d["类型"] == "轻度改写")
    planted = next(p for p in contract["duplicates"] if p["kind"] == "light_edit" and not p.get("round"))
    assert "汕头市" in cross["记录B出处"] and cross["相似度"] == f"{planted['score']:.3f}"
    assert cross["记录B"].startswith("汕头市的材料") and cross["改动"] == "改动了：数据、企业、地市"
    archived = next(d for d in dup if d["往年轮次"] == "2023")
    assert archived["记录B"].startswith("2023年汕头市的材料") and "汕头市" in archived["记录B出处"]
    findings = [dict(zip(sheets["问题清单"][0], row)) for row in sheets["问题清单"][1:]]
    said = [f["说明"] for f in findings if f["代码"] == "DUPLICATE_OF" and "汕头市" in f["说明"]]
    assert said and all("相似度" in s for s in said)
    # 出处: 地市 · 企业 · 文件名, no folders
    assert "sample/" not in text and "佛山市 · 广东顺瑞智能家电有限公司 · 佛山市-附件1-工业技术改造项目推荐表.xlsx" in text


def test_city_record_view_and_contract_hide_the_same_things(service):
    contract = sample_round()
    marks = foreign_marks(contract, "佛山市")
    fs_id = next(p["a"] for p in contract["duplicates"] if p.get("round") == "2023")
    view = service.record("fs", "2025", fs_id)
    seen = json.dumps([view.data, view.duplicates], ensure_ascii=False, default=str)
    assert not sorted(m for m in marks if m in seen)
    assert {d["other"].get("city") for d in view.duplicates} >= {"汕头市"}
    assert all(d["other"].get("restricted") for d in view.duplicates if d["other"].get("city") != "佛山市")
    mine = json.dumps(service.store.contract(service.viewer("fs"), "2025"), ensure_ascii=False)
    assert not sorted(m for m in marks if m in mine)
    # the province sees everything
    full = json.dumps(service.record("prov", "2025", fs_id).duplicates, ensure_ascii=False)
    assert ARCHIVED in full


def test_province_excel_uses_chinese_labels_and_file_names(service):
    sheets = cells(service.export_excel("prov", "2025"))
    dup = [dict(zip(sheets["疑似重复"][0], row)) for row in sheets["疑似重复"][1:]]
    cross = next(d for d in dup if d["类型"] == "轻度改写")
    assert "企业：广东顺瑞智能家电有限公司 → 汕头市澄海区乐童玩具实业有限公司" in cross["改动"]
    assert "数据：2000 → 1800" in cross["改动"] and "地市：佛山市 → 汕头市" in cross["改动"]
    assert cross["记录B出处"] == "汕头市 · 汕头市澄海区乐童玩具实业有限公司 · 汕头市-附件1-工业技术改造项目推荐表.xlsx"
    text = everything(sheets)
    for key in ("company：", "figures：", "city：", "place："):
        assert key not in text
    records = [dict(zip(sheets["审核结果"][0], row)) for row in sheets["审核结果"][1:]]
    assert all("/" not in r["出处"] for r in records)
    assert any(r["位置"] == "重点项目 · 第4行" for r in records)


def test_publicity_pack_leaves_out_returned_records(service):
    from docx import Document

    contract = sample_round()
    fs = [r for r in contract["records"] if r["city"] == "佛山市" and r.get("highlights")][:2]
    kept, returned = fs
    for r in fs:
        service.set_publicity("fs", "2025", r["id"], [0])
    service.decide("fs", "2025", returned["id"], "退回修改", "数据前后矛盾", 0)
    service.decide("fs", "2025", kept["id"], "待定", "", 0)
    text = "\n".join(p.text for p in Document(service.export_publicity("fs", "2025")).paragraphs)
    assert kept["highlights"][0]["text"] in text
    assert returned["highlights"][0]["text"] not in text
    assert "审核结论为“退回修改”的1条记录的摘录未收入" in text
    assert f"出处：佛山市 · {kept['company']} · {Path(kept['source']['file']).name}" in text
    assert "sample/" not in text
    # a later decision brings it back
    service.decide("fs", "2025", returned["id"], "通过", "已更正", 1)
    text = "\n".join(p.text for p in Document(service.export_publicity("fs", "2025")).paragraphs)
    assert returned["highlights"][0]["text"] in text


def test_reviewed_counts_decisions_not_pending(service):
    rows = service.queue("prov", "2025", city="韶关市")
    service.decide("prov", "2025", rows[0].record_id, "待定", "", 0)
    service.decide("prov", "2025", rows[1].record_id, "通过", "", 0)
    service.decide("prov", "2025", rows[2].record_id, "退回修改", "缺少数据", 0)
    board = service.dashboard("prov", "2025")
    sg = next(c for c in board["cities"] if c["city"] == "韶关市")
    assert (sg["reviewed"], sg["pending"]) == (2, 1)
    cities = dashboard_frames(board)[0]
    row = cities[cities["地市"] == "韶关市"].iloc[0]
    assert row["已审（通过或退回）"] == 2 and row["待定"] == 1


def test_one_writer_for_the_cli_report_and_the_app_export(tmp_path):
    """The CLI's report and the app's export are one workbook from one contract; the app's adds decisions."""
    from app.report_excel import write_excel

    contract = sample_round()
    cli = cells(write_excel(contract, tmp_path / "cli.xlsx"))
    app = cells(write_excel(contract, tmp_path / "app.xlsx", {}))
    assert list(cli) == ["记录", "问题清单", "地市汇总", "疑似重复", "无法读取的文件"]
    assert list(app) == ["审核结果", *list(cli)[1:]]
    head = app["审核结果"][0]
    assert cli["记录"][0] == head[:13] + head[18:] and head[13:18] == ["审核结论", "审核意见", "审核人", "审核时间", "版本"]
    assert {row[13] for row in app["审核结果"][1:]} == {"未审"}
    assert len(cli["记录"]) == len(contract["records"]) + 1
    # every finding once: the records', the files' and the cities' own (a city's finding about one record is
    # that record's)
    expected = sum(len(r["findings"]) for r in contract["records"]) + len(contract.get("file_findings") or []) + \
        sum(1 for c in contract["cities"] for f in c.get("findings") or [] if not f.get("source"))
    assert len(cli["问题清单"]) - 1 == expected
    quota = [row for row in cli["问题清单"][1:] if row[1] == "QUOTA_PROJECTS_SHORT"]
    assert quota and all(row[4] for row in quota)  # named by its city
    assert len(cli["疑似重复"]) == len(contract["duplicates"]) + 1


def test_a_narrative_that_looks_like_a_formula_stays_text(tmp_path):
    from app.report_excel import write_excel

    contract = sample_round()
    rec = next(r for r in contract["records"] if r["kind"] == "project")
    rec["fields"]["项目名称"] = "=1+1"
    rec["findings"].append({"code": "LEN_OVER_LIMIT", "severity": "error", "field": "项目名称", "start": 0, "end": 4,
                            "message": "@SUM(A1)"})
    ws = openpyxl.load_workbook(write_excel(contract, tmp_path / "r.xlsx"))
    cells_ = [c for sheet in ws.worksheets for row in sheet.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith(("=", "@"))]
    assert {c.value for c in cells_} >= {"=1+1", "@SUM(A1)"} and all(c.data_type == "s" for c in cells_)
