"""The archive comparison: near-duplicates of the round's records among earlier rounds, as a round stage
behind a small storage interface (:class:`ArchiveStore`; app/archive.py's SQLite ``Archive`` is the
implementation the CLI and the app pass to ``analyse(archive=...)``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

from ..config import ArchiveConfig
from ..constants import NARRATIVE_FIELDS
from ..duplicates import DupDoc, DuplicatePair
from ..findings import Finding
from ..messages import duplicate_message
from . import RoundInput, StageResult, stage
from .round import duplicate_layer


@dataclass
class ArchivedDoc:
    """One archived record: its store key, the round it was archived with, its narratives and meta."""

    key: int
    round: str
    doc: DupDoc


@runtime_checkable
class ArchiveStore(Protocol):
    """Earlier rounds' narratives, searchable for near-duplicates of new ones."""

    def search(self, docs: list[DupDoc], kind: str, embeddings: Any = None,
               embedder: str | None = None) -> Sequence[tuple[DuplicatePair, ArchivedDoc]]:
        """Near-duplicates of ``docs`` (records of one ``kind``) among archived records of the same kind, as
        (pair with ``pair.a`` the new record, the archived record); ``embeddings``: the new records' vectors
        from the embedder named ``embedder`` (None: the lexical layers only)."""
        ...


@dataclass(frozen=True)
class ArchiveData:
    #: near-duplicate pairs with archived records, as JSON with ``round`` (the contract's ``duplicates``)
    pairs: list[dict[str, Any]]
    #: the ``duplicate`` layer of the new records: record id → field → shared passages (with ``round``)
    layers: dict[str, dict[str, list[dict[str, Any]]]]


def docs_of(records, kind: str) -> tuple[list, list[DupDoc]]:
    """The records of one kind and their DupDocs, in the same order."""
    names = NARRATIVE_FIELDS[kind]
    return [r for r in records if r.kind == kind], [
        DupDoc(r.id, {n: r.text(n) for n in names}, {"company": r.company, "city": r.city,
                                                   "source": r.source.to_json()})
        for r in records if r.kind == kind]


def embed_records(records, embedder):
    """The embeddings the direction model and the round's duplicate search use (same texts, same cache)."""
    if embedder is None or not records:
        return None
    from ..directions import record_fields

    return embedder.embed(["。".join(t for t in record_fields(r).values() if t) for r in records])


@stage("archive", section="archive")
def archive(config: ArchiveConfig):
    """Near-duplicates among archived rounds (``RoundInput.archive``; none given: nothing to compare):
    DUPLICATE_OF on the new record; data: :class:`ArchiveData`.
    ``Config.archive`` is the store's own section (app/archive.py reads it when it indexes)."""

    def run(r: RoundInput) -> StageResult:
        store = r.archive
        if store is None or not r.records:
            return StageResult((), ArchiveData([], {}))
        found = r.data("directions")
        embedder = found.embedder if found is not None else None
        by_id = {rec.id: rec for rec in r.records}
        findings: list[Finding] = []
        pairs: list[dict] = []
        layers: dict[str, dict[str, list[dict]]] = {}
        for kind in NARRATIVE_FIELDS:
            records, docs = docs_of(r.records, kind)
            if not docs:
                continue
            for pair, archived in store.search(docs, kind, embed_records(records, embedder),
                                               getattr(embedder, "name", None)):
                if archived.round == r.label:
                    continue  # the round itself, archived earlier: not a recycled submission
                findings.append(archive_finding(by_id[pair.a], pair, archived))
                pairs.append(dict(pair.to_json(), round=archived.round))
                for rid, fields_ in duplicate_layer([pair], by_id, {"round": archived.round,
                                                                      "other_city": archived.doc.meta.get("city")}).items():
                    for name, spans in fields_.items():
                        layers.setdefault(rid, {}).setdefault(name, []).extend(spans)
        return StageResult(tuple(findings), ArchiveData(pairs, layers))

    return run


def archive_finding(record, pair: DuplicatePair, archived: ArchivedDoc) -> Finding:
    """DUPLICATE_OF on a new record whose text an archived round's record shares."""
    rnd, info = archived.round, archived.doc.meta
    shared = pair.shared[0] if pair.shared else None
    name = shared.a_field if shared else None
    message = duplicate_message(pair.kind, pair.score, city=info.get("city"), company=info.get("company") or pair.b,
                                where=(info.get("source") or {}).get("file", ""), round_label=rnd)
    return Finding("DUPLICATE_OF", message, field=name, provenance=record.provenance(name) if name else record.source,
                   start=shared.a_start if shared else None, end=shared.a_end if shared else None,
                   record_id=record.id, city=record.city,
                   data={"kind": pair.kind, "other": pair.b, "round": rnd, "other_city": info.get("city"),
                         "other_company": info.get("company"), "score": round(pair.score, 3)})
