"""jigai_directions: the direction lexicon's hits in the part analysed (nlp.directions.lexicon.find_evidence),
each with its status (counts, plan, negated, boilerplate, org_name, product, role), as the layers
``direction:智能化`` / ``direction:数字化`` / ``direction:绿色化`` (label: the status). The direction model and the
tag decision stay in nlp/directions (a round stage); no findings here."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..constants import DIRECTIONS
from ..doc import add_span, analysed_text
from ..directions.lexicon import find_evidence

NAME = "jigai_directions"


class Directions:
    #: the span groups it writes
    layers = tuple(f"direction:{d}" for d in DIRECTIONS)

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        for d in DIRECTIONS:
            doc.spans[f"direction:{d}"] = []
        evidence = find_evidence({ext.field: analysed_text(doc)})
        ext.evidence = evidence
        for e in evidence:
            add_span(doc, f"direction:{e.direction}", e.start, e.end, e.status,
                     data={"direction": e.direction, "status": e.status, "weight": e.weight, "kind": e.kind})
        return doc


@Language.factory(NAME, default_config={})
def make_directions(nlp: Language, name: str) -> Directions:
    """No settings: the lexicon is corpora/directions.json."""
    return Directions()
