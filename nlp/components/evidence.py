"""jigai_evidence: every quantitative claim (nlp.evidence.extract_claims) in the part of the text analysed, as
the ``evidence`` layer with ``Span._.claim``; NO_QUANT_EVIDENCE / NO_BEFORE_AFTER and each claim's problems
(IMPLAUSIBLE_VALUE, a missing unit …) for a project's 实施效果; for a 典型做法 NO_QUANT_EVIDENCE and
IMPLAUSIBLE_VALUE."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..doc import add_span, analysed_text, segments_of
from ..evidence import extract_claims
from . import COMPONENT_KEYS, defaults, emit, partly, validated

NAME = "jigai_evidence"
KEYS = ("max_increase_percent",)
COMPONENT_KEYS[NAME] = ("narrative", KEYS)


class Evidence:
    #: the span groups it writes
    layers = ("evidence",)

    def __init__(self, max_increase_percent: float):
        self.max_increase_percent = max_increase_percent

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        doc.spans["evidence"] = []
        cap = ext.cap
        clauses = [(a, min(b, cap)) for a, b in segments_of(doc)[1] if a < cap]
        claims = extract_claims(analysed_text(doc), self.max_increase_percent, clauses)
        ext.claims = claims
        for claim in claims:
            add_span(doc, "evidence", claim.start, claim.end, "evidence", claim=claim)
        text, note = ext.text, partly(doc)
        if ext.kind == "project":
            if ext.group != "effect" or not text.strip():
                return doc
            if not claims:
                emit(doc, NAME, "NO_QUANT_EVIDENCE", f"{ext.field}未使用数据说明改造前后变化{note}", 0, len(text))
            elif not any(c.compares for c in claims):
                emit(doc, NAME, "NO_BEFORE_AFTER", f"{ext.field}有数据但没有改造前后对比或变化幅度{note}", 0, len(text))
            for claim in claims:
                for code, reason in claim.problems:
                    emit(doc, NAME, code, f"“{claim.text}”：{reason}", claim.start, claim.end)
        else:
            if not claims:
                emit(doc, NAME, "NO_QUANT_EVIDENCE", f"典型做法未使用数据说明技术改造成效{note}", 0, len(text))
            for claim in claims:
                for code, reason in claim.problems:
                    if code == "IMPLAUSIBLE_VALUE":
                        emit(doc, NAME, code, f"“{claim.text}”：{reason}", claim.start, claim.end)
        return doc


@Language.factory(NAME, default_config=defaults("narrative", *KEYS))
def make_evidence(nlp: Language, name: str, max_increase_percent: float) -> Evidence:
    """``max_increase_percent``: an increase above this many per cent is IMPLAUSIBLE_VALUE (NarrativeConfig)."""
    validated(name, "narrative", {"max_increase_percent": max_increase_percent})
    return Evidence(max_increase_percent)
