"""The review-app bench (make bench) runs the app's real handlers over an imported round."""
import gzip
import json
from pathlib import Path

from app.bench_review import bench_review
from app.store.bench import synthetic_contract

SNAPSHOT = Path(__file__).parent / "data" / "sample_contract.json.gz"


def test_bench_review_times_the_queue_and_records_of_the_whole_round():
    base = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))["contract"]
    figures = bench_review(synthetic_contract(base, 60), repeat=2)
    assert figures["records"] == 60
    for key in ("import_ms", "queue_load_ms", "queue_filter_city_severity_ms", "queue_filter_search_direction_ms",
                "record_open_ms", "record_open_max_ms"):
        assert figures[key] > 0, key
    assert figures["record_open_max_ms"] >= figures["record_open_ms"]
