"""The contract: the engine's one product (docs/contract.md, schema 2; ../shared/reference/output-contract.md
extended). Built from a :class:`RoundAnalysis` once; the CLI's Excel report, the JSON, the store's import, the
record view, the app's export and both publicity packs are written from it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .checks import declared_directions
from .doc import layers_json
from .narrative import NarrativeResult
from .pipeline import RoundAnalysis
from .records import PracticeRecord, ProjectRecord, Record

#: 2: schema 1's keys, unchanged, plus each record's ``fields_annotated`` (docs/contract.md)
SCHEMA = 2
#: the stages whose data carries a ``duplicate`` layer (record id → field → passages)
DUPLICATE_LAYER_STAGES = ("duplicates", "archive")


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
    declared = declared_directions(record) if isinstance(record, ProjectRecord) else None
    if declared is not None:
        out["declared_directions"] = declared
    if record.id in analysis.directions:
        out["directions"] = analysis.directions[record.id].to_json(declared)
    if isinstance(record, PracticeRecord):
        out["company_source"] = record.company_source
    narrative = analysis.narratives.get(record.id)
    if narrative is not None:
        out.update(narrative_json(narrative))
    annotated = fields_annotated(record, analysis)
    if annotated:
        out["fields_annotated"] = annotated
    if record.id in analysis.highlights:
        out["highlights"] = [dict(h.to_json(), source=excerpt_source(record, h)) for h in analysis.highlights[record.id]]
    out["findings"] = [f.to_json() for f in analysis.findings_of(record)]
    return out


def fields_annotated(record: Record, analysis: RoundAnalysis) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Field → layer → spans ``{start, end, label, text, …data}`` in offsets of the field's text as read: the
    narrative Docs' span groups (nlp.doc.layers_json) and the ``duplicate`` layer of the duplicate stages."""
    narrative = analysis.narratives.get(record.id)
    out = {name: layers_json(doc) for name, doc in narrative.docs.items()} if narrative is not None else {}
    for name in DUPLICATE_LAYER_STAGES:
        result = analysis.stages.get(name)
        layers = getattr(result.data, "layers", None) if result is not None else None
        for field_name, spans in (layers or {}).get(record.id, {}).items():
            got = out.setdefault(field_name, {}).setdefault("duplicate", [])
            got.extend(spans)
            got.sort(key=lambda d: (d["start"], d["end"]))
    return {name: layers for name, layers in out.items() if layers}


def excerpt_source(record: Record, h) -> dict[str, Any]:
    """Where a highlight was read: its field's cell (tables), or the paragraph of a 典型做法 it starts in."""
    source = record.provenance(h.field).to_json()
    if isinstance(record, PracticeRecord):
        source.pop("paragraph", None)
        paragraph = next((i for i, (a, b) in enumerate(record.blocks) if a <= h.start < b + 1), None)
        if paragraph is not None:
            source["paragraph"] = paragraph
    return source


def narrative_json(narrative: NarrativeResult) -> dict[str, Any]:
    """evidence, aspects, sections (典型做法), counts and sensitive spans of one record."""
    out: dict[str, Any] = {
        "evidence": [c.to_json(name) for name, fa in narrative.fields.items() for c in fa.claims],
        "before_after": narrative.before_after,
        "counts": {name: {"chars": fa.chars, "wps": fa.wps, **({"limit": fa.limit} if fa.limit else {})}
                   for name, fa in narrative.fields.items()},
        "sensitive": [s.to_json(name) for name, fa in narrative.fields.items() for s in fa.sensitive],
    }
    aspects = {name: fa.coverage.found for name, fa in narrative.fields.items() if fa.coverage is not None}
    if aspects:
        out["aspects"] = aspects
        out["aspects_quantified"] = {name: fa.coverage.quantified for name, fa in narrative.fields.items()
                                     if fa.coverage is not None}
    if narrative.sections is not None:
        out["sections"] = {name: {"present": s.present, "start": s.start, "end": s.end, "how": s.how}
                           for name, s in narrative.sections.items()}
        out["subsections"] = {name: {"present": s.present, "spans": [sp.to_json() for sp in s.spans]}
                              for name, s in narrative.subparts.items()}
    return out


def to_contract(analysis: RoundAnalysis, archived_pairs: list[dict] | None = None) -> dict[str, Any]:
    """The round's contract. The archive stage's pairs (``analysis.archived``) are among ``duplicates``;
    ``archived_pairs``, if given, are added after them (pairs found by a caller outside the engine)."""
    return {
        "schema": SCHEMA,
        "round": analysis.round,
        "records": [record_json(r, analysis) for r in analysis.records],
        "duplicates": [p.to_json() for p in analysis.duplicates] + list(analysis.archived) + list(archived_pairs or []),
        "duplicate_clusters": analysis.duplicate_clusters,
        "cities": [dict(c.to_json(), findings=[f.to_json() for f in c.findings]) for c in analysis.checks.cities],
        "file_findings": [f.to_json() for f in analysis.ingest.findings],
        "files": [{"file": name, "read_as": kind} for name, kind in analysis.ingest.files.items()],
        "failures": [{"file": f.file, "reason": f.reason} for f in analysis.ingest.failures],
    }


def write_contract(contract: dict[str, Any], path: Path) -> None:
    Path(path).write_text(json.dumps(contract, ensure_ascii=False, indent=1), encoding="utf-8")


def write_json(analysis: RoundAnalysis, path: Path, archived_pairs: list[dict] | None = None) -> None:
    write_contract(to_contract(analysis, archived_pairs), path)
