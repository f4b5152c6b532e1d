"""The bundled sample round: every planted violation is found at its cell; the CLI writes both reports."""
import json
from pathlib import Path

import openpyxl
import pytest

from app.cli import main
from nlp.pipeline import analyse

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
EXPECTED = json.loads((SAMPLE / "expected_findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def analysis():
    return analyse([SAMPLE], round_year=2025)


def test_sample_reads_every_file(analysis):
    assert analysis.ingest.failures == []
    kinds = [r.kind for r in analysis.records]
    assert kinds.count("project") == 80
    assert kinds.count("enterprise") == 8
    assert kinds.count("practice") == 8
    assert {r.city for r in analysis.records} == {"佛山市", "汕头市", "韶关市"}


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: f"{e['code']}@{e.get('cell') or e.get('city')}")
def test_planted_violation_found_at_its_cell(analysis, expected):
    findings = analysis.all_findings()
    if expected.get("file") is None:
        hits = [f for f in findings if f.code == expected["code"] and f.city == expected["city"]]
    else:
        hits = [f for f in findings if f.code == expected["code"] and f.provenance is not None
                and f.provenance.file == expected["file"] and f.provenance.sheet == expected["sheet"]
                and f.provenance.row == expected["row"]
                and (expected["cell"] is None or f.provenance.cell == expected["cell"])]
    assert hits, f"{expected['code']} not found at {expected}"


def test_clean_rows_have_no_errors(analysis):
    planted_rows = {(e["file"], e["row"]) for e in EXPECTED if e.get("file")}
    noisy = []
    for record in analysis.records:
        if record.kind != "project" or (record.source.file, record.source.row) in planted_rows:
            continue
        errors = [f for f in analysis.findings_of(record) if f.severity in ("error", "warning")]
        if errors:
            noisy.append((record.id, [f.code for f in errors]))
    assert noisy == []


def test_text_kept_exactly_as_read(analysis):
    source = json.loads((SAMPLE / "source" / "projects.json").read_text(encoding="utf-8"))
    by_name = {p["项目名称"]: p for p in source}
    checked = 0
    for record in analysis.records:
        if record.kind == "project" and record.name in by_name:
            original = by_name[record.name]
            assert record.text("项目建设内容") == original["项目建设内容"]
            assert record.text("技术改造实施效果") == original["技术改造实施效果"]
            checked += 1
    assert checked >= 75


def test_merged_company_cell_points_at_its_top_row(analysis):
    shantou = [r for r in analysis.records if r.kind == "project" and r.city == "汕头市"]
    merged = [r for r in shantou if r.fields["项目承担单位"].row is not None]
    assert merged, "the careless 汕头 file merges company cells"
    for r in merged:
        assert r.fields["项目承担单位"].row < r.source.row
        assert r.company


def test_investment_in_wan_yuan_header_is_converted(analysis):
    shaoguan = [r for r in analysis.records if r.kind == "project" and r.city == "韶关市"]
    assert all(r.units.get("总投资(亿元)") == "万元" for r in shaoguan)
    assert not any(f.code == "INVESTMENT_UNIT_SUSPECT" for r in shaoguan for f in analysis.findings_of(r))


def test_cli_writes_report_and_json(tmp_path, capsys):
    report, out = tmp_path / "report.xlsx", tmp_path / "out.json"
    code = main(["check", str(SAMPLE), "-o", str(report), "--json", str(out), "--round", "2025", "-q"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "佛山市" in printed and "未达标" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == 2 and data["round"] == "2025"
    ids = [r["id"] for r in data["records"]]
    assert len(ids) == len(set(ids)) == 96
    project = next(r for r in data["records"] if r["kind"] == "project")
    assert set(project["source"]) >= {"file", "sheet", "row"}
    assert "项目建设内容" in project["fields"]
    assert {c["city"] for c in data["cities"]} == {"佛山市", "汕头市", "韶关市"}
    assert all(c["quota_ok"] is False for c in data["cities"])
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["记录", "问题清单", "地市汇总", "疑似重复", "无法读取的文件"]
    findings = wb["问题清单"]
    codes = {findings.cell(r, 2).value for r in range(2, findings.max_row + 1)}
    assert {e["code"] for e in EXPECTED} <= codes
    # 位置: the sheet and the cell
    cells = {(findings.cell(r, 2).value, findings.cell(r, 8).value.rsplit(" · ", 1)[-1])
             for r in range(2, findings.max_row + 1) if findings.cell(r, 8).value}
    assert ("LOCATION_NOT_GUANGDONG", "D10") in cells


def test_record_ids_stable_across_runs():
    a = [r.id for r in analyse([SAMPLE], 2025).records]
    b = [r.id for r in analyse([SAMPLE], 2025).records]
    assert a == b


def test_flags_exactly_the_planted_duplicate_pairs(analysis):
    # the sample plants one recycled project (佛山 row 7 ↔ 汕头 row 4, a light edit); its eight 典型做法 follow the
    # one template with different facts and must not pair on the form's own wording (issue 14)
    planted = {(e["file"], e["row"]) for e in EXPECTED if e["code"] == "DUPLICATE_OF"}
    by_id = {r.id: r for r in analysis.records}
    pairs = [{(by_id[x].source.file, by_id[x].source.row) for x in (p.a, p.b)} for p in analysis.duplicates]
    assert pairs == [planted]
    assert [p.kind for p in analysis.duplicates] == ["light_edit"]
    flagged = {(f.provenance.file, f.provenance.row) for f in analysis.all_findings() if f.code == "DUPLICATE_OF"}
    assert flagged == planted
