"""The publicity pack: the best excerpts of a round grouped by direction → industry, as Word and Excel.

The notice asks the department to publicise replicable experience 分行业、分重点 (by industry and by focus).
Excerpts come from the engine's highlights (nlp.highlights), which never touch content unfit for
publication; each entry names its 出处 (地市 · 企业 · 文件名 · cell or paragraph).

Written from the contract (its records' highlights, directions and industry columns); the review app's Word
export of the picked excerpts (app/web/export_pack.py) is built by the helpers here: ``industry_index``,
``industry``, ``directions_of``, ``start_pack``, ``toc``, ``add_excerpt`` and ``excerpt_meta``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from nlp.constants import DIRECTIONS, codelists
from nlp.textnorm import company_key

from .web.panels import origin_text, place_text

OTHER = "其他"
UNKNOWN_INDUSTRY = "未识别产业集群"


@dataclass
class Entry:
    #: the contract's highlight (field, start, end, text, score, why, source) and its record
    excerpt: dict
    record: dict
    directions: list[str]
    cluster: str
    sector: str
    city: str
    company: str
    source: str

    @property
    def score(self) -> float:
        return float(self.excerpt.get("score") or 0)

    def row(self, direction: str) -> list:
        return [direction, self.cluster, self.sector, self.city, self.company, self.excerpt.get("text") or "",
                self.excerpt.get("why") or "", round(self.score, 3), self.source]


def industry_index(records: Iterable[dict]) -> dict[str, dict]:
    """company key → the contract record whose cells name the company's cluster and sector (its 附件2 row,
    else its first 附件1 row)."""
    index: dict[str, dict] = {}
    for rec in records:
        key = company_key(rec.get("company") or "")
        if rec.get("kind") == "enterprise" or (rec.get("kind") == "project" and key not in index):
            index[key] = rec
    return index


def industry(record: dict, index: dict[str, dict]) -> tuple[str, str]:
    """(cluster, sector) of a contract record: its own columns, else those of its company's 附件2/附件1 row
    (``index`` from :func:`industry_index`)."""
    own = record if record.get("kind") in ("project", "enterprise") else \
        index.get(company_key(record.get("company") or ""))
    if own is None:
        return UNKNOWN_INDUSTRY, OTHER
    fields = own.get("fields") or {}
    lists = codelists()
    cluster = lists.cluster(fields.get("所属战略产业集群") or "")
    sector = lists.sector(fields.get("所属行业") or "").sector
    return (cluster.name if cluster else UNKNOWN_INDUSTRY), (sector.name if sector else OTHER)


def directions_of(record: dict) -> list[str]:
    """The directions a contract record is filed under in a pack: those tagged, else 其他."""
    tags = record.get("directions") or {}
    return [d for d in DIRECTIONS if (tags.get(d) or {}).get("tag")] or [OTHER]


def excerpt_origin(record: dict, highlight: dict) -> str:
    """出处 of an excerpt: 地市 · 企业 · 文件名, then the cell or paragraph it was read in (when the contract says)."""
    source = highlight.get("source") or record.get("source")
    return " · ".join(p for p in (origin_text(record, source), place_text(source)) if p)


def excerpt_meta(origin: str, sector: str, why: str, picked_by: str | None = None) -> str:
    """The small line under an excerpt in both packs."""
    return f"——出处：{origin}｜{sector}｜推荐理由：{why}" + (f"｜选定：{picked_by}" if picked_by is not None else "")


def collect(contract: dict, per_record: int = 2) -> list[Entry]:
    """The best ``per_record`` excerpts of every record of a contract, with what they are filed under."""
    records = contract.get("records") or []
    index = industry_index(records)
    entries = []
    for rec in records:
        picks = (rec.get("highlights") or [])[:per_record]
        if not picks:
            continue
        directions = directions_of(rec)
        cluster, sector = industry(rec, index)
        for h in picks:
            entries.append(Entry(h, rec, directions, cluster, sector, rec.get("city") or OTHER,
                                 rec.get("company") or "", excerpt_origin(rec, h)))
    return entries


def grouped(entries: list[Entry], key: str, per_group: int) -> dict[str, list[Entry]]:
    """The top ``per_group`` entries per direction, cluster, sector or city, best first."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        names = e.directions if key == "direction" else [getattr(e, key)]
        for name in names:
            groups[name].append(e)
    return {name: sorted(items, key=lambda e: -e.score)[:per_group] for name, items in sorted(groups.items())}


