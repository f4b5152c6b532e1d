"""Candidate "typical experience" excerpts for publicity, ranked and explained.

Units are whole sentences (or a numbered point's body without its short title), never cut mid-word. Each
is scored from what the engine already knows about the narrative — the quantitative claims it holds
(nlp.evidence), the section it sits in (经验做法 and 典型案例 first; the company profile last, from
nlp.sections), the direction terms that count (nlp.directions), practice markers (建立, 打通, 推行, 先…再… —
what was done and how) — and its centrality among the narrative's sentences. Near-repeats are removed by
maximal marginal relevance; nothing that overlaps content unfit for publication (nlp.sensitive) is picked.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .codelists import CORPORA
from .config import DEFAULT_CONFIG, HighlightConfig
from .doc import original_ranges, segment
from .evidence import Claim
from .fold import fold
from .spans import Span

#: the end marks a candidate keeps (an excerpt is a whole sentence, its mark included)
_END_MARKS = "。！？!?；;"
_TITLE = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,2}[)）、.．]|[一二三四五六七八九十]是)\s*")


@lru_cache(maxsize=1)
def _markers() -> dict[str, re.Pattern]:
    data = json.loads((CORPORA / "highlights.json").read_text(encoding="utf-8"))
    return {k: re.compile("|".join(v)) for k, v in data.items() if not k.startswith("_")}


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    text: str
    section: str | None


def sentence_ranges(text: str, sentences: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """The text's sentences (the one segmentation, nlp.doc.segment, or the Doc's ``sentences`` when given)
    within the text, each with the end mark that follows it."""
    if sentences is None:
        folding = fold(text)
        sentences = original_ranges(folding, segment(folding.text)[0])
    out = []
    for start, end in sentences:
        if start >= len(text):
            break
        end = min(end, len(text))
        if end < len(text) and text[end] in _END_MARKS:
            end += 1
        out.append((start, end))
    return out


def candidates(text: str, sections: dict | None = None,
               sentences: list[tuple[int, int]] | None = None) -> list[Candidate]:
    """Sentences of a narrative, each numbered point's short title dropped, headings and fragments skipped."""
    out = []
    for start, end in sentence_ranges(text, sentences):
        sentence = text[start:end]
        title = _TITLE.match(sentence)
        if title:
            start += title.end()
            sentence = text[start:end]
            # a point's title sentence ("1.把技改作为“一把手工程”常抓不懈。") is a heading, not an excerpt
            if len(sentence) <= 24 and sentence.endswith(("。", "；")) and not re.search(r"\d", sentence):
                continue
        stripped = sentence.strip().rstrip("；;，,、")
        if not stripped:
            continue
        start += len(sentence) - len(sentence.lstrip())
        end = start + len(stripped)
        section = None
        for name, s in (sections or {}).items():
            if s.present and s.start is not None and s.start <= start < s.end:
                section = name
        out.append(Candidate(start, end, text[start:end], section))
    return out


@dataclass
class Highlight:
    field: str
    start: int
    end: int
    text: str
    score: float
    why: str

    def to_json(self) -> dict:
        return {"field": self.field, "start": self.start, "end": self.end, "text": self.text,
                "score": round(self.score, 3), "why": self.why}


#: the notice asks for replicable practice: section 三 first, then the typical cases (bonus below), results
#: summaries of section 二 and the company profile last
SECTION_BONUS = {"经验做法": 0.6, "技术改造情况": -0.1, "企业简介": -0.6, None: 0.0}


def _relevance(c: Candidate, claims: list[Claim], direction_spans: list[tuple[int, int]],
               case_spans: list[tuple[int, int]], centrality: float, config: HighlightConfig) -> tuple[float, list[str]]:
    markers = _markers()
    why, score = [], 0.0
    n_claims = sum(1 for cl in claims if c.start <= cl.start < c.end)
    compares = sum(1 for cl in claims if c.start <= cl.start < c.end and cl.compares)
    practice = markers["practice"].findall(c.text)
    if n_claims:
        figures = min(0.3, 0.1 * n_claims) + min(0.1, 0.05 * compares)
        score += figures if practice else figures / 2  # results without the practice behind them count less
        why.append(f"含{n_claims}项量化数据" + (f"（{compares}项改造前后对比）" if compares else ""))
    if practice:
        score += min(0.4, 0.12 * len(practice))
        why.append("有具体做法：" + "、".join(dict.fromkeys(practice[:3])))
    if markers["transferable"].search(c.text):
        score += 0.15
        why.append("可复制推广的方法")
    if any(c.start <= a < c.end for a, _ in direction_spans):
        score += 0.1
        why.append("体现改造方向")
    if any(a < c.end and c.start < b for a, b in case_spans):
        score += 0.25
        why.append("典型案例")
    bonus = SECTION_BONUS.get(c.section, 0.0)
    score += bonus
    if c.section == "经验做法":
        why.append("经验做法部分")
    if markers["boilerplate"].search(c.text) and n_claims == 0:
        score -= 0.4
    n = len(c.text)
    if n < config.min_chars or n > config.max_chars:
        score -= 0.3
    score += 0.3 * centrality
    if centrality > 0.5:
        why.append("与全文主旨关联度高")
    return score, why


def pick_highlights(text: str, field: str, claims: list[Claim], sections: dict | None = None,
                    subparts: dict | None = None, direction_spans: list[tuple[int, int]] | None = None,
                    sensitive: list[Span] | None = None, config: HighlightConfig = DEFAULT_CONFIG.highlights,
                    *, sentences: list[tuple[int, int]] | None = None) -> list[Highlight]:
    """The best excerpts of one narrative, diverse, explained, never touching sensitive content
    (``sentences``: the Doc's, nlp.doc.segment; computed from the text when not given)."""
    cands = [c for c in candidates(text, sections, sentences)
             if not any(s.start < c.end and c.start < s.end for s in sensitive or [])]
    if not cands:
        return []
    from .embeddings import TfidfEmbedder

    vectors = TfidfEmbedder(dim=64).fit_embed([c.text for c in cands]) if len(cands) > 1 else np.ones((1, 1))
    centroid = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centroid)) or 1.0
    centrality = (vectors @ centroid) / norm
    case_spans = [(s.start, s.end) for s in (subparts or {}).get("典型案例", _Empty).spans] if subparts else []
    scored = []
    for i, c in enumerate(cands):
        rel, why = _relevance(c, claims, direction_spans or [], case_spans, float(max(centrality[i], 0.0)), config)
        scored.append((rel, why))
    chosen: list[int] = []
    remaining = [i for i in range(len(cands)) if scored[i][0] > 0]
    while remaining and len(chosen) < config.picks:
        def mmr(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return config.mmr_lambda * scored[i][0] - (1 - config.mmr_lambda) * redundancy
        best = max(remaining, key=mmr)
        chosen.append(best)
        remaining.remove(best)
    return [Highlight(field, cands[i].start, cands[i].end, cands[i].text, scored[i][0],
                      "；".join(scored[i][1]) or "综合得分") for i in chosen]


class _Empty:
    spans: list = []
