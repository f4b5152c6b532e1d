"""Throughput of an embedder, for ``make bench``."""
from __future__ import annotations

import random
import time
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
