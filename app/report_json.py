"""The machine-readable output of ../shared/reference/output-contract.md (schema 1)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlp.checks import declared_directions
from nlp.pipeline import RoundAnalysis
from nlp.records import PracticeRecord, ProjectRecord, Record

SCHEMA = 1


def record_json(record: Record, analysis: RoundAnalysis) -> dict[str, Any]:
    source = {"file": record.source.file}
    if record.source.sheet is not None:
        source["sheet"] = record.source.sheet
    if record.source.row is not None:
        source["row"] = record.source.row
    out: dict[str, Any] = {
        "id": record.id,
        "kind": record.kind,
        "source": source,
        "city": record.city,
        "company": record.company,
        "fields": {name: value.text for name, value in record.fields.items()},
    }
    if record.extra:
        out["extra"] = {name: value.text for name, value in record.extra.items()}
    if isinstance(record, ProjectRecord):
        out["declared_directions"] = declared_directions(record)
    if isinstance(record, PracticeRecord):
        out["company_source"] = record.company_source
    out["findings"] = [f.to_json() for f in analysis.findings_of(record)]
    return out


def to_contract(analysis: RoundAnalysis) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "round": analysis.round,
        "records": [record_json(r, analysis) for r in analysis.records],
        "cities": [dict(c.to_json(), findings=[f.to_json() for f in c.findings]) for c in analysis.checks.cities],
        "file_findings": [f.to_json() for f in analysis.ingest.findings],
        "files": [{"file": name, "read_as": kind} for name, kind in analysis.ingest.files.items()],
        "failures": [{"file": f.file, "reason": f.reason} for f in analysis.ingest.failures],
    }


def write_json(analysis: RoundAnalysis, path: Path) -> None:
    path.write_text(json.dumps(to_contract(analysis), ensure_ascii=False, indent=1), encoding="utf-8")
