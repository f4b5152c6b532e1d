"""Near-duplicate and recycled submissions, with the shared passages aligned on both sides.

Two layers feed one list of pairs:
- **lexical**: character 4-gram shingles of each record's narratives (normalised: no whitespace or
  punctuation, folded by nlp/fold.py: half-width and simplified, so a traditional-character copy is the same
  text), with the shingles that many records share — the form's own wording and the genre's
  stock phrases (通过技术改造, 实现降本增效) — dropped by document frequency. Within a round the overlap of
  every pair is counted exactly (a sparse record × shingle matrix times its transpose: cheaper than MinHash
  at a round's size, and it sees the low overlaps of a reused template); against the archive of earlier rounds
  MinHash LSH (datasketch) proposes candidates. Exact Jaccard and containment verify them (a short text
  pasted inside a longer one is caught), and the aligned shared passages measure how much of the shorter
  text is a shared skeleton. The stock phrases known before any round is read (the form's wording, the code
  lists, the project's corpora: corpora/duplicates/stock_phrases.json) are dropped too, so a round of five
  典型做法 does not pair them on the template's wording;
- **semantic**: cosine similarity of sentence embeddings (exact search), for rewordings.

Each pair gets a kind — exact (equal after normalisation), light_edit (the same text with names, places or
figures changed), template (the same skeleton and stock phrases, different facts), paraphrase (the same facts,
reworded) — a score, the aligned shared passages, and for light edits what changed. Thresholds live in
``nlp.config.DuplicateConfig`` (``Config.duplicates``; calibrated on corpora/duplicates into models/duplicates.json,
see docs/duplicates.md and docs/config.md).
"""
from __future__ import annotations

import bisect
import functools
import heapq
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .config import CALIBRATION, DuplicateConfig, Limits, calibrated_duplicates  # noqa: F401
from .fold import fold_chars

