"""Character counts as reviewers and submitters see them.

Two counts of one text:
- ``wps_count``: WPS/Word 字数统计 (the 字数 a city sees in its word processor): each CJK character and each
  full-width punctuation mark counts 1, each run of half-width letters, digits and symbols (``2.85``, ``35%``,
  ``ISO9001``) counts 1. The notice's limits ("字数不超过300字", "总字数不超过 1500 字") are in 字数, so an
  over-limit error is measured by this count.
- ``char_count``: characters without whitespace (WPS/Word 字符数（不计空格）), where each half-width letter and
  digit counts 1 (``2.85`` is 4). A text can be within the limit by 字数 and over it by this count: that is a
  warning stating both (nlp/narrative.py).

Both run in linear time and memory on any length (they never build a list of matches).
"""
from __future__ import annotations

import re

_WPS_UNIT = re.compile(r"[!-~]+|[^\s!-~]")
_HALF_RUN = re.compile(r"[!-~]+")
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s+")


def char_count(text: str) -> int:
    """Characters other than whitespace."""
    return len(_SPACE.sub("", text))


def wps_count(text: str) -> int:
    """Word/WPS 字数: CJK characters and full-width marks 1 each, half-width runs 1 each."""
    return char_count(_HALF_RUN.sub("a", text))


def offset_after(text: str, limit: int, by: str = "chars") -> int | None:
    """Offset in ``text`` where the (limit+1)-th counted unit starts, or None when within the limit.

    ``by``: "chars" (characters without whitespace, as ``char_count``) or "wps" (字数 units, as ``wps_count``).
    """
    pattern = _WPS_UNIT if by == "wps" else _NON_SPACE
    for n, m in enumerate(pattern.finditer(text), start=1):
        if n == limit + 1:
            return m.start()
    return None


def analysed_part(text: str, max_chars: int) -> str:
    """The part of ``text`` that the steps whose cost grows faster than its length read: its first
    ``max_chars`` characters (``Limits.max_analysed_chars``). A prefix, so every offset in it is an offset in
    ``text``."""
    return text if len(text) <= max_chars else text[:max_chars]
