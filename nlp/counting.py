"""Character counts as reviewers and submitters see them.

Two counts of one text:
- ``char_count``: characters without whitespace (WPS/Word 字符数（不计空格）); the form's "300字" limits
  are applied to it, as the programme's reviewers count.
- ``wps_count``: WPS/Word 字数统计: each CJK character and each full-width punctuation mark counts 1, each
  run of half-width letters, digits and symbols (``2.85``, ``35%``, ``ISO9001``) counts 1.
A text can pass by the second and fail by the first: a finding then states both.
"""
from __future__ import annotations

import re

_WPS_UNIT = re.compile(r"[!-~]+|[^\s!-~]")
_NON_SPACE = re.compile(r"\S")


def char_count(text: str) -> int:
    """Characters other than whitespace."""
    return len(_NON_SPACE.findall(text))


def wps_count(text: str) -> int:
    """Word/WPS 字数: CJK characters and full-width marks 1 each, half-width runs 1 each."""
    return len(_WPS_UNIT.findall(text))


def offset_after(text: str, limit: int) -> int | None:
    """Offset in ``text`` where the (limit+1)-th counted character starts, or None when within the limit."""
    for n, m in enumerate(_NON_SPACE.finditer(text), start=1):
        if n == limit + 1:
            return m.start()
    return None
