"""Know a file by its bytes, not its extension, and refuse zip bombs before anything expands them."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..config import Limits
from .errors import IngestError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

TABLE_KINDS = {"xlsx", "xls", "csv"}
DOCUMENT_KINDS = {"docx", "doc", "pdf", "text"}


@dataclass(frozen=True)
class Sniffed:
    #: xlsx | xls | csv | docx | doc | pdf | text | zip
    kind: str
    note: str = ""


def check_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    """Open a zip container after checking entry count, declared sizes and compression ratios."""
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(name, f"文件已损坏，无法打开（{exc}）") from None
    infos = zf.infolist()
    if len(infos) > limits.zip_max_entries:
        zf.close()
        raise IngestError(name, f"压缩包内文件过多（{len(infos)}个），疑似恶意文件，已拒绝")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size >= limits.zip_ratio_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.zip_max_ratio:
                zf.close()
                raise IngestError(name, f"压缩比异常（{info.filename} 压缩比{ratio:.0f}倍），疑似压缩炸弹，已拒绝")
    if total > limits.zip_max_total_bytes:
        zf.close()
        raise IngestError(name, f"解压后体积过大（{total / 1e9:.1f} GB），疑似压缩炸弹，已拒绝")
    return zf


def _ole_streams(path: Path) -> set[str]:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except Exception as exc:  # olefile raises several kinds on damaged files
        raise IngestError(path.name, f"文件已损坏，无法打开（{exc}）") from None


def _looks_like_text(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        for cut in range(4):  # the sample's end may cut a character (up to 3 of its bytes); positions in
            try:              # utf-8-sig's errors leave out the BOM, so the sample is trimmed, not compared
                head[:len(head) - cut].decode(encoding)
                return encoding
            except UnicodeDecodeError:
                continue
    return None


def sniff(path: Path, limits: Limits) -> Sniffed:
    """What a file really is. Raises IngestError for what cannot be used."""
    name = path.name
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise IngestError(name, f"无法读取文件（{exc.strerror}）") from None
    if not head:
        raise IngestError(name, "文件为空（0字节）")
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC):
        with check_zip(path, limits) as zf:
            names = set(zf.namelist())
        if "xl/workbook.xml" in names:
            return Sniffed("xlsx", "" if suffix in (".xlsx", ".xlsm") else f"扩展名为{suffix}，实为xlsx")
        if "word/document.xml" in names:
            return Sniffed("docx", "" if suffix == ".docx" else f"扩展名为{suffix}，实为docx")
        if suffix in (".xlsx", ".xlsm", ".et", ".docx", ".wps"):
            raise IngestError(name, "不是有效的Office文件（压缩包内缺少工作簿或文档内容）")
        return Sniffed("zip")
    if head.startswith(OLE_MAGIC):
        streams = _ole_streams(path)
        if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
            raise IngestError(name, "文件设置了打开密码，无法读取；请提供未加密的文件")
        if "Workbook" in streams or "Book" in streams:
            return Sniffed("xls")
        if "WordDocument" in streams:
            return Sniffed("doc")
        raise IngestError(name, "无法识别的旧版Office文件（既不是Excel也不是Word）")
    if head.startswith(b"%PDF"):
        return Sniffed("pdf")
    lowered = head[:512].lower()
    if b"<html" in lowered or b"<table" in lowered:
        raise IngestError(name, "文件实为网页（HTML）格式，请在Excel/WPS中另存为 .xlsx 后重新提交")
    if head.startswith(b"{\\rtf"):
        raise IngestError(name, "RTF格式文件，请在Word/WPS中另存为 .docx 后重新提交")
    if _looks_like_text(head):
        if suffix in (".csv", ".tsv"):
            return Sniffed("csv")
        if suffix in (".txt", ".md", ".markdown", ""):
            return Sniffed("text")
        if suffix in (".xlsx", ".xls", ".et"):
            return Sniffed("csv", f"扩展名为{suffix}，实为文本表格")
        raise IngestError(name, f"不支持的文件类型（{suffix or '无扩展名'}）")
    raise IngestError(name, "不是可识别的表格或文档文件（既非Excel/WPS表格，也非Word/PDF/文本）")
