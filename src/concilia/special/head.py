"""The guard's classifier: character n-grams, multilingual embeddings and lexicon counts, one
logistic head for "reveals a special category" and one per category for which.

Trained here from the hand-written tuning part shipped in ``data/`` (the blind part is never
read), in a few seconds; the fitted heads are cached under ``var/models`` by a digest of the
data and of this module's settings, so a change to either trains afresh.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from concilia.special import embeddings, lexicon

HEAD_VERSION = "1"
LANGS: tuple[str, ...] = ("fr", "es", "en")
PARTS: tuple[str, ...] = ("tune", "blind")


@dataclass(frozen=True)
class Settings:
    """Feature weights and regularisation (chosen by cross-validation on the tuning part)."""

    char_weight: float = 1.0
    embedding_weight: float = 1.5
    lexicon_weight: float = 0.5
    c: float = 16.0


SETTINGS = Settings()


@dataclass(frozen=True)
class Labelled:
    """One hand-written text and the categories it reveals (empty: an ordinary text)."""

    id: str
    lang: str
    text: str
    special: tuple[str, ...]


def load(part: str, langs: Sequence[str] = LANGS) -> list[Labelled]:
    """The ``tune`` or ``blind`` part of the hand-written data (ValueError on a bad line)."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}: one of {PARTS}")
    data = resources.files("concilia.special") / "data"
    rows: list[Labelled] = []
    for lang in langs:
        name = f"{part}_{lang}.jsonl"
        for number, line in enumerate((data / name).read_text("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            raw = json.loads(line)
            unknown = set(raw["special"]) - set(lexicon.CATEGORIES)
            if unknown or raw["lang"] != lang:
                raise ValueError(f"{name} line {number}: unknown category or language")
            rows.append(Labelled(raw["id"], lang, raw["text"], tuple(raw["special"])))
    return rows


@dataclass
class Head:
    """Fitted vectoriser and heads; the encoder is shared and never pickled."""

    settings: Settings
    chars: TfidfVectorizer
    special: LogisticRegression
    categories: dict[str, LogisticRegression] = field(default_factory=dict)

    def features(
        self, prepared: Sequence[str], vectors: np.ndarray[Any, Any], *, fit: bool = False
    ) -> sp.csr_matrix:
        """The feature matrix of prepared texts and their embeddings."""
        s = self.settings
        grams = self.chars.fit_transform(prepared) if fit else self.chars.transform(prepared)
        lex = np.asarray([lexicon.counts(p) for p in prepared], dtype=np.float32)
        return sp.hstack(
            [
                grams * s.char_weight,
                sp.csr_matrix(np.log1p(lex) * s.lexicon_weight),
                sp.csr_matrix(vectors * s.embedding_weight),
            ]
        ).tocsr()

    def _stacked(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Coefficients of the special head then each category's as one matrix (a column
        each), their intercepts, and which columns hold a fitted head."""
        cached: Any = self.__dict__.get("_stacked_cache")
        if cached is None:
            models = [self.special] + [self.categories.get(c) for c in lexicon.CATEGORIES]
            width = self.special.coef_.shape[1]
            weights = np.zeros((width, len(models)), dtype=np.float64)
            intercepts = np.zeros(len(models), dtype=np.float64)
            fitted = np.zeros(len(models), dtype=bool)
            for j, model in enumerate(models):
                if model is not None:
                    weights[:, j] = model.coef_[0]
                    intercepts[j] = model.intercept_[0]
                    fitted[j] = True
            cached = (weights, intercepts, fitted)
            self.__dict__["_stacked_cache"] = cached
        return cast(tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]], cached)

    def proba(self, x: sp.csr_matrix) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """P(special) per row, and P(category) per row and category (``lexicon.CATEGORIES``).

        The heads' logistic function computed directly, all heads in one sparse product:
        what ``predict_proba`` gives, without its per-call checks and thread-pool set-up
        (about 12 ms a call, most of a one-text verdict)."""
        weights, intercepts, fitted = self._stacked()
        scores = np.asarray(x @ weights) + intercepts
        probabilities = expit(scores)
        probabilities[:, ~fitted] = 0.0
        return probabilities[:, 0], probabilities[:, 1:]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_stacked_cache", None)
        return state


def fit(
    rows: Sequence[Labelled],
    settings: Settings = SETTINGS,
    vectors: np.ndarray[Any, Any] | None = None,
) -> Head:
    """Train the heads on labelled rows (``vectors``: their embeddings, when already known)."""
    prepared = lexicon.prepare(r.text for r in rows)
    if vectors is None:
        vectors = embeddings.embed([r.text for r in rows])
    head = Head(
        settings=settings,
        chars=TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        special=LogisticRegression(C=settings.c, max_iter=3000, class_weight="balanced"),
    )
    x = head.features(prepared, vectors, fit=True)
    # One BLAS thread: on a shared machine more threads made training three times slower.
    with threadpool_limits(1):
        head.special.fit(x, [int(bool(r.special)) for r in rows])
        for category in lexicon.CATEGORIES:
            y = [int(category in r.special) for r in rows]
            if 0 < sum(y) < len(y):
                model = LogisticRegression(C=settings.c, max_iter=3000, class_weight="balanced")
                head.categories[category] = model.fit(x, y)
    return head


def _cache_path(var_dir: Path) -> Path:
    digest = hashlib.sha256(f"{HEAD_VERSION}{SETTINGS}".encode())
    data = resources.files("concilia.special") / "data"
    for lang in LANGS:
        digest.update((data / f"tune_{lang}.jsonl").read_bytes())
    return var_dir / "models" / f"special-{digest.hexdigest()[:16]}.pickle"


_lock = threading.Lock()
_head: Head | None = None


def get_head(var_dir: Path | None = None) -> Head:
    """The shipped head: trained on the tuning part at first use, then loaded from var/models."""
    global _head
    with _lock:
        if _head is not None:
            return _head
        if var_dir is None:
            from concilia.config import get_settings

            var_dir = get_settings().var_dir
        path = _cache_path(var_dir)
        if path.exists():
            try:
                # Our own file, written below into var/ (private to the deployment's account).
                loaded = pickle.loads(path.read_bytes())
                if isinstance(loaded, Head):
                    _head = loaded
                    return loaded
            except Exception:  # a file from another scikit-learn version: train again
                pass
        fitted = fit(load("tune"))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_bytes(pickle.dumps(fitted))
        tmp.replace(path)
        _head = fitted
        return fitted
