"""Technical-direction tagging (智能化/数字化/绿色化) with the reasons shown in the text, and the findings
that compare it with the declared 是/否 columns.

Per record: a lexicon score (nlp.directions.lexicon), a model score (nlp.directions.model) and their blend;
a tag per direction; the reasons as spans (the lexicon hits that count) and the voided mentions (plans,
negations, boilerplate, names, products) so a reviewer sees why a word did not count.

A direction is tagged only when at least one span of the text supports it (a counting lexicon hit): the
model raises or lowers the score of a direction that has support, never tags one alone. Where the blend
would tag but no span supports the direction, the result says ``suggested`` instead (shown as a suggestion,
never counted as a tag, never a finding).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..config import DEFAULT_CONFIG
from ..constants import NARRATIVE_FIELDS
from ..counting import analysed_part
from ..findings import Finding
from ..records import PracticeRecord, ProjectRecord, Record
from .lexicon import DIRECTIONS, Evidence, find_evidence, lexicon_scores
from .model import DirectionModel, load_model

__all__ = ["DIRECTIONS", "DirectionResult", "record_fields", "tag_texts", "tag_records", "direction_findings"]

#: the blended score at or above which a direction marked 否 is "clearly supported" (Config.directions)
UNDECLARED_MIN_SCORE = DEFAULT_CONFIG.directions.undeclared_min_score
#: fallback thresholds when no model ships: tag when the lexicon score reaches this (Config.directions)
LEXICON_ONLY_THRESHOLD = DEFAULT_CONFIG.directions.lexicon_only_threshold


@dataclass
class DirectionResult:
    scores: dict[str, float]
    tags: dict[str, bool]
    lexicon: dict[str, float]
    model: dict[str, float] | None
    evidence: list[Evidence] = field(default_factory=list)
    #: directions the blend would tag but no span of the text supports: a low-confidence suggestion only
    suggested: dict[str, bool] = field(default_factory=dict)

    def reasons(self, direction: str) -> list[Evidence]:
        return [e for e in self.evidence if e.direction == direction and e.status == "counts"]

    def voided(self, direction: str) -> list[Evidence]:
        return [e for e in self.evidence if e.direction == direction and e.status != "counts"]

    def product_based(self, direction: str) -> bool:
        reasons = self.reasons(direction)
        return bool(reasons) and all(e.kind == "product" for e in reasons)

    def to_json(self, declared: dict[str, bool] | None = None) -> dict[str, Any]:
        out = {}
        for d in DIRECTIONS:
            entry: dict[str, Any] = {"score": round(self.scores[d], 3), "tag": self.tags[d],
                                     "lexicon": self.lexicon[d],
                                     "reasons": [{"field": e.field, "start": e.start, "end": e.end, "text": e.text,
                                                  "kind": e.kind} for e in self.reasons(d)],
                                     "voided": [{"field": e.field, "start": e.start, "end": e.end, "text": e.text,
                                                 "why": e.status} for e in self.voided(d)]}
            if self.model is not None:
                entry["model"] = round(self.model[d], 3)
            if declared is not None:
                entry["declared"] = declared.get(d, False)
            if self.product_based(d):
                entry["rests_on_product"] = True
            if self.suggested.get(d):
                entry["suggested"] = True
            out[d] = entry
        return out


def record_fields(record: Record, max_chars: int = DEFAULT_CONFIG.limits.max_analysed_chars) -> dict[str, str]:
    """The texts that carry a record's direction: project name and both narratives, or the 典型做法; each
    read up to ``max_chars`` characters (``Limits.max_analysed_chars``: the lexicon's contexts grow
    quadratically with a text's length; nlp/narrative.py gives such a field TEXT_TOO_LONG)."""
    if isinstance(record, ProjectRecord):
        return {name: analysed_part(record.text(name), max_chars)
                for name in ("项目名称", *NARRATIVE_FIELDS["project"])}
    if isinstance(record, PracticeRecord):
        return {name: analysed_part(record.text(name), max_chars) for name in NARRATIVE_FIELDS["practice"]}
    return {}


def tag_texts(items: list[dict[str, str]], model: DirectionModel | None, embeddings: np.ndarray | None = None,
              embedder: str | None = None, mode: str = "combined",
              evidence: list[list[Evidence] | None] | None = None) -> list[DirectionResult]:
    """Tag several records at once (``mode``: "combined", "lexicon" or "model").

    "combined" (what the engine uses) and "lexicon" tag a direction only when a span supports it; "model" is
    the model's own figure for evaluation (its tags are not gated, and nothing shows them). ``evidence``: the
    lexicon's hits per item where already found (the narrative Docs hold them), else they are found here."""
    given = evidence or [None] * len(items)
    evidence = [ev if ev is not None else find_evidence(fields) for ev, fields in zip(given, items)]
    lex = [lexicon_scores(ev) for ev in evidence]
    model_scores = None
    if model is not None and mode != "lexicon":
        texts = ["。".join(t for t in fields.values() if t) for fields in items]
        model_scores = model.model_scores(texts, embeddings, embedder) if texts else np.zeros((0, 3))
    results = []
    for i, fields in enumerate(items):
        m = {d: float(model_scores[i, j]) for j, d in enumerate(DIRECTIONS)} if model_scores is not None else None
        scores, tags, suggested = {}, {}, {}
        supported = {e.direction for e in evidence[i] if e.status == "counts"}
        for d in DIRECTIONS:
            if model is None or mode == "lexicon":
                threshold = model.operating[d].lexicon_threshold if model is not None else LEXICON_ONLY_THRESHOLD
                scores[d] = lex[i][d]
            elif mode == "model":
                scores[d], threshold = m[d], model.operating[d].model_threshold
            else:
                op = model.operating[d]
                scores[d], threshold = op.alpha * lex[i][d] + (1 - op.alpha) * m[d], op.combined_threshold
            above = scores[d] >= threshold
            tags[d] = above and (mode == "model" or d in supported)
            # a suggestion only in a text that describes some transformation (a counting hit of any direction)
            suggested[d] = above and not tags[d] and bool(supported)
        results.append(DirectionResult(scores, tags, lex[i], m, evidence[i], suggested))
    return results


def tag_records(records: list[Record], model: DirectionModel | None = None, embedder=None,
                mode: str = "combined", max_chars: int = DEFAULT_CONFIG.limits.max_analysed_chars,
                evidence: dict[str, list[Evidence]] | None = None) -> dict[str, DirectionResult]:
    """Direction results by record id for every project and 典型做法 (embedding texts in one batch);
    ``evidence``: record id → the lexicon's hits already found (nlp.narrative.direction_evidence)."""
    targets = [r for r in records if isinstance(r, (ProjectRecord, PracticeRecord))]
    if not targets:
        return {}
    items = [record_fields(r, max_chars) for r in targets]
    embeddings = None
    name = None
    if embedder is not None and model is not None and model.with_embeddings is not None:
        texts = ["。".join(t for t in fields.values() if t) for fields in items]
        embeddings = embedder.embed(texts, kind="passage")
        name = embedder.name
    known = [(evidence or {}).get(r.id) for r in targets]
    results = tag_texts(items, model, embeddings, name, mode, known)
    return {r.id: res for r, res in zip(targets, results)}


def direction_findings(record: ProjectRecord, result: DirectionResult, declared: dict[str, bool],
                       model: DirectionModel | None, min_score: float = UNDECLARED_MIN_SCORE) -> list[Finding]:
    """DIRECTION_UNDECLARED / DIRECTION_UNSUPPORTED for a project, each with the spans it rests on
    (``min_score``: ``Config.directions.undeclared_min_score``)."""
    out = []
    for d in DIRECTIONS:
        reasons = result.reasons(d)
        if not declared.get(d) and result.tags[d] and reasons and result.scores[d] >= min_score:
            first = max(reasons, key=lambda e: e.weight)  # the strongest, earliest on ties
            terms = "、".join(dict.fromkeys(e.text for e in reasons[:5]))
            out.append(Finding("DIRECTION_UNDECLARED", f"{d}填“否”，但文字描述了{d}改造：{terms}", field=first.field,
                               provenance=record.provenance(first.field), start=first.start, end=first.end,
                               record_id=record.id, city=record.city,
                               data={"direction": d, "score": round(result.scores[d], 3),
                                     "spans": [_span(e) for e in reasons]}))
        if declared.get(d) and not result.tags[d] and not reasons:
            voided = result.voided(d)
            why = {"plan": "仅为计划", "negated": "被否定", "boilerplate": "套话", "org_name": "企业或园区名称",
                   "product": "产品名称", "role": "岗位名称"}
            if voided:
                first = voided[0]
                detail = "；".join(f"“{e.text}”{why[e.status]}" for e in voided[:4])
                message = f"{d}填“是”，但文字中没有已实施的{d}改造内容（{detail}）"
                name, start, end = first.field, first.start, first.end
            else:
                message = f"{d}填“是”，但文字中没有{d}改造内容"
                name = "项目建设内容"
                start, end = (0, len(record.text(name))) if record.text(name) else (None, None)
            out.append(Finding("DIRECTION_UNSUPPORTED", message, field=name, provenance=record.provenance(name),
                               start=start, end=end, record_id=record.id, city=record.city,
                               data={"direction": d, "score": round(result.scores[d], 3),
                                     "spans": [_span(e) for e in voided]}))
    return out


def _span(e: Evidence) -> dict[str, Any]:
    return {"field": e.field, "start": e.start, "end": e.end, "text": e.text, "status": e.status}
