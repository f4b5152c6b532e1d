"""Direction evidence from the lexicon (corpora/directions/lexicon.json), with the contexts that void it.

A term is evidence only where it describes done work in the firm's own production: not inside a plan
(下一步拟建设光伏), not negated (暂未实现数据互联), not in boilerplate that claims several directions at once
(全面推进智能化、数字化、绿色化), not inside a company or park name (广东智造科技有限公司), and not as a product
the line makes (年产工业机器人500台) — except that the notice counts green products developed through
technical transformation as 绿色化, so such evidence is kept and marked ``product``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from ..codelists import CORPORA
from ..numbers import fold_width

DIRECTIONS = ("智能化", "数字化", "绿色化")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+")
_CLAUSE = re.compile(r"[^。；;！？!?\n，,]+")
_ORG_SUFFIX = re.compile(r"股份有限公司|有限责任公司|有限公司|集团|产业园|工业园|园区|科技园|研究院|研究所")
_ORG_BOUNDARY = re.compile(r"[由与和及、，,。；;的为向在与对]|委托|联合|携手|引进|合作")
_PRODUCT_AFTER = re.compile(r"^[^，,。；;]{0,10}?\d[\d.,]*\s*(?:万|千)?(?:台|套|件|只|个|辆|部|片)")


@dataclass(frozen=True)
class Evidence:
    """One lexicon hit: where it is, for which direction, how strong, and whether it counts."""

    direction: str
    field: str
    start: int
    end: int
    text: str
    weight: float
    #: counts | plan | negated | boilerplate | org_name | product
    status: str = "counts"
    #: term | implicit | product (a green product: counts, but rests on the product)
    kind: str = "term"


@dataclass(frozen=True)
class _Lexicon:
    terms: dict[str, list[tuple[re.Pattern, float]]]
    implicit: dict[str, list[tuple[re.Pattern, float]]]
    plan: re.Pattern
    negation: re.Pattern
    boilerplate: re.Pattern
    product: re.Pattern


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data = json.loads((CORPORA / "directions" / "lexicon.json").read_text(encoding="utf-8"))
    compile_all = lambda groups: {d: [(re.compile(p), float(w)) for p, w in groups.get(d, [])]  # noqa: E731
                                  for d in DIRECTIONS}
    plan_verbs = r"(?:建设|引入|引进|实施|投资|新增|购置|开展|推进|改造|部署|采用|导入|上线|建|上|布局|打造|应用|推广)"
    return _Lexicon(compile_all(data["terms"]), compile_all(data["implicit"]),
                    re.compile(rf"(?:{data['plan']})(?=[^，,。；;]{{0,4}}{plan_verbs})|(?:下一步|未来|远期|下阶段)"),
                    re.compile(rf"(?:{data['negation']})"), re.compile(data["boilerplate"]),
                    re.compile(data["product"]))


def _org_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _ORG_SUFFIX.finditer(text):
        start = m.start()
        while start > 0 and m.start() - start < 14 and not _ORG_BOUNDARY.match(text, start - 1):
            start -= 1
        if m.start() - start >= 2:
            spans.append((start, m.end()))
    return spans


def _inside(pos: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos[0] and pos[1] <= b for a, b in spans)


def _status(text: str, folded: str, start: int, end: int, direction: str, lex: _Lexicon,
            orgs: list[tuple[int, int]], boiler: list[tuple[int, int]]) -> str:
    if _inside((start, end), orgs):
        return "org_name"
    if _inside((start, end), boiler):
        return "boilerplate"
    sentence = next((m for m in _SENTENCE.finditer(folded) if m.start() <= start < m.end()), None)
    if sentence is not None and lex.plan.search(folded[sentence.start():start]):
        return "plan"
    clause = next((m for m in _CLAUSE.finditer(folded) if m.start() <= start < m.end()), None)
    if clause is not None:
        before = folded[max(clause.start(), start - 8):start]
        if lex.negation.search(before):
            return "negated"
        if lex.product.search(folded[clause.start():start]) and _PRODUCT_AFTER.match(folded[end:]):
            return "product"
    return "counts"


def find_evidence(fields: dict[str, str]) -> list[Evidence]:
    """Every lexicon hit in the given fields, each with the status that says whether it counts."""
    lex = lexicon()
    out: list[Evidence] = []
    for name, text in fields.items():
        if not text:
            continue
        folded = fold_width(text)
        orgs = _org_spans(folded)
        boiler = [m.span() for m in lex.boilerplate.finditer(folded)]
        for direction in DIRECTIONS:
            taken: list[tuple[int, int]] = []
            for kind, groups in (("term", lex.terms), ("implicit", lex.implicit)):
                for pattern, weight in groups[direction]:
                    for m in pattern.finditer(folded):
                        if m.end() == m.start() or any(a < m.end() and m.start() < b for a, b in taken):
                            continue
                        taken.append(m.span())
                        status = _status(text, folded, m.start(), m.end(), direction, lex, orgs, boiler)
                        ev_kind = kind
                        if status == "product" and direction == "绿色化":
                            status, ev_kind = "counts", "product"
                        out.append(Evidence(direction, name, m.start(), m.end(), text[m.start():m.end()], weight,
                                            status, ev_kind))
    order = {name: i for i, name in enumerate(fields)}
    out.sort(key=lambda e: (order[e.field], e.start))
    return out


def lexicon_scores(evidence: list[Evidence]) -> dict[str, float]:
    """Per direction, 1 − Π(1 − w) over the distinct terms that count; negated mentions halve the score."""
    scores = {}
    for d in DIRECTIONS:
        seen: dict[str, float] = {}
        negated = 0
        for e in evidence:
            if e.direction != d:
                continue
            if e.status == "counts":
                seen[e.text] = max(seen.get(e.text, 0.0), e.weight)
            elif e.status == "negated":
                negated += 1
        score = 1.0
        for w in seen.values():
            score *= 1.0 - w
        score = 1.0 - score
        scores[d] = round(score * (0.5 ** negated), 4)
    return scores
