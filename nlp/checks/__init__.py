"""Form-rule checks: row-level (each record, nlp/checks/rows.py) and city-level (the round, batch.py); the round
runs them as the ``row_rules`` and ``city_quotas`` stages (nlp/stages/round.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType

from ..config import DEFAULT_CONFIG, Config
from ..findings import Finding
from ..records import Record
from .batch import CitySummary, link_practices
from .rows import RoundContext, declared_directions

__all__ = ["run_checks", "CheckResult", "RoundContext", "round_context", "declared_directions"]


def round_context(round_year: int | None = None, config: Config = DEFAULT_CONFIG,
                  today: dt.date | None = None) -> RoundContext:
    """The round's date: December of the round's year (the notice's deadline month), or this month."""
    today = today or dt.date.today()
    if round_year is None:
        return RoundContext((today.year, 12), config.rules)
    return RoundContext((round_year, 12), config.rules)


@dataclass
class CheckResult:
    #: record id → its findings, in check order
    by_record: dict[str, list[Finding]] = field(default_factory=dict)
    cities: list[CitySummary] = field(default_factory=list)

    def all_findings(self) -> list[Finding]:
        out = [f for fs in self.by_record.values() for f in fs]
        out.extend(f for c in self.cities for f in c.findings if not f.record_id)
        return out


def run_checks(records: list[Record], ctx: RoundContext) -> CheckResult:
    """The form rules alone, as ``analyse`` runs them: the 典型做法 linked to their company's city, then the
    ``row_rules`` and ``city_quotas`` stages (nlp/stages) under ``ctx.rules``."""
    from ..stages import STAGES, RoundInput, StageResult, run_stage

    link_practices(records)
    results: dict[str, StageResult] = {}
    for name in ("row_rules", "city_quotas"):
        given = RoundInput(str(ctx.round_month[0]), tuple(records), ctx, DEFAULT_CONFIG, MappingProxyType(dict(results)))
        results[name] = run_stage(name, STAGES[name].factory(ctx.rules), given)
    by_record: dict[str, list[Finding]] = {r.id: [] for r in records}
    for result in results.values():
        for f in result.findings:
            if f.record_id:
                by_record.setdefault(f.record_id, []).append(f)
    return CheckResult(by_record, list(results["city_quotas"].data))
