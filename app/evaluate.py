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
from nlp.constants import NARRATIVE_FIELDS
from nlp.pipeline import RoundAnalysis, analyse
from nlp.spans import overlaps
from nlp.textnorm import cell_text

from .eval_numerals import score_numerals
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
        # a Word file keeps no empty paragraphs the way ingest reads it: score against the same text
        docs[stem] = dict(e, text="\n".join(line for line in e["text"].split("\n") if line.strip()))
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
    doc_ok = sum(record.company == source["企业名称"] for record, source, _ in _practices(analysis, docs))
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


def _gold_spans(text: str, substrings: list[str], offset: int = 0) -> list[tuple[int, int]]:
    """Offsets of gold substrings, each occurrence used once, in order."""
    spans, used = [], set()
    for sub in substrings:
        pos = text.find(sub)
        while pos >= 0 and (pos, pos + len(sub)) in used:
            pos = text.find(sub, pos + 1)
        if pos >= 0:
            used.add((pos, pos + len(sub)))
            spans.append((pos + offset, pos + offset + len(sub)))
    return spans


def match_spans(predicted: list[tuple[int, int]], gold: list[tuple[int, int]], min_share: float = 0.0) -> int:
    """How many gold spans are matched one-to-one by an overlapping prediction (by at least ``min_share`` of
    the shorter span when given)."""
    free = list(predicted)
    matched = 0
    for g in gold:
        for p in free:
            shared = overlaps(p, g)
            if shared > 0 and shared >= min_share * min(p[1] - p[0], g[1] - g[0]):
                free.remove(p)
                matched += 1
                break
    return matched


def _prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> tuple[float | None, float | None, float | None]:
    p, r = _ratio(tp_pred, n_pred), _ratio(tp_gold, n_gold)
    f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else None
    return p, r, f


def _practices(analysis: RoundAnalysis, docs: dict):
    """(record, labelled narrative, offset of the labelled text inside the text as read) per 典型做法."""
    for record in analysis.ingest.practices:
        source = docs.get(record.id)
        if source is not None and record.text("text").endswith(source["text"]):
            yield record, source, len(record.text("text")) - len(source["text"])


NARRATIVE_DEFECTS = {
    "effect_no_quantitative_data": ("NO_QUANT_EVIDENCE", None),
    "effect_after_only_no_comparison": ("NO_BEFORE_AFTER", None),
    "impossible_values": ("IMPLAUSIBLE_VALUE", None),
    "figures_without_units": ("UNIT_MISSING", None),
    "content_missing_equipment": ("CONTENT_PART_MISSING", "技术设备"),
    "content_over_300": ("LEN_OVER_LIMIT", "项目建设内容"),
    "effect_over_300": ("LEN_OVER_LIMIT", "技术改造实施效果"),
    "over_limit": ("LEN_OVER_LIMIT", None),
    "missing_section_3": ("SECTION_MISSING", "经验做法"),
    "missing_no_accident": ("SUBPART_MISSING", "无事故说明"),
    "contains_contact_or_names": ("SENSITIVE_", None),
}


def _has(findings, code: str, detail: str | None) -> bool:
    for f in findings:
        if not f.code.startswith(code):
            continue
        if detail is None or detail in (f.field, f.data.get("section"), f.data.get("subpart")) \
                or detail in f.data.get("missing", []):
            return True
    return False