_DROP = re.compile(r"[\s\W_]+")
_KEEP = re.compile(r"[^\s\W_]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_COMPANY = re.compile(r"[\u4e00-\u9fa5]{2,16}(?:股份有限公司|有限责任公司|有限公司|集团)")
_PLACE = re.compile(r"[\u4e00-\u9fa5]{1,4}(?:市|区|县|镇|街道)")


#: the stock phrases known before any round (written by corpora/duplicates/make_stock_phrases.py)
STOCK_PHRASES = Path(__file__).resolve().parents[1] / "corpora" / "duplicates" / "stock_phrases.json"


def calibrated_config(path: Path = CALIBRATION) -> DuplicateConfig:
    """The thresholds written by models/calibrate_duplicates.py, or the documented defaults without that file
    (``DEFAULT_CONFIG.duplicates`` is this for the shipped file; see nlp.config.calibrated_duplicates)."""
    return calibrated_duplicates(path)


@dataclass
class DupDoc:
    """One record's narratives, as the detector sees them."""

    id: str
    fields: dict[str, str]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SharedPassage:
    a_field: str
    a_start: int
    a_end: int
    b_field: str
    b_start: int
    b_end: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DuplicatePair:
    a: str
    b: str
    kind: str
    score: float
    features: dict[str, float]
    shared: list[SharedPassage]
    changed: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = {"a": self.a, "b": self.b, "kind": self.kind, "score": round(self.score, 3),
               "shared": [s.to_json() for s in self.shared],
               "features": {k: round(v, 3) for k, v in self.features.items()}}
        if self.changed:
            out["changed"] = self.changed
        return out


@functools.lru_cache(maxsize=8192)
def _normalise(text: str) -> tuple[str, tuple[int, ...]]:
    """Text without whitespace and punctuation, folded (nlp/fold.py: half-width, traditional → simplified, one
    character for one), with the raw offset of every kept character, so that passages found on the folded text
    point into the text as read (memoised: a record is aligned with every candidate of its round)."""
    kept, index = [], []
    for m in _KEEP.finditer(fold_chars(text)):
        kept.append(m.group())
        index.extend(range(m.start(), m.end()))
    return "".join(kept), tuple(index)


def normal_form(text: str) -> str:
    """The form the lexical layer compares: no whitespace or punctuation, folded, figures as ``#``."""
    return _masked(_normalise(text)[0])


def _joined(doc: DupDoc, max_chars: int) -> str:
    return "|".join(_normalise(t[:max_chars])[0] for t in doc.fields.values() if t)


def _shingles(text: str, k: int) -> set[str]:
    return {text[i:i + k] for i in range(len(text) - k + 1)} if len(text) >= k else ({text} if text else set())


def _masked(text: str) -> str:
    return _NUMBER.sub("#", text)


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _containment(a: set, b: set) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _figures(text: str) -> Counter:
    return Counter(_NUMBER.findall(fold_chars(text)))


def _figure_overlap(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    return sum((a & b).values()) / max(sum(a.values()), sum(b.values()))


#: seed pairs (shared ``min_len``-grams) per character of the two texts beyond which :func:`matching_blocks`
#: takes its candidates from rapidfuzz's alignment instead (a text repeating itself, e.g. 测试测试测试…)
SEED_BUDGET = 8


def _extend(a: str, b: str, i: int, j: int) -> int:
    """Length of the common prefix of a[i:] and b[j:] (doubling, then bisecting, on slice comparisons)."""
    n = min(len(a) - i, len(b) - j)
    lo, step = 0, 16
    while lo < n and a[i + lo:i + min(n, lo + step)] == b[j + lo:j + min(n, lo + step)]:
        lo, step = min(n, lo + step), step * 2
    hi = min(n, lo + step)
    while lo < hi:  # a[i:i+lo] == b[j:j+lo]; the first difference lies before hi
        mid = (lo + hi + 1) // 2
        if a[i + lo:i + mid] == b[j + lo:j + mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _maximal_matches(a: str, b: str, min_len: int) -> list[tuple[int, int, int]] | None:
    """Every maximal exact match (i, j, size) of at least ``min_len`` characters, from the ``min_len``-grams the
    texts share; None when the seeds would exceed ``SEED_BUDGET`` per character."""
    in_a = Counter(a[i:i + min_len] for i in range(len(a) - min_len + 1))
    in_b = Counter(b[j:j + min_len] for j in range(len(b) - min_len + 1))
    if sum(n * in_b[g] for g, n in in_a.items() if g in in_b) > SEED_BUDGET * (len(a) + len(b)) + 1000:
        return None
    grams: dict[str, list[int]] = {}
    for j in range(len(b) - min_len + 1):
        if b[j:j + min_len] in in_a:
            grams.setdefault(b[j:j + min_len], []).append(j)
    out = []
    for i in range(len(a) - min_len + 1):
        for j in grams.get(a[i:i + min_len], ()):
            if i and j and a[i - 1] == b[j - 1]:
                continue  # inside a match that starts earlier
            out.append((i, j, min_len + _extend(a, b, i + min_len, j + min_len)))
    return out


def _aligned_runs(a: str, b: str, min_len: int) -> list[tuple[int, int, int]]:
    """The equal runs of rapidfuzz's LCS alignment (bit-parallel Indel distance), each extended to a maximal
    match, of at least ``min_len`` characters."""
    from rapidfuzz.distance import Indel

    out = []
    for op in Indel.opcodes(a, b):
        if op.tag != "equal":
            continue
        i, j, k = op.src_start, op.dest_start, op.src_end - op.src_start
        while i and j and a[i - 1] == b[j - 1]:
            i, j, k = i - 1, j - 1, k + 1
        k += _extend(a, b, i + k, j + k)
        if k >= min_len:
            out.append((i, j, k))
    return out


def matching_blocks(a: str, b: str, min_len: int) -> list[tuple[int, int, int]]:
    """The matching blocks (i, j, size) of at least ``min_len`` characters that difflib's
    ``SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`` finds, in linear-ish time.

    difflib takes the longest common substring of the window (the earliest on ties), then recurses left and
    right of it. Every such block of ``min_len`` or more characters is a maximal exact match of the two texts
    clipped to its window, so choosing the same way among the maximal matches gives the same blocks: found from
    the shared ``min_len``-grams (a dictionary: linear for prose). When the texts repeat themselves so much
    that the seeds would be quadratic, the runs of rapidfuzz's LCS alignment are the candidates instead: the
    same blocks except a passage that moved (which an order-keeping alignment cannot hold)."""
    if min_len < 1 or not a or not b:
        return []
    candidates = _maximal_matches(a, b, min_len)
    if candidates is None:
        candidates = _aligned_runs(a, b, min_len)
    # difflib's recursion, run as one greedy pass: the longest (earliest on ties) candidate that lies whole in a
    # window between blocks already chosen is that window's choice; a candidate that a chosen block clips goes
    # back with its pieces (a heap with lazy updates: a key is never smaller than its candidate's current one)
    heap = [(-k, i, j) for i, j, k in candidates]
    heapq.heapify(heap)
    chosen: list[tuple[int, int, int]] = []  # sorted by i, and so by j
    while heap:
        k, i, j = heapq.heappop(heap)
        k = -k
        pieces = _in_windows(chosen, i, j, k, len(a), len(b), min_len)
        if pieces == [(i, j, k)]:
            bisect.insort(chosen, (i, j, k))
        else:
            for pi, pj, pk in pieces:
                heapq.heappush(heap, (-pk, pi, pj))
    return chosen


def _in_windows(chosen: list[tuple[int, int, int]], i: int, j: int, k: int, la: int, lb: int,
                min_len: int) -> list[tuple[int, int, int]]:
    """The pieces of ``min_len`` or more of the diagonal run (i, j, k) inside the windows that the chosen
    blocks leave (between consecutive blocks, in both texts)."""
    out = []
    p = bisect.bisect_right(chosen, (i, la + lb, 0)) - 1  # the last block starting at or before i
    while True:
        alo, blo = (chosen[p][0] + chosen[p][2], chosen[p][1] + chosen[p][2]) if p >= 0 else (0, 0)
        ahi, bhi = (chosen[p + 1][0], chosen[p + 1][1]) if p + 1 < len(chosen) else (la, lb)
        if alo >= i + k:
            break
        skip = max(alo - i, blo - j, 0)
        size = min(k - skip, ahi - i - skip, bhi - j - skip)
        if size >= min_len:
            out.append((i + skip, j + skip, size))
        if ahi >= i + k or p + 1 >= len(chosen):
            break
        p += 1
    return out


def align(a: DupDoc, b: DupDoc, min_len: int, max_chars: int = Limits.max_analysed_chars) -> list[SharedPassage]:
    """Passages of at least ``min_len`` characters the two records share, as raw offsets on both sides (each
    field read up to ``max_chars`` characters)."""
    out = []
    others = [(fb, *_normalise(tb[:max_chars])) for fb, tb in b.fields.items()]
    for fa, ta in a.fields.items():
        na, ia = _normalise(ta[:max_chars])
        for fb, nb, ib in others:
            for i, j, k in matching_blocks(na, nb, min_len):
                out.append(SharedPassage(fa, ia[i], ia[i + k - 1] + 1, fb, ib[j], ib[j + k - 1] + 1))
    return out


def skeleton_share(a: DupDoc, b: DupDoc, passages: list[SharedPassage]) -> float:
    """Share of the shorter record's characters that lie in passages shared with the other."""
    la, lb = sum(len(t) for t in a.fields.values()), sum(len(t) for t in b.fields.values())
    if not la or not lb:
        return 0.0
    if la <= lb:
        return min(1.0, sum(s.a_end - s.a_start for s in passages) / la)
    return min(1.0, sum(s.b_end - s.b_start for s in passages) / lb)


def edits(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """The regions (i1, i2, j1, j2) where ``a`` and ``b`` differ — between the blocks of
    :func:`matching_blocks`, as the non-equal opcodes of difflib's ``get_opcodes`` are."""
    out, i, j = [], 0, 0
    for bi, bj, k in matching_blocks(a, b, 1) + [(len(a), len(b), 0)]:
        if i < bi or j < bj:
            out.append((i, bi, j, bj))
        i, j = bi + k, bj + k
    return out


def what_changed(a: DupDoc, b: DupDoc, max_chars: int = Limits.max_analysed_chars) -> dict[str, list[str]]:
    """For a light edit: the company names, places and figures replaced between the two texts (each field read
    up to ``max_chars`` characters)."""
    ta = "。".join(t[:max_chars] for t in a.fields.values())
    tb = "。".join(t[:max_chars] for t in b.fields.values())
    changed: dict[str, list[str]] = {}
    numbers_a = [(m.start(), m.end(), m.group()) for m in _NUMBER.finditer(ta)]
    numbers_b = [(m.start(), m.end(), m.group()) for m in _NUMBER.finditer(tb)]
    for i1, i2, j1, j2 in edits(ta, tb):
        left, right = ta[max(0, i1 - 8):i2 + 8], tb[max(0, j1 - 8):j2 + 8]
        for key, pattern in (("company", _COMPANY), ("place", _PLACE)):
            for x, y in zip(pattern.findall(left), pattern.findall(right)):
                if x != y:
                    changed.setdefault(key, []).append(f"{x} → {y}")
        xs = [g for start, end, g in numbers_a if start <= max(i1, i2 - 1) and end >= i1 + (i2 > i1)]
        ys = [g for start, end, g in numbers_b if start <= max(j1, j2 - 1) and end >= j1 + (j2 > j1)]
        for x, y in zip(xs, ys):
            if x != y:
                changed.setdefault("figures", []).append(f"{x} → {y}")
    for doc_key in ("company", "city"):
        x, y = a.meta.get(doc_key), b.meta.get(doc_key)
        if x and y and x != y:
            changed.setdefault(doc_key, []).insert(0, f"{x} → {y}")
    return {k: [x for x in dict.fromkeys(v) if x.split(" → ")[0] != x.split(" → ")[-1]][:8] for k, v in changed.items()}


@dataclass
class Prepared:
    """What the lexical layer needs of one record: its normalised text, shingles and figures."""

    joined: str
    raw: set[str]
    masked: set[str]
    figures: Counter
    #: a field was longer than the characters compared (``DuplicateConfig.max_chars``)
    truncated: bool = False


def prepare(doc: DupDoc, k: int = 4, max_chars: int = Limits.max_analysed_chars) -> Prepared:
    """The shingles and figures of ``doc``'s fields, each read up to ``max_chars`` characters."""
    joined = _joined(doc, max_chars)
    return Prepared(joined, _shingles(joined, k), _shingles(_masked(joined), k), _figures(joined),
                    any(len(t) > max_chars for t in doc.fields.values() if t))


def common_shingles(prepared: list[Prepared], config: DuplicateConfig, known: Iterable[str] = ()) -> set[str]:
    """Figure-masked shingles so frequent in the collection that they are stock phrases, and ``known`` ones
    (the stock phrases known before the collection: :func:`stock_shingles`)."""
    df = Counter(s for p in prepared for s in p.masked)
    limit = max(config.common_min_docs, int(config.common_share * len(prepared)))
    return {s for s, n in df.items() if n >= limit} | set(known)


@functools.lru_cache(maxsize=8)
def stock_shingles(k: int = 4, path: Path = STOCK_PHRASES) -> frozenset[str]:
    """The figure-masked ``k``-shingles of the stock phrases known before any round is read: the form's own
    wording, its slots filled from the code lists, and the phrases frequent in the project's corpora
    (corpora/duplicates/stock_phrases.json, in :func:`normal_form`; empty without that file)."""
    if not path.exists():
        return frozenset()
    data = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(s for phrases in data["phrases"].values() for phrase in phrases if len(phrase) >= k
                     for s in _shingles(phrase, k))


def signature(shingles: set[str], num_perm: int):
    """The MinHash of a shingle set (datasketch), seeded so that signatures compare across runs."""
    from datasketch import MinHash

    m = MinHash(num_perm=num_perm, seed=1)
    if shingles:
        m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def lsh_params(config: DuplicateConfig) -> tuple[int, int]:
    """(bands, rows) of the LSH index for ``config.lsh_threshold`` (datasketch's optimum)."""
    from datasketch.lsh import _optimal_param

    return _optimal_param(config.lsh_threshold, config.num_perm, 0.5, 0.5)


def band_keys(minhash, bands: int, rows: int) -> list[tuple[int, int]]:
    """(band, 63-bit hash) keys of a MinHash: two signatures sharing a key are LSH candidates."""
    import hashlib

    values = minhash.hashvalues
    out = []
    for band in range(bands):
        digest = hashlib.blake2b(values[band * rows:(band + 1) * rows].tobytes(), digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "big") >> 1))
    return out


def _incidence(sets: list[set[str]], vocab: dict[str, int]):
    """A binary sparse record × shingle matrix (CSR) of the sets; ``vocab`` grows with new shingles."""
    from scipy import sparse

    indptr, indices = [0], []
    for s in sets:
        indices.extend(vocab.setdefault(x, len(vocab)) for x in s)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(sets), max(len(vocab), 1)))


