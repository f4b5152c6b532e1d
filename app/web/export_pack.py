"""The publicity pack (Word) of the excerpts reviewers picked with “加入宣传汇编”.

Same layout as ``app.publicity.write_docx``: title, table of contents, Heading 1 per direction, Heading 2 per
strategic cluster, the quoted excerpt and a line naming company, city, sector, source and who picked it.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from app.publicity import OTHER, UNKNOWN_INDUSTRY, _toc, start_pack
from nlp.codelists import codelists
from nlp.directions import DIRECTIONS
from nlp.textnorm import company_key

from app.store.views import RETURNED

from .panels import origin_text


def _industry_index(contract: dict) -> dict[str, dict]:
    """company key → the record whose cells name the company's cluster and sector (附件2 first, then 附件1)."""
    index: dict[str, dict] = {}
    for rec in contract.get("records") or []:
        key = company_key(rec.get("company") or "")
        if rec.get("kind") == "enterprise" or (rec.get("kind") == "project" and key not in index):
            index[key] = rec
    return index


def _industry(record: dict, index: dict[str, dict]) -> tuple[str, str]:
    own = record if record.get("kind") in ("project", "enterprise") else \
        index.get(company_key(record.get("company") or ""))
    if own is None:
        return UNKNOWN_INDUSTRY, OTHER
    fields = own.get("fields") or {}
    lists = codelists()
    cluster = lists.cluster(fields.get("所属战略产业集群") or "")
    sector = lists.sector(fields.get("所属行业") or "").sector
    return (cluster.name if cluster else UNKNOWN_INDUSTRY), (sector.name if sector else OTHER)


def _directions(record: dict) -> list[str]:
    tags = record.get("directions") or {}
    return [d for d in DIRECTIONS if (tags.get(d) or {}).get("tag")] or [OTHER]


def write_publicity_pack(entries: list[dict], contract: dict, round_label: str, path: Path) -> Path:
    """Word pack of ``store.publicity()`` entries, grouped by direction → cluster; the excerpts of records whose
    latest decision is 退回修改 are left out (and counted in the note)."""
    from docx.shared import Pt, RGBColor

    index = _industry_index(contract)
    returned = {e.get("record_id") for e in entries if e.get("status") == RETURNED}
    entries = [e for e in entries if e.get("status") != RETURNED]
    note = "按技术改造方向、所属战略产业集群分类编排。摘录均为审核人员从各地报送材料原文中选定，每条注明出处（地市 · 企业 · 文件名）。"
    if returned:
        note += f"审核结论为“退回修改”的{len(returned)}条记录的摘录未收入。"
    doc = start_pack(round_label, note)
    if not entries:
        doc.add_paragraph("（尚未选定宣传摘录：请在“记录”页勾选摘录后点击“加入宣传汇编”。）")
    else:
        _toc(doc)
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for e in entries:
        record = e.get("record") or {}
        cluster, sector = _industry(record, index)
        for d in _directions(record):
            groups[d][cluster].append(dict(e, sector=sector))
    for direction in (*DIRECTIONS, OTHER):
        if direction not in groups:
            continue
        doc.add_heading(f"{direction}改造" if direction != OTHER else "其他", level=1)
        for cluster in sorted(groups[direction]):
            doc.add_heading(cluster, level=2)
            for e in groups[direction][cluster]:
                h = e.get("highlight") or {}
                quote = doc.add_paragraph(style="Intense Quote" if "Intense Quote" in doc.styles else None)
                quote.add_run(h.get("text") or "")
                meta = doc.add_paragraph()
                record = e.get("record") or {}
                src = origin_text(dict(record, city=e.get("city") or record.get("city"),
                                       company=e.get("company") or record.get("company")))
                run = meta.add_run(f"——出处：{src}｜{e['sector']}｜推荐理由：{h.get('why') or ''}"
                                   f"｜选定：{e.get('picked_by') or ''}")
                run.font.size = Pt(9)
                run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    doc.save(path)
    return Path(path)
