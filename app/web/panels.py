"""The record view's other panels as HTML: header, findings, directions, duplicates, excerpts, history.

Pure functions of the contract's dicts (and the store's RecordView parts); all text escaped with ``esc``.
"""
from __future__ import annotations

from typing import Iterable

from nlp.constants import CODES, SEVERITY_RANK, SEVERITY_ZH
from nlp.constants import DUPLICATE_KIND_SHORT as DUP_KIND_ZH
from nlp.constants import RECORD_KIND_ZH as KIND_ZH

from .render import DIRECTION_CLASS, esc, field_label, highlight, Mark, narrative_fields

CHANGED_ZH = {"company": "企业", "city": "地市", "place": "地点", "figures": "数据"}
VERDICT_ZH = {"accept": "确认", "reject": "否定", "add": "补充"}


def source_text(source: dict | None) -> str:
    if not source:
        return ""
    return " · ".join(str(p) for p in (source.get("file"), place_text(source)) if p)


def where_text(source: dict | None) -> str:
    """'文件名 · sheet · 第N行': the record view's 出处, without internal folders."""
    return " · ".join(p for p in (file_name(source), place_text(source)) if p)


def file_name(source: dict | None) -> str:
    """The file's own name, without the folders it was uploaded or loaded from (``2025/sample/佛山市/…``) or the
    zip it came in."""
    name = str((source or {}).get("file") or "")
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def place_text(source: dict | None) -> str:
    """Where in the file: 'sheet · cell' (or 第N行, 第N段)."""
    source = source or {}
    place = source.get("cell") or (f"第{source['row']}行" if source.get("row") else "") or \
        (f"第{source['paragraph'] + 1}段" if isinstance(source.get("paragraph"), int) else "")
    return " · ".join(str(p) for p in (source.get("sheet"), place) if p)


def origin_text(record: dict, source: dict | None = None) -> str:
    """出处 as the exports print it: 地市 · 企业 · 文件名 (``source`` defaults to the record's)."""
    return " · ".join(p for p in (record.get("city") or "", record.get("company") or "",
                                  file_name(source or record.get("source"))) if p)


def finding_message(f: dict) -> str:
    """A finding's message with the other record's file named without its folders (``sample/佛山市/…``)."""
    message = f.get("message") or ""
    other = ((f.get("data") or {}).get("other_source") or {}).get("file")
    return message.replace(other, file_name({"file": other})) if other else message


def changed_text(changed: dict | None) -> str:
    """What a light edit changed, with Chinese labels ("企业：A → B；数据：2000 → 1800"); a pair with another
    city's record has the kinds only ("改动了：企业、数据")."""
    changed = changed or {}
    if changed and not any(changed.values()):
        return "改动了：" + "、".join(CHANGED_ZH.get(k, "其他") for k in changed)
    return "；".join(f"{CHANGED_ZH.get(k, '其他')}：{'，'.join(v)}" for k, v in changed.items() if v)


def severity_badge(severity: str | None) -> str:
    if not severity:
        return '<span class="sev sev-none">无问题</span>'
    return f'<span class="sev sev-{esc(severity)}">{esc(SEVERITY_ZH.get(severity, severity))}</span>'


def render_header(data: dict, status: str = "", decision=None) -> str:
    """Kind, city, company, project, source, and the current decision."""
    fields = data.get("fields") or {}
    rows = [("类型", KIND_ZH.get(data.get("kind"), data.get("kind") or "")), ("地市", data.get("city") or "（未识别）"),
            ("企业", data.get("company") or ""), ("项目", fields.get("项目名称") or ""),
            ("出处", where_text(data.get("source"))), ("记录编号", data.get("id") or "")]
    if decision is not None:
        rows.append(("审核结论", f"{decision.status}（{decision.reviewer}，{_when(decision.at)}，第{decision.version}版）"))
        if decision.note:
            rows.append(("审核意见", decision.note))
    elif status:
        rows.append(("审核结论", status))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<div class="jg"><table class="kv">{body}</table></div>'


