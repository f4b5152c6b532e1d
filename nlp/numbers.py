"""Numbers as written in Chinese narratives, converted only inside matched numeric spans.

``fold_width`` maps full-width ASCII (１２％) to half-width one for one, so offsets never move; ``to_number``
reads one numeral as matched by a pattern: Arabic with separators and magnitudes (1.2万, 4,200), Chinese
(三, 十二, 两千三百, 近千万), and mixed forms. Whole-sentence converters are never used: they turn 二氧化碳
into 2氧化碳.
"""
from __future__ import annotations

import re

_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20
# traditional forms of numerals and common units, so that 產能由5萬套 reads like 产能由5万套
_FULL_WIDTH.update({ord(t): ord(s) for t, s in zip("萬億兩噸臺個條項戶倍隻張瓶箱種類級", "万亿两吨台个条项户倍只张瓶箱种类级")})


def fold_width(text: str) -> str:
    """Full-width ASCII forms to half-width and traditional numerals/units to simplified, one character for
    one (offsets are kept)."""
    return text.translate(_FULL_WIDTH)


CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
            "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9, "半": 0.5}
CN_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_MAGNITUDE = {"万": 1e4, "亿": 1e8}
CN_CHARS = "".join(CN_DIGIT) + "".join(CN_UNIT) + "".join(CN_MAGNITUDE)


def _cn_small(s: str) -> float | None:
    """A Chinese numeral below 10,000: 三, 十二, 两千三百零五."""
    if not s:
        return None
    total, digit = 0.0, None
    for ch in s:
        if ch in CN_DIGIT:
            digit = CN_DIGIT[ch]
        elif ch in CN_UNIT:
            total += (1 if digit is None else digit) * CN_UNIT[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def cn_to_number(s: str) -> float | None:
    """A Chinese numeral with 万/亿 magnitudes: 三, 十二, 一万二千, 近千万 (without 近)."""
    if not s:
        return None
    total = 0.0
    rest = s
    for mag_char in ("亿", "万"):
        if mag_char in rest:
            head, rest = rest.split(mag_char, 1)
            value = _cn_small(head) if head else 1.0
            if value is None:
                return None
            total += value * CN_MAGNITUDE[mag_char]
    if rest:
        value = _cn_small(rest)
        if value is None:
            return None
        total += value
    return total


_ARABIC = re.compile(r"^(\d+(?:[,，]\d{3})*(?:\.\d+)?)([十百千万亿]*)$")


def to_number(numeral: str) -> float | None:
    """The value of one numeral as matched: 2.85, 1,200, 1.2万, 3千, 十二, 两千, 百分之二十 → 20."""
    s = fold_width(numeral).strip()
    if s.startswith("百分之"):
        return to_number(s[3:])
    m = _ARABIC.match(s)
    if m:
        value = float(m.group(1).replace(",", "").replace("，", ""))
        for ch in m.group(2):
            value *= CN_MAGNITUDE.get(ch) or CN_UNIT[ch]
        return value
    return cn_to_number(s)
