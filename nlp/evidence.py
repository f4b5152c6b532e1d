"""Quantitative evidence: every quantitative claim of a narrative as a record.

A claim is a clause (between ，；。 and line breaks, and between 、 when both sides carry figures) that holds
at least one quantity: a number with a unit or classifier (92%, 12万套, 4.3亿元, 两大, 三成, 翻一番), a
ratio (1:8), or a bare number inside a comparison (由15减少至4). Years and dates (2021—2023年), list
numbering (1. / （一） / 一是), identifiers (ISO9001, 5G, 3D) and phone numbers are not quantities.

For each claim: the metric it is about (the phrase before the figures), before/after values where given
(由…降至…, 从…到…), the change and its direction (提升30%, 下降1.8个百分点, 翻一番), the unit, the time basis
(较改造前, 同比) and findings on the values (implausible, unit missing); whether a figure is approximate or a
range, whether the change is an improvement for its metric, and before → after across clauses and sentences
where the text says 改造前…现在…. See docs/evidence.md.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .codelists import CORPORA
from .config import DEFAULT_CONFIG
from .doc import original_ranges, segment
from .fold import fold, fold_chars
from .numbers import CN_CHARS, to_number
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
    # after a Chinese numeral: the classifiers and every unit, longest first (三千二百吨标准煤 is 吨标准煤)
    cn_cls = "|".join(re.escape(u) for u in sorted(set(data["cn_classifiers"]) | set(units), key=len, reverse=True))
    unit = rf"(?:(?:{unit_alt})|(?:{ascii_alt})(?![A-Za-z]))(?:/(?:{rate}))?"
    num_ar = r"\d+(?:,\d{3})*(?:\.\d+)?"
    cn = f"[{CN_CHARS}]"
    # a Chinese numeral: 三, 十三万五, 一点二亿, 十几万, 三十多, 数十, 八九 (成); see _read_cn
    cn_core = (rf"(?:[几数][十百千万亿]+|{cn}+(?:点[零〇一二两三四五六七八九]+[万亿]?)?)"
               rf"(?:(?:多|余|几|来)[十百千万亿]*)?")
    no_cn_before = rf"(?<![{CN_CHARS}第点几数])"
    quantity = (
        rf"(?P<pre>(?<!节)约|近|超过|超|逾|达到|达|共|累计|接近|将近|大约|不低于|不少于|不足|低于|高于|±)?"
        rf"(?:(?P<ratio>{num_ar}:{num_ar})"
        rf"|(?P<ar>{num_ar})(?P<ar_more>多|余)?(?P<ar_mag>(?:[十百千万亿](?![瓦克米伏帕焦卡])){{0,2}})(?P<ar_more2>多|余)?\s?(?P<ar_unit>{unit})?"
        rf"|(?P<per>百分之|千分之|万分之)(?P<pct>{cn_core}|{num_ar})"
        rf"|{no_cn_before}(?P<fden>{cn}+|\d+)分之(?P<fnum>{cn}+(?:点[零〇一二两三四五六七八九]+)?|\d+(?:\.\d+)?)"
        rf"|{no_cn_before}(?P<cn>(?=[{CN_CHARS}几数][{CN_CHARS}点多余几来])(?:{cn_core})|[二两三四五六七八九十]|(?<![上下])半)"
        rf"(?P<cn_unit>(?:{cn_cls})(?:/(?:{rate}))?)(?P<cn_half>(?<=成)半)?"
        rf"|(?<=[由从至到])(?P<cnbare>{cn_core})(?=\s*(?:[，,。；;、\n]|$|{_VERB_ALT}|至|到))"
        rf"|(?<![以之此提目当事])前(?P<rank>{cn}+|\d+)(?![\d{CN_CHARS}个天年月日周次期])"
        rf"|翻(?:了)?(?P<fan>[一两二三四]?)番"
        rf"|(?P<half>一半|过半(?!百)|半数)"
        rf"|(?<![{CN_CHARS}])(?P<zero>零)(?=使用|排放|事故|投诉|缺陷|库存|污染|伤亡|泄漏|返工|差错|故障|误差|添加|增长))"
        rf"(?P<post>以上|以下|左右|之多|上下)?")
    return {
        "quantity": re.compile(quantity),
        "cn_context_units": frozenset(data["cn_context_units"]),  # type: ignore[dict-item]
        "lower_is_better": re.compile("|".join(data["lower_is_better"])),
        "higher_is_better": re.compile("|".join(data["higher_is_better"])),
        "date": re.compile(
            r"(?:19|20)\d{2}\s*[—–\-~至到/]\s*(?:(?:19|20)\d{2}|\d{2})\s*年(?:度)?"
            r"|(?:19|20)\d{2}\s*年(?:度|底|初|末)?(?:\s*\d{1,2}\s*月(?:份)?(?:\s*\d{1,2}\s*日)?)?"
            r"|(?:19|20)\d{2}[./-]\d{1,2}(?:[./-]\d{1,2})?"
            r"|\d{1,2}\s*月\s*\d{1,2}\s*日|十[三四五]五|“十[三四五]五”"
            r"|[〇零一二三四五六七八九]{4}\s*年(?:度|底|初|末)?"),
        "numbering": re.compile(
            r"(?:^|(?<=[\n。；;：:]))\s*(?:\d{1,2}\s*[.、．)）](?!\d)|[（(]\s*\d{1,2}\s*[)）]|[一二三四五六七八九十]+\s*[、．.])"
            r"|[（(][一二三四五六七八九十\d]{1,2}[)）]|第[一二三四五六七八九十\d]+(?:[是部条个点步阶期批]|部分)"
            r"|[一二三四五六七八九十]是|其[一二三四]"),
        "phone": re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"
                            r"|(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3}-)\s?\d{7,8}(?!\d)"),
        "ident": re.compile(r"[A-Za-z]+[-/]?\d+(?:\.\d+)*|\d+(?:\.\d+)?[A-Za-z]{1,3}(?![A-Za-z/])"
                            r"|(?:(?<=工业)|(?<=制造)|(?<=智造)|(?<=互联网))\s*\d\.0|\d+(?:\.\d+)+(?=\s*(?:版|时代|阶段|标准))"),
        "clause": re.compile(r"[，,；;。！？!?\n]|…+|(?<!\d)[:：]|[:：](?!\d)"),
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
    #: an approximate figure (约, 近, 左右, 多, 余, 十几, 数十, 八九成): a reviewer cannot take it as exact
    approximate: bool = False
    #: the bounds when the text gives a range instead of one figure (三至五年, 八九成, 十几, 30多); value is None
    range: tuple[float, float] | None = None


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
    #: a figure of the claim is approximate (约, 近, 左右, 多, 余, 十几, 数十, 八九成)
    approximate: bool = False
    #: the bounds of the claim's figure when the text gives a range (三至五年, 25%～30%, 八九成, 十几人)
    range: tuple[float, float] | None = None
    #: the change goes the good way for its metric (a fall in 不良率/能耗/周期/用工 is one); None: not known
    improvement: bool | None = None
    #: where the before figure was written when it stands in an earlier clause or sentence (改造前…现在…)
    before_span: tuple[int, int] | None = None

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
        out["approximate"] = self.approximate
        if self.range is not None:
            out["range"] = list(self.range)
        if self.improvement is not None:
            out["improvement"] = self.improvement
        if self.before_span is not None:
            out["before_span"] = list(self.before_span)
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


#: what makes 三年 / 三次 … a figure: a comparison or a level before it (由三天缩短至一天, 回收期不到四年)
_CN_CONTEXT = re.compile(rf"(?:由|从|至|到|为|需|需要|达|达到|约|仅|只|共|累计|不到|不足|超过|用时|耗时|"
                         rf"{_VERB_ALT})(?:了)?\s*$")
_PLACE = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 1e4, "亿": 1e8}
_APPROX_PRE = ("约", "近", "接近", "将近", "大约")
_APPROX_POST = ("左右", "上下")
_DIGITS = "一二三四五六七八九"


@dataclass(frozen=True)
class _Reading:
    value: float | None
    magnitude: str = ""  # trailing 万/亿 moved into the unit (三万吨 → 3 万吨, as 3万吨 reads)
    range: tuple[float, float] | None = None
    approximate: bool = False


def _scale(chars: str) -> float:
    out = 1.0
    for ch in chars:
        out *= _PLACE[ch]
    return out


def _read_cn(core: str, keep_magnitude: bool = True) -> _Reading:
    """A Chinese numeral as matched: a value, or a range for the approximate forms (十几 → 10–20, 三十多 →
    30–40, 数十 → 10–100, 八九 → 8–9, JioNLP's conventions), with a trailing 万/亿 split off for the unit."""
    magnitude = ""
    head = core
    if keep_magnitude:
        m = re.search(r"[万亿]+$", core)
        if m and m.start() > 0 and core[:m.start()] not in ("几", "数"):
            head, magnitude = core[:m.start()], m.group(0)
    if head[0] in "几数":  # 数十, 几百, 数万 (数十亿: 亿 already split off)
        lo = _scale(head[1:])
        return _Reading(None, magnitude, (lo, lo * 10), True)
    m = re.match(r"^(.*?)(多|余|几|来)([十百千万亿]*)$", head)
    if m:
        base = to_number(m.group(1)) if m.group(1) else None
        if base is None:
            return _Reading(None, magnitude, None, True)
        place = _PLACE.get(m.group(1)[-1], 1.0)
        scale = _scale(m.group(3))
        # 三十多 writes 30: kept as the value (a lower bound); 十几 writes no figure
        value = base * scale if m.group(2) != "几" else None
        return _Reading(value, magnitude, (base * scale, (base + place) * scale), True)
    pair = re.match(rf"^([{_DIGITS}])([{_DIGITS}])([十百千万亿]*)$", head)
    if pair and _DIGITS.index(pair.group(1)) < _DIGITS.index(pair.group(2)):  # 八九成, 三五百, 三四十
        scale = _scale(pair.group(3))
        return _Reading(None, magnitude, (to_number(pair.group(1)) * scale, to_number(pair.group(2)) * scale), True)
    return _Reading(to_number(head), magnitude)


def _percent(reading: _Reading, factor: float) -> _Reading:
    """成 and 千分之/万分之 as percentages (三成 → 30 %, 千分之五 → 0.5 %)."""
    rng = reading.range and (round(reading.range[0] * factor, 6), round(reading.range[1] * factor, 6))
    value = None if reading.value is None else round(reading.value * factor, 6)
    return _Reading(value, "", rng, reading.approximate)


def find_quantities(folded: str, masked: list[tuple[int, int]]) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _patterns()["quantity"].finditer(folded):
        pre = m.group("pre") or ""
        core_start = m.start() + len(pre)
        if any(a <= core_start < b for a, b in masked):
            continue
        g = m.groupdict()
        approximate = pre in _APPROX_PRE or (g["post"] or "") in _APPROX_POST
        if g["ar"] is not None:
            value = to_number(g["ar"] + (g["ar_mag"] or ""))
            unit = (g["ar_mag"] or "") + (g["ar_unit"] or "") if g["ar_unit"] else ""
            if unit and g["ar_mag"]:
                value = to_number(g["ar"])
            elif g["ar_mag"] and not g["ar_unit"]:
                unit, value = g["ar_mag"], to_number(g["ar"])
            rng = None
            if (g["ar_more"] or g["ar_more2"]) and value is not None:  # 30多人 → 30–40, 1.5万余 → 1.5–1.6 万
                digits = g["ar"].replace(",", "")
                step = 10.0 ** -len(digits.split(".")[1]) if "." in digits else \
                    10.0 ** (len(digits) - len(digits.rstrip("0")))
                rng, approximate = (value, round(value + step, 6)), True  # the written 30 stays the value
            out.append(Quantity(m.start(), m.end(), value, unit, "number", bool(pre), approximate, rng))
        elif g["pct"] is not None:
            r = _read_cn(g["pct"], keep_magnitude=False) if not g["pct"][0].isdigit() \
                else _Reading(to_number(g["pct"]))
            r = _percent(r, {"百分之": 1.0, "千分之": 0.1, "万分之": 0.01}[g["per"]])
            out.append(Quantity(m.start(), m.end(), r.value, "%", "number", bool(pre), approximate or r.approximate,
                                r.range))
        elif g["fden"] is not None:
            den, num = to_number(g["fden"]), to_number(g["fnum"])
            value = round(num / den * 100, 1) if den and num is not None else None
            out.append(Quantity(m.start(), m.end(), value, "%", "number", bool(pre), approximate))
        elif g["cn"] is not None or g["cnbare"] is not None:
            unit = g["cn_unit"] or ""
            if unit in _patterns()["cn_context_units"] and not _CN_CONTEXT.search(folded, max(0, m.start() - 4),
                                                                                   core_start):
                continue  # 近三年, 三年规划, 分三期, 三位一体: not a figure
            r = _read_cn(g["cn"] or g["cnbare"])
            if unit == "成":
                r = _percent(r, 10.0)
                if g["cn_half"] and r.value is not None:  # 两成半 → 25 %
                    r = _Reading(r.value + 5, "", None, r.approximate)
                unit = "%"
            elif r.magnitude and unit.startswith(("万", "亿")):
                r = _Reading(to_number(g["cn"]), "", None, r.approximate) if r.range is None else r
            out.append(Quantity(m.start(), m.end(), r.value, r.magnitude + unit, "number", bool(pre),
                                approximate or r.approximate, r.range))
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
    return _ranges(folded, out, masked)


_RANGE_LOW = re.compile(rf"(?<![\d.{CN_CHARS}由从])(\d+(?:\.\d+)?|[{CN_CHARS}]+(?:点[{CN_CHARS}]+)?)\s*$")
_RANGE_SEP = re.compile(r"\s*(?:至|~|～|-|－|—{1,2}|–)\s*$")


def _ranges(folded: str, found: list[Quantity], masked: list[tuple[int, int]]) -> list[Quantity]:
    """三至五年, 3-5天, 25%～30%, 6至8台: one figure with its bounds (value None, range [lo, hi]), not two."""
    out: list[Quantity] = []
    for q in found:
        if q.kind != "number" or q.value is None:
            out.append(q)
            continue
        sep = _RANGE_SEP.search(folded, max(0, q.start - 3), q.start)
        prev = out[-1] if out else None
        lo_q = prev if prev is not None and sep and prev.end == sep.start() and prev.kind == "number" \
            and prev.value is not None and prev.range is None and (not prev.unit or prev.unit == q.unit) else None
        if lo_q is not None:
            lo, start = lo_q.value, lo_q.start
        elif sep:
            low = _RANGE_LOW.search(folded, max(0, sep.start() - 12), sep.start())
            if low is None or any(a <= low.start() < b for a, b in masked):
                out.append(q)
                continue
            lo, start = to_number(low.group(1)), low.start()
        else:
            out.append(q)
            continue
        if lo is None or lo >= q.value or folded[max(0, start - 1):start] in ("由", "从"):
            out.append(q)
            continue
        if lo_q is not None:
            out.pop()
        out.append(Quantity(start, q.end, None, q.unit, "number", q.approx or (lo_q.approx if lo_q else False),
                            q.approximate, (lo, q.value)))
    return out


def _clauses(folded: str, clauses: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """A claim's units: the one segmentation's clauses (nlp.doc.segment; the Doc's when given), each cut
    again where a figure's clause also ends — at an ellipsis or a colon that is not a time's (改造前：…)."""
    if clauses is None:
        folding = fold(folded)
        clauses = original_ranges(folding, segment(folding.text)[1])
    rx = _patterns()["clause"]
    out = []
    for a, b in clauses:
        b = min(b, len(folded))
        pos = a
        for m in rx.finditer(folded, a, b):
            if m.start() > pos:
                out.append((pos, m.start()))
            pos = m.end()
        if b > pos:
            out.append((pos, b))
    return out


_LEAD = re.compile(r"^(?:\s|项目(?:建成|实施|投产|投运|改造完成|完成)后|改造(?:完成)?后|(?:建成|投产|投运|实施|上线)后|"
                   r"同时|此外|其中|并且|并|且|使得|使|从而|[一二三四五六七八九十]是|\d{1,2}[.、]|[（(]\d{1,2}[)）])+")
_METRIC_TRAIL = re.compile(rf"(?:由|从|较改造前|较上年|同比|比改造前|(?:{_VERB_ALT})(?:了)?|达到|达|为|约|近|超过|逾|共|累计|"
                           rf"保持|控制在|稳定在|居|至|到|的|至少|最多|只|仅|需要|需|用时|耗时|\s)+$")
_METRIC_LEAD = re.compile(r"^.*?(?:19|20)\d{2}\s*年(?:度|底|初|末)?(?:\d{1,2}月)?|^(?:提出到|到|实现|完成|达成|可|已|累计|共|全年|年均|"
                          r"改造前|原来|原先|原本|过去|以前|此前|以往|现在|如今|目前|当前)+")
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


def _structure_values(claim: Claim, folded: str, rel: list[Quantity]) -> list[Quantity]:
    """Before/after, change and direction of a claim from its wording; returns the figures they come from."""
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
        return [first, second]
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
        return [q]
    doubling = next((q for q in rel if q.kind == "doubling"), None)
    if doubling is not None:
        claim.direction, claim.change, claim.unit = "up", doubling.value, "倍"
        return [doubling]
    first = next((q for q in rel if q.value is not None or q.range is not None), None)
    if first is not None:
        claim.after, claim.unit = first.value, first.unit or None
        return [first]
    return []


def _structure(claim: Claim, folded: str, rel: list[Quantity]) -> None:
    """Before/after, change, direction, approximation, range and improvement of a claim from its wording."""
    figures = _structure_values(claim, folded, rel)
    claim.approximate = any(q.approximate for q in figures)
    ranged = next((q for q in reversed(figures) if q.range is not None), None)
    claim.range = ranged.range if ranged is not None else None
    claim.improvement = _improvement(claim, folded)


def _improvement(claim: Claim, folded: str) -> bool | None:
    """Whether the change goes the good way: down for what should fall (不良率, 能耗, 周期, 用工, 成本 …),
    up for what should rise (合格率, 效率, 产能, 产值 …), a saving (节约, 减排) always; None when unknown."""
    if claim.direction not in ("up", "down"):
        return None
    lists = _patterns()
    metric = claim.metric or ""
    def head(pattern: re.Pattern) -> tuple[int, int]:  # the match nearest the end, the longer on a tie
        return max(((m.end(), m.end() - m.start()) for m in pattern.finditer(metric)), default=(-1, 0))
    lower, higher = head(lists["lower_is_better"]), head(lists["higher_is_better"])
    if lower[0] >= 0 or higher[0] >= 0:
        return claim.direction == ("down" if lower > higher else "up")
    if re.search(r"节约|节省|减排|削减|降本|减少.{0,6}(?:排放|消耗|用工|人员|成本|能耗)", folded[claim.start:claim.end]):
        return claim.direction == "down"
    if _COMMENSURATE.get(claim.unit or "", ("",))[0] == "time":  # 这个过程需要20天 … 现在只需7天: a duration
        return claim.direction == "down"
    return None


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


def extract_claims(text: str, max_increase_percent: float = 1000.0,
                   clauses: list[tuple[int, int]] | None = None) -> list[Claim]:
    """Every quantitative claim of a narrative, in order. An increase of ``max_increase_percent`` or more
    is flagged as implausible (see NarrativeConfig). ``clauses``: the text's clauses (the Doc's)."""
    if not text:
        return []
    folded = fold_chars(text)  # the one fold, one character for one: offsets are the text as read
    quantities = find_quantities(folded, _masked(folded))
    if not quantities:
        return []
    claims: list[Claim] = []
    for a, b in _clauses(folded, clauses):
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
    return _pair_across(claims, folded, text)


#: the text says the figure is the state before the transformation / after it
_BEFORE_MARK = re.compile(r"(?:改造|技改|改进|升级|实施|项目实施|上线|投产|引进|使用)(?:之)?前|原来|原先|原本|以前|过去|此前|"
                          r"以往|传统(?:方式|模式|工艺)下?|人工(?:操作|作业)时")
_AFTER_MARK = re.compile(r"现在|如今|目前|当前|现已|现只|现仅|现需|(?:改造|技改|改进|升级|实施|上线|投产|投用|投运|建成|"
                         r"使用|引进|完成)(?:之)?后|此后|之后|而今")
#: at most this many characters between the two figures of a comparison across clauses
MAX_PAIR_GAP = DEFAULT_CONFIG.evidence.max_pair_gap  # Config.evidence


def _pair_across(claims: list[Claim], folded: str, text: str) -> list[Claim]:
    """改造前，这个过程至少需要20天……现在只需7天: a level said to be the state before and the next level
    said to be the state after, in the same unit, are one before → after comparison (one claim spanning
    both; ``before_span`` points at the first figure)."""
    out: list[Claim] = []
    i = 0
    while i < len(claims):
        c1 = claims[i]
        c2 = claims[i + 1] if i + 1 < len(claims) else None
        merged = _pair(c1, c2, folded, text) if c2 is not None else None
        if merged is not None:
            out.append(merged)
            i += 2
        else:
            out.append(c1)
            i += 1
    return out


#: units of one kind a comparison may be written in (4小时 … 20分钟), in a common measure
_COMMENSURATE = {"秒": ("time", 1), "s": ("time", 1), "分钟": ("time", 60), "min": ("time", 60), "小时": ("time", 3600),
                 "h": ("time", 3600), "天": ("time", 86400), "日": ("time", 86400), "周": ("time", 604800),
                 "千克": ("mass", 1), "公斤": ("mass", 1), "kg": ("mass", 1), "吨": ("mass", 1000), "t": ("mass", 1000)}


def _convert(value: float, unit: str, into: str) -> float | None:
    """``value`` in ``unit`` expressed in ``into`` (the same unit, or time/mass units), else None."""
    if unit == into:
        return value
    a, b = _COMMENSURATE.get(unit), _COMMENSURATE.get(into)
    if a is None or b is None or a[0] != b[0]:
        return None
    return round(value * a[1] / b[1], 6)


def _pair(c1: Claim, c2: Claim, folded: str, text: str) -> Claim | None:
    if c1.direction is not None or c2.direction is not None or c1.after is None or c2.after is None:
        return None
    q1 = next((q for q in c1.quantities if q.value == c1.after), None)
    q2 = next((q for q in c2.quantities if q.value == c2.after), None)
    if q1 is None or q2 is None or q2.start - q1.end > MAX_PAIR_GAP:
        return None
    before = _convert(c1.after, q1.unit or "", q2.unit or "")
    if before is None:
        return None
    sentence_start = max(folded.rfind(ch, 0, c1.start) for ch in "。！？!?\n") + 1
    if not _BEFORE_MARK.search(folded, sentence_start, q1.start):
        return None
    between = folded[q1.end:q2.start]
    if not _AFTER_MARK.search(between) or _BEFORE_MARK.search(between) or between.count("。") > 1:
        return None
    claim = Claim(c1.start, c2.end, text[c1.start:c2.end], c1.metric or c2.metric, c1.quantities + c2.quantities,
                  before=before, after=c2.after, unit=q2.unit or None, basis=c1.basis or c2.basis,
                  problems=[p for p in c1.problems + c2.problems if p[0] != "UNIT_MISSING"] if q2.unit else
                  c1.problems + c2.problems)
    claim.change = round(c2.after - before, 6)
    claim.direction = "same" if c2.after == before else ("up" if c2.after > before else "down")
    claim.approximate = c1.approximate or c2.approximate
    claim.before_span = (q1.start, q1.end)
    claim.improvement = _improvement(claim, folded)
    return claim


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
