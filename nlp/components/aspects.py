"""jigai_aspects: which parts the form asks for a project's text covers (nlp.aspects.coverage over the shared
clauses), the ``aspects`` layer; CONTENT_PART_MISSING for 项目建设内容."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..aspects import CONTENT_PARTS, coverage
from ..counting import char_count
from ..doc import add_span, analysed_text, segments_of
from . import COMPONENT_KEYS, defaults, emit, partly, validated

NAME = "jigai_aspects"
KEYS = ("near_empty_chars",)
COMPONENT_KEYS[NAME] = ("narrative", KEYS)
#: content parts whose absence is a warning; the others (产线规模, 工艺路线) are info (包括但不限于)
KEY_CONTENT_PARTS = ("建设内容", "技术设备")


class Aspects:
    #: the span groups it writes
    layers = ("aspects",)

    def __init__(self, near_empty_chars: int):
        self.near_empty_chars = near_empty_chars

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        doc.spans["aspects"] = []
        group = ext.group
        if ext.kind != "project" or not group:
            return doc
        cap = ext.cap
        clauses = [(a, min(b, cap)) for a, b in segments_of(doc)[1] if a < cap]
        cov = coverage(analysed_text(doc), group, ext.claims, clauses)
        ext.coverage = cov
        for span in cov.spans:
            add_span(doc, "aspects", span.start, span.end, span.label,
                     data={"group": group, "quantified": span.label in cov.quantified})
        text = ext.text
        if group == "content" and text.strip() and char_count(text) >= self.near_empty_chars:
            missing = cov.missing(CONTENT_PARTS)
            if missing:
                severity = "warning" if any(p in KEY_CONTENT_PARTS for p in missing) else "info"
                emit(doc, NAME, "CONTENT_PART_MISSING", f"项目建设内容未写明：{'、'.join(missing)}{partly(doc)}", 0,
                     len(text), severity=severity, missing=missing)
        return doc


@Language.factory(NAME, default_config=defaults("narrative", *KEYS))
def make_aspects(nlp: Language, name: str, near_empty_chars: int) -> Aspects:
    """``near_empty_chars``: a text shorter than this is TEXT_NEAR_EMPTY, not CONTENT_PART_MISSING."""
    validated(name, "narrative", {"near_empty_chars": near_empty_chars})
    return Aspects(near_empty_chars)
