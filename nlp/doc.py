"""One annotated document per narrative field: a spaCy ``Doc``.

A Doc holds the field's text exactly as read, one token per character (whitespace included), so a token index is
a character offset and every span of every layer maps onto the text without alignment. On it:

- ``Doc._.folded``: the one fold of the text (nlp.fold.fold: full-width, traditional, whitespace) with its offset
  map; ``Doc._.field`` / ``Doc._.kind`` ("project" | "practice") / ``Doc._.group`` ("content" | "effect" | None:
  which parts the form asks of it) / ``Doc._.record`` (the Record it came from: context, read only);
  ``Doc._.cap``: how many of its first characters the superlinear components read (``Limits.max_analysed_chars``);
  ``Doc._.limit``: the form's limit on its 字数.
- ``doc.spans[layer]``: one span group per layer (:data:`LAYERS`), written by the registered components
  (nlp/components/); structured data rides on the spans: ``Span._.claim`` (an nlp.evidence.Claim) on
  ``evidence``, ``Span._.data`` (a dict) on the others.
- ``Doc._.findings``: the Findings the components produced (the narrative stage collects and returns them; no
  component writes anything outside its Doc). ``Doc._.claims`` / ``_.coverage`` / ``_.sections`` /
  ``_.subparts`` / ``_.sensitive`` / ``_.evidence``: the analysers' own result objects, for the round stages.

The one sentence/clause segmentation is :func:`segment` (on the folded text); the ``jigai_segments`` component
writes it as ``doc.spans["sentences"]`` / ``doc.spans["clauses"]`` and every analyser reads those units.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from spacy.tokens import Doc, Span as SpacySpan
from spacy.vocab import Vocab

from .constants import DIRECTIONS
from .fold import Folded, fold

#: the layers a reviewer sees, in the order the UI and the contract list them
LAYERS = ("evidence", "aspects", "sections", "subsections", "sensitive",
          *(f"direction:{d}" for d in DIRECTIONS), "overflow", "duplicate", "highlights")
#: the segmentation's groups (every analyser's units; not shown as layers)
SEGMENT_LAYERS = ("sentences", "clauses")

_DOC_EXT = ("text", "segments", "span_data", "folded", "field", "kind", "group", "record", "cap", "limit", "findings", "claims", "coverage",
            "sections", "subparts", "sensitive", "evidence", "highlights")
for _name in _DOC_EXT:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _span_key(span: SpacySpan) -> tuple:
    return span.id_, span.start, span.end, span.label_


# spaCy keys a span's extension values by its characters alone, so two layers' spans over the same characters
# would share them: the data live in ``Doc._.span_data`` by (layer, start, end, label) instead
for _name in ("claim", "data"):
    if not SpacySpan.has_extension(_name):
        SpacySpan.set_extension(_name, getter=lambda span, _n=_name: (span.doc._.span_data or {}).get(
            (_n, *_span_key(span))))

# ---- the one segmentation ------------------------------------------------------------------------------------

#: a sentence ends at 。！？；, a line break the fold kept (one that ends a sentence or an enumerated line);
#: a clause also at a comma. On the folded text (full-width marks already half-width).
SENTENCE_END = "。!?;\n"
CLAUSE_END = SENTENCE_END + ","
_SENTENCE = re.compile(rf"[^{SENTENCE_END}]+")
_CLAUSE = re.compile(rf"[^{CLAUSE_END}]+")


def segment(folded: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The sentences and clauses of a folded text as (start, end) ranges of it, without their end marks."""
    return [m.span() for m in _SENTENCE.finditer(folded)], [m.span() for m in _CLAUSE.finditer(folded)]


