"""Read 附件3 典型做法 documents (.docx, .pdf with a text layer, .txt/.md) into PracticeRecords."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..config import DEFAULT_CONFIG, Limits
from ..findings import Provenance
from ..records import FieldValue, PracticeRecord
from .errors import IngestError
from .sheets import decode_text

_COMPANY = re.compile(r"([\u4e00-\u9fa5A-Za-z0-9（）()·]{2,40}?(?:股份有限公司|有限责任公司|有限公司|集团公司|集团|总厂|厂))")
_COMPANY_LABEL = re.compile(r"(?:企业名称|单位名称|企业全称)\s*[:：]\s*([^\s，。；;,]{2,60})")
_FILENAME_NOISE = re.compile(
    r"(附件\s*[0-9一二三3]|示范企业|典型做法|典型经验|百企千项|示范行动|模版|模板|材料|终稿|定稿|修改稿|[0-9]+|[-_—、.\s()（）【】\[\]“”\"]+)")


def _docx_blocks(path: Path, display: str) -> list[str]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(display, f"Word文件已损坏，无法打开（{type(exc).__name__}）") from None
    except Exception as exc:  # lxml refuses entity tricks with its own errors
        raise IngestError(display, f"Word文件内容异常，已拒绝（{type(exc).__name__}）") from None
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            seen: list = []  # the cell elements themselves: ids of freed proxies would be reused
            for row in Table(child, document).rows:
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):
                        continue  # a merged cell is counted once
                    seen.append(cell._tc)
                    blocks.extend(p.text for p in cell.paragraphs)
    return blocks


def _pdf_blocks(path: Path, display: str, limits: Limits) -> list[str]:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfpage import PDFPage

    try:
        with open(path, "rb") as fh:
            pages = sum(1 for _ in PDFPage.get_pages(fh))
        if pages > limits.max_pdf_pages:
            raise IngestError(display, f"PDF共{pages}页，超过单份典型做法的读取上限{limits.max_pdf_pages}页"
                                       f"{_TOO_LONG_HINT}")
        text = extract_text(str(path))
    except IngestError:
        raise
    except Exception as exc:  # pdfminer raises PDFSyntaxError, PSEOF, PDFPasswordIncorrect …
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            raise IngestError(display, "PDF设置了密码，无法读取；请提供Word原件") from None
        raise IngestError(display, f"PDF文件已损坏，无法读取（{name}）") from None
    stripped = re.sub(r"\s+", "", text)
    cids = len(re.findall(r"\(cid:\d+\)", text))
    bad = stripped.count("\ufffd")
    if not stripped:
        raise IngestError(display, "PDF没有文字层（可能是扫描件或图片），无法读取；请提供Word原件")
    if cids * 7 > len(stripped) * 0.05 or bad > len(stripped) * 0.02:
        raise IngestError(display, "PDF文字无法正确提取（字体缺少编码映射，提取结果为乱码），请提供Word原件")
    return [line for line in text.replace("\f", "\n").split("\n")]


#: what a refusal for length adds: why, and what to do
_TOO_LONG_HINT = "（典型做法要求总字数不超过1500字），未读取；请核对是否上传了正确的文件"


def _too_long(display: str, chars: int, limits: Limits) -> IngestError:
    return IngestError(display, f"文字长达{chars}个字符，超过单份典型做法的读取上限{limits.max_document_chars}个字符"
                                f"{_TOO_LONG_HINT}")


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:.1f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.0f} KB"


def _check_size(path: Path, kind: str, display: str, limits: Limits) -> None:
    """Refuse, before anything is decoded or parsed, a file whose bytes already say it is over the cap."""
    cap = limits.max_document_chars
    if kind == "text":
        size = path.stat().st_size
        if size > 4 * cap + 4:  # UTF-8 takes at most 4 bytes a character, GBK 2
            raise IngestError(display, f"文件大小{_size(size)}，文字远超单份典型做法的读取上限{cap}个字符"
                                       f"{_TOO_LONG_HINT}")
    elif kind == "docx":
        try:
            with zipfile.ZipFile(path) as zf:
                size = zf.getinfo("word/document.xml").file_size
        except (zipfile.BadZipFile, KeyError, OSError):
            return  # python-docx says what is wrong
        if size > 200 * cap:  # 200 bytes of XML a character is generous even for heavily formatted runs
            raise IngestError(display, f"Word正文（document.xml）达{_size(size)}，文字远超单份典型做法的读取上限"
                                       f"{cap}个字符{_TOO_LONG_HINT}")


def company_from_filename(path: Path) -> str:
    return _FILENAME_NOISE.sub("", path.stem)


def company_from_text(blocks: list[str]) -> str | None:
    head = "\n".join(b for b in blocks[:40] if b.strip())[:600]
    m = _COMPANY_LABEL.search(head)
    if m:
        return m.group(1)
    m = _COMPANY.search(head)
    return m.group(1) if m else None


def read_document(path: Path, kind: str, display: str, stem: str,
                  limits: Limits = DEFAULT_CONFIG.limits) -> PracticeRecord:
    """One 典型做法 document as a record; its text is the blocks joined by line breaks. A document over
    ``limits.max_document_chars`` characters (or ``max_pdf_pages`` pages) is refused (IngestError)."""
    _check_size(path, kind, display, limits)
    if kind == "docx":
        blocks = _docx_blocks(path, display)
    elif kind == "pdf":
        blocks = _pdf_blocks(path, display, limits)
    else:
        raw = decode_text(path)
        if len(raw) > limits.max_document_chars:
            raise _too_long(display, len(raw), limits)
        blocks = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [b for b in blocks if b.strip()]
    if not kept:
        what = "只有图片或空白，没有文字" if kind == "docx" else "没有文字内容"
        raise IngestError(display, f"文档{what}，无法读取；请提供含文字的Word文档")
    text = "\n".join(kept)
    if len(text) > limits.max_document_chars:
        raise _too_long(display, len(text), limits)
    offsets: list[tuple[int, int]] = []
    pos = 0
    for block in kept:
        offsets.append((pos, pos + len(block)))
        pos += len(block) + 1
    company = company_from_text(kept)
    source = "document"
    if not company:
        company, source = company_from_filename(path), "filename"
    record = PracticeRecord(stem, Provenance(display), {"text": FieldValue(text, text, paragraph=None)},
                            company_name=company, company_source=source, blocks=offsets)
    return record
