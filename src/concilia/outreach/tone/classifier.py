"""Multi-label tone classifier: TF-IDF char and word n-grams + one logistic regression per category.

Trained by the project from the labelled set in package data, deterministically (liblinear,
no random state involved, examples in file order). Prediction bypasses scikit-learn's sparse
machinery for single messages: the fitted vocabularies, idf and coefficients are read once
into plain arrays, which makes one message about ten times cheaper to score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from concilia.outreach.tone.text import fold
from concilia.outreach.tone.types import CATEGORIES

# Chosen by 5-fold cross-validation inside the training split (bench/tone_quality.py --dev),
# never on the held-out split: probability above which a category head reports, above which
# a classifier-only hit in a blocking category blocks, and above which the "any problem" head
# reports its most likely category on a message the rules found clean.
THRESHOLD = 0.6
BLOCK_PROBABILITY = 0.8
ANY_THRESHOLD = 0.7
# One head per category, plus a pooled "any problem" head: with ~25 examples per category
# the pooled head generalises far better (CV recall 0.68 vs 0.21 at similar precision).
HEADS: tuple[str, ...] = (*CATEGORIES, "any")


@dataclass(frozen=True)
class _Part:
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: NDArray[np.float64]
    coef: NDArray[np.float64]  # (n_features, n_categories): row gathers are contiguous


class ToneClassifier:
    """Scores a message for each tone category (probability that the category applies)."""

    def __init__(self, parts: tuple[_Part, ...], intercepts: NDArray[np.float64]) -> None:
        self._parts = parts
        self._intercepts = intercepts

    @classmethod
    def train(
        cls, texts: Sequence[str], labels: Sequence[frozenset[str]], *, c: float = 4.0
    ) -> ToneClassifier:
        """Fit on texts and their label sets (empty set = acceptable message)."""
        folded = [fold(t) for t in texts]
        vectorizers = (
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, min_df=1),
            TfidfVectorizer(
                analyzer="word",
                ngram_range=(1, 2),
                sublinear_tf=True,
                token_pattern=r"(?u)\b\w[\w']*\b",
            ),
        )
        matrices = [v.fit_transform(folded) for v in vectorizers]
        from scipy.sparse import hstack

        x = hstack(matrices).tocsr()
        n_cats = len(HEADS)
        widths = [m.shape[1] for m in matrices]
        coef = np.zeros((sum(widths), n_cats))
        intercepts = np.full(n_cats, -10.0)
        for j, cat in enumerate(HEADS):
            y = np.array([bool(ls) if cat == "any" else cat in ls for ls in labels], dtype=int)
            if y.sum() == 0:
                continue  # never seen: the category stays silent rather than guessing
            model = LogisticRegression(
                C=c, class_weight="balanced", solver="liblinear", max_iter=1000
            )
            model.fit(x, y)
            coef[:, j] = model.coef_[0]
            intercepts[j] = model.intercept_[0]
        parts: list[_Part] = []
        offset = 0
        for v, w in zip(vectorizers, widths, strict=True):
            parts.append(
                _Part(
                    analyzer=v.build_analyzer(),
                    vocabulary={str(k): int(i) for k, i in v.vocabulary_.items()},
                    idf=np.asarray(v.idf_, dtype=np.float64),
                    coef=np.ascontiguousarray(coef[offset : offset + w]),
                )
            )
            offset += w
        return cls(tuple(parts), intercepts)

    def scores_folded(self, folded: str) -> NDArray[np.float64]:
        """Return one probability per head (HEADS order) for already-folded text."""
        z = self._intercepts.copy()
        for part in self._parts:
            lookup = part.vocabulary.get
            ids = [i for i in map(lookup, part.analyzer(folded)) if i is not None]
            if not ids:
                continue
            idx, counts = np.unique(np.asarray(ids), return_counts=True)
            weights = (1.0 + np.log(counts)) * part.idf[idx]  # sublinear tf x idf
            weights /= np.sqrt(weights @ weights)  # l2, as TfidfVectorizer does
            z += weights @ part.coef[idx]
        return 1.0 / (1.0 + np.exp(-z))

    def scores(self, text: str) -> dict[str, float]:
        """Return {head: probability} for a raw message (the categories and "any")."""
        probs = self.scores_folded(fold(text))
        return {head: float(p) for head, p in zip(HEADS, probs, strict=True)}
