"""The learned half of direction tagging: one logistic regression per direction over character n-grams,
jieba words and sentence embeddings, blended with the lexicon score; thresholds chosen by cross-validation
on the training data (corpora/directions/train.jsonl), never on an evaluation set.

Retrain with ``python models/train_directions.py`` (writes models/directions.joblib and its model card).
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .lexicon import DIRECTIONS

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "directions.joblib"
FORMAT = 1


def jieba_words(text: str) -> list[str]:
    """jieba's words of a text, without whitespace and single punctuation marks."""
    import jieba

    return [w for w in jieba.lcut(text) if w.strip() and not (len(w) == 1 and not w.isalnum())]


def _vectorizers():
    from sklearn.feature_extraction.text import TfidfVectorizer

    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, max_features=30000, sublinear_tf=True)
    words = TfidfVectorizer(analyzer=jieba_words, min_df=2, max_features=20000, sublinear_tf=True)
    return chars, words


def _stack(chars, words, texts: list[str], embeddings: np.ndarray | None, fit: bool):
    from scipy.sparse import csr_matrix, hstack

    parts = [chars.fit_transform(texts) if fit else chars.transform(texts),
             words.fit_transform(texts) if fit else words.transform(texts)]
    if embeddings is not None:
        parts.append(csr_matrix(embeddings))
    return hstack(parts).tocsr()


@dataclass
class Fitted:
    """Vectorizers and one classifier per direction, fitted on one set of texts."""

    chars: Any
    words: Any
    classifiers: dict[str, Any]
    with_embeddings: bool

    @classmethod
    def fit(cls, texts: list[str], labels: np.ndarray, embeddings: np.ndarray | None, c: float = 4.0) -> "Fitted":
        from sklearn.linear_model import LogisticRegression

        chars, words = _vectorizers()
        x = _stack(chars, words, texts, embeddings, fit=True)
        classifiers = {}
        for j, d in enumerate(DIRECTIONS):
            clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
            clf.fit(x, labels[:, j])
            classifiers[d] = clf
        return cls(chars, words, classifiers, embeddings is not None)

    def predict(self, texts: list[str], embeddings: np.ndarray | None) -> np.ndarray:
        x = _stack(self.chars, self.words, texts, embeddings if self.with_embeddings else None, fit=False)
        return np.column_stack([self.classifiers[d].predict_proba(x)[:, 1] for d in DIRECTIONS])


@dataclass
class Operating:
    """How scores become tags for one direction: lexicon-only, model-only and combined thresholds."""

    lexicon_threshold: float
    model_threshold: float
    alpha: float  # combined = alpha * lexicon + (1 - alpha) * model
    combined_threshold: float


@dataclass
class DirectionModel:
    """What ships in models/directions.joblib."""

    #: the model with sentence-embedding features, and the one without (used when the embedder differs)
    with_embeddings: Fitted | None
    without_embeddings: Fitted
    embedder: str | None
    operating: dict[str, Operating]
    report: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT

    def model_scores(self, texts: list[str], embeddings: np.ndarray | None, embedder: str | None) -> np.ndarray:
        from ..embeddings.base import same_space

        if self.with_embeddings is not None and embeddings is not None and same_space(embedder, self.embedder):
            return self.with_embeddings.predict(texts, embeddings)
        return self.without_embeddings.predict(texts, None)

    def save(self, path: Path = MODEL_PATH) -> None:
        path.write_bytes(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))


def load_model(path: Path = MODEL_PATH) -> DirectionModel | None:
    """The shipped model, or None when it is absent or was written by an incompatible version."""
    if not path.exists():
        return None
    try:
        model = pickle.loads(path.read_bytes())
    except Exception:  # an unpicklable file (other scikit-learn) falls back to the lexicon
        return None
    return model if getattr(model, "format", None) == FORMAT else None


def best_threshold(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(threshold, F1) maximising F1 over a grid; ties go to the threshold nearest 0.5."""
    best = (0.5, -1.0)
    for t in np.round(np.arange(0.05, 0.96, 0.025), 3):
        pred = scores >= t
        tp = float(np.sum(pred & truth))
        f1 = 2 * tp / (np.sum(pred) + np.sum(truth)) if (np.sum(pred) + np.sum(truth)) else 0.0
        if f1 > best[1] + 1e-9 or (abs(f1 - best[1]) <= 1e-9 and abs(t - 0.5) < abs(best[0] - 0.5)):
            best = (float(t), f1)
    return best


def train(texts: list[str], labels: np.ndarray, lexicon: np.ndarray, embeddings: np.ndarray | None,
          embedder: str | None, folds: int = 5, seed: int = 13) -> DirectionModel:
    """Fit the model; choose every threshold and the blend by ``folds``-fold cross-validation."""
    from sklearn.model_selection import KFold

    oof = {True: np.zeros(labels.shape), False: np.zeros(labels.shape)}
    for train_idx, test_idx in KFold(folds, shuffle=True, random_state=seed).split(texts):
        tr = [texts[i] for i in train_idx]
        te = [texts[i] for i in test_idx]
        for with_emb in ((True, False) if embeddings is not None else (False,)):
            emb_tr = embeddings[train_idx] if with_emb else None
            emb_te = embeddings[test_idx] if with_emb else None
            oof[with_emb][test_idx] = Fitted.fit(tr, labels[train_idx], emb_tr).predict(te, emb_te)
    model_oof = oof[embeddings is not None]
    operating, report = {}, {"n": len(texts), "folds": folds, "cv": {}}
    for j, d in enumerate(DIRECTIONS):
        truth = labels[:, j].astype(bool)
        lt, lf = best_threshold(lexicon[:, j], truth)
        mt, mf = best_threshold(model_oof[:, j], truth)
        best = (0.0, 0.5, -1.0)
        for alpha in (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0):
            t, f = best_threshold(alpha * lexicon[:, j] + (1 - alpha) * model_oof[:, j], truth)
            if f > best[2] + 1e-9:
                best = (alpha, t, f)
        operating[d] = Operating(lt, mt, best[0], best[1])
        report["cv"][d] = {"lexicon_f1": round(lf, 3), "model_f1": round(mf, 3), "combined_f1": round(best[2], 3),
                           "alpha": best[0], "thresholds": {"lexicon": lt, "model": mt, "combined": best[1]},
                           "positives": int(truth.sum())}
    with_emb = Fitted.fit(texts, labels, embeddings) if embeddings is not None else None
    without = Fitted.fit(texts, labels, None)
    return DirectionModel(with_emb, without, embedder, operating, report)
