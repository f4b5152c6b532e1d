"""One round through the engine: ingest every file, then the round's stages (nlp/stages, in the order of
``Config.round.stages``). The CLI, the app, eval and bench share it; nlp/contract.py turns its result into
the contract every output is written from (docs/architecture.md)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

from .checks import CheckResult, RoundContext, round_context
from .checks.batch import link_practices
from .config import DEFAULT_CONFIG, Config
from .directions import DirectionResult
from .directions.model import DirectionModel
from .duplicates import DuplicatePair
from .findings import Finding, worst_severity
from .highlights import Highlight
from .ingest import IngestResult, ingest
from .narrative import NarrativeResult
from .records import Record
from .stages import RoundInput, StageResult, build_stages, run_stage
from .stages.archive import ArchiveStore
# the stages' helpers, importable from here as before
from .stages.round import direction_embedder, duplicate_finding, round_duplicates  # noqa: F401


@dataclass(frozen=True)
class RoundAnalysis:
    """A round's analysis: what each stage returned (``stages``), and the views of it the outputs read.
    Frozen: built once by :func:`analyse`, never changed afterwards (nlp/contract.py reads it)."""

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
    #: near-duplicates among archived rounds (the archive stage), as JSON with ``round``
    archived: list[dict[str, Any]] = field(default_factory=list)
    #: stage name → what it returned, in the order they ran
    stages: Mapping[str, StageResult] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def gather(cls, label: str, ctx: RoundContext, ingested: IngestResult, results: dict[str, StageResult],
               timings: dict[str, float]) -> "RoundAnalysis":
        """The analysis of the stages' results: each record's findings in stage order (row rules, its city's,
        narratives, directions, duplicates, archive), the cities' summaries, the stages' data by name."""
        by_record: dict[str, list[Finding]] = {r.id: [] for r in ingested.records}
        for result in results.values():
            for f in result.findings:
                if f.record_id:
                    by_record.setdefault(f.record_id, []).append(f)

        def data(name: str, default: Any) -> Any:
            return results[name].data if name in results and results[name].data is not None else default

        directions = results.get("directions")
        dups = results.get("duplicates")
        return cls(label, ctx, ingested, CheckResult(by_record, list(data("city_quotas", []))),
                   dict(data("narratives", {})), dict(directions.data.results) if directions else {},
                   directions.data.model if directions else None, directions.data.embedder if directions else None,
                   dict(data("highlights", {})), list(dups.data.pairs) if dups else [],
                   list(dups.data.clusters) if dups else [], timings,
                   list(results["archive"].data.pairs) if "archive" in results else [],
                   MappingProxyType(dict(results)))

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
            progress: Callable[[str], None] | None = None, archive: ArchiveStore | None = None,
            on_stage: Callable[[str], None] | None = None) -> RoundAnalysis:
    """Ingest every file, then run the round's stages (``config.round.stages``, nlp/stages) in order; each
    returns its findings and data, gathered here into the :class:`RoundAnalysis` (which nothing changes
    afterwards). ``archive``: the store of earlier rounds the archive stage compares with (None: no
    comparison); ``on_stage``: called with each stage's name before it runs."""
    ctx = round_context(round_year, config)
    stages = build_stages(config)  # an unknown stage name fails before any file is read
    t0 = time.perf_counter()
    ingested = ingest(paths, config, progress)
    link_practices(ingested.records)  # a 典型做法 without a city takes its company's (records prepared once)
    timings = {"ingest": time.perf_counter() - t0}
    label = str(round_year) if round_year else str(ctx.round_month[0])
    results: dict[str, StageResult] = {}
    for name, fn in stages:
        if on_stage is not None:
            on_stage(name)
        t = time.perf_counter()
        results[name] = run_stage(name, fn, RoundInput(label, tuple(ingested.records), ctx, config,
                                                       MappingProxyType(dict(results)), archive))
        timings[name] = time.perf_counter() - t
    # the form-rule checks' old timing key (app/bench reads it)
    timings["checks"] = timings.get("row_rules", 0.0) + timings.get("city_quotas", 0.0)
    return RoundAnalysis.gather(label, ctx, ingested, results, timings)
