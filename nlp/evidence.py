"""Quantitative evidence: every quantitative claim of a narrative as a record.

A claim is a clause (between ，；。 and line breaks, and between 、 when both sides carry figures) that holds
at least one quantity: a number with a unit or classifier (92%, 12万套, 4.3亿元, 两大, 三成, 翻一番), a
ratio (1:8), or a bare number inside a comparison (由15减少至4). Years and dates (2021—2023年), list
numbering (1. / （一） / 一是), identifiers (ISO9001, 5G, 3D) and phone numbers are not quantities.

For each claim: the metric it is about (the phrase before the figures), before/after values where given
(由…降至…, 从…到…), the change and its direction (提升30%, 下降1.8个百分点, 翻一番), the unit, the time basis
(较改造前, 同比) and findings on the values (implausible, unit missing).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .codelists import CORPORA
from .numbers import CN_CHARS, fold_width, to_number
from .spans import Span

UP_VERBS = ("提升", "提高", "增长", "增加", "上升", "扩大", "增", "升", "翻", "新增", "增收")
DOWN_VERBS = ("下降", "降低", "减少", "缩短", "节约", "节省", "压缩", "减排", "降", "减", "缩减", "削减")
_VERB_ALT = "|".join(sorted(UP_VERBS + DOWN_VERBS, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    data = json.loads((CORPORA / "units.json").read_text(encoding="utf-8"))
    units = sorted(data["units"], key=len, reverse=True)
    ascii_units = sorted(data["ascii_units"], key=len, reverse=True)
    rate = "|".join(sorted(data["rate_suffixes"], key=len, reverse=True))
    unit_alt = "|".join(re.escape(u) for u in units)
    ascii_alt = "|".join(re.escape(u) for u in ascii_units)
    cn_cls = "|".join(re.escape(u) for u in sorted(data["cn_classifiers"], key=len, reverse=True))
    unit = rf"(?:(?:{unit_alt})|(?:{ascii_alt})(?![A-Za-z]))(?:/(?:{rate}))?"
    num_ar = r"\d+(?:,\d{3})*(?:\.\d+)?"
    cn = f"[{CN_CHARS}]"
    quantity = (
        rf"(?P<pre>约|近|超过|超|逾|达到|达|共|累计|接近|将近|不低于|不少于|不足|低于|高于|±)?"
        rf"(?:(?P<ratio>{num_ar}:{num_ar})"
        rf"|(?P<ar>{num_ar})(?P<ar_more>多|余)?(?P<ar_mag>(?:[十百千万亿](?![瓦克米伏帕焦卡])){{0,2}})(?P<ar_more2>多|余)?\s?(?P<ar_unit>{unit})?"
        rf"|百分之(?P<pct>{cn}+|{num_ar})"
        rf"|(?P<cn>(?<![{CN_CHARS}第])(?:{cn}{{2,}}|[二两三四五六七八九十半]))(?P<cn_more>多|余)?(?P<cn_unit>{cn_cls})"
        rf"|前(?P<rank>{cn}+|\d+)"
        rf"|翻(?:了)?(?P<fan>[一两二三四]?)番"
        rf"|(?P<half>一半|过半(?!百)|半数)"
        rf"|(?<![{CN_CHARS}])(?P<zero>零)(?=使用|排放|事故|投诉|缺陷|库存|污染|伤亡|泄漏|返工|差错|故障|误差|添加|增长))"
        rf"(?P<post>以上|以下|左右|之多)?")
    return {
        "quantity": re.compile(quantity),
        "date": re.compile(
            r"(?:19|20)\d{2}\s*[—–\-~至到/]\s*(?:(?:19|20)\d{2}|\d{2})\s*年(?:度)?"
            r"|(?:19|20)\d{2}\s*年(?:度|底|初|末)?(?:\s*\d{1,2}\s*月(?:份)?(?:\s*\d{1,2}\s*日)?)?"
            r"|(?:19|20)\d{2}[./-]\d{1,2}(?:[./-]\d{1,2})?"
            r"|\d{1,2}\s*月\s*\d{1,2}\s*日|十[三四五]五|“十[三四五]五”"),
        "numbering": re.compile(
            r"(?:^|(?<=[\n。；;：:]))\s*(?:\d{1,2}\s*[.、．)）](?!\d)|[（(]\s*\d{1,2}\s*[)）]|[一二三四五六七八九十]+\s*[、．.])"
            r"|[（(][一二三四五六七八九十\d]{1,2}[)）]|第[一二三四五六七八九十\d]+(?:[是部条个点步阶期批]|部分)"
            r"|[一二三四五六七八九十]是|其[一二三四]"),
        "phone": re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"
                            r"|(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3}-)\s?\d{7,8}(?!\d)"),
        "ident": re.compile(r"[A-Za-z]+[-/]?\d+(?:\.\d+)*|\d+(?:\.\d+)?[A-Za-z]{1,3}(?![A-Za-z/])"),
        "clause": re.compile(r"[，,；;。！？!?\n]|(?<!\d)[:：]|[:：](?!\d)"),
    }


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    value: float | None
    unit: str
    kind: str  # number | ratio | rank | doubling
    #: written with 约/近/超过/达 … before it
    approx: bool = False


@dataclass
class Claim:
    """One quantitative claim; offsets into the text as read."""

    start: int
    end: int
    text: str
    metric: str | None
    quantities: list[Quantity]
    before: float | None = None
    after: float | None = None
    change: float | None = None
    unit: str | None = None
    direction: str | None = None  # up | down | same | changed (from→to without comparable values)
    basis: str | None = None  # 较改造前, 同比 …
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code, Chinese reason)

    @property
    def compares(self) -> bool:
        """True when the claim states a before→after comparison or a change."""
        return self.direction is not None

    def to_json(self, field_name: str) -> dict:
        out = {"field": field_name, "start": self.start, "end": self.end, "text": self.text, "metric": self.metric}
        for key in ("before", "after", "change", "unit", "direction", "basis"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["values"] = [q.value for q in self.quantities]
        return out

    def span(self) -> Span:
        return Span(self.start, self.end, "evidence", self.text, {"metric": self.metric})


def _masked(folded: str) -> list[tuple[int, int]]:
    """Ranges that hold no quantities: dates, list numbering, identifiers, phone numbers."""
    p = _patterns()
    ranges = []
    for name in ("date", "numbering", "phone", "ident"):
        for m in p[name].finditer(folded):
            if name == "ident" and _is_ascii_unit(m.group(0)):
                continue
            ranges.append((m.start(), m.end()))
    return ranges


def _shares_unit(q: Quantity, following: list[Quantity]) -> bool:
    """A bare number whose unit is written once after the next figure (5和30毫克, 6至8台, 由7.8降至6.1千瓦)."""
    nxt = next((f for f in following if f.kind == "number"), None)
    return nxt is not None and bool(nxt.unit) and nxt.start - q.end <= 6


@lru_cache(maxsize=1)
def _ascii_unit_re() -> re.Pattern:
    data = json.loads((CORPORA / "units.json").read_text(encoding="utf-8"))
    alt = "|".join(re.escape(u) for u in sorted(data["ascii_units"], key=len, reverse=True))
    return re.compile(rf"^\d+(?:\.\d+)?(?:{alt})$")


def _is_ascii_unit(token: str) -> bool:
    return bool(_ascii_unit_re().match(token))


def find_quantities(folded: str, masked: list[tuple[int, int]]) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _patterns()["quantity"].finditer(folded):
        pre = m.group("pre") or ""
        core_start = m.start() + len(pre)
        if any(a <= core_start < b for a, b in masked):
            continue
        g = m.groupdict()
        if g["ar"] is not None:
            value = to_number(g["ar"] + (g["ar_mag"] or ""))
            unit = (g["ar_mag"] or "") + (g["ar_unit"] or "") if g["ar_unit"] else ""
            if unit and g["ar_mag"]:
                value = to_number(g["ar"])
            elif g["ar_mag"] and not g["ar_unit"]:
                unit, value = g["ar_mag"], to_number(g["ar"])
            out.append(Quantity(m.start(), m.end(), value, unit, "number", bool(pre)))
        elif g["pct"] is not None:
            out.append(Quantity(m.start(), m.end(), to_number(g["pct"]), "%", "number"))
        elif g["cn"] is not None:
            out.append(Quantity(m.start(), m.end(), to_number(g["cn"]), g["cn_unit"], "number"))
        elif g["rank"] is not None:
            out.append(Quantity(m.start(), m.end(), to_number(g["rank"]), "名次", "rank"))
        elif g["half"] is not None:
            out.append(Quantity(m.start(), m.end(), 50.0, "%", "number", bool(pre)))
        elif g["zero"] is not None:
            out.append(Quantity(m.start(), m.end(), 0.0, "零", "number", bool(pre)))
        elif g["ratio"] is not None:
            out.append(Quantity(m.start(), m.end(), None, "比例", "ratio"))
        else:
            times = {"": 1, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4}[g["fan"]]
            out.append(Quantity(m.start(), m.end(), 2.0 ** times, "倍", "doubling"))
    return out


def _clauses(folded: str) -> list[tuple[int, int]]:
    bounds, pos = [], 0
    for m in _patterns()["clause"].finditer(folded):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(folded)))
    return [(a, b) for a, b in bounds if b > a]


_LEAD = re.compile(r"^(?:\s|项目(?:建成|实施|投产|投运|改造完成|完成)后|改造(?:完成)?后|(?:建成|投产|投运|实施|上线)后|"
                   r"同时|此外|其中|并且|并|且|使得|使|从而|[一二三四五六七八九十]是|\d{1,2}[.、]|[（(]\d{1,2}[)）])+")
_METRIC_TRAIL = re.compile(rf"(?:由|从|较改造前|较上年|同比|比改造前|(?:{_VERB_ALT})(?:了)?|达到|达|为|约|近|超过|逾|共|累计|"
                           rf"保持|控制在|稳定在|居|至|到|的|\s)+$")
_METRIC_LEAD = re.compile(r"^.*?(?:19|20)\d{2}\s*年(?:度|底|初|末)?(?:\d{1,2}月)?|^(?:提出到|到|实现|完成|达成|可|已|累计|共|全年|年均)+")
_BASIS = re.compile(r"较改造前|较上年|较去年|比改造前|与改造前相比|同比|环比|较\d{4}年|较项目实施前|较技改前")
_INDEX_METRIC = re.compile(r"CPK|Cpk|PPK|Ppk|指数|系数|常数|一致性|评分|得分|分值|等级|级别|星级|比$")


def _metric(text: str, first_quantity: int) -> str | None:
    """The phrase a claim is about: what precedes its first figure, without connectors, dates and verbs."""
    phrase = text[:first_quantity]
    cut = re.search(r"由|从", phrase)
    if cut:
        phrase = phrase[: cut.start()]
    phrase = _METRIC_LEAD.sub("", phrase)
    phrase = _METRIC_TRAIL.sub("", phrase).strip()
    if len(phrase) > 14:
        phrase = phrase[-14:]
    return phrase or None


def _structure(claim: Claim, folded: str, rel: list[Quantity]) -> None:
    """Before/after, change and direction of a claim from its wording."""
    text = folded[claim.start:claim.end]
    base = claim.start
    qpos = {q.start - base: q for q in rel}
    basis = _BASIS.search(text)
    claim.basis = basis.group(0) if basis else None
    # 由A…至B / 从A…到B
    for m in re.finditer(r"(?:由|从)", text):
        first = next((qpos[k] for k in sorted(qpos) if k >= m.end() and k - m.end() <= 12
                      and not re.search(r"[由从]", text[m.end():k])), None)
        if first is None:
            continue
        after_first = text[first.end - base:]
        link = re.match(rf"\s*(?:(?:{_VERB_ALT}|调整|优化|变|改|转|扩|控制|提速|缩)(?:了)?)?\s*(?:至|到|为|成)\s*", after_first)
        if not link:
            continue
        start2 = first.end - base + link.end()
        second = qpos.get(start2) or next((qpos[k] for k in sorted(qpos) if start2 <= k <= start2 + 3), None)
        if second is None:
            continue
        claim.before, claim.after = first.value, second.value
        claim.unit = second.unit or first.unit or None
        if first.value is not None and second.value is not None:
            claim.change = round(second.value - first.value, 6)
            if second.value != first.value:
                claim.direction = "up" if second.value > first.value else "down"
        verb = re.search(_VERB_ALT, after_first[: link.end()])
        if claim.direction is None and verb:
            claim.direction = "down" if verb.group(0) in DOWN_VERBS else "up"
        if claim.direction is None:
            claim.direction = "same" if first.value is not None and first.value == second.value else "changed"
        return
    # a change verb followed by an amount (not by 至/到/为, which would state the level reached)
    for m in re.finditer(rf"({_VERB_ALT})(?:了)?\s*", text):
        q = qpos.get(m.end())
        if q is None:  # 节约标准煤约1.5万吨, 减少二氧化碳排放3.9万吨: the verb, its object, the amount
            gap = re.match(r"[^\d，,；;。至到为达由从]{1,8}?(?=[约近超逾\d])", text[m.end():])
            q = qpos.get(m.end() + gap.end()) if gap else None
        if q is None or q.kind == "rank":
            continue
        verb = m.group(1)
        claim.direction = "down" if verb in DOWN_VERBS else "up"
        if q.value is not None:
            claim.change = -q.value if claim.direction == "down" else q.value
        claim.unit = q.unit or None
        return
    doubling = next((q for q in rel if q.kind == "doubling"), None)
    if doubling is not None:
        claim.direction, claim.change, claim.unit = "up", doubling.value, "倍"
        return
    first = next((q for q in rel if q.value is not None), None)
    if first is not None:
        claim.after, claim.unit = first.value, first.unit or None


def _problems(claim: Claim, rel: list[Quantity], max_increase_percent: float) -> None:
    metric = claim.metric or ""
    percent = claim.unit == "%"
    rate_metric = bool(re.search(r"率|占比|比例|比重|覆盖面", metric))
    if percent and rate_metric and claim.after is not None and claim.after > 100:
        claim.problems.append(("IMPLAUSIBLE_VALUE", f"“{metric}”为比率，{claim.after:g}%超过100%"))
    elif percent and claim.direction == "down" and claim.change is not None and claim.before is None \
            and -claim.change > 100:
        claim.problems.append(("IMPLAUSIBLE_VALUE", f"下降或缩短{-claim.change:g}%，超过100%不可能"))
    elif percent and claim.direction == "up" and claim.before is None and claim.change is not None \
            and claim.change >= max_increase_percent:
        claim.problems.append(("IMPLAUSIBLE_VALUE", f"提升{claim.change:g}%，数值异常，请核实"))
    unitless = [q for i, q in enumerate(rel) if q.kind == "number" and not q.unit and not _shares_unit(q, rel[i + 1:])]
    if unitless and not _INDEX_METRIC.search(metric):
        claim.problems.append(("UNIT_MISSING", "数字缺少单位（如%、人、万元）"))


def extract_claims(text: str, max_increase_percent: float = 1000.0) -> list[Claim]:
    """Every quantitative claim of a narrative, in order. An increase of ``max_increase_percent`` or more
    is flagged as implausible (see NarrativeConfig)."""
    if not text:
        return []
    folded = fold_width(text)
    quantities = find_quantities(folded, _masked(folded))
    if not quantities:
        return []
    claims: list[Claim] = []
    for a, b in _clauses(folded):
        inside = [q for q in quantities if a <= q.start < b]
        if not inside:
            continue
        parts = _split_enumeration(folded, a, b, inside)
        for pa, pb in parts:
            rel = [q for q in inside if pa <= q.start < pb]
            if not rel:
                continue
            lead = _LEAD.match(folded[pa:pb])
            start = pa + (lead.end() if lead else 0)
            end = pb
            while end > start and folded[end - 1] in " 等":
                end -= 1
            if start >= end:
                continue
            if not _is_claim(folded, rel):
                continue
            claim = Claim(start, end, text[start:end], _metric(folded[start:end], rel[0].start - start), rel)
            _structure(claim, folded, rel)
            _problems(claim, rel, max_increase_percent)
            claims.append(claim)
    return claims


_LEVEL_BEFORE = re.compile(rf"(?:至|到|达到|达|为|约|近|超过|逾|{_VERB_ALT})(?:了)?\s*$")


def _is_claim(folded: str, rel: list[Quantity]) -> bool:
    """A clause is a claim when a figure has a unit, or a bare number is a level, an amount or a change."""
    for q in rel:
        if q.unit or q.kind != "number" or q.approx:
            return True
        if _LEVEL_BEFORE.search(folded[max(0, q.start - 4):q.start]):
            return True
    return False


def _split_enumeration(folded: str, a: int, b: int, inside: list[Quantity]) -> list[tuple[int, int]]:
    """Split a clause at 、 (and 和/及) where the parts on both sides carry their own figures."""
    cuts = [m.start() for m in re.finditer(r"、", folded[a:b])]
    if not cuts:
        return [(a, b)]
    parts, pos = [], a
    for c in cuts:
        cut = a + c
        left = [q for q in inside if pos <= q.start < cut]
        right_end = next((a + x for x in cuts if a + x > cut), b)
        right = [q for q in inside if cut < q.start < right_end]
        if left and right:
            parts.append((pos, cut))
            pos = cut + 1
    parts.append((pos, b))
    return parts
