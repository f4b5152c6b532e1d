"""Direction evidence from the lexicon (corpora/directions/lexicon.json), with the contexts that void it.

A term is evidence only where it describes done work in the firm's own production: not inside a plan
(下一步拟建设光伏), not negated (暂未实现数据互联), not in boilerplate that claims several directions at once
(全面推进智能化、数字化、绿色化), not inside a company or park name (广东智造科技有限公司), and not as a product
the line makes (年产工业机器人500台), not a consumer-product name (扫地机器人, 智能门锁), not what a firm sells
or deals in (主营LED节能灯具, 销售变频空调), and not a job title (招聘ERP操作员) — except that the notice counts
green products developed through technical transformation as 绿色化, so such evidence is kept and marked
``product`` (a product the firm only sells is not).

Every pattern matches the folded text (nlp.fold: full-width → half-width, traditional → simplified,
whitespace and stray line breaks); each hit's span is mapped back to the text as read.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..codelists import CORPORA
from ..doc import segment
from ..fold import fold

from ..constants import DIRECTIONS  # noqa: F401  (re-exported by nlp.directions)
_ORG_SUFFIX = re.compile(r"股份有限公司|有限责任公司|有限公司|集团|产业园|工业园|园区|科技园|研究院|研究所")
_ORG_BOUNDARY = re.compile(r"[由与和及、，,。；;的为向在与对]|委托|联合|携手|引进|合作")
_PRODUCT_AFTER = re.compile(r"^[^，,。；;]{0,10}?\d[\d.,]*\s*(?:万|千)?(?:台|套|件|只|个|辆|部|片)")
#: a plan the same sentence says was carried out (原计划建设的能源管理系统已于2023年3月上线运行) counts
_DONE_AFTER = re.compile(r"已(?:于|经|在|全部|建成|上线|投运|投产|完成|实施|并网|运行|落地)")
#: a job title right after the term (招聘ERP操作员, 数据分析专员): a post, not a change in production
_ROLE_AFTER = re.compile(r"[\u4e00-\u9fa5]{0,2}(?:专员|操作员|工程师|管理员|技术员|分析师|主管|岗位?)")


@dataclass(frozen=True)
class Evidence:
    """One lexicon hit: where it is, for which direction, how strong, and whether it counts."""

    direction: str
    field: str
    start: int
    end: int
    text: str
    weight: float
    #: counts | plan | negated | boilerplate | org_name | product | role
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
    #: consumer-product names (扫地机器人, 智能门锁): a hit inside one is a product, whatever the verb
    product_names: re.Pattern
    #: a clause that lists what the firm sells or deals in (主营, 销售, 产品包括)
    trade: re.Pattern


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    data = json.loads((CORPORA / "directions" / "lexicon.json").read_text(encoding="utf-8"))
    compile_all = lambda groups: {d: [(re.compile(p), float(w)) for p, w in groups.get(d, [])]  # noqa: E731
                                  for d in DIRECTIONS}
    plan_verbs = r"(?:建设|引入|引进|实施|投资|新增|购置|开展|推进|改造|部署|采用|导入|上线|建|上|布局|打造|应用|推广)"
    return _Lexicon(compile_all(data["terms"]), compile_all(data["implicit"]),
                    re.compile(rf"(?:{data['plan']})(?=(?:于?\d{{4}}年(?:\d{{1,2}}月)?(?:底|前|内)?)?[^，,。；;]{{0,4}}"
                               rf"{plan_verbs})|(?:下一步|未来|远期|下阶段)"),
                    re.compile(rf"(?:{data['negation']})"), re.compile(data["boilerplate"]),
                    re.compile(data["product"]), re.compile(data["product_names"]), re.compile(data["trade"]))


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


def _containing(ranges: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    """The range (sorted, disjoint) that holds offset ``pos``, or None."""
    i = bisect_right(ranges, (pos, float("inf"))) - 1
    return ranges[i] if i >= 0 and ranges[i][0] <= pos < ranges[i][1] else None


def _status(folded: str, start: int, end: int, lex: _Lexicon, orgs: list[tuple[int, int]],
            boiler: list[tuple[int, int]], products: list[tuple[int, int]],
            segments: tuple[list[tuple[int, int]], list[tuple[int, int]]]) -> str:
    if _inside((start, end), orgs):
        return "org_name"
    if _inside((start, end), boiler):
        return "boilerplate"
    if any(a < end and start < b for a, b in products):
        return "sold"
    if _ROLE_AFTER.match(folded, end):
        return "role"
    # the sentence and clause of the hit: the one segmentation (nlp.doc.segment) of the folded text
    sentence, clause = _containing(segments[0], start), _containing(segments[1], start)
    plans = list(lex.plan.finditer(folded, sentence[0], start)) if sentence is not None else []
    # a plan the text says was carried out between the plan word and the end of the term's clause counts
    if plans and not _DONE_AFTER.search(folded, plans[-1].end(), clause[1] if clause is not None else end):
        return "plan"
    if clause is not None:
        before = folded[max(clause[0], start - 8):start]
        if lex.negation.search(before):
            return "negated"
        if lex.trade.search(folded[clause[0]:start]):
            return "sold"
        if lex.product.search(folded[clause[0]:start]) and _PRODUCT_AFTER.match(folded[end:]):
            return "product"
    return "counts"


def find_evidence(fields: dict[str, str]) -> list[Evidence]:
    """Every lexicon hit in the given fields, each with the status that says whether it counts."""
    lex = lexicon()
    out: list[Evidence] = []
    for name, text in fields.items():
        if not text:
            continue
        folding = fold(text)
        folded = folding.text
        orgs = _org_spans(folded)
        boiler = [m.span() for m in lex.boilerplate.finditer(folded)]
        products = [m.span() for m in lex.product_names.finditer(folded)]
        segments = segment(folded)
        for direction in DIRECTIONS:
            taken: list[tuple[int, int]] = []
            for kind, groups in (("term", lex.terms), ("implicit", lex.implicit)):
                for pattern, weight in groups[direction]:
                    for m in pattern.finditer(folded):
                        if m.end() == m.start() or any(a < m.end() and m.start() < b for a, b in taken):
                            continue
                        taken.append(m.span())
                        status = _status(folded, m.start(), m.end(), lex, orgs, boiler, products, segments)
                        ev_kind = kind
                        if status == "product" and direction == "绿色化":
                            status, ev_kind = "counts", "product"
                        if status == "sold":
                            status = "product"
                        start, end = folding.span(m.start(), m.end())
                        out.append(Evidence(direction, name, start, end, text[start:end], weight, status, ev_kind))
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
