"""Find a table's header (one or two rows) and map its columns to the engine's names by meaning."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..codelists import CORPORA
from ..textnorm import squash, strip_parenthetical
from .sheets import Cell

from ..constants import DIRECTIONS


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    patterns: tuple[re.Pattern, ...]
    required: bool = False
    unit: bool = False


@dataclass
class Header:
    """A recognised header: which attachment, the row it ends on and each column's meaning."""

    kind: str  # "project" | "enterprise"
    first_row: int
    last_row: int
    #: 0-based column index → engine column name
    columns: dict[int, str]
    #: 0-based column index → header text as written (for unknown columns too)
    labels: dict[int, str]
    #: engine column name → unit written in its header (亿元/万元/元)
    units: dict[str, str] = field(default_factory=dict)

    def missing_required(self) -> list[str]:
        present = set(self.columns.values())
        missing = [c.name for c in vocabulary(self.kind) if c.required and c.name not in present]
        if "建设起止时间" in missing and {"开工时间", "完工时间"} <= present:
            missing.remove("建设起止时间")
        return missing


@lru_cache(maxsize=1)
def _vocabularies() -> dict[str, tuple[ColumnSpec, ...]]:
    data = json.loads((CORPORA / "columns.json").read_text(encoding="utf-8"))
    return {kind: tuple(ColumnSpec(c["name"], tuple(re.compile(p) for p in c["patterns"]),
                                   c.get("required", False), c.get("unit", False)) for c in cols)
            for kind, cols in data.items() if not kind.startswith("_")}


def vocabulary(kind: str) -> tuple[ColumnSpec, ...]:
    return _vocabularies()[kind]


def header_key(text: str) -> str:
    """A header as compared: NFKC, no whitespace or line breaks, no parenthesised notes."""
    return strip_parenthetical(squash(text))


def classify(text: str, kind: str) -> str | None:
    """The engine column a header text means for one attachment kind, or None."""
    key = header_key(text)
    if not key:
        return None
    for spec in vocabulary(kind):
        if any(p.search(key) for p in spec.patterns):
            return spec.name
    return None


def _unit(text: str) -> str | None:
    m = re.search(r"(亿元|万元|元)", squash(text))
    return m.group(1) if m else None


#: a cell longer than this is no header label (and is never normalised or matched while looking for one)
HEADER_MAX_CHARS = 200


def _texts(cells: list[Cell]) -> list[str]:
    texts = [str(c.value).strip() if c.value is not None else "" for c in cells]
    return [t if len(t) <= HEADER_MAX_CHARS else "" for t in texts]


def _score(texts: list[str], kind: str) -> int:
    found = {classify(t, kind) for t in texts if t and len(t) <= 60}
    found.discard(None)
    return len(found)


def detect(rows: list[tuple[int, list[Cell]]]) -> Header | None:
    """Find the header among the first rows of a sheet; None when there is none."""
    best: tuple[int, int, str] | None = None  # (score, index, kind)
    for i, (_, cells) in enumerate(rows):
        texts = _texts(cells)
        for kind in ("project", "enterprise"):
            score = _score(texts, kind)
            if kind == "enterprise" and any(classify(t, "project") in ("项目名称", "项目建设内容") for t in texts):
                continue
            if score >= 3 and (best is None or score > best[0]):
                best = (score, i, kind)
    if best is None:
        return None
    _, index, kind = best
    top_num, top = rows[index]
    top_texts = _texts(top)
    below_texts = _texts(rows[index + 1][1]) if index + 1 < len(rows) else []
    two_rows = any(header_key(t) in DIRECTIONS or header_key(t) in ("是否", "是/否") for t in below_texts) and \
        not any(t in ("是", "否") for t in below_texts)
    columns: dict[int, str] = {}
    labels: dict[int, str] = {}
    units: dict[str, str] = {}
    width = max(len(top_texts), len(below_texts) if two_rows else 0)
    for ci in range(width):
        upper = top_texts[ci] if ci < len(top_texts) else ""
        lower = below_texts[ci] if two_rows and ci < len(below_texts) else ""
        label = upper if not lower or lower == upper else (f"{upper}/{lower}" if upper else lower)
        name = (classify(lower, kind) if lower and lower != upper else None) or classify(upper, kind)
        if not label:
            continue
        labels[ci] = label
        if name and name not in columns.values():
            columns[ci] = name
            unit = _unit(label)
            if unit and any(s.unit and s.name == name for s in vocabulary(kind)):
                units[name] = unit
    last = rows[index + 1][0] if two_rows else top_num
    return Header(kind, top_num, last, columns, labels, units)
