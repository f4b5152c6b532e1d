"""Personal data and confidential content in narratives that may be made public.

``find_sensitive(text)`` returns non-overlapping spans labelled ``phone``, ``email``, ``id_number``,
``person_name`` or ``confidential``, each with a short Chinese ``reason``. The word lists live in
corpora/sensitive.json; the number patterns are here. Matching runs on the text folded by nlp/fold.py
(``fold_chars``: full-width → half-width, traditional → simplified, one character for one character), so every
offset is an offset into the text as given.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Iterable

from .codelists import CORPORA
from .fold import fold_chars
from .spans import Span, make_span

LABELS = ("phone", "email", "id_number", "person_name", "confidential")


_SEP = r"[ \-]"
_NOT_BEFORE = r"(?<![0-9A-Za-z.¥￥$_/\\#\-])"
_NOT_AFTER = r"(?![0-9A-Za-z_])(?![.\-][0-9])"
_LOCAL = r"[1-9][0-9]{2,3}" + _SEP + r"?[0-9]{4}"
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"
_EXT = r"(?:[ ]?(?:转|分机|ext\.?|-|#)[ ]?[0-9]{1,6})?"
_PHONE_PARTS = [
    ("手机号码", r"(?:(?:\+|00)?86" + _SEP + r"?)?1[3-9][0-9](?:" + _SEP + r"?[0-9]{4}){2}"),
    ("固定电话", r"(?:\+86" + _SEP + r"?" + _AREA + r"|0" + _AREA + r")" + _SEP + r"?" + _LOCAL + _EXT),
    ("固定电话", r"[(（]0" + _AREA + r"[)）] ?" + _LOCAL + _EXT),
    ("服务热线", r"[48]00" + _SEP + r"?[0-9]{3}" + _SEP + r"?[0-9]{4}"),
]
_PHONE = re.compile("|".join(f"(?P<p{i}>{_NOT_BEFORE}{p}{_NOT_AFTER})" for i, (_, p) in enumerate(_PHONE_PARTS)))
_UNIT_AFTER = re.compile(
    r"\s*(?:[万亿千百十元吨台套件个只条项人次%‰倍度米克年月日天时辆片张块箱批家户亩位名]|kW|KW|MW|kWh|kg|km|t\b|m[²³23]?\b)")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9\-])")
_ID = re.compile(r"(?<![0-9A-Za-z])[1-8][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_LABEL = re.compile(r"(?:信用代码|机构代码|识别号|税号|注册号|营业执照|工商注册)[^。；;\n]{0,6}$")
_ID_LABEL = re.compile(r"身份证[^。；;\n]{0,12}$")
_NAME_LABEL = re.compile(r"姓\s*名\s*[:：]\s*")
_TITLE = re.compile(r"先生|女士|同志")
_NOT_TITLE_AFTER = "产成长活命效"  # 率先生产, 预先生成: 先 + 生产, not 先生
# Words ending in a surname character that often stand right before 先生/女士/同志 or a name.
_BEFORE_NAME = ("感谢", "答谢", "鸣谢", "致谢", "多谢", "代谢", "凋谢", "新陈", "相关", "有关", "机关", "攻关", "公关",
                "海关", "把关", "各方", "双方", "对方", "甲方", "乙方")
_ROLE_SEP = re.compile(r"\s*(?:[:：]|为|是)?\s*")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class _Rules:
    roles: re.Pattern
    surnames: frozenset
    compound: tuple
    not_names: re.Pattern
    followers: re.Pattern
    phrases: re.Pattern
    contexts: re.Pattern


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    path = CORPORA / "sensitive.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    needed = ("role_words", "surnames", "compound_surnames", "not_names", "name_followers",
              "confidential_phrases", "confidential_context")
    missing = [k for k in needed if not data.get(k)]
    if missing:
        raise ValueError(f"{path}: missing or empty lists: {', '.join(missing)}")
    roles = data["role_words"]
    return _Rules(
        roles=re.compile(_alternation(roles)),
        surnames=frozenset(data["surnames"]),
        compound=tuple(data["compound_surnames"]),
        not_names=re.compile(_alternation(data["not_names"] + roles)),
        followers=re.compile(_alternation(data["name_followers"] + roles)),
        phrases=re.compile(_alternation(data["confidential_phrases"])),
        contexts=re.compile(_alternation(data["confidential_context"])),
    )


def _surname_at(rules: _Rules, text: str, pos: int) -> int:
    """Length of the surname starting at ``pos`` (0 when none)."""
    for c in rules.compound:
        if text.startswith(c, pos):
            return len(c)
    return 1 if pos < len(text) and text[pos] in rules.surnames else 0


def _name_end_ok(rules: _Rules, text: str, end: int) -> bool:
    return end >= len(text) or not _is_han(text[end]) or rules.followers.match(text, end) is not None


def _name_after(rules: _Rules, text: str, pos: int, need_surname: bool = True) -> tuple[int, int] | None:
    """The name that starts at ``pos`` (after a role word or 姓名：), as (start, end), or None."""
    if rules.not_names.match(text, pos):
        return None
    sur = _surname_at(rules, text, pos)
    if not sur:
        if need_surname:
            return None
        sur = 1
    for given in (2, 1):
        end = pos + sur + given
        if end > len(text) or not all(_is_han(ch) for ch in text[pos:end]):
            continue
        part = text[pos + sur:end]
        if "某" in part or rules.not_names.match(text, pos + sur):
            continue  # 黄某 is anonymised; 任组长, 王主任 are a title, not a given name
        if _name_end_ok(rules, text, end):
            return pos, end
    return None


def _name_before_title(rules: _Rules, text: str, title: int, bare: bool) -> tuple[int, int] | None:
    """The name ending at ``title`` (where 先生/女士/同志 starts), or with ``bare`` the surname plus the title."""
    for given in (2, 1, 0) if bare else (2, 1):
        for c in rules.compound:
            start = title - given - len(c)
            if start >= 0 and text.startswith(c, start) and all(_is_han(ch) for ch in text[start:title]):
                return (start, title) if given else (start, title + 2)
        start = title - given - 1
        if start < 0 or text[start] not in rules.surnames or not all(_is_han(ch) for ch in text[start:title]):
            continue
        if text[max(0, start - 1):start + 1] in _BEFORE_NAME or rules.not_names.match(text, start):
            continue
        return (start, title) if given else (start, title + 2)
    return None


def _id_ok(num: str) -> tuple[bool, bool]:
    """(date of birth valid, checksum valid) for an 18-character mainland ID number."""
    try:
        born = date(int(num[6:10]), int(num[10:12]), int(num[12:14]))
    except ValueError:
        return False, False
    date_ok = date(1900, 1, 1) <= born <= date.today()
    total = sum(int(d) * w for d, w in zip(num[:17], _ID_WEIGHTS))
    return date_ok, "10X98765432"[total % 11] == num[17].upper()


#: a 2–4 character name right before a phone cue and a number
_NAME_BEFORE_PHONE = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,4})\s*[，,、]?\s*(?:联系电话|电话|手机|Tel|TEL)\s*[:：]?\s*[+\d(（]")


def _candidates(text: str) -> Iterable[tuple[int, int, str, dict]]:
    rules = _rules()
    for m in _PHONE.finditer(text):
        if _UNIT_AFTER.match(text, m.end()) or (m.lastgroup == "p0" and m.group().endswith("000000")):
            continue  # a quantity (13800138000元, 16000000000), not a number to call
        yield m.start(), m.end(), "phone", {"reason": _PHONE_PARTS[int(m.lastgroup[1:])][0]}
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), "email", {"reason": "电子邮箱"}
    for m in _ID.finditer(text):
        before = text[max(0, m.start() - 20):m.start()]
        if _ORG_CODE_LABEL.search(before):
            continue
        date_ok, check_ok = _id_ok(m.group())
        if date_ok and (check_ok or _ID_LABEL.search(before)):
            yield m.start(), m.end(), "id_number", {"reason": "身份证号码"}
    for m in rules.roles.finditer(text):
        sep = _ROLE_SEP.match(text, m.end())
        found = _name_after(rules, text, sep.end())
        if found:
            yield found[0], found[1], "person_name", {"reason": "人员姓名", "cue": m.group()}
    for m in _NAME_BEFORE_PHONE.finditer(text):  # 生产技术部刘晓峰，电话13800138000
        for start in range(m.start("name"), m.end("name") - 1):
            found = _name_after(rules, text, start)
            if found and found[1] == m.end("name"):
                yield found[0], found[1], "person_name", {"reason": "人员姓名", "cue": "电话"}
                break
    for m in _NAME_LABEL.finditer(text):
        found = _name_after(rules, text, m.end(), need_surname=False)
        if found:
            yield found[0], found[1], "person_name", {"reason": "人员姓名", "cue": "姓名"}
    for m in _TITLE.finditer(text):
        if m.group() == "先生" and m.end() < len(text) and text[m.end()] in _NOT_TITLE_AFTER:
            continue
        found = _name_before_title(rules, text, m.start(), bare=m.group() != "同志")
        if found:
            yield found[0], found[1], "person_name", {"reason": "人员姓名", "cue": m.group()}
    harmless = [m.span() for m in rules.contexts.finditer(text)]
    for m in rules.phrases.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in harmless):
            continue
        yield m.start(), m.end(), "confidential", {"reason": "疑似涉密或商业秘密内容", "phrase": m.group()}


def find_sensitive(text: str) -> list[Span]:
    """Spans of personal contact data and confidential-sounding content, sorted by start, never overlapping.

    Where candidates overlap the longer one wins (then the earlier one).
    """
    if not text:
        return []
    folded = fold_chars(text)
    starts: list[int] = []  # chosen spans never overlap, so sorted by start they are sorted by end too
    chosen: list[tuple[int, int, str, dict]] = []
    for cand in sorted(_candidates(folded), key=lambda c: (c[0] - c[1], c[0])):
        i = bisect_right(starts, cand[0])
        if (i and chosen[i - 1][1] > cand[0]) or (i < len(chosen) and chosen[i][0] < cand[1]):
            continue
        starts.insert(i, cand[0])
        chosen.insert(i, cand)
    return [make_span(text, s, e, label, **data) for s, e, label, data in chosen]
