"""The review app's speed on a province round, for `make bench`: the queue and a record as the server builds them.

The round's contract (from the bench's analysis of the generated 1,100-row round) is imported into a fresh
SQLite store; then the app's own handlers are timed with a logged-in province reviewer: loading the queue
(store query + the table the page shows), filtering it, and opening a record (store read + every panel of
the record view rendered to HTML). Browser rendering and the network are not included.
"""
from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench_review(contract: dict, repeat: int = 5) -> dict:
    """Median milliseconds of the app's queue load, filters and record opening over ``contract``'s round."""
    from app.store import Store
    from app.web.auth import Users, add_user
    from app.web.handlers import Handlers
    from app.web.service import Service

    round_label = str(contract.get("round") or "bench")
    with tempfile.TemporaryDirectory(prefix="jigai-review-bench-") as tmp:
        folder = Path(tmp)
        add_user(folder / "users.json", "bench", "province", None, "bench-password")
        store = Store.open(folder / "review.sqlite")
        try:
            t = time.perf_counter()
            store.import_round(round_label, contract, [("bench", hashlib.sha256(b"bench").hexdigest())], "bench")
            import_ms = (time.perf_counter() - t) * 1000
            handlers = Handlers(Service(store, Users(folder / "users.json"), folder, export_dir=folder / "exports"))
            request = SimpleNamespace(username="bench")
            queue = lambda **f: handlers.queue(round_label, f.get("city"), f.get("severity"), f.get("code"),  # noqa: E731
                                               f.get("direction"), f.get("status"), f.get("search"), False,
                                               f.get("sort", "severity"), request)
            rows = store.queue(handlers.service.viewer("bench"), round_label)
            city = rows[0].city if rows else None
            figures = {
                "records": len(rows),
                "import_ms": import_ms,
                "queue_load_ms": _median_ms(lambda: queue(), repeat),
                "queue_filter_city_severity_ms": _median_ms(lambda: queue(city=city, severity="warning"), repeat),
                "queue_filter_search_direction_ms": _median_ms(lambda: queue(search="机器人", direction="智能化",
                                                                             status="未审", sort="findings"), repeat),
            }
            ids = [r.record_id for r in rows[:: max(1, len(rows) // 25)]]
            layers = ["evidence", "sections", "directions", "sensitive", "overflow"]
            times = []
            for rid in ids:
                t = time.perf_counter()
                handlers.open_record(round_label, rid, layers, request)
                times.append((time.perf_counter() - t) * 1000)
            figures["record_open_ms"] = statistics.median(times) if times else float("nan")
            figures["record_open_max_ms"] = max(times) if times else float("nan")
        finally:
            store.close()
    return figures
