"""jigai_sections: a 典型做法's three sections and their sub-parts (nlp.sections, by headings and by content),
the ``sections`` and ``subsections`` layers; SECTION_MISSING and SUBPART_MISSING."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..doc import add_span, analysed_text
from ..sections import detect_sections, detect_subparts
from . import emit, partly

NAME = "jigai_sections"
SECTION_NAMES = ("企业简介", "技术改造情况", "经验做法")
SUBPART_ZH = {"无事故说明": "近三年无重大及以上事故的说明", "投入与时间段": "技术改造投入及时间段",
              "顶层设计与路径": "顶层设计、改造路径和目标规划", "成效数据": "技术改造成效数据",
              "典型案例": "1-2个典型案例", "分条经验": "分条提炼的经验做法"}


class Sections:
    #: the span groups it writes
    layers = ("sections", "subsections")

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        doc.spans["sections"], doc.spans["subsections"] = [], []
        if ext.kind != "practice":
            return doc
        part, note = analysed_text(doc), partly(doc)
        sections = detect_sections(part)
        subparts = detect_subparts(part, sections)
        ext.sections, ext.subparts = sections, subparts
        for name, s in sections.items():
            if s.present and s.start is not None and s.end is not None and s.end > s.start:
                heading = [s.heading.start, s.heading.end] if s.heading is not None else None
                add_span(doc, "sections", s.start, s.end, name, data={"how": s.how, "heading": heading})
        for sub, result in subparts.items():
            for span in result.spans:
                add_span(doc, "subsections", span.start, span.end, sub, data=dict(span.data))
        for section in SECTION_NAMES:
            if not sections[section].present:
                emit(doc, NAME, "SECTION_MISSING", f"典型做法缺少“{section}”部分（按内容判断，非仅看标题）{note}",
                     section=section)
        for sub, zh in SUBPART_ZH.items():
            if not subparts[sub].present:
                emit(doc, NAME, "SUBPART_MISSING", f"典型做法未见{zh}{note}", subpart=sub)
        return doc


@Language.factory(NAME, default_config={})
def make_sections(nlp: Language, name: str) -> Sections:
    """No settings: the cues are corpora/sections.json."""
    return Sections()
