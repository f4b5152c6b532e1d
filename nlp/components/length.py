"""jigai_length: the 字数 against the form's limit (LEN_OVER_LIMIT, the ``overflow`` layer), near-empty text
(TEXT_NEAR_EMPTY), a text read only in part (TEXT_TOO_LONG) and a project text that only restates the project's
name (TEXT_RESTATES_NAME)."""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from ..counting import char_count, offset_after, wps_count
from ..doc import add_span
from . import COMPONENT_KEYS, defaults, emit, label, validated

NAME = "jigai_length"
KEYS = ("project_limit", "practice_limit", "near_empty_chars")
COMPONENT_KEYS[NAME] = ("narrative", KEYS)
#: how the notice words each limit (programme-notice.txt): in 字数, which is what WPS/Word's 字数统计 counts
NOTICE_WORDING = {300: "字数不超过300字", 1500: "总字数不超过1500字"}


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).replace("项目", "")


class Length:
    #: the span groups it writes
    layers = ("overflow",)

    def __init__(self, project_limit: int, practice_limit: int, near_empty_chars: int):
        self.limits = {"project": project_limit, "practice": practice_limit}
        self.near_empty_chars = near_empty_chars

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        doc.spans["overflow"] = []
        text = ext.text
        if ext.kind == "project" and not text.strip():
            return doc  # FIELD_MISSING says it
        limit = self.limits.get(ext.kind, self.limits["practice"])
        ext.limit = limit
        chars, wps = char_count(text), wps_count(text)
        counts = {"chars": chars, "wps": wps, "limit": limit}
        name = label(doc)
        if wps > limit:
            start = offset_after(text, limit, by="wps")
            emit(doc, NAME, "LEN_OVER_LIMIT", f"{name}超过{limit}字：WPS/Word“字数统计”为{wps}字，超出{wps - limit}字"
                 f"（不计空格的字符数为{chars}）", start, len(text), severity="error", measure="wps", **counts)
            add_span(doc, "overflow", start, len(text), "wps", data={"severity": "error", **counts})
        elif chars > limit:
            start = offset_after(text, limit)
            wording = NOTICE_WORDING.get(limit, f"字数不超过{limit}字")
            emit(doc, NAME, "LEN_OVER_LIMIT",
                 f"{name}WPS/Word“字数统计”为{wps}字，未超过{limit}字；但不计空格的字符数为{chars}，"
                 f"超出{chars - limit}个（半角字母、数字逐个计，如“2.85”计4个）。通知要求“{wording}”，"
                 f"以WPS/Word“字数统计”为准，此处仅提示", start, len(text), severity="warning", measure="chars", **counts)
            add_span(doc, "overflow", start, len(text), "chars", data={"severity": "warning", **counts})
        elif 0 < chars < self.near_empty_chars:
            emit(doc, NAME, "TEXT_NEAR_EMPTY", f"{name}仅{chars}字，内容过短", 0, len(text))
        if ext.cap < len(text):
            emit(doc, NAME, "TEXT_TOO_LONG",
                 f"{name}长达{len(text)}个字符，远超字数限制；只分析了前{ext.cap}个字符（章节、数据、改造方向和查重比对），"
                 f"其后{len(text) - ext.cap}个字符未分析（字数按全文统计）", ext.cap, len(text),
                 length=len(text), analysed=ext.cap)
        record = ext.record
        if ext.kind == "project" and record is not None:
            name_norm, norm = _norm(record.name), _norm(text)
            if name_norm and norm and (norm in name_norm or (name_norm in norm and len(norm) <= len(name_norm) + 8)):
                emit(doc, NAME, "TEXT_RESTATES_NAME", f"{ext.field}只是重复项目名称，没有实质内容", 0, len(text))
        return doc


@Language.factory(NAME, default_config=defaults("narrative", *KEYS))
def make_length(nlp: Language, name: str, project_limit: int, practice_limit: int, near_empty_chars: int) -> Length:
    """``project_limit`` / ``practice_limit``: the form's limits on 字数 (NarrativeConfig); ``near_empty_chars``:
    below this many characters a text is near-empty."""
    validated(name, "narrative", dict(zip(KEYS, (project_limit, practice_limit, near_empty_chars))))
    return Length(project_limit, practice_limit, near_empty_chars)
