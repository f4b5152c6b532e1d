"""`make eval`'s numeral figures: the peer suites' score of ``nlp.numbers.to_number`` and the numerals-in-context
score of the evidence extractor on the project's own cases (corpora/labelled/numerals.jsonl).

See docs/evidence.md ("Measured") for what each figure means.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from nlp.evidence import extract_claims
from nlp.numbers import to_number

ROOT = Path(__file__).resolve().parents[1]
PEER_SUITE = ROOT.parent / "shared" / "reference" / "peer-suites" / "chinese-numerals.jsonl"
NUMERALS_SET = ROOT / "corpora" / "labelled" / "numerals.jsonl"

#: what an input of the ITN suites may hold to be "one numeral phrase"
NUMERAL_CHARS = set("零〇一二两兩三四五六七八九十百千万萬亿億壹贰貳叁肆伍陆柒捌玖拾佰仟点點负負分之又幺")
_ONE_VALUE = re.compile(r"^(-?)(?:(\d+)又)?([\d,]+(?:\.\d+)?)(?:/(\d+))?([万萬亿億]?)(\d*)$")
_ITN_FILES = ("test_cases_cardinal.txt", "test_cases_decimal.txt", "test_cases_fraction.txt",
              "itn/chinese/test/data/cardinal.txt", "itn/chinese/test/data/number.txt",
              "itn/chinese/test/data/fraction.txt")


def _itn_value(expected: str) -> float | None:
    """The value of an ITN output that is one number (1,000 / 1万 / 100万1111 / -7/12 / 3又1/5), else None."""
    m = _ONE_VALUE.match(expected)
    if not m:
        return None
    sign, whole, num, den, mag, tail = m.groups()
    value = float(num.replace(",", ""))
    if den:
        value = value / float(den) + float(whole or 0)
    elif whole:
        return None
    if mag:
        value = value * (1e4 if mag in "万萬" else 1e8) + float(tail or 0)
    elif tail:
        return None
    return -value if sign else value


def numeral_peer_cases(path: Path = PEER_SUITE) -> list[tuple[str, str, float | None]]:
    """(source, input, expected value, or None for "must be refused") of the peer suites' one-numeral subset
    (described in tests/test_numbers.py and docs/evidence.md)."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    normal_ok = {d["input"] for d in lines if d["from"].endswith("#normal_data_dict")}
    cases: list[tuple[str, str, float | None]] = []
    for d in lines:
        source, text, expected = d["from"], d["input"], d["expected"]
        part = source.rsplit("#", 1)[-1]
        if source.startswith("Ailln/cn2an") and "cn2an_test.py" in source:
            if part in ("strict_data_dict", "normal_data_dict", "smart_data_dict"):
                cases.append((part, text, float(expected)))
            elif part.startswith("error_") and text not in normal_ok:
                cases.append((part, text, None))
        elif any(source.endswith(f) for f in _ITN_FILES):
            value = _itn_value(str(expected))
            if text and set(text) <= NUMERAL_CHARS and value is not None:
                cases.append((source.rsplit("/", 1)[-1], text, value))
        elif "parse_money" in d["api"]:
            numeral = re.sub(r"(?:元|圆)整?$", "", text)
            if isinstance(expected, dict) and expected["case"] == "元" and expected["definition"] == "accurate" \
                    and numeral and re.fullmatch(r"[\d,，.]+[万萬亿億]?|[^\d元圆角分毛块钱\s]+", numeral):
                cases.append(("jionlp parse_money", text, float(expected["num"])))
    return cases


def numeral_right(got: float | None, expected: float | None, cents: bool = False) -> bool:
    if expected is None or got is None:
        return got is expected
    if cents:
        return abs(round(got, 2) - expected) < 1e-6
    return abs(got - expected) <= 1e-9 * max(1.0, abs(expected))


def peer_numeral_score(path: Path = PEER_SUITE) -> tuple[int, int, list[tuple[str, str, float | None, float | None]]]:
    """(right, cases, the wrong ones as (source, input, expected, got))."""
    cases = numeral_peer_cases(path)
    wrong = []
    for source, text, expected in cases:
        got = to_number(text)
        if not numeral_right(got, expected, source.startswith("jionlp")):
            wrong.append((source, text, expected, got))
    return len(cases) - len(wrong), len(cases), wrong


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _figure_matches(q, start: int, end: int, gold: dict) -> bool:
    if not (q.start < end and start < q.end):
        return False
    if (q.unit or "") != gold["unit"] or not _close(q.value, gold["value"]):
        return False
    if "range" in gold and (q.range is None or not all(_close(a, b) for a, b in zip(q.range, gold["range"]))):
        return False
    return "approximate" not in gold or q.approximate == gold["approximate"]