def original_ranges(folding: Folded, ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges of the folded text mapped back onto the text as read."""
    return [folding.span(a, b) for a, b in ranges]


# ---- making Docs --------------------------------------------------------------------------------------------

_VOCAB: Vocab | None = None


def chars_tokenizer(vocab: Vocab):
    """One token per character, whitespace included (spaCy's own char segmenter folds a space into the token
    before it, so a span could not start or end on one)."""
    def tokenize(text: str) -> Doc:
        return Doc(vocab, words=list(text), spaces=[False] * len(text))
    return tokenize


def make_doc(text: str, field: str = "text", kind: str = "practice", group: str | None = None,
             record: Any = None, cap: int | None = None, limit: int | None = None, vocab: Vocab | None = None) -> Doc:
    """A Doc for one narrative field with its context; the components fill the rest."""
    global _VOCAB
    if vocab is None:
        if _VOCAB is None:
            _VOCAB = Vocab()
        vocab = _VOCAB
    doc = chars_tokenizer(vocab)(text)
    ext = doc._  # each doc._ makes a new accessor
    ext.text = text  # doc.text joins its tokens on every read
    ext.folded = fold(text)
    ext.field, ext.kind, ext.group, ext.record = field, kind, group, record
    ext.cap = len(text) if cap is None else min(cap, len(text))
    ext.limit = limit
    ext.findings, ext.span_data = {}, {}
    return doc


def analysed_text(doc: Doc) -> str:
    """The part of the text the superlinear components read (a prefix, so its offsets are the text's)."""
    ext = doc._
    return ext.text[:ext.cap]


def add_span(doc: Doc, layer: str, start: int, end: int, label: str, *, claim: Any = None,
             data: dict[str, Any] | None = None) -> SpacySpan:
    """Add ``text[start:end]`` to ``doc.spans[layer]`` with its label and data (``span_id`` names the layer, so
    two layers' spans over the same characters keep their own data)."""
    span = SpacySpan(doc, start, end, label=label, span_id=layer)
    store = doc._.span_data
    if store is None:
        store = doc._.span_data = {}
    key = (layer, start, end, label)
    if claim is not None:
        store[("claim", *key)] = claim
    if data:
        store[("data", *key)] = dict(data)
    group = doc.spans.get(layer)
    if group is None:
        doc.spans[layer] = [span]
    else:
        group.append(span)
    return span


def spans_of(doc: Doc, layer: str) -> list[SpacySpan]:
    return list(doc.spans[layer]) if layer in doc.spans else []


def segments_of(doc: Doc) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The Doc's sentences and clauses as (start, end) ranges of the text as read (what ``jigai_segments``
    wrote as the ``sentences`` / ``clauses`` groups), without building a Span for each."""
    got = doc._.segments
    return got if got is not None else (ranges_of(doc, "sentences"), ranges_of(doc, "clauses"))


def ranges_of(doc: Doc, layer: str, limit: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each span of a layer, those ending within ``limit`` characters when given."""
    return [(s.start, s.end) for s in spans_of(doc, layer) if limit is None or s.end <= limit]


def add_duplicate(doc: Doc, start: int, end: int, label: str, **data: Any) -> SpacySpan:
    """A passage this field shares with another text (the round's duplicate stage calls it): the
    ``duplicate`` layer; ``label`` the duplicate kind, ``data`` the other side (record id, field, offsets)."""
    return add_span(doc, "duplicate", start, end, label, data=data)


def _span_json(span: SpacySpan) -> dict[str, Any]:
    out: dict[str, Any] = {"start": span.start, "end": span.end, "label": span.label_, "text": span.text}
    if span._.claim is not None:
        claim = span._.claim.to_json("")
        claim.pop("field", None)
        for key in ("start", "end", "text"):
            claim.pop(key, None)
        out.update(claim)
    if span._.data:
        out.update({k: v for k, v in span._.data.items() if k not in out})
    return out


def layers_json(doc: Doc) -> dict[str, list[dict[str, Any]]]:
    """Every layer of the Doc (:data:`LAYERS`, those it has) as ``{layer: [{start, end, label, text, …data}]}``
    in character offsets of the text as read, sorted by position: what the contract shows and the UI marks."""
    out: dict[str, list[dict[str, Any]]] = {}
    for layer in LAYERS:
        if layer in doc.spans and len(doc.spans[layer]):
            out[layer] = [_span_json(s) for s in sorted(doc.spans[layer], key=lambda s: (s.start, s.end))]
    return out
