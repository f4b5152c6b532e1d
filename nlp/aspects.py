"""Which parts the form asks for a narrative covers, each found part a labelled span (corpora/aspects.json)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .codelists import CORPORA
from .evidence import Claim
from .spans import Span

CONTENT_PARTS = ("建设内容", "产线规模", "技术设备", "工艺路线")
EFFECT_ASPECTS = ("产品种类", "质量品控", "生产效率", "用工", "产能规模", "经济效益", "节能环保", "安全生产", "示范意义")
_CLAUSE = re.compile(r"[^，,；;。！？!?\n]+")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, dict[str, re.Pattern]]:
    data = json.loads((CORPORA / "aspects.json").read_text(encoding="utf-8"))
    return {group: {name: re.compile("|".join(f"(?:{p})" for p in patterns)) for name, patterns in parts.items()}
            for group, parts in data.items() if not group.startswith("_")}


@dataclass
class Coverage:
    """The parts found (in the form's order), their spans, and which of them carry figures."""

    found: list[str]
    spans: list[Span]
    quantified: list[str]

    def missing(self, names: tuple[str, ...]) -> list[str]:
        return [n for n in names if n not in self.found]


def coverage(text: str, group: str, claims: list[Claim] | None = None) -> Coverage:
    """Parts of ``group`` ("content" or "effect") covered by ``text``; one span per matching clause."""
    names = CONTENT_PARTS if group == "content" else EFFECT_ASPECTS
    lexicon = _lexicon()[group]
    claim_ranges = [(c.start, c.end) for c in claims or []]
    found: list[str] = []
    quantified: list[str] = []
    spans: list[Span] = []
    for name in names:
        pattern = lexicon[name]
        for clause in _CLAUSE.finditer(text):
            m = pattern.search(clause.group(0))
            if not m:
                continue
            start, end = clause.start() + m.start(), clause.start() + m.end()
            spans.append(Span(start, end, name, text[start:end]))
            if name not in found:
                found.append(name)
            if name not in quantified and any(a < clause.end() and clause.start() < b for a, b in claim_ranges):
                quantified.append(name)
    spans.sort(key=lambda s: (s.start, s.end))
    return Coverage(found, spans, quantified)