def overlap_candidates(masked: list[set[str]], raw: list[set[str]], config: DuplicateConfig,
                       other_masked: list[set[str]] | None = None,
                       other_raw: list[set[str]] | None = None) -> set[tuple[int, int]]:
    """Pairs whose figure-masked Jaccard reaches ``config.candidate_jaccard`` or whose raw containment reaches
    ``config.containment``, counted exactly for every pair by sparse matrix products.

    With one collection: pairs (i, j), i < j, within it. With ``other_*``: pairs (i, j) of a record i of the
    first and j of the other."""
    out: set[tuple[int, int]] = set()
    within = other_masked is None
    for left, right, test in ((masked, other_masked, "jaccard"), (raw, other_raw, "containment")):
        vocab: dict[str, int] = {}
        x = _incidence(left, vocab)
        y = x if within else _incidence(right, vocab)
        if not within:
            x.resize((x.shape[0], y.shape[1]))
        if x.shape[0] == 0 or y.shape[0] == 0:
            continue
        size_x = np.asarray(x.sum(axis=1)).ravel()
        size_y = size_x if within else np.asarray(y.sum(axis=1)).ravel()
        inter = (x @ y.T).tocoo()
        i, j, n = inter.row, inter.col, inter.data
        if within:
            keep = i < j
            i, j, n = i[keep], j[keep], n[keep]
        if test == "jaccard":
            hit = n / np.maximum(size_x[i] + size_y[j] - n, 1) >= config.candidate_jaccard
        else:
            hit = n / np.maximum(np.minimum(size_x[i], size_y[j]), 1) >= config.containment
        out.update(zip(i[hit].tolist(), j[hit].tolist()))
    return out


