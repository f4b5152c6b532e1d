"""The command line's exit codes, messages and formula-safe report."""
import json
import subprocess
import sys

import openpyxl
import pytest

from app.cli import main
from builders import project_row, write_template_xlsx


def test_exit_0_when_every_file_read(tmp_path, capsys):
    path = write_template_xlsx(tmp_path / "佛山市附件1.xlsx", [project_row(1)])
    assert main(["check", str(path), "-q"]) == 0
    assert "佛山市" in capsys.readouterr().out


def test_exit_1_when_some_files_unusable_and_they_are_listed(tmp_path, capsys):
    good = write_template_xlsx(tmp_path / "佛山市附件1.xlsx", [project_row(1)])
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"not a spreadsheet at all \x00\x01")
    report, out = tmp_path / "r.xlsx", tmp_path / "o.json"
    assert main(["check", str(good), str(bad), "-o", str(report), "--json", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "坏文件.xlsx" in err
    wb = openpyxl.load_workbook(report)
    assert wb["无法读取的文件"].cell(2, 1).value == "坏文件.xlsx"
    assert json.loads(out.read_text(encoding="utf-8"))["failures"][0]["file"] == "坏文件.xlsx"


def test_exit_2_for_bad_usage_or_nothing_usable(tmp_path, capsys):
    assert main([]) == 2
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"\x00\x01\x02")
    assert main(["check", str(bad), "-q"]) == 2
    assert main(["check", str(tmp_path / "missing.xlsx"), "-q"]) == 2


def test_bad_flag_exits_2():
    proc = subprocess.run([sys.executable, "-m", "app.cli", "check", "--round", "abc", "x"], capture_output=True)
    assert proc.returncode == 2


def test_report_never_writes_formulas(tmp_path):
    path = write_template_xlsx(tmp_path / "佛山市附件1.xlsx",
                               [project_row(1, 项目名称="=HYPERLINK(\"http://x\",\"点我\")", 项目承担单位="+1+2")])
    report = tmp_path / "r.xlsx"
    main(["check", str(path), "-o", str(report), "-q"])
    ws = openpyxl.load_workbook(report)["记录"]
    values = [ws.cell(2, c) for c in range(1, 14)]
    names = [c for c in values if isinstance(c.value, str) and c.value.startswith(("=", "+"))]
    assert names and all(c.data_type == "s" for c in names)


def test_report_and_json_come_from_one_contract(tmp_path):
    """`jigai check -o -j`: the Excel report is written from the same contract as the JSON (its counts, with the
    form's limit, are the report's 字数)."""
    from nlp.config import DEFAULT_CONFIG

    path = write_template_xlsx(tmp_path / "佛山市附件1.xlsx", [project_row(1)])
    report, out = tmp_path / "r.xlsx", tmp_path / "o.json"
    assert main(["check", str(path), "-o", str(report), "--json", str(out), "-q"]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))["records"][0]
    count = record["counts"]["项目建设内容"]
    assert count["limit"] == DEFAULT_CONFIG.narrative.project_limit
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["记录", "问题清单", "地市汇总", "疑似重复", "无法读取的文件"]
    row = dict(zip([c.value for c in wb["记录"][1]], [c.value for c in wb["记录"][2]]))
    assert row["记录编号"] == record["id"] and row["字数：建设内容或典型做法（字符/WPS）"] == f"{count['chars']}/{count['wps']}"
    assert row["问题数"] == len(record["findings"]) == wb["问题清单"].max_row - 1 - sum(
        1 for r in wb["问题清单"].iter_rows(min_row=2) if not r[10].value)  # the rest are the city's own


def test_help_lists_check():
    proc = subprocess.run([sys.executable, "-m", "app.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "check" in proc.stdout


@pytest.mark.slow
def test_models_build_writes_a_sentence_transformers_directory(capsys):
    from pathlib import Path

    from app.cli import main as cli_main

    assert cli_main(["models", "build"]) == 0
    folder = Path(capsys.readouterr().out.strip().split("：", 1)[1])
    assert (folder / "modules.json").is_file() and (folder / "tokenizer.json").is_file()
    assert (folder / "model.safetensors").stat().st_size > 100_000_000
    assert cli_main(["models", "build"]) == 0  # up to date: reused
    assert capsys.readouterr().out.strip().endswith(str(folder))


# -- jigai import / jigai export: what the user's upload and download do ----------------------------------
def _store_args(tmp_path, user):
    from webapp import write_users

    users = tmp_path / "users.json"
    if not users.exists():
        write_users(users)
    return ["--round", "2025", "--as", user, "--data-dir", str(tmp_path / "data"), "--users", str(users),
            "--db", str(tmp_path / "r.sqlite")]


def test_import_is_refused_for_a_city_user_and_bad_usage_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("JIGAI_DATA_DIR", raising=False)  # _service sets it from --data-dir (restored after)
    path = write_template_xlsx(tmp_path / "佛山市附件1.xlsx", [project_row(1)])
    assert main(["import", str(path), "-q"] + _store_args(tmp_path, "fs")) == 2
    assert "只有省级审核人员" in capsys.readouterr().err
    assert not (tmp_path / "data" / "uploads" / "2025").exists()  # nothing saved
    assert main(["import", str(path), "-q"] + _store_args(tmp_path, "nobody")) == 2
    assert main(["import", str(tmp_path / "missing.xlsx"), "-q"] + _store_args(tmp_path, "prov")) == 2
    args = _store_args(tmp_path, "prov")
    args[1] = "25"
    assert main(["import", str(path), "-q"] + args) == 2
    assert "四位年份" in capsys.readouterr().err
    assert main(["export", "-o", str(tmp_path / "x.xlsx")] + _store_args(tmp_path, "prov")) == 2  # no such round
    assert "未找到轮次" in capsys.readouterr().err


@pytest.mark.slow
def test_import_and_export_as_a_user(tmp_path, monkeypatch, capsys):
    from app.store import Store, Viewer

    monkeypatch.delenv("JIGAI_DATA_DIR", raising=False)
    fs = write_template_xlsx(tmp_path / "佛山市-附件1.xlsx", [project_row(1), project_row(2)])
    st = write_template_xlsx(tmp_path / "汕头市-附件1.xlsx", [project_row(1, 项目承担单位="汕头市某玩具有限公司",
                                                                       项目建设地点="汕头市澄海区")])
    bad = tmp_path / "汕头市-附件2.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    assert main(["import", str(fs), str(st), str(bad), "-q"] + _store_args(tmp_path, "prov")) == 1
    captured = capsys.readouterr()
    assert "汕头市-附件2.xlsx" in captured.err and "已导入2025年材料：记录3条" in captured.out
    # the same file again: replaced, not added; nothing unusable this time
    assert main(["import", str(fs), "-q"] + _store_args(tmp_path, "prov")) == 0
    assert "记录3条" in capsys.readouterr().out
    with Store.open(tmp_path / "r.sqlite") as store:
        assert len(store.queue(Viewer("t", "province"), "2025")) == 3
        assert [e.actor for e in store.audit_log("2025") if e.action == "upload"] == ["prov", "prov"]
    # the export a city user would download: its own city only
    out = tmp_path / "fs.xlsx"
    assert main(["export", "-o", str(out)] + _store_args(tmp_path, "fs")) == 0
    text = "\n".join(str(c.value) for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows()
                     for c in row if c.value is not None)
    assert "佛山市" in text and "汕头市某玩具有限公司" not in text
