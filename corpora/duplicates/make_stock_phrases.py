"""Write corpora/duplicates/stock_phrases.json: the stock phrases the near-duplicate detector knows before any
round is read, so that a city's five 典型做法 are not paired on the form's own wording.

    .venv/bin/python corpora/duplicates/make_stock_phrases.py [--check]

Three sources, each a list of phrases in the detector's normal form (``nlp.duplicates.normal_form``: no
whitespace or punctuation, half-width, figures as ``#``):
- ``form``: every line of the programme notice (../shared/reference/programme-notice.txt), which holds the
  附件1 header and notes and the 附件3 template (模版) with its section headings and the items it asks for;
- ``codelists``: the template's slots filled from corpora/codelists — 企业成立时间, 企业性质 (the template's own
  list: 央企、国有、民营、外资、港澳台、上市公司), 所属战略性新兴产业集群 (the 20 clusters and their variants),
  所属行业 (the 41 sectors), 项目建设地点 (city and district names);
- ``corpora``: the runs of shingles frequent in the project's own corpora (corpora/duplicates originals,
  corpora/directions/train.jsonl, corpora/labelled/own, corpora/sample/source — never the evaluation set), by the
  rule a round uses for its own stock phrases (``common_shingles``: in ≥ 2% of the texts and ≥ 10 of them),
  counted separately over the project narratives and over the 典型做法 (two genres).

``--check`` exits 1 when the shipped file differs from what this script would write (a test runs it).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from nlp.codelists import codelists  # noqa: E402
from nlp.duplicates import (STOCK_PHRASES, DuplicateConfig, Prepared, _shingles, common_shingles,  # noqa: E402
                            normal_form)

NOTICE = ROOT.parent / "shared" / "reference" / "programme-notice.txt"
CORPORA = ROOT / "corpora"
#: 企业性质 as the 附件3 template lists it (一、企业简介: 央企、国有、民营、外资、港澳台；上市公司)
NATURES = ("央企", "国有", "民营", "外资", "港澳台", "上市")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def form_phrases(notice: Path = NOTICE) -> list[str]:
    """Every line of the notice (its body, the 附件1 header and notes, the 附件3 template)."""
    if not notice.exists():
        raise SystemExit(f"未找到通知原文：{notice}")
    return [line for line in (normal_form(x) for x in notice.read_text(encoding="utf-8").splitlines()) if len(line) >= 4]


def codelist_phrases() -> list[str]:
    """The template's slots filled from the code lists."""
    lists = codelists()
    out = ["有限公司成立于#年", "股份有限公司成立于#年", "集团成立于#年", "公司成立于#年"]  # 企业成立时间
    for nature in NATURES:  # 企业性质
        out += [f"是一家{nature}企业", f"属于{nature}企业", f"为{nature}企业"]
    out += ["是一家上市公司", "上市公司"]
    for cluster in lists.clusters:  # 所属战略性新兴产业集群
        for name in dict.fromkeys((cluster.name, *cluster.variants)):
            out += [f"属{name}战略性产业集群", f"属于{name}战略性产业集群", f"属{name}产业集群",
                    f"属于{name}产业集群", f"{name}战略性产业集群"]
    out += [s.name for s in lists.sectors]  # 所属行业
    for city in lists.cities:  # 项目建设地点
        for place in (*city.counties, *city.zones):
            out += [f"位于{city.name}{place}", f"{city.name}{place}"]
    return [p for p in dict.fromkeys(normal_form(x) for x in out) if len(p) >= 4]


def _narratives(rows: list[dict]) -> list[str]:
    return [r["项目建设内容"] + "。" + r["技术改造实施效果"] for r in rows]


def corpus_sources() -> dict[str, dict[str, list[str]]]:
    """The project's own texts, by source and genre (project narratives, 典型做法); no labelled variant."""
    variants = {p["b"] for p in _jsonl(CORPORA / "duplicates" / "pairs.jsonl")}
    train = _jsonl(CORPORA / "directions" / "train.jsonl")
    sample = CORPORA / "sample" / "source"
    return {
        "corpora/duplicates": {"project": _narratives([r for r in _jsonl(CORPORA / "duplicates" / "rows.jsonl")
                                                       if r["id"] not in variants]), "practice": []},
        "corpora/directions": {"project": [r["text"] for r in train if r.get("kind") != "practice_excerpt"],
                               "practice": [r["text"] for r in train if r.get("kind") == "practice_excerpt"]},
        "corpora/labelled/own": {"project": _narratives(_jsonl(CORPORA / "labelled" / "own" / "projects.jsonl")),
                                 "practice": [r["text"] for r in _jsonl(CORPORA / "labelled" / "own" / "enterprises.jsonl")]},
        "corpora/sample/source": {
            "project": _narratives(json.loads((sample / "projects.json").read_text(encoding="utf-8"))),
            "practice": [r["text"] for r in json.loads((sample / "enterprises.json").read_text(encoding="utf-8"))]},
    }


def corpus_texts(without: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The distinct texts of each genre over the sources (but those named in ``without``)."""
    out: dict[str, list[str]] = {"project": [], "practice": []}
    for source, genres in corpus_sources().items():
        if source not in without:
            for genre, texts in genres.items():
                out[genre] += texts
    return {genre: list(dict.fromkeys(texts)) for genre, texts in out.items()}


def frequent_runs(texts: list[str], config: DuplicateConfig) -> list[str]:
    """The maximal runs of consecutive shingles frequent in ``texts`` (by the round's rule), as phrases."""
    k = config.shingle
    forms = [normal_form(t) for t in texts]
    prepared = [Prepared(f, set(), _shingles(f, k), None) for f in forms]  # type: ignore[arg-type]
    common = common_shingles(prepared, config)
    runs: set[str] = set()
    for f in forms:
        start = last = None  # a run: consecutive positions whose shingle is frequent (so is every shingle of it)
        for i in range(len(f) - k + 2):
            if i < len(f) - k + 1 and f[i:i + k] in common:
                start, last = (i if start is None else start), i
            elif start is not None:
                runs.add(f[start:last + k])
                start = None
    return sorted(runs)


def build(without: tuple[str, ...] = ()) -> dict:
    """The file's content; ``without``: corpus sources left out (a test checks the sample round without its own)."""
    config = DuplicateConfig()
    texts = corpus_texts(without)
    corpus = sorted({run for genre in texts.values() for run in frequent_runs(genre, config)})
    return {"about": "Stock phrases known before any round (nlp.duplicates.stock_shingles); in normal form: no "
                     "whitespace or punctuation, half-width, figures as #. Written by "
                     "corpora/duplicates/make_stock_phrases.py; do not edit by hand.",
            "texts": {genre: len(v) for genre, v in texts.items()},
            "phrases": {"form": form_phrases(), "codelists": codelist_phrases(), "corpora": corpus}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the shipped file")
    args = parser.parse_args(argv)
    text = json.dumps(build(), ensure_ascii=False, indent=1) + "\n"
    if args.check:
        same = STOCK_PHRASES.exists() and STOCK_PHRASES.read_text(encoding="utf-8") == text
        print("stock_phrases.json is up to date" if same else "stock_phrases.json is stale: run make_stock_phrases.py")
        return 0 if same else 1
    STOCK_PHRASES.write_text(text, encoding="utf-8")
    data = json.loads(text)
    print(f"wrote {STOCK_PHRASES.relative_to(ROOT)}: " + ", ".join(f"{k} {len(v)}" for k, v in data["phrases"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
