"""Form-rule checks: row-level (each record) and city-level (the round)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..config import DEFAULT_CONFIG, Config
from ..findings import Finding
from ..records import Record
from .batch import CitySummary, city_checks, link_practices
from .rows import ROW_CHECKS, RoundContext, declared_directions

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
    """Every row-level check on every record, then the city-level checks."""
    result = CheckResult()
    link_practices(records)
    for record in records:
        findings: list[Finding] = []
        for check in ROW_CHECKS:
            findings.extend(check(record, ctx))
        result.by_record[record.id] = findings
    result.cities = city_checks(records, ctx.rules)
    for summary in result.cities:
        for f in summary.findings:
            if f.record_id:
                result.by_record.setdefault(f.record_id, []).append(f)
    return result