def toc(doc) -> None:
    """A Word table-of-contents field (Heading 1–2), filled in when Word updates fields."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = doc.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), 'TOC \\o "1-2" \\h \\z \\u')
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "（目录：在Word中右键“更新域”生成）"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def start_pack(round_label, note: str):
    """A new Word document with the pack's centred title and its small-print note."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    title = doc.add_heading(f"工业技术改造“百企千项”示范行动典型经验汇编（{round_label}年）", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(note).runs[0].font.size = Pt(10)
    return doc


def write_docx(round_label: str, entries: list[Entry], path: Path, per_group: int = 3) -> None:
    """Word pack: title, table of contents, Heading 1 per direction, Heading 2 per cluster, quoted excerpts."""
    doc = start_pack(round_label, "按技术改造方向、所属战略产业集群分类编排。摘录均出自各地报送材料原文，"
                                     "已剔除联系方式、人员姓名及疑似涉密内容；每条注明出处（地市 · 企业 · 文件名 · 位置）。")
    toc(doc)
    for direction in (*DIRECTIONS, OTHER):
        in_direction = [e for e in entries if direction in e.directions]
        if not in_direction:
            continue
        doc.add_heading(f"{direction}改造" if direction != OTHER else "其他", level=1)
        for cluster, items in grouped(in_direction, "cluster", per_group).items():
            doc.add_heading(cluster, level=2)
            for e in items:
                add_excerpt(doc, e.excerpt.get("text") or "", excerpt_meta(e.source, e.sector, e.excerpt.get("why") or ""))
    doc.save(path)


def add_excerpt(doc, text: str, meta: str) -> None:
    """One entry of a pack: the excerpt as a quote, then its small grey line (company, source, reason)."""
    from docx.shared import Pt, RGBColor

    quote = doc.add_paragraph(style="Intense Quote" if "Intense Quote" in doc.styles else None)
    quote.add_run(text)
    run = doc.add_paragraph().add_run(meta)
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)


def write_xlsx(entries: list[Entry], path: Path, per_group: int = 3) -> None:
    """Excel pack: every excerpt, then the top excerpts by direction, cluster, sector and city."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from .report_excel import put

    header = ["方向", "产业集群", "所属行业", "地市", "企业", "摘录", "推荐理由", "得分", "出处"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = {"全部摘录": None, "按方向": "direction", "按产业集群": "cluster", "按行业": "sector", "按地市": "city"}
    for title, key in sheets.items():
        ws = wb.create_sheet(title)
        for ci, text in enumerate(header, start=1):
            put(ws, 1, ci, text).font = Font(bold=True)
        rows = []
        if key is None:
            rows = [e.row("、".join(e.directions)) for e in sorted(entries, key=lambda e: -e.score)]
        else:
            for name, items in grouped(entries, key, per_group).items():
                rows += [e.row(name if key == "direction" else "、".join(e.directions)) for e in items]
        for r, row in enumerate(rows, start=2):
            for ci, value in enumerate(row, start=1):
                put(ws, r, ci, value).alignment = Alignment(wrap_text=ci == 6, vertical="top")
        for ci, width in enumerate((10, 14, 22, 8, 28, 80, 40, 6, 50), start=1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(ci)].width = width
        ws.freeze_panes = "A2"
    wb.save(path)
