"""One round through the engine: ingest every file, then every check. The CLI, eval and bench share it."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .checks import CheckResult, RoundContext, round_context, run_checks
from .config import DEFAULT_CONFIG, Config
from .findings import Finding, worst_severity
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
    #: seconds per stage
    timings: dict[str, float] = field(default_factory=dict)

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
    label = str(round_year) if round_year else str(ctx.round_month[0])
    return RoundAnalysis(label, ctx, ingested, checked, narratives,
                         {"ingest": t1 - t0, "checks": t2 - t1, "narratives": t3 - t2})
