"""jigai_segments: the one sentence/clause segmentation (nlp.doc.segment on the folded text, mapped back onto
the text as read) as ``doc.spans["sentences"]`` and ``doc.spans["clauses"]``. Runs first; every analyser reads
these units."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..doc import add_span, original_ranges, segment


class Segments:
    #: the span groups it writes
    layers = ("sentences", "clauses")

    def __call__(self, doc: Doc) -> Doc:
        sentences, clauses = segment(doc._.folded.text)
        for layer, ranges in (("sentences", sentences), ("clauses", clauses)):
            doc.spans[layer] = []
            for a, b in original_ranges(doc._.folded, ranges):
                add_span(doc, layer, a, b, layer[:-1])
        return doc


@Language.factory("jigai_segments", default_config={})
def make_segments(nlp: Language, name: str) -> Segments:
    """No settings: the segmentation is the fold's (SENTENCE_END, CLAUSE_END in nlp/doc.py)."""
    return Segments()