def render_fields(data: dict) -> str:
    """The record's other cells (not the narratives) as a two-column table."""
    skip = set(narrative_fields(data))
    items = [(k, v) for k, v in (data.get("fields") or {}).items() if k not in skip]
    items += list((data.get("extra") or {}).items())
    if not items:
        return ""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in items)
    return f'<div class="jg"><details><summary>表格其他栏目</summary><table class="kv">{body}</table></details></div>'


def _when(at) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if hasattr(at, "strftime") else str(at or "")


def render_findings(findings: Iterable[dict]) -> str:
    """The findings, most severe first: severity, title, message, field and place."""
    items = sorted(findings or [], key=lambda f: -SEVERITY_RANK.get(f.get("severity"), 0))
    if not items:
        return '<div class="jg"><p class="ok">未发现问题。</p></div>'
    rows = []
    for f in items:
        info = CODES.get(f.get("code"))
        where = field_label(f.get("field")) if f.get("field") else ""
        src = (f.get("source") or {}).get("cell") or ""
        rows.append(f"<tr><td>{severity_badge(f.get('severity'))}</td><td>{esc(info.title if info else f.get('code'))}"
                    f"<div class=\"code\">{esc(f.get('code'))}</div></td><td>{esc(finding_message(f))}</td>"
                    f"<td>{esc(' '.join(p for p in (where, src) if p))}</td></tr>")
    return ('<div class="jg"><table class="grid"><tr><th>级别</th><th>问题</th><th>说明</th><th>位置</th></tr>'
            + "".join(rows) + "</table></div>")


def render_directions(data: dict, reviews: dict | None = None) -> str:
    """Declared vs inferred directions with score, the terms found, and reviewers' verdicts."""
    directions = data.get("directions") or {}
    if not directions:
        return '<div class="jg"><p>该类记录不识别改造方向。</p></div>'
    declared = data.get("declared_directions") or {}
    reviews = reviews or {}
    rows = []
    for d, info in directions.items():
        dec = declared.get(d, info.get("declared"))
        tag = bool(info.get("tag"))
        dec_text = "—" if dec is None else ("是" if dec else "否")
        mismatch = dec is not None and bool(dec) != tag
        terms = "、".join(dict.fromkeys(r.get("text") or "" for r in info.get("reasons") or []))
        review = reviews.get(d)
        rv = ""
        if review:
            rv = f"{VERDICT_ZH.get(review.get('verdict'), review.get('verdict'))}（{review.get('reviewer')}，" \
                 f"{_when(review.get('at'))}）" + (f"：{review.get('note')}" if review.get("note") else "")
        score = info.get("score")
        score = f"{score:.2f}" if isinstance(score, (int, float)) else ""
        rows.append(f'<tr class="{"mismatch" if mismatch else ""}"><td><span class="m l-direction '
                    f'{DIRECTION_CLASS.get(d, "d-other")}">{esc(d)}</span></td><td>{esc(dec_text)}</td>'
                    f'<td>{"是" if tag else ("建议（无文字依据，仅供参考）" if info.get("suggested") else "否")}</td><td>{esc(score)}</td>'
                    f"<td>{esc(terms) or '—'}</td><td>{esc(rv)}</td></tr>")
    return ('<div class="jg"><table class="grid"><tr><th>方向</th><th>申报</th><th>识别</th><th>得分</th><th>文字依据</th>'
            '<th>复核</th></tr>' + "".join(rows) + '</table><div class="hint">红色行：申报与识别不一致</div></div>')


def _side(pair: dict, record_id: str) -> tuple[str, str]:
    return ("a", "b") if pair.get("a") == record_id else ("b", "a")


def _dup_column(title: str, data: dict, pair: dict, side: str) -> str:
    fields = data.get("fields") or {}
    marks: dict[str, list[Mark]] = {}
    for i, s in enumerate(pair.get("shared") or [], start=1):
        name, start, end = s.get(f"{side}_field"), s.get(f"{side}_start"), s.get(f"{side}_end")
        if name in fields and isinstance(start, int) and isinstance(end, int):
            marks.setdefault(name, []).append(Mark(start, end, "shared", "l-shared", f"相同段落{i}"))
    names = list(marks) or [n for n in narrative_fields(data) if n != "项目名称"]
    body = "".join(f'<div class="narr-head">{esc(field_label(n))}</div>'
                   f'<div class="narr" data-field="{esc(n)}">{highlight(fields.get(n) or "", marks.get(n, []))}</div>'
                   for n in names)
    return f'<div class="dup-col"><div class="dup-title">{title}</div>{body}</div>'


