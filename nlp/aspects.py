"""Which parts the form asks for a narrative covers, each found part a labelled span (corpora/aspects.json)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .codelists import CORPORA
from .doc import original_ranges, segment
from .evidence import Claim
from .fold import fold
from .spans import Span

CONTENT_PARTS = ("建设内容", "产线规模", "技术设备", "工艺路线")
EFFECT_ASPECTS = ("产品种类", "质量品控", "生产效率", "用工", "产能规模", "经济效益", "节能环保", "安全生产", "示范意义")


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


def coverage(text: str, group: str, claims: list[Claim] | None = None,
             clauses: list[tuple[int, int]] | None = None) -> Coverage:
    """Parts of ``group`` ("content" or "effect") covered by ``text``; one span per matching clause.
    ``clauses``: the text's clauses (the Doc's ``clauses``, nlp.doc.segment); computed from it when not given."""
    if clauses is None:
        folding = fold(text)
        clauses = original_ranges(folding, segment(folding.text)[1])
    names = CONTENT_PARTS if group == "content" else EFFECT_ASPECTS
    lexicon = _lexicon()[group]
    claim_ranges = [(c.start, c.end) for c in claims or []]
    found: list[str] = []
    quantified: list[str] = []
    spans: list[Span] = []
    for name in names:
        pattern = lexicon[name]
        for c_start, c_end in clauses:
            m = pattern.search(text, c_start, c_end)
            if not m:
                continue
            start, end = m.start(), m.end()
            spans.append(Span(start, end, name, text[start:end]))
            if name not in found:
                found.append(name)
            if name not in quantified and any(a < c_end and c_start < b for a, b in claim_ranges):
                quantified.append(name)
    spans.sort(key=lambda s: (s.start, s.end))
    return Coverage(found, spans, quantified)