def score_narratives(analysis: RoundAnalysis, where: dict, docs: dict) -> list[Figure]:
    ev = {"pred": 0, "tp_pred": 0, "gold": 0, "tp_gold": 0}
    ba_ok = ba_n = 0
    asp_tp = asp_pred = asp_gold = 0
    over_ok = over_n = 0
    defects_found = defects_n = 0
    clean_flagged = clean_n = 0
    missed: list[str] = []
    planted: list[tuple[str, set[str], list]] = []  # (id, planted defects, findings) per labelled record
    narrative_codes = {c for c, _ in NARRATIVE_DEFECTS.values()}

    def add_evidence(pred, gold):
        ev["pred"] += len(pred)
        ev["gold"] += len(gold)
        ev["tp_gold"] += match_spans(pred, gold)
        ev["tp_pred"] += match_spans(gold, pred)

    for record, source in labelled_projects(analysis, where):
        gold = source.get("gold", {})
        result = analysis.narratives[record.id]
        effect = result.fields.get("技术改造实施效果")
        claims = effect.claims if effect else []
        add_evidence([(c.start, c.end) for c in claims], _gold_spans(record.text("技术改造实施效果"), gold.get("evidence", [])))
        if "before_after" in gold:
            ba_n += 1
            ba_ok += any(c.compares for c in claims) == gold["before_after"]
        for name, key in (("项目建设内容", "content_aspects"), ("技术改造实施效果", "effect_aspects")):
            if key in gold and name in result.fields:
                found, truth = set(result.fields[name].coverage.found), set(gold[key])
                asp_tp += len(found & truth)
                asp_pred += len(found)
                asp_gold += len(truth)
        findings = analysis.findings_of(record)
        tags = set(gold.get("defects", []))
        for name, tag in (("项目建设内容", "content_over_300"), ("技术改造实施效果", "effect_over_300")):
            over_n += 1
            over_ok += _has(findings, "LEN_OVER_LIMIT", name) == (tag in tags)
        planted.append((source.get("id"), tags, findings))
        if not tags:
            clean_n += 1
            clean_flagged += any(f.code in narrative_codes and f.severity != "info" for f in findings)

    sec_ok = sec_n = sub_ok = sub_n = 0
    sens_gold = sens_found = 0
    for record, source, offset in _practices(analysis, docs):
        gold = source.get("gold", {})
        result = analysis.narratives[record.id]
        fa = result.fields["text"]
        add_evidence([(c.start, c.end) for c in fa.claims if c.start >= offset],
                     _gold_spans(source["text"], gold.get("evidence", []), offset))
        for name, present in gold.get("sections", {}).items():
            sec_n += 1
            sec_ok += result.sections[name].present == present
        for name, present in gold.get("subsections", {}).items():
            sub_n += 1
            sub_ok += result.subparts[name].present == present
        gold_sensitive = _gold_spans(source["text"], gold.get("sensitive", []), offset)
        sens_gold += len(gold_sensitive)
        sens_found += match_spans([(s.start, s.end) for s in fa.sensitive], gold_sensitive)
        findings = analysis.findings_of(record)
        over_n += 1
        over_ok += _has(findings, "LEN_OVER_LIMIT", None) == bool(gold.get("over_limit"))
        planted.append((source.get("id"), set(gold.get("defects", [])), findings))

    for rid, tags, findings in planted:
        for tag in tags & set(NARRATIVE_DEFECTS):
            defects_n += 1
            hit = _has(findings, *NARRATIVE_DEFECTS[tag])
            defects_found += hit
            if not hit:
                missed.append(f"{rid}:{tag}")
    p, r, f = _prf(ev["tp_pred"], ev["pred"], ev["tp_gold"], ev["gold"])
    ap, ar, af = _prf(asp_tp, asp_pred, asp_tp, asp_gold)

    def over_sev(severity: str) -> int:  # LEN_OVER_LIMIT findings of one severity on the labelled records
        return sum(f.code == "LEN_OVER_LIMIT" and f.severity == severity for _, _, fs in planted for f in fs)
    return [
        Figure("evidence", "claims precision", p, "", f"{ev['tp_pred']}/{ev['pred']}"),
        Figure("evidence", "claims recall", r, "", f"{ev['tp_gold']}/{ev['gold']}"),
        Figure("evidence", "claims F1", f, "≥0.90"),
        Figure("evidence", "before/after detection accuracy", _ratio(ba_ok, ba_n), "", f"{ba_ok}/{ba_n}"),
        Figure("aspects", "aspect micro-F1 (content + effect)", af, "≥0.80", f"P {ap:.3f} R {ar:.3f}" if ap else ""),
        Figure("sections", "section presence accuracy", _ratio(sec_ok, sec_n), "≥0.95", f"{sec_ok}/{sec_n}"),
        Figure("sections", "sub-part presence accuracy", _ratio(sub_ok, sub_n), "", f"{sub_ok}/{sub_n}"),
        Figure("sensitive", "sensitive-span recall", _ratio(sens_found, sens_gold), "", f"{sens_found}/{sens_gold}"),
        Figure("length", "over-limit accuracy", _ratio(over_ok, over_n), "1.000",
               f"{over_ok}/{over_n} (labels count characters; {over_sev('error')} over by 字数统计: error, "
               f"{over_sev('warning')} by characters only: warning)"),
        Figure("narrative", "planted narrative defects found", _ratio(defects_found, defects_n), "",
               f"{defects_found}/{defects_n}" + (f"; missed {', '.join(missed)}" if missed else "")),
        Figure("narrative", "clean rows with a narrative warning", _ratio(clean_flagged, clean_n), "",
               f"{clean_flagged}/{clean_n}"),
    ]


