"""jigai_highlights: candidate publicity excerpts of a 典型做法 or a project's 实施效果 (nlp.highlights: whole
sentences ranked by practice, figures, section and cases, never touching sensitive content), the ``highlights``
layer (data: score, why). Reads the Doc's evidence, sections, sensitive and counting direction spans."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..config import HighlightConfig
from ..constants import DIRECTIONS, HIGHLIGHT_FIELDS
from ..doc import add_span, analysed_text, segments_of, spans_of
from ..highlights import pick_highlights
from . import COMPONENT_KEYS, defaults, validated

NAME = "jigai_highlights"
KEYS = ("picks", "mmr_lambda", "min_chars", "max_chars")
COMPONENT_KEYS[NAME] = ("highlights", KEYS)


class Highlights:
    #: the span groups it writes
    layers = ("highlights",)

    def __init__(self, config: HighlightConfig):
        self.config = config

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        doc.spans["highlights"] = []
        if ext.field not in HIGHLIGHT_FIELDS:
            return doc
        spans = [(s.start, s.end) for d in DIRECTIONS for s in spans_of(doc, f"direction:{d}")
                 if s.label_ == "counts"]
        spans.sort()
        picked = pick_highlights(analysed_text(doc), ext.field, ext.claims or [], ext.sections,
                                 ext.subparts, spans, ext.sensitive, self.config,
                                 sentences=segments_of(doc)[0])
        ext.highlights = picked
        for h in picked:
            add_span(doc, "highlights", h.start, h.end, "highlight", data={"score": round(h.score, 3), "why": h.why})
        return doc


@Language.factory(NAME, default_config=defaults("highlights", *KEYS))
def make_highlights(nlp: Language, name: str, picks: int, mmr_lambda: float, min_chars: int,
                    max_chars: int) -> Highlights:
    """``picks``: excerpts per field; ``mmr_lambda``: relevance against diversity; ``min_chars`` /
    ``max_chars``: an excerpt's preferred length (HighlightConfig)."""
    return Highlights(validated(name, "highlights", dict(zip(KEYS, (picks, mmr_lambda, min_chars, max_chars)))))
