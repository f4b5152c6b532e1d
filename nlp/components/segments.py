"""jigai_segments: the one sentence/clause segmentation (nlp.doc.segment on the folded text, mapped back onto
the text as read) as ``doc.spans["sentences"]`` and ``doc.spans["clauses"]``. Runs first; every analyser reads
these units."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..doc import original_ranges, segment


class Segments:
    #: the span groups it writes
    layers = ("sentences", "clauses")

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        folding = ext.folded
        sentences, clauses = (original_ranges(folding, r) for r in segment(folding.text))
        ext.segments = (sentences, clauses)  # the same units as ranges, for the analysers
        for layer, ranges in (("sentences", sentences), ("clauses", clauses)):
            doc.spans[layer] = [Span(doc, a, b, label=layer[:-1], span_id=layer) for a, b in ranges]
        return doc


@Language.factory("jigai_segments", default_config={})
def make_segments(nlp: Language, name: str) -> Segments:
    """No settings: the segmentation is the fold's (SENTENCE_END, CLAUSE_END in nlp/doc.py)."""
    return Segments()
