"""Small text normalisers shared by ingest and checks (never applied to stored text)."""
from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_PARENS = re.compile(r"[（(][^（）()]*[）)]")


def nfkc(text: str) -> str:
    """Full-width letters, digits and punctuation to their half-width forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """NFKC and no whitespace at all: for comparing short codes, names and headers."""
    return _SPACE.sub("", nfkc(text))


def strip_parenthetical(text: str) -> str:
    """Drop parenthesised notes such as (300字以内) or (市、区、镇)."""
    previous = None
    while previous != text:
        previous, text = text, _PARENS.sub("", text)
    return text


def company_key(name: str) -> str:
    """A key under which spellings of one company name compare equal."""
    key = squash(name)
    key = key.replace("(", "").replace(")", "")
    return key.strip("\"'“”‘’·.。")


def cell_text(value: object) -> str:
    """The text of a cell value as a reviewer would read it in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text.replace("T", " ")
    return str(value)