def numerals_in_context(path: Path = NUMERALS_SET) -> dict[str, int]:
    """Counts for the numerals-in-context figures on the labelled cases."""
    n = dict(fig_pred=0, fig_tp_pred=0, fig_gold=0, fig_tp_gold=0, pair_pred=0, pair_tp=0, pair_gold=0,
             pair_found=0, improvement_right=0, improvement_n=0, adversarial_cases=0, adversarial_figures=0)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        text = case["text"]
        claims = extract_claims(text)
        predicted = [q for c in claims for q in c.quantities]
        gold_spans, pos = [], 0
        for g in case["figures"]:
            at = text.find(g["figure"], pos)
            at = at if at >= 0 else text.find(g["figure"])
            gold_spans.append((at, at + len(g["figure"]), g))
            pos = at + len(g["figure"]) if at >= 0 else pos
        n["fig_pred"] += len(predicted)
        n["fig_gold"] += len(gold_spans)
        n["fig_tp_pred"] += sum(any(_figure_matches(q, a, b, g) for a, b, g in gold_spans) for q in predicted)
        n["fig_tp_gold"] += sum(any(_figure_matches(q, a, b, g) for q in predicted) for a, b, g in gold_spans)
        if case["style"] == "adversarial":
            n["adversarial_cases"] += 1
            n["adversarial_figures"] += len(predicted)
        compared = [c for c in claims if c.before is not None and c.after is not None]
        n["pair_pred"] += len(compared)
        n["pair_gold"] += len(case["pairs"])
        for p in case["pairs"]:
            hit = next((c for c in compared if _close(c.before, p["before"]) and _close(c.after, p["after"])
                        and (c.unit or "") == p["unit"]), None)
            n["pair_found"] += hit is not None
            if hit is not None and "improvement" in p:
                n["improvement_n"] += 1
                n["improvement_right"] += hit.improvement is p["improvement"]
        n["pair_tp"] += sum(any(_close(c.before, p["before"]) and _close(c.after, p["after"])
                                and (c.unit or "") == p["unit"] for p in case["pairs"]) for c in compared)
    return n


def score_numerals(figure_cls) -> list:
    """The figures, as rows of app.evaluate's table (``figure_cls`` is its Figure)."""
    rows = []

    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None
    if PEER_SUITE.exists():
        right, total, wrong = peer_numeral_score()
        example = next(((text, got, expected) for _, text, expected, got in wrong
                        if got is not None and expected is not None), None)
        rows.append(figure_cls("numerals", "peer suites: one numeral read right", ratio(right, total), "≥0.98",
                               f"{right}/{total}" + (f"; e.g. {example[0]} → {example[1]:,.10g}, peers "
                                                     f"{example[2]:,.10g}" if example else "")))
    if NUMERALS_SET.exists():
        n = numerals_in_context()
        p, r = ratio(n["fig_tp_pred"], n["fig_pred"]), ratio(n["fig_tp_gold"], n["fig_gold"])
        rows += [
            figure_cls("numerals", "in context: figures precision (value+unit)", p, "≥0.95",
                       f"{n['fig_tp_pred']}/{n['fig_pred']}"),
            figure_cls("numerals", "in context: figures recall (value+unit)", r, "≥0.95",
                       f"{n['fig_tp_gold']}/{n['fig_gold']}"),
            figure_cls("numerals", "in context: before/after pairs precision", ratio(n["pair_tp"], n["pair_pred"]),
                       "≥0.95", f"{n['pair_tp']}/{n['pair_pred']}"),
            figure_cls("numerals", "in context: before/after pairs recall", ratio(n["pair_found"], n["pair_gold"]),
                       "≥0.90", f"{n['pair_found']}/{n['pair_gold']}"),
            figure_cls("numerals", "in context: improvement right (pairs found)",
                       ratio(n["improvement_right"], n["improvement_n"]), "1.000",
                       f"{n['improvement_right']}/{n['improvement_n']}"),
            figure_cls("numerals", "in context: figures in identifier-only texts", float(n["adversarial_figures"]),
                       "0", f"{n['adversarial_cases']} texts (5G, 工业4.0, 二〇二三年, X5-200 …)"),
        ]
    return rows
