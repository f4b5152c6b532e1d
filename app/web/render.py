"""Narratives as HTML with highlight layers: pure functions of the contract's record dict.

Every piece of submitted text goes through :func:`esc` — HTML metacharacters and the characters that
template engines read (``{ } $ `` ` ``) become entities — so a narrative holding ``<script>`` or a markdown
link shows as plain text. Spans are 0-based character offsets into the field's text, end exclusive; where
spans overlap, the text is cut at every span boundary and each piece carries the classes of all spans
covering it, so overlapping and nested spans never produce badly nested tags.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable

from nlp.constants import ALL_NARRATIVE_FIELDS as NARRATIVE_FIELDS

#: highlight layers: key → what the reviewer sees in the layer switch
LAYERS = {"evidence": "量化数据", "sections": "必备内容", "directions": "方向依据", "sensitive": "不宜公开",
          "overflow": "超出字数"}
DIRECTION_CLASS = {"智能化": "d-smart", "数字化": "d-digital", "绿色化": "d-green"}
FIELD_ZH = {"text": "典型做法全文"}
_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;", "\\": "&#92;"})


def esc(value) -> str:
    """Text made safe for HTML (attribute or element content) and for Gradio's HTML templates."""
    return html.escape("" if value is None else str(value), quote=True).translate(_EXTRA)


def field_label(name: str) -> str:
    return FIELD_ZH.get(name, name)


@dataclass(frozen=True)
class Mark:
    """One highlighted span: [start, end) of a field's text, with its CSS classes and tooltip."""

    start: int
    end: int
    layer: str
    css: str
    title: str


def _bounds(item: dict) -> tuple[int, int] | None:
    """[start, end) of a contract span, or None when it has none (or an empty one)."""
    start, end = item.get("start"), item.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or end <= start:
        return None
    return start, end


# Each layer yields (field, span, css, title): the field is the one the contract names on the span (findings,
# evidence, sensitive content, direction reasons); a 典型做法's sections and points are spans of its one text.

def _evidence(data: dict):
    for e in data.get("evidence") or []:
        change = ""
        if e.get("before") is not None and e.get("after") is not None:
            change = f"：{e['before']}→{e['after']}{e.get('unit') or ''}"
        yield e.get("field"), e, "l-evidence", f"量化数据{change}"


def _sections(data: dict):
    for label, s in (data.get("sections") or {}).items():
        if s.get("present"):
            yield "text", s, "l-section", f"部分：{label}"
    for label, sub in (data.get("subsections") or {}).items():
        for sp in sub.get("spans") or []:
            yield "text", sp, "l-subpart", f"要点：{sp.get('label') or label}"


def _directions(data: dict):
    for direction, info in (data.get("directions") or {}).items():
        css = DIRECTION_CLASS.get(direction, "d-other")
        for r in info.get("reasons") or []:
            how = "隐含依据" if r.get("kind") == "implicit" else "关键词"
            yield r.get("field"), r, f"l-direction {css}", f"{direction}（{how}）"


def _sensitive(data: dict):
    for s in data.get("sensitive") or []:
        yield s.get("field"), s, "l-sensitive", f"不宜公开：{s.get('reason') or s.get('label') or ''}"


def _overflow(data: dict):
    for f in data.get("findings") or []:
        if f.get("code") == "LEN_OVER_LIMIT":
            yield f.get("field"), f, "l-overflow", ("超出字数限制的部分" if f.get("severity") != "warning"
                                                    else "按不计空格字符数超出的部分（字数统计未超，仅提示）")


_LAYER_MARKS = {"evidence": _evidence, "sections": _sections, "directions": _directions, "sensitive": _sensitive,
                "overflow": _overflow}


def marks_by_field(data: dict, layers: Iterable[str]) -> dict[str, list[Mark]]:
    """The marks of the chosen layers, per field: each span of the contract on the field it names."""
    chosen, out = set(layers), {}
    for layer in LAYERS:
        if layer in chosen:
            for name, item, css, title in _LAYER_MARKS[layer](data):
                if name and (se := _bounds(item)) is not None:
                    out.setdefault(name, []).append(Mark(*se, layer, css, title))
    return out


def marks_for(data: dict, name: str, layers: Iterable[str]) -> list[Mark]:
    """The marks of the chosen layers on one field of a record."""
    return marks_by_field(data, layers).get(name, [])


