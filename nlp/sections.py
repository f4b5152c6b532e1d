"""The three sections of a 示范企业典型做法 narrative (附件3) and the six sub-parts its template asks for.

The template has 一、企业简介 / 二、近年来开展技术改造情况 / 三、具有示范借鉴意义的经验做法, but offices write
（一）…, 第一部分 …, 1、…, run-in headings ("一、企业简介：…"), bare headings, or no headings at all.

How sections are found:

1. Every line (and every "。二、…" inside a line) that starts like a heading is parsed into an enumerator style
   (第X部分, 一、, （一）, 1., （1）, ①, Ⅰ, none) and a short title; the title is scored against the heading
   cues of corpora/sections.json.  The style whose cue-matching headings cover most sections is the top-level
   style; unnumbered headings ("企业简介" alone on a line) may join it.  The longest in-order chain of these
   headings labels sections by heading.
2. The text is cut into sentences; each gets a content score per section.  A monotone path
   前言 → 企业简介 → 技术改造情况 → 经验做法 → 结尾 is decoded over the sentences (Viterbi): a labelled heading
   fixes its state, entering a state is free at a top-level heading and costs a penalty elsewhere.  So a
   section whose heading is missing or non-standard is still found by its content, sub-points ("1." "2." "3."
   inside section 二, "三是" inside a paragraph) never open a section, and a section is missing only when its
   content is.

Offsets are into the text exactly as given: the text is folded by nlp/fold.py (``fold_chars``: full-width →
half-width, traditional → simplified) one character for one character, so folded and original offsets agree.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .codelists import CORPORA
from .fold import fold_chars
from .spans import Span, make_span

SECTIONS: tuple[str, ...] = ("企业简介", "技术改造情况", "经验做法")
SUBPARTS: tuple[str, ...] = ("无事故说明", "投入与时间段", "顶层设计与路径", "成效数据", "典型案例", "分条经验")

# decoder states: 0 前言, 1..3 the sections in order, 4 结尾
_PRE, _TAIL = 0, 4
_NSTATES = 5


@dataclass(frozen=True)
class SectionResult:
    """Where a section is: ``text[start:end]`` covers its heading (if any) and body.

    ``how`` is "heading" (found by a heading whose title names it), "content" (found by what it says; ``heading``
    is then the non-standard heading line that opens it, if any) or "missing".  A section whose heading is there
    but whose body is empty is missing; ``heading`` still points at that heading.
    """

    present: bool
    start: int | None = None
    end: int | None = None
    heading: Span | None = None
    how: str = "missing"


@dataclass(frozen=True)
class SubpartResult:
    """Whether a sub-part of the template is there, and the sentences or clauses that carry it."""

    present: bool
    spans: list[Span] = field(default_factory=list)


# ---- the cue file ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cues:
    heading: dict[str, list[tuple[str, float]]]
    heading_exclude: tuple[str, ...]
    heading_suffix: str
    heading_word_re: re.Pattern
    content: list[list[tuple[re.Pattern, float]]]  # indexed by decoder state
    subparts: dict[str, dict[str, Any]]
    scoring: dict[str, float]


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    raw = json.loads((CORPORA / "sections.json").read_text(encoding="utf-8"))
    heading = {name: [(w, float(x)) for w, x in raw["heading_cues"][name]] for name in SECTIONS}
    words = sorted({w for cues in heading.values() for w, _ in cues}, key=len, reverse=True)
    content_raw = raw["content_cues"]
    order = ["_preamble", *SECTIONS, "_tail"]
    content = [[(re.compile(p), float(w)) for p, w in content_raw.get(key, [])] for key in order]
    subparts: dict[str, dict[str, Any]] = {}
    for name, spec in raw["subparts"].items():
        compiled: dict[str, Any] = {}
        for key, value in spec.items():
            if isinstance(value, list):
                compiled[key] = re.compile("|".join(f"(?:{p})" for p in value), re.M)
            else:
                compiled[key] = value
        subparts[name] = compiled
    return _Cues(heading, tuple(raw.get("heading_exclude", ())), raw.get("heading_suffix_chars", ""),
                 re.compile("|".join(map(re.escape, words))), content, subparts,
                 {k: v for k, v in raw["scoring"].items() if not k.startswith("_")})


# ---- headings ----------------------------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_CN = "一二三四五六七八九十"
_ENUM = re.compile(
    rf"(?P<part>第\s*(?P<pn>[{_CN}\d]{{1,3}})\s*(?:部分|章|节|篇|板块|方面)\s*[、.:]?)"
    rf"|(?P<cnp>\(\s*(?P<cpn>[{_CN}]{{1,3}})\s*\)\s*[、.]?)"
    rf"|(?P<cn>(?P<cnn>[{_CN}]{{1,3}})\s*[、.,:](?!\d))"
    r"|(?P<arp>\(\s*(?P<apn>\d{1,2})\s*\)\s*[、.]?)"
    r"|(?P<ar>(?P<arn>\d{1,2})\s*(?:[、,:]|\.(?!\d)|\)(?!\d)))"
    r"|(?P<circ>(?P<cin>[\u2460-\u2473\u2474-\u2487\u2776-\u277f]))"
    r"|(?P<roman>(?P<rn>[\u2160-\u216b]|III|II|IV|I|V)\s*[、.])"
)
_STYLE_RANK = {"part": 0, "cn": 1, "cnp": 2, "ar": 3, "arp": 4, "circ": 5, "roman": 6, "none": 7}
_BULLETS = re.compile(r"[\s#*>•·●○◆◇■□▲△★☆▶►\-]*")
_OPEN = "【[「『《<"
_TITLE_END = re.compile(r"[:;。!?】\]」』》>]|——|\s{2,}")
_INLINE = re.compile(rf"(?<=[。!?;])\s*(?=第\s*[{_CN}]{{1,2}}\s*部分|\(\s*[{_CN}]{{1,2}}\s*\)|[{_CN}]{{1,2}}\s*、)")
_SENT = re.compile(r"[^。!?]*[。!?]+|[^。!?]+")


@dataclass
class _Heading:
    start: int
    end: int  # end of the heading unit (title plus its delimiter)
    style: str
    number: int | None
    title: str
    heading_only: bool
    prefix_mode: bool
    scores: tuple[float, ...]
    label: int | None = None  # section index when the title names a section


def _enum_number(m: re.Match) -> int | None:
    for key in ("pn", "cpn", "cnn", "apn", "arn", "cin", "rn"):
        value = m.group(key)
        if value is None:
            continue
        if value.isdigit():
            return int(value)
        if key == "cin":
            return _circled(value)
        if key == "rn":
            return _ROMAN.get(value)
        if len(value) == 1:
            return _CN_DIGITS.get(value)
        if value[0] == "十":
            return 10 + _CN_DIGITS.get(value[1], 0)
        return _CN_DIGITS.get(value[0], 0) * 10 + (_CN_DIGITS.get(value[2], 0) if len(value) > 2 else 0)
    return None


def _circled(ch: str) -> int:
    code = ord(ch)
    for base in (0x2460, 0x2474, 0x2776):
        if base <= code < base + 20:
            return code - base + 1
    return 0


def _heading_scores(title: str) -> tuple[float, ...]:
    cues = _cues()
    key = re.sub(r"\s+", "", title)
    return tuple(sum(w for word, w in cues.heading[name] if word in key) for name in SECTIONS)


def _parse_heading(norm: str, pos: int, end: int, inline: bool = False) -> _Heading | None:
    """A heading starting at ``pos`` (after bullets) within the line ``norm[pos:end]``, or None."""
    cues = _cues()
    scoring = cues.scoring
    max_title = int(scoring["max_title"])
    p = _BULLETS.match(norm, pos, end).end()
    m = _ENUM.match(norm, p, end)
    style, number = "none", None
    if m:
        style = next(k for k in ("part", "cnp", "cn", "arp", "ar", "circ", "roman") if m.group(k))
        number = _enum_number(m)
        p = m.end()
    while p < end and norm[p] in " \t\u3000":
        p += 1
    bracket = p < end and norm[p] in _OPEN
    if bracket:
        p += 1
    rest = norm[p:end]
    if not rest.strip():
        return None
    d = _TITLE_END.search(rest)
    prefix_mode = False
    if inline:
        dig = re.search(r"(?<=\D)\d", rest[2:max_title + 2])
        if dig and (d is None or dig.start() + 2 < d.start()):
            d = None
            rest_cut = rest[:dig.start() + 2]
            title, title_end, heading_only = rest_cut, len(rest_cut), False
        else:
            title = None
    else:
        title = None
    if title is None:
        whole = rest.rstrip()
        if len(whole) <= max_title and not re.search(r"[:;。!?】\]」』》>]", whole[:-1]):
            title, title_end, heading_only = whole.rstrip(":;。"), len(whole), True
        elif d is not None and d.start() <= max_title:
            title, title_end = rest[:d.start()], d.end()
            heading_only = not rest[d.end():].strip()
        elif d is None and len(rest.rstrip()) <= max_title:
            title, title_end, heading_only = rest.rstrip(), len(rest.rstrip()), True
        elif style == "none":
            return None
        else:
            window = rest[:24]
            hits = list(cues.heading_word_re.finditer(window))
            if not hits:
                return None
            cut = hits[-1].end()
            extra = 0
            while cut < len(rest) and extra < 8 and rest[cut] in cues.heading_suffix:
                cut, extra = cut + 1, extra + 1
            title, title_end, heading_only, prefix_mode = rest[:cut], cut, False, True
    bare = re.sub(r"\s+", "", title)
    # a comma marks a sentence, not a title, except in a short numbered line that is nothing but a heading
    comma_ok = heading_only and style != "none" and len(bare) <= 20
    if not bare or ("," in bare and not comma_ok) or len(bare) > max_title:
        return None
    if bare[-1] in "。":
        bare = bare[:-1]
    scores = _heading_scores(bare)
    return _Heading(pos, p + title_end, style, number, bare, heading_only, prefix_mode, scores)


def _label(h: _Heading) -> int | None:
    """The section a heading's title names, or None."""
    cues = _cues()
    best = max(h.scores)
    if best <= 0:
        return None
    if h.style == "none":
        if best < cues.scoring["unnumbered_min_score"] or len(h.title) > 20:
            return None
        if not h.heading_only and not h.prefix_mode and len(h.title) > 12:
            return None
        if any(x in h.title for x in cues.heading_exclude):
            return None
    if h.prefix_mode and best < 2:
        return None
    if h.number is not None and 1 <= h.number <= 3 and h.scores[h.number - 1] > 0:
        return h.number - 1
    return h.scores.index(best)


