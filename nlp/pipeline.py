"""One round through the engine: ingest every file, then every check. The CLI, eval and bench share it."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .checks import CheckResult, RoundContext, declared_directions, round_context, run_checks
from .config import DEFAULT_CONFIG, Config
from .findings import Finding, worst_severity
from .directions import DirectionResult, direction_findings, tag_records
from .directions.model import DirectionModel, load_model
from .highlights import Highlight, pick_highlights
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
    narratives = analyse_narratives(ingested.records, config.narrative)
    for record_id, result in narratives.items():
        checked.by_record.setdefault(record_id, []).extend(result.findings)
    t3 = time.perf_counter()
    model = load_model()
    embedder = direction_embedder(model, config)
    directions = tag_records(ingested.records, model, embedder)
    for record in ingested.projects:
        if record.id in directions:
            checked.by_record.setdefault(record.id, []).extend(
                direction_findings(record, directions[record.id], declared_directions(record), model))
    t4 = time.perf_counter()
    highlights = {rid: excerpts(result, directions.get(rid)) for rid, result in narratives.items()}
    t5 = time.perf_counter()
    label = str(round_year) if round_year else str(ctx.round_month[0])
    return RoundAnalysis(label, ctx, ingested, checked, narratives, directions, model, embedder, highlights,
                         {"ingest": t1 - t0, "checks": t2 - t1, "narratives": t3 - t2, "directions": t4 - t3,
                          "highlights": t5 - t4})


#: the field of each record kind whose sentences are publicity candidates
HIGHLIGHT_FIELDS = ("text", "技术改造实施效果")


def excerpts(result: NarrativeResult, direction: DirectionResult | None) -> list[Highlight]:
    """Candidate publicity excerpts of one record, from what the earlier stages found."""
    out = []
    for name in HIGHLIGHT_FIELDS:
        fa = result.fields.get(name)
        if fa is None:
            continue
        spans = [(e.start, e.end) for e in (direction.evidence if direction else [])
                 if e.field == name and e.status == "counts"]
        out.extend(pick_highlights(fa.text, name, fa.claims, result.sections, result.subparts, spans, fa.sensitive))
    return out


def direction_embedder(model: DirectionModel | None, config: Config):
    """The cached embedder the direction model was trained with, or None (n-gram features only)."""
    if model is None or model.with_embeddings is None:
        return None
    from .embeddings import BackendUnavailable, get_embedder

    try:
        embedder = get_embedder(config.embeddings, cache=True)
    except BackendUnavailable:
        return None
    return embedder if embedder.name == model.embedder else None