def score_directions(analysis: RoundAnalysis, where: dict, docs: dict) -> list[Figure]:
    """Per-direction P/R/F1 and macro-F1 for lexicon-only, model-only and combined; mismatch findings."""
    from nlp.directions import DIRECTIONS, record_fields, tag_texts

    items, truth, records = [], [], []
    for record, source in labelled_projects(analysis, where):
        if "directions" in source.get("gold", {}):
            items.append(record_fields(record))
            truth.append(set(source["gold"]["directions"]))
            records.append((record, source))
    for record, source, _ in _practices(analysis, docs):
        if "directions" in source.get("gold", {}):
            items.append(record_fields(record))
            truth.append(set(source["gold"]["directions"]))
    if not items:
        return []
    model = analysis.direction_model
    embeddings = analysis.direction_embeddings(items) if model is not None else None
    figures = []
    modes = ("lexicon", "model", "combined") if model is not None else ("lexicon",)
    for mode in modes:
        results = tag_texts(items, model, embeddings, analysis.embedder_name, mode)
        f1s = []
        for d in DIRECTIONS:
            pred = [r.tags[d] for r in results]
            gold = [d in t for t in truth]
            tp = sum(p and g for p, g in zip(pred, gold))
            p, r, f = _prf(tp, sum(pred), tp, sum(gold))
            f1s.append(f or 0.0)
            figures.append(Figure("directions", f"{mode:<8} {d} P / R / F1", f,
                                  "", f"P {p if p is not None else 0:.3f} R {r if r is not None else 0:.3f}"))
        figures.append(Figure("directions", f"{mode:<8} macro-F1", sum(f1s) / len(f1s),
                              "≥0.90" if mode == "combined" else ""))
    planted = found = flagged = correct = 0
    for record, source in records:
        tags = set(source["gold"].get("defects", []))
        expected = {("DIRECTION_UNSUPPORTED", t.split("_")[-1]) for t in tags if t.startswith("direction_overclaim_")}
        expected |= {("DIRECTION_UNDECLARED", t.split("_")[-1]) for t in tags if t.startswith("direction_underclaim_")}
        got = {(f.code, f.data.get("direction")) for f in analysis.findings_of(record)
               if f.code in ("DIRECTION_UNSUPPORTED", "DIRECTION_UNDECLARED")}
        planted += len(expected)
        found += len(expected & got)
        flagged += len(got)
        correct += len(got & expected)
    figures.append(Figure("directions", "mismatch findings precision", _ratio(correct, flagged), "", f"{correct}/{flagged}"))
    figures.append(Figure("directions", "mismatch findings recall", _ratio(found, planted), "", f"{found}/{planted}"))
    return figures


