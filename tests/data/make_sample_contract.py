"""Regenerate tests/data/sample_contract.json.gz: the contract of corpora/sample (round 2025).

    .venv/bin/python tests/data/make_sample_contract.py

The store tests load this snapshot instead of re-running the analysis (tens of seconds to minutes); they
rebuild it in memory (and warn) when corpora/sample or the contract's schema number changed since it was written.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample"
SNAPSHOT = Path(__file__).resolve().parent / "sample_contract.json.gz"


def inputs_digest() -> str:
    """sha256 over corpora/sample's files (paths and bytes) and the contract schema number."""
    from nlp.contract import SCHEMA

    h = hashlib.sha256(f"schema={SCHEMA}".encode())
    for path in sorted(p for p in SAMPLE.rglob("*") if p.is_file()):
        h.update(path.relative_to(SAMPLE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def build() -> dict:
    from nlp.contract import to_contract
    from nlp.pipeline import analyse

    return json.loads(json.dumps(to_contract(analyse([SAMPLE], 2025)), ensure_ascii=False))


def write(contract: dict, path: Path = SNAPSHOT) -> None:
    payload = {"inputs": inputs_digest(), "contract": contract}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def load(path: Path = SNAPSHOT) -> dict:
    """The snapshot's contract; rebuilt in memory (slow, with a warning) when missing or stale."""
    if path.exists():
        payload = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        if payload.get("inputs") == inputs_digest():
            return payload["contract"]
    warnings.warn(f"{path.name} is missing or stale: analysing corpora/sample now "
                  "(run tests/data/make_sample_contract.py to refresh it)", stacklevel=2)
    return build()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    c = build()
    write(c)
    print(f"{SNAPSHOT}: {len(c['records'])} records, {SNAPSHOT.stat().st_size} bytes")
