"""附件3 from .docx (paragraphs and tables), .pdf with a text layer, .txt; folders and zips; legacy .doc."""
import os
import stat
import textwrap

import pytest

from builders import PRACTICE, write_docx, write_pdf_cid_only, write_pdf_image_only, write_pdf_text, zip_of
from nlp.ingest import ingest
from nlp.ingest.documents import company_from_filename


def test_docx_paragraphs_in_order_and_company_from_text(tmp_path):
    path = write_docx(tmp_path / "附件3-典型做法.docx", ["“百企千项”示范行动——示范企业典型做法", *PRACTICE.split("\n")])
    (record,) = ingest([path]).records
    assert record.kind == "practice"
    assert record.company == "佛山市测试电器有限公司" and record.company_source == "document"
    assert record.text("text").endswith("1.从痛点工序切入，小步快跑。")
    assert record.city == "佛山市"
    for start, end in record.blocks:
        assert record.text("text")[start:end].strip()


def test_docx_table_with_merged_cell_counted_once(tmp_path):
    body = "公司通过技术改造实现降本增效，人均产值由60万元提升至92万元。"
    path = write_docx(tmp_path / "x.docx", [], table=[["企业名称", "汕头市甲玩具有限公司"], [body, ""]],
                      merge_table_row=1)
    (record,) = ingest([path]).records
    assert record.text("text").count(body) == 1
    assert record.company == "汕头市甲玩具有限公司"


def test_company_from_file_name_when_document_names_none(tmp_path):
    path = write_docx(tmp_path / "附件3-韶关市乙机械有限公司典型做法（定稿）.docx", ["一、企业简介", "本企业成立于2001年。"])
    (record,) = ingest([path]).records
    assert record.company == "韶关市乙机械有限公司" and record.company_source == "filename"
    assert company_from_filename(path) == "韶关市乙机械有限公司"


def test_pdf_with_text_layer(tmp_path):
    path = write_pdf_text(tmp_path / "典型做法.pdf", ["广东测试新材料有限公司典型做法", "一、企业简介", "公司成立于2008年。"])
    result = ingest([path])
    assert result.failures == []
    (record,) = result.records
    assert record.company == "广东测试新材料有限公司"
    assert "一、企业简介" in record.text("text")


@pytest.mark.parametrize("builder,phrase", [(write_pdf_cid_only, "乱码"), (write_pdf_image_only, "没有文字层")])
def test_pdf_without_usable_text_asks_for_word_original(tmp_path, builder, phrase):
    path = builder(tmp_path / "scan.pdf")
    result = ingest([path])
    (failure,) = result.failures
    assert failure.file == "scan.pdf" and phrase in failure.reason and "Word原件" in failure.reason


def test_txt_in_gbk_and_markdown(tmp_path):
    (tmp_path / "a.txt").write_bytes(PRACTICE.encode("gbk"))
    (tmp_path / "b.md").write_text(PRACTICE.replace("佛山市测试电器", "佛山市另一电器"), encoding="utf-8")
    result = ingest([tmp_path])
    assert sorted(r.company for r in result.records) == ["佛山市另一电器有限公司", "佛山市测试电器有限公司"]


def test_folder_and_zip_with_windows_gbk_names(tmp_path):
    doc = write_docx(tmp_path / "src.docx", PRACTICE.split("\n"))
    archive = zip_of(tmp_path / "佛山市材料.zip", {"佛山市/附件3/甲公司典型做法.docx": doc.read_bytes(),
                                                "__MACOSX/._x.docx": b"junk"}, gbk_names=True)
    result = ingest([archive])
    assert result.failures == []
    (record,) = result.records
    assert record.source.file == "佛山市材料.zip/佛山市/附件3/甲公司典型做法.docx"
    assert record.city == "佛山市"


def test_misnamed_files_known_by_their_bytes(tmp_path):
    doc = write_docx(tmp_path / "src.docx", PRACTICE.split("\n"))
    wps = tmp_path / "典型做法.wps"
    wps.write_bytes(doc.read_bytes())  # zip-based WPS document
    result = ingest([wps])
    assert result.failures == [] and result.files[wps.name] == "docx:practice"


def test_legacy_doc_without_libreoffice_gives_clear_message(tmp_path, monkeypatch):
    import olefile  # noqa: F401  (the sniffer reads OLE directories with it)
    monkeypatch.setattr("nlp.ingest.convert.soffice_path", lambda: None)
    doc = tmp_path / "旧版.doc"
    doc.write_bytes(_ole_with_stream("WordDocument"))
    (failure,) = ingest([doc]).failures
    assert "LibreOffice" in failure.reason and ".docx" in failure.reason


def test_legacy_doc_goes_through_soffice_with_own_profile(tmp_path, monkeypatch):
    """A stand-in soffice records its arguments and writes a .docx where LibreOffice would."""
    src = write_docx(tmp_path / "converted.docx", PRACTICE.split("\n"))
    fake = tmp_path / "soffice"
    fake.write_text(textwrap.dedent(f"""\
        #!/usr/bin/env python3
        import sys, shutil, pathlib
        args = sys.argv[1:]
        pathlib.Path({str(tmp_path / 'args.txt')!r}).write_text("\\n".join(args))
        out = pathlib.Path(args[args.index("--outdir") + 1]); out.mkdir(parents=True, exist_ok=True)
        shutil.copy({str(src)!r}, out / (pathlib.Path(args[-1]).stem + ".docx"))
        """))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    doc = tmp_path / "旧版.doc"
    doc.write_bytes(_ole_with_stream("WordDocument"))
    result = ingest([doc])
    assert result.failures == []
    assert result.records[0].company == "佛山市测试电器有限公司"
    args = (tmp_path / "args.txt").read_text().split("\n")
    assert "--headless" in args and any(a.startswith("-env:UserInstallation=file://") for a in args)


def _ole_with_stream(name: str) -> bytes:
    """A minimal OLE2 compound file holding one (empty-ish) stream called ``name``."""
    import struct

    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = bytearray(sector)
    entries = [0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE] + [0xFFFFFFFF] * 125  # FAT, directory, stream data
    struct.pack_into("<128I", fat, 0, *entries)

    def direntry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = entry_name.encode("utf-16-le") + b"\0\0"
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    directory = direntry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + direntry(name, 2, 0xFFFFFFFF, 2, 4096)
    directory += bytes(128) * 2
    data = bytes(sector)
    return bytes(header) + bytes(fat) + directory + data * 8
