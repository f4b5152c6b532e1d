"""Store speed on a province-sized synthetic round: `python -m app.store.bench [N] [--contract F] [--target URL]`.

The round replicates the sample contract's records (new ids, spread over Guangdong's 21 cities) to N records,
is imported into a fresh SQLite file, and the queue (unfiltered and filtered) and record() are timed.
"""
from __future__ import annotations

import copy
import gc
import hashlib
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

CITIES = ("广州市", "深圳市", "珠海市", "汕头市", "佛山市", "韶关市", "河源市", "梅州市", "惠州市", "汕尾市", "东莞市",
          "中山市", "江门市", "阳江市", "湛江市", "茂名市", "肇庆市", "清远市", "潮州市", "揭阳市", "云浮市")


def sample_contract() -> dict:
    """The bundled sample round's contract (runs the analysis: tens of seconds)."""
    from nlp.contract import to_contract
    from nlp.pipeline import analyse

    root = Path(__file__).resolve().parents[2]
    return json.loads(json.dumps(to_contract(analyse([root / "corpora" / "sample"], 2025)), ensure_ascii=False))


def synthetic_contract(base: dict, n: int) -> dict:
    """``n`` records copied from ``base`` with new ids and cities, plus a near-duplicate pair per 20 records."""
    records = []
    for i in range(n):
        rec = copy.deepcopy(base["records"][i % len(base["records"])])
        rec["id"] = f"{rec['id']}#{i}"
        rec["city"] = CITIES[i % len(CITIES)]
        records.append(rec)
    pairs = [{"a": records[i]["id"], "b": records[i + 1]["id"], "kind": "template", "score": 0.9, "shared": []}
             for i in range(0, n - 1, 20)]
    per_city = Counter(r["city"] for r in records)
    cities = [{"city": c, "projects": per_city[c], "quota_ok": True, "findings": []} for c in CITIES if per_city[c]]
    return dict(base, round="bench", records=records, duplicates=pairs, cities=cities, duplicate_clusters=[])


def _ms(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def bench_on(store, contract: dict, n: int, repeat: int = 5) -> dict:
    """Import a synthetic round of ``n`` records into ``store`` and time its reads (milliseconds)."""
    from . import Viewer

    round_label, synthetic = "bench", synthetic_contract(contract, n)
    files = [("bench.xlsx", hashlib.sha256(str(n).encode()).hexdigest())]
    t = time.perf_counter()
    store.import_round(round_label, synthetic, files, "bench")
    import_ms = (time.perf_counter() - t) * 1000
    del synthetic
    gc.collect()  # the copied contract is a big object graph: keep its collection out of the read timings
    province, city = Viewer("bench", "province"), Viewer("bench-city", "city", CITIES[4])
    queue_ms, rows = _ms(lambda: store.queue(province, round_label), repeat)
    filtered_ms, filtered = _ms(lambda: store.queue(province, round_label, city=CITIES[4], severity="error",
                                                    sort="findings"), repeat)
    search_ms, _ = _ms(lambda: store.queue(province, round_label, search="机器人", direction="智能化",
                                           status="未审"), repeat)
    city_ms, _ = _ms(lambda: store.queue(city, round_label), repeat)
    ids = [r.record_id for r in rows[:: max(1, len(rows) // 20)]]
    record_times = []
    for rid in ids:
        t = time.perf_counter()
        store.record(province, round_label, rid)
        record_times.append((time.perf_counter() - t) * 1000)
    return {"backend": store.engine.dialect.name, "records": len(rows), "import_ms": round(import_ms, 1),
            "queue_ms": round(queue_ms, 1), "queue_filtered_ms": round(filtered_ms, 1),
            "queue_filtered_rows": len(filtered), "queue_search_ms": round(search_ms, 1),
            "queue_city_viewer_ms": round(city_ms, 1), "record_ms": round(statistics.median(record_times), 1),
            "record_max_ms": round(max(record_times), 1)}


def bench_store(n: int = 1100, contract: dict | None = None, target: str | Path | None = None) -> dict:
    """Figures for a synthetic round of ``n`` records (a temp SQLite file unless ``target`` names a store)."""
    from . import Store

    contract = contract if contract is not None else sample_contract()
    with tempfile.TemporaryDirectory(prefix="jigai-store-bench-") as tmp:
        with Store.open(target if target is not None else Path(tmp) / "review.sqlite") as store:
            return bench_on(store, contract, n)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m app.store.bench", description="审核库速度测试")
    parser.add_argument("n", nargs="?", type=int, default=1100, help="synthetic records (default 1100)")
    parser.add_argument("--contract", type=Path, help="a `jigai check --json` file to replicate "
                                                      "(default: analyse corpora/sample)")
    parser.add_argument("--target", help="store to use (SQLAlchemy URL of an empty database); default a temp SQLite")
    args = parser.parse_args(argv)
    contract = json.loads(args.contract.read_text(encoding="utf-8")) if args.contract else None
    print(json.dumps(bench_store(args.n, contract, args.target), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
