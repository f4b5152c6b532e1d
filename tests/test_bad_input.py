"""Bad input: each gives a one-line reason naming the file, and the good files of the batch are still read."""
import io
import zipfile

import openpyxl
import pytest

from builders import PRACTICE, project_row, write_docx, write_template_xlsx
from nlp.ingest import ingest


@pytest.fixture()
def batch(tmp_path):
    """A folder with one good 附件1; each test adds one bad file beside it."""
    folder = tmp_path / "batch"
    folder.mkdir()
    write_template_xlsx(folder / "good.xlsx", [project_row(1), project_row(2)])
    return folder


def _run(folder, bad_name: str, phrase: str):
    result = ingest([folder])
    assert len(result.projects) == 2, "the good file of the batch is still read in full"
    (failure,) = result.failures
    assert failure.file.endswith(bad_name)
    assert phrase in failure.reason, failure.reason
    assert "\n" not in failure.reason
    return failure


def test_not_a_spreadsheet(batch):
    (batch / "附件1.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    _run(batch, "附件1.xlsx", "不是可识别的表格或文档文件")


def test_corrupt_xlsx(batch):
    data = (batch / "good.xlsx").read_bytes()
    (batch / "broken.xlsx").write_bytes(data[: len(data) // 2])
    _run(batch, "broken.xlsx", "已损坏")


def test_password_protected_xlsx(batch, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(batch / "good.xlsx", "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    (batch / "locked.xlsx").write_bytes(out.getvalue())
    _run(batch, "locked.xlsx", "密码")


@pytest.mark.parametrize("name,inner", [("bomb.xlsx", "xl/workbook.xml"), ("bomb.docx", "word/document.xml")])
def test_zip_bomb_refused_before_expanding(batch, name, inner):
    with zipfile.ZipFile(batch / name, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(inner, "<x/>")
        zf.writestr("xl/sharedStrings.xml", b"\0" * (30 << 20))  # 30 MB of zeros: ratio ≈ 1000
    _run(batch, name, "压缩炸弹")


def test_zip_with_too_many_entries_refused(batch):
    with zipfile.ZipFile(batch / "many.xlsx", "w") as zf:
        zf.writestr("xl/workbook.xml", "<x/>")
        for i in range(20_001):
            zf.writestr(f"xl/e{i}", "")
    _run(batch, "many.xlsx", "文件过多")


def test_xml_entity_expansion_refused(batch):
    """A billion-laughs DOCTYPE in the workbook part: refused at once, nothing expanded."""
    bomb = ('<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 9)) + "]>")
    src = zipfile.ZipFile(batch / "good.xlsx")
    with zipfile.ZipFile(batch / "evil.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = bomb.encode() + data.replace(b'name="Sheet1"', b'name="&lol8;"')
            dst.writestr(item, data)
    _run(batch, "evil.xlsx", "已拒绝")


def test_xlsx_without_recognisable_header(batch):
    wb = openpyxl.Workbook()
    for row in [["姓名", "年龄"], ["张三", 30]]:
        wb.active.append(row)
    wb.save(batch / "other.xlsx")
    _run(batch, "other.xlsx", "未找到可识别的表头")


def test_empty_sheet(batch):
    openpyxl.Workbook().save(batch / "empty.xlsx")
    _run(batch, "empty.xlsx", "表格为空")


def test_docx_with_only_images(batch, tmp_path):
    import base64

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (tmp_path / "p.png").write_bytes(png)
    from docx import Document
    doc = Document()
    doc.add_picture(str(tmp_path / "p.png"))
    doc.save(batch / "scan.docx")
    _run(batch, "scan.docx", "只有图片")


def test_empty_file(batch):
    (batch / "zero.xlsx").write_bytes(b"")
    _run(batch, "zero.xlsx", "文件为空")


def test_html_disguised_as_xls(batch):
    (batch / "export.xls").write_text("<html><body><table><tr><td>项目名称</td></tr></table></body></html>")
    _run(batch, "export.xls", "HTML")


def test_missing_path_reported(tmp_path):
    result = ingest([tmp_path / "nope.xlsx"])
    assert result.failures and "不存在" in result.failures[0].reason


BIG_SHEET = """
import resource, sys, time
import openpyxl
from nlp.ingest import ingest
path = sys.argv[1]
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("Sheet1")
ws.append(["序号", "项目名称", "项目承担单位", "项目建设地点", "项目建设内容", "技术改造实施效果"])
for i in range(50_000):
    ws.append([i + 1, f"项目{i}", f"公司{i % 900}", "佛山市顺德区", f"新建生产线{i}条", f"效率提升{i % 90}%"])
wb.save(path)
del wb, ws
def peak_kib():
    # VmHWM belongs to this address space (reset by exec); ru_maxrss would carry the forking parent's size
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = peak_kib()
result = ingest([path])
after = peak_kib()
print(len(result.records), result.records[-1].source.row, len(result.failures), before, after)
"""


@pytest.mark.slow
def test_50000_row_sheet_is_streamed_with_bounded_memory(tmp_path):
    """Read in a fresh process so that peak memory (VmHWM) is the reading's own."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", BIG_SHEET, str(tmp_path / "big.xlsx")], capture_output=True,
                         text=True, check=True, timeout=300).stdout.split()
    records, last_row, failures, before_kib, after_kib = map(int, out)
    assert (records, last_row, failures) == (50_000, 50_001, 0)
    # the records themselves are kept; what is bounded is the reading (no whole-sheet DOM in memory)
    assert after_kib < 300 * 1024, f"peak {after_kib / 1024:.0f} MiB"


@pytest.mark.parametrize("shift", [0, 1, 2])
def test_csv_with_bom_is_text_wherever_the_sniffed_sample_cuts_a_character(tmp_path, shift):
    # the sniffer reads 8,192 bytes; with a BOM, a Chinese character cut at that boundary is still text
    from builders import write_csv

    path = write_csv(tmp_path / "佛山市-附件1.csv", [project_row(1, 项目建设内容="a" * shift + "新建产线" * 3000)])
    result = ingest([path])
    assert not result.failures and len(result.projects) == 1
