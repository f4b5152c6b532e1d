"""The publicity pack (Word) of the excerpts reviewers picked with “加入宣传汇编”.

Same layout as ``app.publicity.write_docx``, built by its helpers (``start_pack``, ``toc``, ``add_excerpt``; the
industry and directions a record is filed under by ``industry`` and ``directions_of``): title, table of contents,
Heading 1 per direction, Heading 2 per strategic cluster, the quoted excerpt and a line naming company, city,
sector, source and who picked it.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from app.publicity import (OTHER, add_excerpt, directions_of, excerpt_meta, excerpt_origin, industry, industry_index,
                           start_pack, toc)
from nlp.constants import DIRECTIONS

from app.store.views import RETURNED


def write_publicity_pack(entries: list[dict], contract: dict, round_label: str, path: Path) -> Path:
    """Word pack of ``store.publicity()`` entries, grouped by direction → cluster; the excerpts of records whose
    latest decision is 退回修改 are left out (and counted in the note)."""
    index = industry_index(contract.get("records") or [])
    returned = {e.get("record_id") for e in entries if e.get("status") == RETURNED}
    entries = [e for e in entries if e.get("status") != RETURNED]
    note = "按技术改造方向、所属战略产业集群分类编排。摘录均为审核人员从各地报送材料原文中选定，每条注明出处（地市 · 企业 · 文件名）。"
    if returned:
        note += f"审核结论为“退回修改”的{len(returned)}条记录的摘录未收入。"
    doc = start_pack(round_label, note)
    if not entries:
        doc.add_paragraph("（尚未选定宣传摘录：请在“记录”页勾选摘录后点击“加入宣传汇编”。）")
    else:
        toc(doc)
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for e in entries:
        record = e.get("record") or {}
        cluster, sector = industry(record, index)
        for d in directions_of(record):
            groups[d][cluster].append(dict(e, sector=sector))
    for direction in (*DIRECTIONS, OTHER):
        if direction not in groups:
            continue
        doc.add_heading(f"{direction}改造" if direction != OTHER else "其他", level=1)
        for cluster in sorted(groups[direction]):
            doc.add_heading(cluster, level=2)
            for e in groups[direction][cluster]:
                h = e.get("highlight") or {}
                record = e.get("record") or {}
                src = excerpt_origin(dict(record, city=e.get("city") or record.get("city"),
                                          company=e.get("company") or record.get("company")), h)
                add_excerpt(doc, h.get("text") or "", excerpt_meta(src, e["sector"], h.get("why") or "",
                                                                   e.get("picked_by") or ""))
    doc.save(path)
    return Path(path)
