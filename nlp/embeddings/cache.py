"""A disk cache of vectors in front of any deterministic backend (not tfidf).

One SQLite file per backend and model (``<name>-<hash of identity>.sqlite`` in the cache folder), in WAL mode,
table ``vectors(key TEXT PRIMARY KEY, vec BLOB)``: ``key`` is the hex sha256 of
``backend name \\0 model identity \\0 kind \\0 text`` and ``vec`` the vector as little-endian float32 bytes.
``embed`` looks every text up in one query, sends only the missing ones to the backend (the backend's
``texts_per_call``, else ``batch_size``, at a time: e5-torch sorts each call's texts by length, so bigger calls
pad less), stores each batch with ``INSERT OR IGNORE`` (so two processes filling the same file never conflict:
the first writer wins and both wrote the same vector), and returns the rows in the order asked.

Counters: ``computed`` (distinct texts the backend embedded) and ``cached_hits`` (texts served from disk),
both cumulative since the object was made or ``reset_counters()``; a text repeated within one call that was
missing counts once in ``computed`` and never as a hit.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from .base import Embedder, check_kind, check_texts

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def cache_key(name: str, identity: str, kind: str, text: str) -> str:
    return hashlib.sha256(f"{name}\0{identity}\0{kind}\0{text}".encode("utf-8")).hexdigest()


class CachedEmbedder(Embedder):
    """Wraps ``inner`` and keeps every vector it computes in ``cache_dir``.

    It is itself an :class:`Embedder` with the inner backend's ``name``, ``dim`` and ``identity``.
    """

    def __init__(self, inner: Embedder, cache_dir: str | os.PathLike, batch_size: int | None = None):
        if not getattr(inner, "cacheable", True):
            raise ValueError(
                f"the {inner.name!r} backend cannot be cached on disk: its vectors depend on a fit made at run time"
            )
        self.inner = inner
        self.name = inner.name
        self.batch_size = batch_size or getattr(inner, "batch_size", 32)
        #: texts sent to the backend per call, and stored per write
        self.texts_per_call = max(self.batch_size, int(getattr(inner, "texts_per_call", 0) or 0))
        self.cache_dir = Path(cache_dir).expanduser()
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", inner.name) or "embedder"
        self.path = self.cache_dir / f"{safe}-{hashlib.sha256(inner.identity.encode()).hexdigest()[:16]}.sqlite"
        self.computed = 0
        self.cached_hits = 0
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    # -- the Embedder interface -------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def identity(self) -> str:
        return self.inner.identity

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:  # pragma: no cover - embed() is overridden
        return self.embed(texts, kind)

    def embed(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray:
        texts = check_texts(texts)
        check_kind(kind)
        dim = self.dim
        out = np.zeros((len(texts), dim), dtype=np.float32)
        if not texts:
            return out
        keys = [cache_key(self.inner.name, self.inner.identity, kind, t) for t in texts]
        with self._lock:
            conn = self._connect()
            found = self._lookup(conn, keys, dim)
            missing: dict[str, str] = {}  # key -> text, first occurrence order
            for i, k in enumerate(keys):
                vec = found.get(k)
                if vec is not None:
                    out[i] = vec
                    self.cached_hits += 1
                elif k not in missing:
                    missing[k] = texts[i]
            if missing:
                fresh: dict[str, np.ndarray] = {}
                items = list(missing.items())
                for start in range(0, len(items), self.texts_per_call):
                    chunk = items[start:start + self.texts_per_call]
                    vecs = self.inner.embed([t for _, t in chunk], kind)
                    self._store(conn, [(k, v) for (k, _), v in zip(chunk, vecs)])
                    self.computed += len(chunk)
                    fresh.update((k, v) for (k, _), v in zip(chunk, vecs))
                for i, k in enumerate(keys):
                    if k in fresh:
                        out[i] = fresh[k]
        return out

    # -- counters and housekeeping ------------------------------------------------------------------------
    def reset_counters(self) -> None:
        self.computed = 0
        self.cached_hits = 0

    def stats(self) -> dict:
        return {"computed": self.computed, "cached_hits": self.cached_hits, "path": str(self.path)}

    def __len__(self) -> int:
        """Vectors stored in the file (all kinds)."""
        with self._lock:
            return int(self._connect().execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "CachedEmbedder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    # -- SQLite ---------------------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit; transactions are explicit below. timeout: wait for another writer.
        conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
        for attempt in range(50):  # switching to WAL needs a moment alone with the file
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
                conn.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('backend', ?), ('identity', ?), ('dim', ?)",
                             (self.inner.name, self.inner.identity, str(self.inner.dim)))
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    conn.close()
                    raise
                time.sleep(0.05 * (attempt + 1))
        else:
            conn.close()
            raise sqlite3.OperationalError(f"embedding cache {self.path} stayed locked")
        self._conn = conn
        return conn

    @staticmethod
    def _lookup(conn: sqlite3.Connection, keys: list[str], dim: int) -> dict[str, np.ndarray]:
        """Every stored vector among ``keys``, in one query (the keys travel as one JSON array)."""
        rows = conn.execute(
            "SELECT key, vec FROM vectors WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(keys))),),
        ).fetchall()
        found = {}
        for key, blob in rows:
            if len(blob) == 4 * dim:  # anything else is not ours: recompute it
                found[key] = np.frombuffer(blob, dtype="<f4")
        return found

    @staticmethod
    def _store(conn: sqlite3.Connection, items: list[tuple[str, np.ndarray]]) -> None:
        rows = [(k, np.asarray(v, dtype="<f4").tobytes()) for k, v in items]
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR IGNORE INTO vectors(key, vec) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