def find_duplicates(docs: list[DupDoc], embeddings: np.ndarray | None = None,
                    config: DuplicateConfig = DuplicateConfig(), known: Iterable[str] | None = None
                    ) -> list[DuplicatePair]:
    """Every near-duplicate pair among ``docs`` (rows of ``embeddings`` in the same order, when given).

    ``known``: the stock shingles known before the round (default :func:`stock_shingles`; the archive adds its
    own frequent ones); the round's own frequent shingles are added to them."""
    prepared = [prepare(d, config.shingle, config.max_chars) for d in docs]
    common = common_shingles(prepared, config, stock_shingles(config.shingle) if known is None else known)
    prepared = [without_common(q, common) for q in prepared]
    candidates = overlap_candidates([q.masked for q in prepared], [q.raw for q in prepared], config)
    if embeddings is not None and len(docs) > 1:
        sims = embeddings @ embeddings.T
        ii, jj = np.where(np.triu(sims, 1) >= config.paraphrase_cosine)
        candidates.update(zip(ii.tolist(), jj.tolist()))
    pairs = []
    for i, j in sorted(candidates):
        cosine = float(embeddings[i] @ embeddings[j]) if embeddings is not None else None
        pair = compare(docs[i], docs[j], prepared[i], prepared[j], cosine, config)
        if pair is not None:
            pairs.append(pair)
    return pairs


