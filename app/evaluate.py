"""`make eval`: quality figures on a labelled evaluation set, through the same path a user's files take.

    python -m app.evaluate [--set ../shared/evalsets/dev] [--json figures.json]

The set's rows are written into real 附件1 workbooks (one per city, the template's layout) and its
典型做法 into .docx files; the engine reads those files and its results are scored against the labels.
Later capabilities add their rows to the same table.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nlp.codelists import codelists
from nlp.pipeline import RoundAnalysis, analyse
from nlp.textnorm import cell_text

from .templates import FIRST_DATA_ROW, PROJECT_COLUMNS, write_practice_docx, write_project_table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT.parent / "shared" / "evalsets" / "dev"

#: the planted defects of the labelled sets that are form rules, and the Finding code that reports each
FORM_DEFECTS = {
    "period_ends_before_2021": "PERIOD_ENDS_BEFORE_2021",
    "period_ends_after_2026": "PERIOD_ENDS_AFTER_ROUND",
    "period_bad_format": "PERIOD_FORMAT_NONSTANDARD",
    "location_outside_guangdong": "LOCATION_NOT_GUANGDONG",
    "cluster_not_in_list": "CLUSTER_UNKNOWN",
    "industry_not_in_list": "SECTOR_UNKNOWN",
    "investment_unit_error": "INVESTMENT_UNIT_SUSPECT",
}
#: the round the labels were written for ("period_ends_after_2026")
EVAL_ROUND = 2026
FORM_CODES = set(FORM_DEFECTS.values()) | {
    "LOCATION_CITY_UNKNOWN", "LOCATION_DISTRICT_MISMATCH", "LOCATION_OTHER_CITY", "SECTOR_NUMBER_MISMATCH",
    "SECTOR_CLUSTER_IMPLAUSIBLE", "TRADITIONAL_UNKNOWN", "DIRECTION_VALUE_INVALID", "DIRECTION_NONE",
    "PERIOD_UNPARSEABLE", "PERIOD_START_AFTER_END", "INVESTMENT_NOT_NUMERIC", "INVESTMENT_NOT_POSITIVE",
    "CONTACT_INCOMPLETE", "FIELD_MISSING", "CLUSTER_VARIANT"}


@dataclass
class Figure:
    capability: str
    metric: str
    value: float | None
    target: str = ""
    detail: str = ""


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_set_as_files(evalset: Path, folder: Path) -> tuple[dict[tuple[str, int], dict], dict[str, dict]]:
    """Write the set's rows and narratives as a round's files. Returns (file, row) → project and stem → practice."""
    projects = _read_jsonl(evalset / "projects.jsonl")
    practices = _read_jsonl(evalset / "enterprises.jsonl")
    lists = codelists()
    by_city: dict[str, list[dict]] = {}
    for p in projects:
        city = lists.find_city(str(p.get("项目建设地点", "")))
        by_city.setdefault(city.name if city else "其他", []).append(p)
    where: dict[tuple[str, int], dict] = {}
    for city, rows in sorted(by_city.items()):
        name = f"{city}-附件1.xlsx"
        write_project_table(folder / name, rows, city if city != "其他" else None)
        for i, row in enumerate(rows):
            where[(name, FIRST_DATA_ROW + i)] = row
    docs: dict[str, dict] = {}
    for e in practices:
        stem = f"{e['城市']}-{e.get('id', e['企业名称'])}"
        write_practice_docx(folder / f"{stem}.docx", e["企业名称"], e["text"])
        docs[stem] = e
    return where, docs


def _ratio(n: int, d: int) -> float | None:
    return n / d if d else None


def labelled_projects(analysis: RoundAnalysis, where: dict):
    """(record, labelled source row) for every project read back from the written files."""
    for record in analysis.ingest.projects:
        source = where.get((Path(record.source.file).name, record.source.row))
        if source is not None:
            yield record, source


def score_ingest(analysis: RoundAnalysis, where: dict, docs: dict) -> list[Figure]:
    exact = total = 0
    mismatches: list[str] = []
    for record, source in labelled_projects(analysis, where):
        for name in PROJECT_COLUMNS:
            total += 1
            if record.text(name) == cell_text(source.get(name)):
                exact += 1
            elif len(mismatches) < 3:
                mismatches.append(f"{source['id']}:{name}")
    doc_ok = 0
    for record in analysis.ingest.practices:
        source = docs.get(record.id)
        if source is not None and record.text("text").endswith(source["text"]) and record.company == source["企业名称"]:
            doc_ok += 1
    return [
        Figure("ingest", "附件1 fields read exactly", _ratio(exact, total), "1.000",
               f"{exact}/{total}" + (f"; e.g. {', '.join(mismatches)}" if mismatches else "")),
        Figure("ingest", "附件3 text and company read exactly", _ratio(doc_ok, len(docs)), "1.000",
               f"{doc_ok}/{len(docs)}"),
        Figure("ingest", "unusable files", float(len(analysis.ingest.failures)), "0"),
    ]


def score_form_rules(analysis: RoundAnalysis, where: dict) -> list[Figure]:
    planted = found = flagged = correct = 0
    clean_rows = clean_flagged = 0
    missed: list[str] = []
    for record, source in labelled_projects(analysis, where):
        tags = [t for t in source.get("gold", {}).get("defects", []) if t in FORM_DEFECTS]
        expected = {FORM_DEFECTS[t] for t in tags}
        codes = {f.code for f in analysis.findings_of(record) if f.code in FORM_DEFECTS.values()}
        planted += len(expected)
        found += len(expected & codes)
        missed += [f"{source['id']}:{c}" for c in expected - codes]
        flagged += len(codes)
        correct += len(codes & expected)
        if not source.get("gold", {}).get("defects"):
            clean_rows += 1
            serious = {f.code for f in analysis.findings_of(record)
                       if f.code in FORM_CODES and f.severity in ("error", "warning")}
            clean_flagged += bool(serious)
    return [
        Figure("form rules", "planted defects found (recall)", _ratio(found, planted), "1.000",
               f"{found}/{planted}" + (f"; missed {', '.join(missed)}" if missed else "")),
        Figure("form rules", "flags that are planted defects (precision)", _ratio(correct, flagged), "≥0.90",
               f"{correct}/{flagged}"),
        Figure("form rules", "clean rows with an error/warning", _ratio(clean_flagged, clean_rows), "0.000",
               f"{clean_flagged}/{clean_rows}"),
    ]


def evaluate(evalset: Path) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="jigai-eval-") as tmp:
        folder = Path(tmp)
        where, docs = write_set_as_files(evalset, folder)
        analysis = analyse([folder], EVAL_ROUND)
        return [*score_ingest(analysis, where, docs), *score_form_rules(analysis, where)]


def print_table(figures: list[Figure], out=None) -> None:
    out = out or sys.stdout
    print(f"{'capability':<12} {'metric':<44} {'value':>7} {'target':>7}  detail", file=out)
    for f in figures:
        value = "n/a" if f.value is None else f"{f.value:.3f}"
        print(f"{f.capability:<12} {f.metric:<44} {value:>7} {f.target:>7}  {f.detail}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the labelled set's folder")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not (args.set / "projects.jsonl").exists():
        print(f"evaluation set not found: {args.set}", file=sys.stderr)
        return 2
    figures = evaluate(args.set)
    print(f"evaluation set: {args.set}")
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps([f.__dict__ for f in figures], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