#: the project's own labelled direction sets (corpora/labelled/): out-of-domain company texts, traps, and
#: rows with declared directions and whether the text supports each (see docs/directions.md)
DIRECTION_SETS = ROOT / "corpora" / "labelled"


def _unreasoned(results) -> tuple[int, int]:
    """(tags, tags with an empty reasons list) over direction results."""
    from nlp.directions import DIRECTIONS

    tags = [(r, d) for r in results for d in DIRECTIONS if r.tags[d]]
    return len(tags), sum(not r.reasons(d) for r, d in tags)


def score_direction_sets(analysis: RoundAnalysis) -> list[Figure]:
    """Tags on ordinary company texts, tags without reasons, the traps' outcome and DIRECTION_UNSUPPORTED's
    precision/recall on the project's own rows; and tags without reasons on the evaluation set itself."""
    from nlp.directions import DIRECTIONS, direction_findings, record_fields, tag_texts
    from nlp.findings import Provenance
    from nlp.records import FieldValue, ProjectRecord

    model = analysis.direction_model

    def tag(items):
        embeddings = analysis.direction_embeddings(items) if model is not None else None
        return tag_texts(items, model, embeddings, analysis.embedder_name)

    n, empty = _unreasoned(analysis.directions.values())
    figures = [Figure("directions", "tags without reasons (this set)", float(empty), "0", f"{empty} of {n} tags")]
    ood = _read_jsonl(DIRECTION_SETS / "ood_company" / "texts.jsonl")
    if ood:
        results = tag([{"text": r["text"]} for r in ood])
        n, empty = _unreasoned(results)
        tagged = [r["id"] for r, res in zip(ood, results) if any(res.tags.values())]
        suggested = sum(any(res.suggested.values()) for res in results)
        figures += [Figure("directions", "out-of-domain company texts: tags", float(n), "0",
                           f"{len(tagged)} of {len(ood)} texts tagged" + (f" ({', '.join(tagged[:5])})" if tagged else "")
                           + f"; {suggested} with a suggestion only; {empty} tags without reasons")]
    traps = _read_jsonl(DIRECTION_SETS / "direction_traps" / "traps.jsonl")
    if traps:
        results = tag([{"text": r["text"]} for r in traps])
        ok, wrong = 0, []
        labels_hit = labels_n = 0
        for row, res in zip(traps, results):
            trap = row["trap"]
            d, why = trap["direction"], trap["why"]
            at = row["text"].find(trap["mention"])
            span = (at, at + len(trap["mention"]))
            hits = [e for e in res.evidence if e.direction == d and overlaps((e.start, e.end), span) > 0]
            if why is None:  # e.g. a plan the text says was carried out: it counts
                good = res.tags[d] and any(e.status == "counts" for e in hits)
            else:  # not tagged; where the lexicon sees the mention, it is voided for the documented reason
                good = not res.tags[d] and all(e.status == why for e in hits)
            ok += good
            if not good:
                wrong.append(row["id"])
            for label in row["labels"]:
                labels_n += 1
                labels_hit += res.tags[label]
        n, empty = _unreasoned(results)
        figures += [Figure("directions", "traps behaving as documented", _ratio(ok, len(traps)), "1.000",
                           f"{ok}/{len(traps)}" + (f"; not: {', '.join(wrong)}" if wrong else "")
                           + f"; real directions beside them tagged {labels_hit}/{labels_n}; {empty} tags without reasons")]
    rows = _read_jsonl(DIRECTION_SETS / "direction_support" / "rows.jsonl")
    if rows:
        records = []
        for line, row in enumerate(rows, start=1):
            fields = {k: FieldValue(str(row[k]), row[k], chr(65 + i))
                      for i, k in enumerate(("项目名称", "项目建设内容", "技术改造实施效果", *DIRECTIONS))}
            records.append(ProjectRecord(row["id"], Provenance("rows.jsonl", "rows", line), fields))
        results = tag([record_fields(r) for r in records])
        n, empty = _unreasoned(results)
        for split in (None, "check"):
            tp = flagged = positives = 0
            for row, record, res in zip(rows, records, results):
                if split and row.get("split") != split:
                    continue
                declared = {d: row.get(d) == "是" for d in DIRECTIONS}
                said = {f.data["direction"] for f in direction_findings(record, res, declared, model)
                        if f.code == "DIRECTION_UNSUPPORTED"}
                truth = {d for d, supported in row["supported"].items() if not supported}
                tp += len(said & truth)
                flagged += len(said)
                positives += len(truth)
            label = "all rows" if split is None else "check rows"
            figures += [Figure("directions", f"DIRECTION_UNSUPPORTED precision ({label})", _ratio(tp, flagged), "≥0.90",
                               f"{tp}/{flagged}"),
                        Figure("directions", f"DIRECTION_UNSUPPORTED recall ({label})", _ratio(tp, positives), "≥0.80",
                               f"{tp}/{positives}" + (f"; {empty} tags without reasons on {len(rows)} rows"
                                                      if split is None else ""))]
    return figures


