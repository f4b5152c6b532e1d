"""Backend 2: sentence-transformers on a model directory the user names. Never touches a model hub.

The loader sets ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1`` (before sentence-transformers is first
imported, since huggingface_hub reads them at import) and passes ``local_files_only=True``; the path must be
an existing directory, never a hub name.

Prefixes, decided once when the model loads, first match wins: ``prefixes=`` given by the caller; prompts
named "passage" (or "document")/"query" that the model declares, non-empty (``config_sentence_transformers.json``); the e5 convention
("passage: " / "query: ") when the directory name contains "e5"; the model's default prompt; none. The prefix
is passed to ``encode`` as ``prompt`` (so the model's default prompt is never added on top), and a text that
already starts with "passage: "/"query: " has it removed first, so it is never doubled.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .base import BackendUnavailable, LoadedModelEmbedder, strip_prefix

E5_PREFIXES = {"passage": "passage: ", "query": "query: "}


def sentence_transformers_installed() -> bool:
    try:
        return importlib.util.find_spec("sentence_transformers") is not None
    except (ImportError, ValueError):
        return False


def _force_offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@contextmanager
def _quiet_progress():
    """No "Loading weights" progress bar on stderr while the model loads (restored afterwards)."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        yield
        return
    was_enabled = getattr(hf_logging, "is_progress_bar_enabled", lambda: False)()
    if hasattr(hf_logging, "disable_progress_bar"):
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled and hasattr(hf_logging, "enable_progress_bar"):
            hf_logging.enable_progress_bar()


def _fingerprint(model_dir: Path) -> str:
    """Names, sizes and modification times of the model's files: changes when the model is replaced."""
    h = hashlib.sha256()
    for p in sorted(model_dir.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(model_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder(LoadedModelEmbedder):
    """A local sentence-transformers model, on CPU unless ``device`` says otherwise.

    Parameters
    ----------
    model_dir:
        a directory written by ``SentenceTransformer.save()`` (modules.json, config, tokenizer, weights).
    batch_size:
        texts per forward pass.
    prefixes:
        {"passage": ..., "query": ...} to prepend, {} for none, None to decide as the module docstring says.
    """

    name = "sentence-transformers"

    def __init__(self, model_dir: str | os.PathLike | None, batch_size: int = 32, device: str = "cpu",
                 prefixes: dict[str, str] | None = None):
        if not model_dir:
            raise BackendUnavailable(
                "embedding backend 'sentence-transformers' is unavailable: no model directory is configured "
                "(set EmbeddingConfig.model_dir to a local model folder)"
            )
        path = Path(model_dir).expanduser()
        if not path.is_dir():
            raise BackendUnavailable(
                f"embedding backend 'sentence-transformers' is unavailable: model directory {str(path)!r} does not "
                "exist or is not a folder (models are never downloaded; name a local folder)"
            )
        _force_offline()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise BackendUnavailable(
                "embedding backend 'sentence-transformers' is unavailable: sentence-transformers cannot be imported "
                f"({e}); install the extra: pip install -e '.[ml]'"
            ) from e
        try:
            with _quiet_progress():
                self._model = SentenceTransformer(str(path.resolve()), device=device, local_files_only=True)
        except Exception as e:  # a broken folder: say which and why
            raise BackendUnavailable(
                f"embedding backend 'sentence-transformers' could not load the model in {str(path)!r}: {e}"
            ) from e
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        self.model_dir = path.resolve()
        get_dim = (getattr(self._model, "get_embedding_dimension", None)  # sentence-transformers >= 5.4
                   or self._model.get_sentence_embedding_dimension)
        self._dim = int(get_dim())
        prompts = {k: v for k, v in (getattr(self._model, "prompts", None) or {}).items() if v}
        declared = {  # sentence-transformers >= 6 calls the passage side "document"
            "passage": prompts.get("passage") or prompts.get("document") or "",
            "query": prompts.get("query") or "",
        }
        default_prompt = prompts.get(getattr(self._model, "default_prompt_name", None) or "", "")
        if prefixes is not None:
            self.prefixes = dict(prefixes)
        elif any(declared.values()):
            self.prefixes = declared
        elif "e5" in path.resolve().name.lower():
            self.prefixes = dict(E5_PREFIXES)
        elif default_prompt:
            self.prefixes = {"passage": default_prompt, "query": default_prompt}
        else:
            self.prefixes = {}
        self._identity = f"st:{self.model_dir}:{_fingerprint(self.model_dir)}:{sorted(self.prefixes.items())}"

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        prefix = self.prefixes.get(kind, "")
        if prefix:
            texts = [strip_prefix(t, kind) for t in texts]
        # the prefix goes in as ``prompt``: an explicit prompt also stops the model's default prompt being added
        vecs = self._model.encode(
            texts,
            prompt=prefix,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)