def highlight(text: str, marks: Iterable[Mark], tags: dict[int, str] | None = None) -> str:
    """``text`` as escaped HTML with every mark applied; ``tags``: ready HTML inserted before an offset."""
    text = text or ""
    n = len(text)
    marks = [Mark(max(0, m.start), min(n, m.end), m.layer, m.css, m.title) for m in marks]
    marks = [m for m in marks if m.start < m.end]
    tags = {min(max(0, k), n): v for k, v in (tags or {}).items()}
    cuts = sorted({0, n, *(m.start for m in marks), *(m.end for m in marks), *tags})
    out = []
    for a, b in zip(cuts, cuts[1:] + [n]):
        if a in tags:
            out.append(tags.pop(a))
        if a >= b:
            continue
        active = [m for m in marks if m.start <= a and m.end >= b]
        piece = esc(text[a:b])
        if not active:
            out.append(piece)
            continue
        classes = " ".join(dict.fromkeys(c for m in active for c in m.css.split()))
        layers = " ".join(dict.fromkeys(m.layer for m in active))
        title = "；".join(dict.fromkeys(m.title for m in active))
        out.append(f'<span class="m {classes}" data-layers="{layers}" data-start="{a}" data-end="{b}" '
                   f'title="{esc(title)}">{piece}</span>')
    return "".join(out)


def section_tags(data: dict, name: str, layers: Iterable[str]) -> dict[int, str]:
    """Badges naming each 典型做法 section where it starts (sections layer only)."""
    if "sections" not in set(layers) or name != "text":
        return {}
    tags: dict[int, str] = {}
    for label, s in (data.get("sections") or {}).items():
        if s.get("present") and isinstance(s.get("start"), int):
            tags[s["start"]] = tags.get(s["start"], "") + f'<span class="sec-tag">{esc(label)}</span>'
    return tags


def narrative_fields(data: dict) -> list[str]:
    """The narrative fields of a record (those with counts, else the known ones), in order."""
    fields = data.get("fields") or {}
    return [n for n in dict.fromkeys((*(data.get("counts") or {}), *NARRATIVE_FIELDS)) if n in fields]


def _count_line(data: dict, name: str) -> str:
    """The field's 字数 and its limit as the contract's ``counts`` give them; red when the engine's LEN_OVER_LIMIT
    on the field is an error (over by the 字数统计; a warning is over by characters only)."""
    count = (data.get("counts") or {}).get(name)
    if not count:
        return ""
    over_limit = [f for f in data.get("findings") or [] if f.get("code") == "LEN_OVER_LIMIT" and f.get("field") == name]
    limit = count.get("limit") or next(((f.get("data") or {}).get("limit") for f in over_limit), None)
    over = any(f.get("severity") == "error" for f in over_limit)
    text = f"字数{count.get('wps')}（不计空格字符数{count.get('chars')}）" + (f"，限{limit}字" if limit else "")
    return f'<span class="count{" over" if over else ""}">{esc(text)}</span>'


def legend(layers: Iterable[str]) -> str:
    chosen = [k for k in LAYERS if k in set(layers)]
    if not chosen:
        return '<div class="legend">未选择高亮图层</div>'
    chips = []
    for k in chosen:
        if k == "directions":
            chips += [f'<span class="m l-direction {c}">{esc(d)}</span>' for d, c in DIRECTION_CLASS.items()]
        elif k == "sections":
            chips += ['<span class="sec-tag">必备部分</span>', '<span class="m l-subpart">要点</span>']
        else:
            chips.append(f'<span class="m l-{k}">{esc(LAYERS[k])}</span>')
    return '<div class="legend">图例：' + " ".join(chips) + "</div>"


def aspects_legend(data: dict) -> str:
    aspects = data.get("aspects") or {}
    if not aspects:
        return ""
    quantified = data.get("aspects_quantified") or {}
    rows = []
    for name, found in aspects.items():
        q = set(quantified.get(name) or [])
        chips = " ".join(f'<span class="aspect{" q" if a in q else ""}">{esc(a)}</span>' for a in found) or "（无）"
        rows.append(f"<div>{esc(field_label(name))}已涉及：{chips}</div>")
    return '<div class="aspects">' + "".join(rows) + '<div class="hint">加粗为有量化数据的要素</div></div>'


def render_narratives(data: dict, layers: Iterable[str]) -> str:
    """All narratives of a record with the chosen highlight layers, a legend and the aspects covered."""
    layers = list(layers or [])
    fields = data.get("fields") or {}
    names = narrative_fields(data)
    if not names:
        return '<div class="narr-empty">该记录没有叙述性文字（示范企业汇总表只有登记信息）。</div>'
    parts = [legend(layers)]
    marks = marks_by_field(data, layers)
    for name in names:
        body = highlight(fields.get(name) or "", marks.get(name, []), section_tags(data, name, layers))
        parts.append(f'<div class="narr-field"><div class="narr-head">{esc(field_label(name))} '
                     f'{_count_line(data, name)}</div><div class="narr" data-field="{esc(name)}">{body}</div></div>')
    parts.append(aspects_legend(data))
    return '<div class="jg">' + "".join(parts) + "</div>"