def score_highlights(analysis: RoundAnalysis, docs: dict) -> list[Figure]:
    """precision@3 and recall@5 of the picked excerpts against the editors' highlights (overlap ≥ half)."""
    hits3 = picks3 = found5 = gold_n = 0
    for record, source, offset in _practices(analysis, docs):
        gold = _gold_spans(source["text"], source.get("gold", {}).get("highlights", []), offset)
        if not gold:
            continue
        picks = [(h.start, h.end) for h in analysis.highlights.get(record.id, []) if h.field == "text"]
        top3 = picks[:3]
        hits3 += match_spans(gold, top3, 0.5)
        picks3 += len(top3)
        found5 += match_spans(picks[:5], gold, 0.5)
        gold_n += len(gold)
    if not gold_n:
        return []
    return [Figure("highlights", "precision@3", _ratio(hits3, picks3), "≥0.70", f"{hits3}/{picks3}"),
            Figure("highlights", "recall@5", _ratio(found5, gold_n), "", f"{found5}/{gold_n}")]


def score_duplicates(analysis: RoundAnalysis, where: dict, evalset: Path) -> list[Figure]:
    """Recall per kind (a labelled pair found, of any kind; and found with its kind) and overall precision."""
    gold = {tuple(sorted((p["a"], p["b"]))): p["type"] for p in _read_jsonl(evalset / "duplicates.jsonl")}
    if not gold:
        return []
    ids = {record.id: source["id"] for record, source in labelled_projects(analysis, where)}
    found = {tuple(sorted((ids.get(p.a, p.a), ids.get(p.b, p.b)))): p.kind for p in analysis.duplicates}
    figures = []
    for kind in ("exact", "light_edit", "template", "paraphrase"):
        pairs = [k for k, t in gold.items() if t == kind]
        if not pairs:
            continue
        hit = sum(k in found for k in pairs)
        same = sum(found.get(k) == kind for k in pairs)
        figures.append(Figure("duplicates", f"{kind} recall", _ratio(hit, len(pairs)),
                              "≥0.95" if kind in ("exact", "light_edit") else "≥0.80", f"{hit}/{len(pairs)} ({same} kind right)"))
    correct = sum(k in gold for k in found)
    figures.append(Figure("duplicates", "pair precision", _ratio(correct, len(found)), "≥0.90", f"{correct}/{len(found)}"))
    figures.append(_background_false_pairs(analysis, where))
    return figures


def _background_rows() -> list[dict]:
    """Distinct project rows of the project's own (the sample round's source, the calibration set's
    originals): none is a near-duplicate of an evaluation row."""
    rows = json.loads((ROOT / "corpora" / "sample" / "source" / "projects.json").read_text(encoding="utf-8"))
    calib = ROOT / "corpora" / "duplicates"
    if (calib / "rows.jsonl").exists() and (calib / "pairs.jsonl").exists():
        variants = {p["b"] for p in _read_jsonl(calib / "pairs.jsonl")}
        rows += [r for r in _read_jsonl(calib / "rows.jsonl") if r["id"] not in variants]
    return rows


