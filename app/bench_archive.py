"""Near-duplicate search at scale, for `make bench`: a province round against an archive of N earlier
narratives (default 100,000), with the all-pairs brute force estimated for comparison.

The archive's narratives are generated: the programme's verbs and equipment joined with nouns drawn from
jieba's dictionary (the 30,000 most frequent two- to four-character nouns), so that unrelated narratives share
about as few shingles as real distinct submissions do (masked Jaccard mostly under 0.02). Into it go
light-edited copies of 1 in 20 of the new round's rows (names and figures changed), which the search must
find. Archived embeddings are random unit vectors (the copies get their originals' vectors plus noise),
since embedding 100,000 texts with the CPU model takes hours here: the figures measure the cost and the
recall of the search at scale; its quality on real text is what `make eval` measures.
"""
from __future__ import annotations

import random
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from nlp.duplicates import DupDoc, DuplicateConfig, _containment, _jaccard, prepare

from .archive import Archive

_VERBS = ["新建", "改造", "引进", "购置", "部署", "升级", "配置", "建设", "更换", "整合", "扩建", "导入", "上线", "搭建"]
_THINGS = ["焊接机器人", "数控加工中心", "视觉检测系统", "余热回收装置", "分布式光伏", "立体仓库", "AGV小车", "MES系统",
           "能源管理平台", "RTO焚烧炉", "注塑机", "喷涂线", "窑炉", "热泵机组", "变频空压机", "污水处理站", "激光切割机",
           "自动包装线", "在线监测仪", "智能电表", "冲压线", "压铸岛", "染色机", "烘干线", "分拣系统", "码垛机器人",
           "三坐标测量机", "X光探伤机", "SCADA系统", "WMS系统", "ERP系统", "PLM平台", "5G专网", "数据中台", "质量追溯系统"]
_PRODUCTS = ["电饭煲", "铝型材", "陶瓷砖", "锂电池", "线路板", "家具板材", "玩具", "不锈钢锅", "纸箱", "药品", "饮料", "铸件",
             "电机", "灯具", "塑料管", "石材", "纱线", "酱油", "模具", "轮胎", "玻璃", "水泥", "钢材", "化纤", "香精",
             "印刷品", "五金件", "电线", "空调", "冰箱", "洗衣机", "热水器", "卫浴", "瓷器", "刀剪", "摩托车", "手机配件"]
_METRICS = ["生产效率", "产品合格率", "单位能耗", "用工人数", "年产能", "交付周期", "不良率", "设备利用率", "综合成本", "人均产值"]
_UNITS = ["台", "套", "条", "%", "万件", "吨", "人", "天", "万元", "千瓦时"]


_NOUNS: list[str] = []


def _nouns() -> list[str]:
    """The most frequent 2–4 character nouns of jieba's dictionary (cached)."""
    if not _NOUNS:
        import jieba

        path = Path(jieba.__file__).with_name("dict.txt")
        words = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] == "n" and 2 <= len(parts[0]) <= 4:
                words.append((int(parts[1]), parts[0]))
        _NOUNS.extend(w for _, w in sorted(words, reverse=True)[:30_000])
    return _NOUNS


def synthetic_narrative(rng: random.Random) -> dict[str, str]:
    nouns = _nouns()
    clauses = [f"{rng.choice(_VERBS)}{rng.choice(nouns)}{rng.choice(nouns)}{rng.choice(_THINGS)}{rng.randint(1, 999)}"
               f"{rng.choice(_UNITS)}" for _ in range(rng.randint(5, 9))]
    effects = [f"{rng.choice(nouns)}{rng.choice(_METRICS)}由{rng.randint(1, 999)}{rng.choice(_UNITS)}变为"
               f"{rng.randint(1, 999)}{rng.choice(_UNITS)}" for _ in range(rng.randint(3, 6))]
    return {"项目建设内容": "，".join(clauses) + "。", "技术改造实施效果": "，".join(effects) + "。"}


def _light_edit(doc: DupDoc, rng: random.Random) -> dict[str, str]:
    """The same text with every figure changed and the company's city swapped."""
    import re

    return {name: re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text).replace("市", "县", 1)
            for name, text in doc.fields.items()}


def build_archive(path: Path, size: int, new_docs: list[DupDoc], new_embeddings: np.ndarray,
                  seed: int = 5) -> tuple[float, set[str]]:
    """Fill an archive with ``size`` narratives (generated ones and light edits of 1 in 20 ``new_docs``) and
    unit vectors; returns (seconds taken, the ids of the new records that were planted)."""
    rng = random.Random(seed)
    vec_rng = np.random.default_rng(seed)
    dim = new_embeddings.shape[1]
    planted = {i for i in range(0, len(new_docs), 20)}
    archive = Archive(path)
    t = time.perf_counter()
    batch = 5000
    for start in range(0, size, batch):
        n = min(batch, size - start)
        docs = [("project", DupDoc(f"a{start + i}", synthetic_narrative(rng), {"company": f"往年企业{start + i}"}))
                for i in range(n)]
        vectors = vec_rng.standard_normal((n, dim)).astype(np.float32)
        if start == 0:
            for slot, i in enumerate(sorted(planted)[:n]):
                docs[slot] = ("project", DupDoc(f"copy{i}", _light_edit(new_docs[i], rng), {"company": "往年企业"}))
                vectors[slot] = new_embeddings[i] * 8 + vec_rng.standard_normal(dim).astype(np.float32) * 0.1
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        archive.add(docs, "2023", vectors, "bench")
    archive.close()
    return time.perf_counter() - t, {new_docs[i].id for i in planted}


def bench_archive(new_docs: list[DupDoc], new_embeddings: np.ndarray, size: int = 100_000) -> dict:
    """Search ``new_docs`` against a generated archive; estimate all-pairs brute force on a sample."""
    with tempfile.TemporaryDirectory(prefix="jigai-bench-archive-") as tmp:
        path = Path(tmp) / "archive.sqlite"
        build_s, planted = build_archive(path, size, new_docs, new_embeddings)
        archive = Archive(path)
        t = time.perf_counter()
        found = archive.search(new_docs, "project", new_embeddings, "bench")
        search_s = time.perf_counter() - t
        recovered = {pair.a for pair, _ in found if pair.b.startswith("2023:copy")}
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        archive.close()
    # brute force: the lexical comparison of every new record with every archived one, timed on a sample
    rng = random.Random(3)
    config = DuplicateConfig()
    sample_new = [prepare(d, config.shingle) for d in rng.sample(new_docs, min(50, len(new_docs)))]
    sample_old = [prepare(DupDoc(str(i), synthetic_narrative(rng)), config.shingle) for i in range(400)]
    t = time.perf_counter()
    for a in sample_new:
        for b in sample_old:
            _jaccard(a.masked, b.masked)
            _containment(a.raw, b.raw)
    per_pair = (time.perf_counter() - t) / (len(sample_new) * len(sample_old))
    brute_s = per_pair * len(new_docs) * size + 0.0
    return {"archive_size": size, "new_records": len(new_docs), "build_s": build_s, "search_s": search_s,
            "pairs_found": len(found),
            "planted": len(planted), "planted_found": len(recovered & planted), "peak_mib": peak, "brute_force_s_estimated": brute_s,
            "speed_up": brute_s / search_s if search_s else float("inf")}
