"""The one text fold: how every module that compares or matches text reads it.

Two forms, one table:

- ``fold_chars(text)`` — same length, one character for one character, so an offset into the result is an
  offset into the text as read: full-width → half-width (NFKC where it stays one character: ``１２％`` → ``12%``,
  U+3000 → space, compatibility ideographs → unified ones), traditional → simplified from the character table
  generated from OpenCC's dictionaries (corpora/fold/t2s_chars.tsv; see corpora/fold/make_table.py for what it
  takes and why). Kept as they are: Roman numerals, circled and parenthesised numbers (they are enumerators),
  super- and subscripts (m², CO₂), and every character whose NFKC form is longer than one character (℃, ㎡, …).
  Simplified text is a fixed point of the character table, so a simplified word list matches the folded text.
- ``fold(text) -> Folded`` — ``fold_chars`` plus whitespace: ``\\r\\n`` and ``\\r`` → ``\\n``; zero-width
  characters and soft hyphens dropped; a whitespace run at either end dropped; a run next to a Chinese character
  or full-width punctuation dropped (stray spaces and the line breaks a PDF or a narrow cell leaves inside a
  sentence), other runs one space; a line break is kept (as ``\\n``, a blank line as ``\\n\\n``) where it ends a
  sentence (。！？；：…), ends a line that starts with an enumerator (一、 （二） 3. ①), or comes before one.
  ``Folded.span((a, b))`` maps a span of the folded text back to the text as read.

Both are idempotent: folding folded text changes nothing.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .codelists import CORPORA

TABLE = CORPORA / "fold" / "t2s_chars.tsv"
#: bump when what ``fold_chars`` / ``fold`` return changes for the same table
_VERSION = "1"

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_RUN = re.compile(r"[\s" + _ZERO_WIDTH + r"]+")
_SENTENCE_END = set("。！？!?；;：:…")
# the start of an enumerated line: 一、 （二） (3) 3. 3、 ① 第一章 Ⅳ.
_ENUMERATOR = re.compile(r"(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十0-9]{1,3}[)）]|[0-9]{1,2}[、.)）](?![0-9])"
                         r"|[\u2460-\u24ff\u2776-\u2793]|第[一二三四五六七八九十0-9]{1,3}[章节部分条]|[\u2160-\u217f])")


def _keep_as_is(code: int) -> bool:
    return (code < 128 or 0x2150 <= code <= 0x24FF or 0x2776 <= code <= 0x2793
            or code in (0xB2, 0xB3, 0xB9) or 0x2070 <= code <= 0x209F)


class _CharTable(dict):
    """str.translate table, filled on first sight of each character."""

    def __init__(self, traditional: dict[str, str]):
        super().__init__()
        self.traditional = traditional

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = ch
        if not _keep_as_is(code):
            folded = unicodedata.normalize("NFKC", ch)
            if len(folded) == 1:
                out = folded
        out = self.traditional.get(out, out)
        self[code] = out
        return out


@lru_cache(maxsize=1)
def traditional_table() -> dict[str, str]:
    """Traditional → simplified, one character each (corpora/fold/t2s_chars.tsv)."""
    table: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")
            table[trad] = simp
    return table


@lru_cache(maxsize=1)
def fold_id() -> str:
    """Names this fold (its code's version and its table): what stores folded text or keys computed from it
    (the archive's LSH band keys) compare it to know when to recompute them."""
    return hashlib.sha256(_VERSION.encode() + TABLE.read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _chars() -> _CharTable:
    return _CharTable(traditional_table())


def fold_chars(text: str) -> str:
    """Full-width → half-width and traditional → simplified, one character for one: offsets are kept."""
    return text.translate(_chars())


def _wide(ch: str) -> bool:
    """A Chinese character or full-width / CJK punctuation: no space is needed next to it."""
    code = ord(ch)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F
            or 0xFF00 <= code <= 0xFFEF or code >= 0x20000 or ch in "“”‘’…—·")


@dataclass(frozen=True)
class Folded:
    """``text`` is the folded text; character ``i`` of it stands for ``original[starts[i]:ends[i]]``."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, i: int) -> int:
        """The offset in the text as read of folded offset ``i`` (0 ≤ i ≤ len(text)); the end maps to the end
        of the last character's source."""
        if i < len(self.text):
            return self.starts[i]
        return self.ends[-1] if self.ends else 0

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the text as read that folded ``text[start:end]`` comes from (whole source characters)."""
        if end <= start:
            pos = self.to_original(start)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def from_original(self, i: int) -> int:
        """The folded offset of the first folded character whose source ends after offset ``i`` of the text as
        read (``len(text)`` when none)."""
        return bisect_right(self.ends, i)


def _replacement(folded: str, start: int, end: int, line_start: int) -> str:
    """What the whitespace run ``folded[start:end]`` (not at either end of the text) becomes; ``line_start`` is
    where the line it ends began."""
    run = folded[start:end]
    if not run.strip(_ZERO_WIDTH):
        return ""  # zero-width characters only: they join what is around them
    newlines = run.count("\n") + run.count("\r") - run.count("\r\n")
    if newlines:
        if (folded[start - 1] in _SENTENCE_END or _ENUMERATOR.match(folded, line_start)
                or _ENUMERATOR.match(folded, end)):
            return "\n\n" if newlines > 1 else "\n"
        if newlines > 1:
            return "\n\n"
    if _wide(folded[start - 1]) or _wide(folded[end]):
        return ""
    return " "


def fold(text: str) -> Folded:
    """The folded text with the map back to ``text`` (see the module's docstring for what is folded)."""
    folded = fold_chars(text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = line_start = 0
    for m in _RUN.finditer(folded):
        a, b = m.span()
        if a > pos:
            out.append(folded[pos:a])
            starts.extend(range(pos, a))
            ends.extend(range(pos + 1, a + 1))
        replacement = "" if a == 0 or b == len(folded) else _replacement(folded, a, b, line_start)
        if a == 0 or "\n" in replacement:
            line_start = b
        out.append(replacement)
        starts.extend([a] * len(replacement))
        ends.extend([b] * len(replacement))
        pos = b
    if pos < len(folded):
        out.append(folded[pos:])
        starts.extend(range(pos, len(folded)))
        ends.extend(range(pos + 1, len(folded) + 1))
    return Folded(text, "".join(out), tuple(starts), tuple(ends))
