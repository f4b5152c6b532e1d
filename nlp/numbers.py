"""Numbers as written in Chinese narratives, converted only inside matched numeric spans.

``to_number`` is the public function: the value of ONE numeral as a pattern matched it, or ``None`` when the
text is not one numeral. It reads

- Arabic numerals with separators and magnitudes: 2.85, 1,200, 1.2万, 3千, 100万三千 (mixed forms);
- Chinese numerals through cn2an (MIT, https://github.com/Ailln/cn2an) in its ``smart`` mode, which also
  takes the colloquial forms (三万五 → 35000, 一百二 → 120, 两千六 → 2600), 零 inside (一千零十 → 1010),
  decimals (零点八五), negatives (负一), financial forms (壹佰) and digit strings (一二三 → 123);
- a few rules of the project's own around it, for what cn2an refuses: a decimal before 万/亿 (一点二亿 →
  1.2e8), a bare magnitude (千万 → 1e7, as in 近千万元), 半 (0.5), fractions (三分之一 → 1/3, 三又五分之一
  → 3.2) and the percentage phrases 百分之/千分之/万分之, whose value is the figure **as a percentage**
  (百分之十五点六 → 15.6, 千分之五 → 0.5, 万分之三 → 0.03).

Whole-sentence converters (cn2an.transform) are never used: they turn 二氧化碳 into 2氧化碳. Approximate
figures (十几, 三十多, 八九成) are the evidence extractor's business (nlp/evidence.py), not a value here.

A numeral is read through the one text fold (``nlp.fold.fold_chars``: full-width → half-width, traditional →
simplified, one character for one), so １２, 兩千六 and 負十點五 read like 12, 两千六 and 负十点五.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .fold import fold_chars

CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
            "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9, "半": 0.5}
CN_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_MAGNITUDE = {"万": 1e4, "亿": 1e8}
#: the characters a Chinese numeral is written with (点 only between digits: see nlp/evidence.py)
CN_CHARS = "".join(CN_DIGIT) + "".join(CN_UNIT) + "".join(CN_MAGNITUDE)

#: 百分之X, 千分之X, 万分之X: the figure as a percentage
PER_PREFIX = {"百分之": 1.0, "千分之": 0.1, "万分之": 0.01}

_ARABIC = re.compile(r"^(\d+(?:,\d{3})*(?:\.\d+)?)([十百千万亿]*)$")
_DECIMAL_MAGNITUDE = re.compile(r"^(.+点.+?)([十百千万亿]+)$")
_FRACTION = re.compile(r"^(?:(.+)又)?(.+)分之(.+)$")
_MAGNITUDE_ONLY = re.compile(r"^[百千万亿]+$")
_CURRENCY = re.compile(r"(?<=.)(?:元|圆)整?$")  # 壹佰元整 is the numeral 壹佰


@lru_cache(maxsize=1)
def _cn2an():
    import cn2an  # 0.2 s to import: only when a Chinese numeral is read

    return cn2an.cn2an


def _magnitude(chars: str) -> float:
    value = 1.0
    for ch in chars:
        value *= CN_MAGNITUDE.get(ch) or CN_UNIT[ch]
    return value


def _plain(s: str) -> float | None:
    """One numeral without fraction or percentage wording."""
    if not s:
        return None
    negative = s[0] in "负-"
    if negative:
        s = s[1:]
    if not s or s[0] == "点" or s[-1] == "点":  # 零点, 点零: cn2an's smart mode would read 零点 as 0
        return None
    value: float | None
    m = _ARABIC.match(s)
    if m:
        value = float(m.group(1).replace(",", "")) * _magnitude(m.group(2))
    elif s == "半":
        value = 0.5
    elif _MAGNITUDE_ONLY.match(s):  # 千万 (近千万元), 百万, 万
        value = _magnitude(s)
    else:
        dm = _DECIMAL_MAGNITUDE.match(s)  # 一点二亿, 1.5万 in Chinese: cn2an refuses a decimal before 万/亿
        if dm and "点" not in dm.group(2):
            head = _plain(dm.group(1))
            value = None if head is None else head * _magnitude(dm.group(2))
        else:
            try:
                value = float(_cn2an()(s, "smart"))
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                return None
    if value is None:
        return None
    return -value if negative else value


def to_number(numeral: str) -> float | None:
    """The value of one numeral as matched, or None when it is not one: 2.85, 1,200, 1.2万, 十二, 三万五 →
    35000, 一点二亿 → 1.2e8, 负一 → -1, 三分之一 → 0.333…, 百分之十五点六 → 15.6 (a percentage)."""
    s = _CURRENCY.sub("", fold_chars(numeral).strip().replace("，", ","))
    if not s:
        return None
    negative = s[0] == "负" and len(s) > 1 and not s[1:].startswith("负")
    body = s[1:] if negative else s
    for prefix, scale in PER_PREFIX.items():
        if body.startswith(prefix):
            value = _plain(body[len(prefix):])
            value = None if value is None else value * scale
            break
    else:
        f = _FRACTION.match(body)
        if f:
            whole = _plain(f.group(1)) if f.group(1) else 0.0
            den, num = _plain(f.group(2)), _plain(f.group(3))
            value = None if None in (whole, den, num) or not den else whole + num / den
        else:
            return _plain(s)
    if value is None:
        return None
    return -value if negative else value
