"""jigai_sensitive: phone numbers, e-mail, ID numbers, staff names and confidential-sounding phrases over the
whole text (nlp.sensitive, linear), the ``sensitive`` layer; SENSITIVE_CONTACT / _NAME / _CONFIDENTIAL."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..doc import add_span
from ..sensitive import find_sensitive
from . import emit, label

NAME = "jigai_sensitive"
SENSITIVE_CODES = {"phone": "SENSITIVE_CONTACT", "email": "SENSITIVE_CONTACT", "id_number": "SENSITIVE_CONTACT",
                   "person_name": "SENSITIVE_NAME", "confidential": "SENSITIVE_CONFIDENTIAL"}


class Sensitive:
    #: the span groups it writes
    layers = ("sensitive",)

    def __call__(self, doc: Doc) -> Doc:
        ext = doc._  # each doc._ makes a new accessor
        doc.spans["sensitive"] = []
        found = find_sensitive(ext.text)
        ext.sensitive = found
        for span in found:
            add_span(doc, "sensitive", span.start, span.end, span.label, data=dict(span.data))
        if ext.kind == "project" and not ext.text.strip():
            return doc
        for span in found:
            reason = span.data.get("reason", span.label)
            emit(doc, NAME, SENSITIVE_CODES[span.label], f"{label(doc)}含{reason}“{span.text}”，不宜公开",
                 span.start, span.end, kind=span.label)
        return doc


@Language.factory(NAME, default_config={})
def make_sensitive(nlp: Language, name: str) -> Sensitive:
    """No settings: the word lists are corpora/sensitive.json."""
    return Sensitive()