def _chain(cands: list[_Heading], prefer: str | None = None) -> list[_Heading]:
    """The longest chain of headings whose sections strictly increase, earliest and preferred-style first."""
    n = len(cands)
    if not n:
        return []
    best: list[tuple[int, int, float]] = []
    back: list[int] = []
    for i, c in enumerate(cands):
        own = (1, 1 if prefer is None or c.style == prefer else 0, max(c.scores))
        score, prev = own, -1
        for j in range(i):
            if cands[j].label < c.label:
                cand = (best[j][0] + 1, best[j][1] + own[1], best[j][2] + own[2])
                if cand > score:
                    score, prev = cand, j
        best.append(score)
        back.append(prev)
    i = max(range(n), key=lambda k: (best[k], -k))
    out = []
    while i >= 0:
        out.append(cands[i])
        i = back[i]
    return out[::-1]


# ---- analysis ----------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    start: int
    end: int
    para: int
    first_in_para: bool
    heading: _Heading | None = None


@dataclass
class _Analysis:
    norm: str
    units: list[_Unit]
    states: list[int]
    sections: dict[str, SectionResult]


def _lines(norm: str) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"[^\n\r\u2028\u2029\x0b\x0c\x85]+", norm):
        s, e = m.start(), m.end()
        while s < e and norm[s].isspace():
            s += 1
        while e > s and norm[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def _sentences(norm: str, s: int, e: int) -> list[tuple[int, int]]:
    out = []
    for m in _SENT.finditer(norm, s, e):
        a, b = m.start(), m.end()
        while a < b and norm[a].isspace():
            a += 1
        while b > a and norm[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _content_scores(norm: str, units: list[_Unit]) -> list[list[float]]:
    cues = _cues()
    cap = cues.scoring["max_hits_per_cue"]
    starts = [u.start for u in units]
    scores = [[0.0] * _NSTATES for _ in units]
    for state, patterns in enumerate(cues.content):
        for rx, w in patterns:
            hits: dict[int, int] = {}
            for m in rx.finditer(norm):
                i = bisect.bisect_right(starts, m.start()) - 1
                if i < 0 or m.start() >= units[i].end:
                    continue
                hits[i] = hits.get(i, 0) + 1
            for i, k in hits.items():
                scores[i][state] += w * min(k, cap)
    return scores


def _decode(units: list[_Unit], emit: list[list[float]], allowed: list[list[bool]],
            free: list[bool]) -> list[int]:
    """Best monotone state path (Viterbi) under the allowed states, with entry penalties."""
    scoring = _cues().scoring
    neg = float("-inf")
    n = len(units)
    back: list[list[int]] = []
    prev = [neg] * _NSTATES
    for i, u in enumerate(units):
        cost = 0.0 if free[i] else (scoring["enter_at_paragraph"] if u.first_in_para
                                    else scoring["enter_mid_paragraph"])
        cur, bp = [neg] * _NSTATES, [0] * _NSTATES
        run_best, run_arg = neg, 0
        for s in range(_NSTATES):
            if i == 0:
                stay, came = (0.0, s)
            else:
                stay, came = prev[s], s
                if run_best - cost > stay:
                    stay, came = run_best - cost, run_arg
            if i > 0 and prev[s] > run_best:
                run_best, run_arg = prev[s], s
            if allowed[i][s] and stay > neg:
                cur[s], bp[s] = stay + emit[i][s], came
        back.append(bp)
        prev = cur
    s = max(range(_NSTATES), key=lambda k: prev[k])
    path = [0] * n
    for i in range(n - 1, -1, -1):
        path[i] = s
        s = back[i][s]
    return path


def _analyse_uncached(text: str) -> _Analysis:
    norm = fold_chars(text)  # the text as the cues read it, same length
    cues = _cues()
    scoring = cues.scoring
    lines = _lines(norm)

    # heading candidates: line starts, and "。二、…" inside a line
    cands: list[_Heading] = []
    per_line: list[list[_Heading]] = []
    for s, e in lines:
        found = []
        h = _parse_heading(norm, s, e)
        if h is not None:
            found.append(h)
        for m in _INLINE.finditer(norm, s + 1, e):
            hi = _parse_heading(norm, m.end(), e, inline=True)
            if hi is not None and hi.style != "none":
                hi.label = _label(hi)
                if hi.label is not None and max(hi.scores) >= 2:
                    found.append(hi)
        per_line.append(found)
        for h in found:
            if h.label is None:
                h.label = _label(h)
            if h.label is not None:
                cands.append(h)

    # the top-level style: the one whose headings name most sections
    by_style: dict[str, list[_Heading]] = {}
    for h in cands:
        by_style.setdefault(h.style, []).append(h)
    primary, chain = None, []
    if by_style:
        ranked = sorted(by_style, key=lambda st: (-len(_chain(by_style[st])), _STYLE_RANK[st]))
        primary = ranked[0]
        pool = [h for h in cands if h.style in (primary, "none")]
        chain = _chain(pool, prefer=primary)
        # a whole-line heading in another style joins when its number agrees ("一、…（二）…三、…")
        for h in cands:
            if h.style in (primary, "none") or not h.heading_only or h.number != h.label + 1:
                continue
            before = [c for c in chain if c.start < h.start]
            after = [c for c in chain if c.start > h.start]
            if (not before or before[-1].label < h.label) and (not after or after[0].label > h.label):
                chain = before + [h] + after
    chain_ids = {id(h) for h in chain}

    # units: headings in the chain and heading-like lines of the top-level style; sentences otherwise
    units: list[_Unit] = []
    for para, ((s, e), found) in enumerate(zip(lines, per_line)):
        cuts = []
        for h in found:
            heading_like = (not h.prefix_mode) and (h.heading_only or h.end - h.start <= scoring["max_title"] + 8)
            if id(h) in chain_ids or (primary not in (None, "none") and h.style == primary and heading_like):
                cuts.append(h)
        pos, first = s, True
        for h in sorted(cuts, key=lambda x: x.start):
            if h.start < pos:
                continue
            for a, b in _sentences(norm, pos, h.start):
                units.append(_Unit(a, b, para, first))
                first = False
            h_end = min(h.end, e)
            while h_end > h.start + 1 and norm[h_end - 1].isspace():
                h_end -= 1
            units.append(_Unit(h.start, h_end, para, first, h))
            first = False
            pos = min(h.end, e)
        for a, b in _sentences(norm, pos, e):
            units.append(_Unit(a, b, para, first))
            first = False

    sections = {name: SectionResult(False) for name in SECTIONS}
    if not units:
        return _Analysis(norm, units, [], sections)

    emit = _content_scores(norm, units)
    labelled = [(i, u.heading.label) for i, u in enumerate(units)
                if u.heading is not None and id(u.heading) in chain_ids]
    free = [u.heading is not None for u in units]
    # a labelled heading fixes its state; the units up to the next one may be that section or a later one
    # without a heading of its own
    allowed = []
    k = 0  # labelled[k] is the first labelled heading after unit i
    prev_label: int | None = None
    for i, _ in enumerate(units):
        while k < len(labelled) and labelled[k][0] <= i:
            prev_label = labelled[k][1]
            k += 1
        if k > 0 and labelled[k - 1][0] == i:
            row = [s == prev_label + 1 for s in range(_NSTATES)]
        else:
            lo = prev_label + 1 if prev_label is not None else _PRE
            hi = labelled[k][1] if k < len(labelled) else _TAIL
            row = [lo <= s <= hi for s in range(_NSTATES)]
        allowed.append(row)

    heading_states = {lab + 1 for _, lab in labelled}
    banned: set[int] = set()
    for _ in range(4):
        rows = [[ok and (s not in banned) for s, ok in enumerate(r)] for r in allowed]
        path = _decode(units, emit, rows, free)
        weak = set()
        for state in range(1, 4):
            if state in heading_states:
                continue
            support = sum(emit[i][state] for i, s in enumerate(path) if s == state)
            if state in path and support < scoring["min_support"]:
                weak.add(state)
        if not weak:
            break
        banned |= weak

    for k, name in enumerate(SECTIONS):
        idx = [i for i, s in enumerate(path) if s == k + 1]
        lab_i = next((i for i, lab in labelled if lab == k), None)
        if lab_i is not None:
            head = units[lab_i].heading
            hs = make_span(text, head.start, units[lab_i].end, name)
            body = "".join(norm[units[i].start:units[i].end] for i in idx if i != lab_i)
            body = re.sub(r"[\s\W_]+", "", body)
            if len(body) < scoring["min_body"]:
                sections[name] = SectionResult(False, None, None, hs, "missing")
            else:
                sections[name] = SectionResult(True, units[idx[0]].start, units[idx[-1]].end, hs, "heading")
        elif idx:
            first = units[idx[0]]
            hs = make_span(text, first.start, first.end, name) if first.heading is not None else None
            sections[name] = SectionResult(True, first.start, units[idx[-1]].end, hs, "content")
    return _Analysis(norm, units, path, sections)


@lru_cache(maxsize=64)
def _analyse(text: str) -> _Analysis:
    return _analyse_uncached(text)


def detect_sections(text: str) -> dict[str, SectionResult]:
    """Find 企业简介, 技术改造情况 and 经验做法 by their headings, or by their content where headings are
    missing or non-standard.  Sections come out in order and never overlap."""
    return dict(_analyse(text or "").sections)


# ---- sub-parts ---------------------------------------------------------------------------------------------


def _sentence_spans(norm: str, s: int, e: int) -> list[tuple[int, int]]:
    out = []
    for ls, le in _lines(norm[:e]):
        if le <= s:
            continue
        out.extend(_sentences(norm, max(ls, s), min(le, e)))
    return out


def _range_for(name: str, text: str, sections: dict[str, SectionResult]) -> tuple[int, int]:
    """The section where a sub-part belongs; when it was not found, the whole text, except that numbered
    lessons are not looked for inside the sections that come before 经验做法."""
    home = _cues().subparts[name]["section"]
    sec = sections.get(home)
    if sec is not None and sec.present and sec.start is not None and sec.end is not None:
        return sec.start, sec.end
    start = 0
    if home == SECTIONS[-1]:
        ends = [r.end for k, r in sections.items() if k != home and r.present and r.end is not None]
        start = max(ends, default=0)
    return start, len(text)


def _pattern_sentences(norm: str, sents: list[tuple[int, int]], rx: re.Pattern,
                       exclude: re.Pattern | None = None) -> list[tuple[int, int]]:
    out = []
    for a, b in sents:
        piece = norm[a:b]
        if rx.search(piece) and not (exclude is not None and exclude.search(piece)):
            out.append((a, b))
    return out


def _investment(norm: str, sents: list[tuple[int, int]], spec: dict[str, Any]) -> list[tuple[int, int]]:
    out = []
    period, inv, amount = spec["period"], spec["investment"], spec["amount"]
    for k, (a, b) in enumerate(sents):
        piece = norm[a:b]
        money = inv.search(piece) and amount.search(piece)
        if money and period.search(piece):
            out.append((a, b))
        elif money and k > 0:
            pa, pb = sents[k - 1]
            same_para = "\n" not in norm[pb:a] and "\r" not in norm[pb:a]
            if same_para and period.search(norm[pa:pb]) and (pa, pb) not in out:
                out.append((pa, b))
    return out


def _top_design(norm: str, sents: list[tuple[int, int]], spec: dict[str, Any]) -> list[tuple[int, int]]:
    out = []
    for a, b in sents:
        piece = spec["exclude"].sub("", norm[a:b])
        if spec["strong"].search(piece) or len(spec["weak"].findall(piece)) >= spec["min_weak"]:
            out.append((a, b))
    return out


def _points(norm: str, s: int, e: int, heading: Span | None, spec: dict[str, Any]) -> list[tuple[int, int]]:
    body_start = heading.end if heading is not None and s <= heading.start < e else s
    starts = []
    for m in spec["markers"].finditer(norm, body_start, e):
        p = m.start()
        while p < m.end() and norm[p] in " \t\u3000\n":
            p += 1
        if not starts or p - starts[-1] > 3:
            starts.append(p)
    if len(starts) < spec["min_points"]:
        return []
    out = []
    for k, p in enumerate(starts):
        q = starts[k + 1] if k + 1 < len(starts) else e
        while q > p and (norm[q - 1].isspace()):
            q -= 1
        if q > p:
            out.append((p, q))
    return out


def detect_subparts(text: str, sections: dict[str, SectionResult] | None = None) -> dict[str, SubpartResult]:
    """Find the six sub-parts, each in the section where the template puts it (the whole text when that
    section was not found).  Each span is a sentence, clause or numbered point, labelled with the sub-part."""
    text = text or ""
    analysis = _analyse(text)
    norm = analysis.norm
    if sections is None:
        sections = analysis.sections
    cues = _cues()
    out: dict[str, SubpartResult] = {}
    for name in SUBPARTS:
        spec = cues.subparts[name]
        s, e = _range_for(name, text, sections)
        sents = _sentence_spans(norm, s, e)
        if name == "投入与时间段":
            found = _investment(norm, sents, spec)
        elif name == "顶层设计与路径":
            found = _top_design(norm, sents, spec)
        elif name == "典型案例":
            marked = _pattern_sentences(norm, sents, spec["patterns"])
            project = _pattern_sentences(norm, sents, spec["project"], spec["exclude"])
            found = sorted(set(marked) | set(project))
        elif name == "分条经验":
            sec = sections.get(spec["section"])
            heading = sec.heading if sec is not None and sec.present else None
            found = _points(norm, s, e, heading, spec)
        else:
            found = _pattern_sentences(norm, sents, spec["patterns"], spec.get("exclude"))
        spans = [make_span(text, a, b, name) for a, b in found]
        out[name] = SubpartResult(bool(spans), spans)
    return out