def without_common(p: Prepared, common: set[str]) -> Prepared:
    """``p`` with the collection's common shingles removed (what :func:`compare` expects)."""
    return Prepared(p.joined, p.raw - common, p.masked - common, p.figures, p.truncated)


def compare(a: DupDoc, b: DupDoc, pa: Prepared, pb: Prepared, cosine: float | None,
            config: DuplicateConfig) -> DuplicatePair | None:
    """The kind of near-duplicate two records are, or None when they are distinct.

    ``pa`` and ``pb`` come from :func:`without_common`. Most candidates fail the cheap set tests and return
    before the figures are counted or the passages aligned."""
    # beyond the characters compared two texts may differ: equal only if the fields are
    equal = bool(pa.joined) and pa.joined == pb.joined and (not (pa.truncated or pb.truncated) or a.fields == b.fields)
    masked = _jaccard(pa.masked, pb.masked)
    containment = _containment(pa.raw, pb.raw)
    if not equal and masked < min(config.template, config.light_edit) and containment < config.containment \
            and (cosine is None or cosine < config.paraphrase_cosine):
        return None
    features = {"jaccard": _jaccard(pa.raw, pb.raw), "masked_jaccard": masked, "containment": containment,
                "figures": _figure_overlap(pa.figures, pb.figures)}
    if cosine is not None:
        features["cosine"] = cosine
    passages = None
    if features["masked_jaccard"] >= config.template or features["containment"] >= config.containment:
        passages = align(a, b, min(config.skeleton_min, config.min_passage), config.max_chars)
        features["skeleton"] = skeleton_share(a, b, passages)
    found = kind_of(features, equal, config)
    if found is None:
        return None
    kind, score = found
    if passages is None:
        passages = align(a, b, config.min_passage, config.max_chars)
    shown = [s for s in passages if s.a_end - s.a_start >= config.min_passage or s.b_end - s.b_start >= config.min_passage]
    pair = DuplicatePair(a.id, b.id, kind, score, features, shown)
    if kind == "light_edit":
        pair.changed = what_changed(a, b, config.max_chars)
    return pair


def kind_of(features: dict[str, float], equal: bool, config: DuplicateConfig) -> tuple[str, float] | None:
    """(kind, score) of a candidate pair from its features, or None when the two are distinct."""
    cosine = features.get("cosine")
    if equal:
        return "exact", 1.0
    if features["masked_jaccard"] >= config.light_edit or features["containment"] >= config.containment:
        return "light_edit", max(features["masked_jaccard"], features["containment"])
    if cosine is not None and cosine >= config.paraphrase_cosine and features["figures"] >= config.paraphrase_figures:
        return "paraphrase", cosine
    if features["masked_jaccard"] >= config.template and features["figures"] < config.paraphrase_figures \
            and features.get("skeleton", 0.0) >= config.template_skeleton:
        return "template", features["masked_jaccard"]
    return None


def clusters(pairs: list[DuplicatePair]) -> list[list[str]]:
    """Groups of three or more records linked by near-duplicate pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        parent[find(p.a)] = find(p.b)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) >= 3), key=lambda g: (-len(g), g))
