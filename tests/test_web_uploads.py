"""Uploads: names, sizes and types checked; the whole round folder analysed and imported; bad files named."""
import io

import pytest

from app.store import Store, Viewer
from app.web.auth import Users
from app.web.service import Service
from app.web.uploads import check_file, import_uploads, parse_size, safe_name, unpack
from builders import project_row, write_csv
from webapp import write_users


@pytest.mark.parametrize("value, expected", [("50mb", 50 * 1024 ** 2), ("200KB", 200 * 1024), (123, 123),
                                             ("7", 7), (None, 50 * 1024 ** 2)])
def test_parse_size(value, expected):
    assert parse_size(value) == expected


def test_parse_size_refuses_nonsense():
    with pytest.raises(ValueError):
        parse_size("lots")


@pytest.mark.parametrize("raw, expected", [
    ("佛山市-附件1.xlsx", "佛山市-附件1.xlsx"), ("../../etc/passwd", "passwd"), ("C:\\x\\..\\a.docx", "a.docx"),
    (".hidden.csv", "hidden.csv"), ("a\x00b\n.txt", "ab.txt"), ("", ""),
    ('<img src=x onerror="1">.csv', "_img src=x onerror=_1__.csv")])
def test_safe_name(raw, expected):
    assert safe_name(raw) == expected


def test_check_file(tmp_path):
    good = tmp_path / "a.xlsx"
    good.write_bytes(b"PK" + b"0" * 100)
    assert check_file(good, "a.xlsx", 1000) is None
    assert "不支持的文件类型" in check_file(good, "a.exe", 1000)
    assert "不支持的文件类型" in check_file(good, "noext", 1000)
    assert "文件过大" in check_file(good, "a.xlsx", 50)
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert check_file(empty, "e.csv", 1000) == "文件为空"


def test_unpack_keeps_good_files_and_names_the_rest(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "佛山市-附件1.csv").write_text("x", encoding="utf-8")
    (src / "virus.exe").write_bytes(b"MZ")
    (src / "big.pdf").write_bytes(b"%PDF" + b"0" * 200)
    incoming, refused = unpack([(p, p.name) for p in sorted(src.iterdir())], tmp_path / "work", max_bytes=100)
    assert [(i.city, i.name) for i in incoming] == [("佛山市", "佛山市-附件1.csv")]
    assert {r.origin: r.reason[:4] for r in refused} == {"big.pdf": "文件过大", "virus.exe": "不支持的"}
    assert all(r.path is not None for r in refused)  # both are kept for the quarantine


def test_round_must_be_a_year(tmp_path):
    with pytest.raises(ValueError, match="四位年份"):
        import_uploads(None, "../x", [], "prov", tmp_path)


@pytest.mark.slow
def test_upload_analyses_the_whole_round_and_reports_bad_files(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    fs_csv = write_csv(src / "佛山市-附件1-补充.csv", [project_row(1), project_row(2)])
    broken = src / "汕头市-附件1.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook")
    store = Store.open(tmp_path / "r.sqlite")
    service = Service(store, Users(write_users(tmp_path / "users.json")), tmp_path / "data")
    seen = []
    report = service.upload("prov", "2025", [fs_csv, broken], progress=lambda f, d: seen.append((f, d)))
    assert report.imported and report.records == 2 and not report.skipped
    assert [f.file for f in report.failures] == ["汕头市/汕头市-附件1.xlsx"] and report.failures[0].reason
    # the unreadable file is quarantined with its reason, not kept in the round folder
    assert not (tmp_path / "data" / "uploads" / "2025" / "汕头市" / "汕头市-附件1.xlsx").exists()
    assert [q["file"] for q in service.quarantined("prov", "2025")] == ["汕头市-附件1.xlsx"]
    assert seen[0][0] == 0.0 and seen[-1][0] == 1.0 and all(0 <= f <= 1 for f, _ in seen)
    # a second city's file: the round folder is analysed as a whole (both cities' records)
    st_csv = write_csv(src / "汕头市-附件1-补充.csv", [project_row(1, 项目承担单位="汕头市某玩具有限公司",
                                                                   项目建设地点="汕头市澄海区")])
    report = service.upload("prov", "2025", [st_csv])
    assert report.records == 3
    assert {r.city for r in store.queue(service.viewer("prov"), "2025")} == {"佛山市", "汕头市"}
    # the same files again: nothing changes
    assert service.upload("prov", "2025", [st_csv]).skipped
    store.close()


@pytest.mark.slow
def test_upload_compares_with_the_archive_of_earlier_rounds(tmp_path):
    from app.archive import Archive, add_round
    from nlp.pipeline import analyse

    src = tmp_path / "src"
    src.mkdir()
    fs_csv = write_csv(src / "佛山市-附件1.csv", [project_row(1)])
    archive = Archive(tmp_path / "archive.sqlite")
    add_round(archive, analyse([fs_csv], 2024), "2024")
    archive.close()
    store = Store.open(tmp_path / "r.sqlite")
    service = Service(store, Users(write_users(tmp_path / "users.json")), tmp_path / "data",
                      archive_path=tmp_path / "archive.sqlite")
    report = service.upload("prov", "2025", [fs_csv])
    assert report.archived_pairs == 1
    contract = store.contract(service.viewer("prov"), "2025")
    assert [p.get("round") for p in contract["duplicates"]] == ["2024"]
    store.close()


@pytest.mark.slow
def test_serve_load_files_by_city_and_imports(tmp_path):
    from app.web.server import load_round

    city = tmp_path / "in" / "佛山市"
    city.mkdir(parents=True)
    write_csv(city / "附件1.csv", [project_row(1, 项目建设地点="某工业园", 项目承担单位="测试电器有限公司")])
    store = Store.open(tmp_path / "r.sqlite")
    out = io.StringIO()
    report = load_round(store, [str(tmp_path / "in")], "2025", tmp_path / "data", out=out)
    assert (tmp_path / "data" / "uploads" / "2025" / "佛山市" / "附件1.csv").exists()  # filed under its city
    assert report.imported and "已导入2025年材料" in out.getvalue()
    rows = store.queue(Viewer("t", "province"), "2025")
    assert [r.city for r in rows] == ["佛山市"]  # the city comes from the folder's name
    assert load_round(store, [str(tmp_path / "in")], "2025", tmp_path / "data", out=out).skipped
    store.close()