def render_duplicates(data: dict, pairs: list[dict]) -> str:
    """Each pair side by side (this record left), shared passages highlighted on both sides; what a light
    edit changed. ``pairs``: contract pairs with ``other`` (the other record's dict, or archived info)."""
    record_id = data.get("id")
    if not pairs:
        return '<div class="jg"><p class="ok">未发现疑似重复材料。</p></div>'
    out = []
    for pair in pairs:
        mine, theirs = _side(pair, record_id)
        other = pair.get("other") or {}
        head = f"{DUP_KIND_ZH.get(pair.get('kind'), pair.get('kind') or '')}，相似度{pair.get('score', '')}"
        if pair.get("round") or other.get("round"):
            head = f"与{other.get('round') or pair.get('round')}年已报送材料：" + head
        changed = "" if other.get("restricted") else "".join(
            f"<li>{esc(CHANGED_ZH.get(k, k))}：{esc('；'.join(v))}</li>" for k, v in (pair.get("changed") or {}).items())
        left = _dup_column("本记录", data, pair, mine)
        if other.get("fields"):
            who = f"{esc(other.get('city') or '')} {esc(other.get('company') or '')}" \
                  f"<div class=\"src\">{esc(where_text(other.get('source')))}</div>"
            right = _dup_column(who, other, pair, theirs)
        elif other.get("restricted"):
            right = (f'<div class="dup-col"><div class="dup-title">{esc(other.get("city") or "其他地市")}的材料</div>'
                     f'<p>属于其他地市，无权查看原文。</p></div>')
        elif other.get("missing"):
            right = '<div class="dup-col"><div class="dup-title">对方记录</div><p>该记录已不在本轮材料中。</p></div>'
        else:
            right = (f'<div class="dup-col"><div class="dup-title">往年材料 {esc(pair.get(theirs) or "")}</div>'
                     f'<p>原文保存在往年材料库中。</p></div>')
        out.append(f'<div class="dup"><div class="dup-head">{esc(head)}</div>'
                   + (f'<ul class="changed">{changed}</ul>' if changed else "")
                   + f'<div class="dup-cols">{left}{right}</div></div>')
    return '<div class="jg">' + "".join(out) + "</div>"


def render_excerpts(highlights: list[dict], picked: Iterable[int] = ()) -> str:
    """Candidate publicity excerpts, numbered as in the pick list, picked ones marked."""
    if not highlights:
        return '<div class="jg"><p>没有候选宣传摘录。</p></div>'
    picked = set(picked or [])
    rows = []
    for i, h in enumerate(highlights):
        mark = '<span class="picked">已加入宣传汇编</span>' if i in picked else ""
        rows.append(f'<li class="excerpt"><div>{esc(h.get("text"))}</div><div class="hint">摘录{i + 1} · '
                    f'{esc(field_label(h.get("field") or ""))} · 得分{esc(h.get("score"))} · {esc(h.get("why"))}'
                    f"</div>{mark}</li>")
    return '<div class="jg"><ol class="excerpts">' + "".join(rows) + "</ol></div>"


def render_history(history: list) -> str:
    if not history:
        return '<div class="jg"><p>尚无审核记录。</p></div>'
    rows = "".join(f"<tr><td>{esc(d.version)}</td><td>{esc(d.status)}</td><td>{esc(d.reviewer)}</td>"
                   f"<td>{esc(_when(d.at))}</td><td>{esc(d.note)}</td></tr>" for d in history)
    return ('<div class="jg"><table class="grid"><tr><th>版本</th><th>结论</th><th>审核人</th><th>时间</th><th>意见</th></tr>'
            + rows + "</table></div>")