def _background_false_pairs(analysis: RoundAnalysis, where: dict) -> Figure:
    """Pairs flagged between the evaluation rows and a background of distinct rows (all of them false)."""
    from nlp.directions import record_fields
    from nlp.duplicates import DupDoc, calibrated_config, find_duplicates

    names = NARRATIVE_FIELDS["project"]
    evaluation = [record for record, _ in labelled_projects(analysis, where)]
    background = _background_rows()
    docs = [DupDoc(r.id, {n: r.text(n) for n in names}) for r in evaluation]
    docs += [DupDoc(f"bg{i}", {n: r[n] for n in names}) for i, r in enumerate(background)]
    embeddings = None
    if analysis.embedder is not None:
        texts = ["。".join(t for t in record_fields(r).values() if t) for r in evaluation]
        texts += ["。".join([r["项目名称"], r["项目建设内容"], r["技术改造实施效果"]]) for r in background]
        embeddings = analysis.embedder.embed(texts)
    pairs = find_duplicates(docs, embeddings, calibrated_config())
    false = [p for p in pairs if p.a.startswith("bg") != p.b.startswith("bg")]
    n_pairs = len(evaluation) * len(background)
    return Figure("duplicates", "false pairs with a distinct background", _ratio(len(false), n_pairs), "",
                  f"{len(false)} of {n_pairs:,} pairs ({len(background)} background rows)")


def score_fold(analysis: RoundAnalysis, where: dict) -> list[Figure]:
    """Each labelled project row copied into traditional characters (nlp/fold.py's table read backwards), and
    copied again with two of its figures changed: found as the same text (exact / light_edit) by the lexical
    layer alone, among all the rows and all the copies."""
    import re

    from nlp.duplicates import DupDoc, calibrated_config, find_duplicates
    from nlp.fold import traditional_table

    back: dict[str, str] = {}
    for trad, simp in sorted(traditional_table().items()):
        back.setdefault(simp, trad)

    def traditional(text: str) -> str:
        return "".join(back.get(ch, ch) for ch in text)

    def changed(text: str) -> str:
        return re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text, count=2)

    names = NARRATIVE_FIELDS["project"]
    rows = [record for record, _ in labelled_projects(analysis, where)]
    docs = [DupDoc(r.id, {n: r.text(n) for n in names}) for r in rows]
    docs += [DupDoc(f"t:{r.id}", {n: traditional(r.text(n)) for n in names}) for r in rows]
    docs += [DupDoc(f"e:{r.id}", {n: traditional(changed(r.text(n))) for n in names}) for r in rows]
    found = {tuple(sorted((p.a, p.b))): p.kind for p in find_duplicates(docs, None, calibrated_config())}
    exact = sum(found.get(tuple(sorted((r.id, f"t:{r.id}")))) == "exact" for r in rows)
    light = sum(found.get(tuple(sorted((r.id, f"e:{r.id}")))) in ("light_edit", "exact") for r in rows)
    return [Figure("fold", "traditional copies found as exact", _ratio(exact, len(rows)), "≥0.95",
                   f"{exact}/{len(rows)} (lexical layer only)"),
            Figure("fold", "traditional copies, figures changed: light_edit", _ratio(light, len(rows)), "≥0.95",
                   f"{light}/{len(rows)}")]


def evaluate(evalset: Path) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="jigai-eval-") as tmp:
        folder = Path(tmp)
        where, docs = write_set_as_files(evalset, folder)
        analysis = analyse([folder], EVAL_ROUND)
        return [*score_ingest(analysis, where, docs), *score_form_rules(analysis, where),
                *score_narratives(analysis, where, docs), *score_directions(analysis, where, docs),
                *score_direction_sets(analysis),
                *score_highlights(analysis, docs), *score_duplicates(analysis, where, evalset),
                *score_fold(analysis, where),
                *score_numerals(Figure)]


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
