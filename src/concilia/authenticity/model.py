"""The fake-account classifier: gradient boosting trained locally, deterministically.

Training data is ``data/training.csv``: feature rows computed by the project from a synthetic
world of a fixed seed (``concilia authenticity build-training-set`` rebuilds it; see
docs/authenticity.md). Nothing is downloaded. The same file gives the same model and the same
scores every time: boosting has a fixed ``random_state`` and no early stopping (which would
draw a random validation split).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from concilia.authenticity.features import FEATURES
from concilia.once import once

TRAINING_FILE = "data/training.csv"
# The training file keeps every fake but only this share of genuine profiles; genuine rows are
# weighted back up so scores are calibrated to the real mix (about 1 fake in 25 profiles).
GENUINE_SAMPLE = 0.16
# Chosen on the training world (never on the evaluation world): see docs/authenticity.md.
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class FakeModel:
    """A trained classifier and where it came from."""

    classifier: HistGradientBoostingClassifier
    version: str
    threshold: float
    training_rows: int

    def scores(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Probability that each profile is fake (bot or throw-away)."""
        if not rows:
            return []
        with threadpool_limits(1):
            proba = self.classifier.predict_proba(np.asarray(rows, dtype=float))
        return [float(p) for p in proba[:, 1]]


def read_csv(
    text: str, columns: Sequence[str], name: str = TRAINING_FILE
) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and labels from a training CSV (columns: ``columns``..., label)."""
    reader = csv.DictReader(text.splitlines())
    missing = [f for f in (*columns, "label") if f not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    xs, ys = [], []
    for line, row in enumerate(reader, start=2):
        try:
            xs.append([float(row[f]) for f in columns])
            ys.append(int(row["label"]))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}:{line}: {exc}") from exc
    if len(set(ys)) < 2:
        raise ValueError(f"{name}: needs both positive (1) and negative (0) rows")
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=int)


def train(
    x: np.ndarray, y: np.ndarray, genuine_weight: float = 1 / GENUINE_SAMPLE
) -> HistGradientBoostingClassifier:
    """Fit the classifier deterministically."""
    clf = HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.08,
        max_leaf_nodes=15,
        min_samples_leaf=10,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )
    # One thread: OpenMP threads fight for a busy machine's cores and make a 3 s fit take a
    # minute; the data is small enough that one core is plenty.
    with threadpool_limits(1):
        clf.fit(x, y, sample_weight=np.where(y == 0, genuine_weight, 1.0))
    return clf


def training_text(path: Path | None = None) -> str:
    """The training CSV shipped with the package (or another one, for experiments)."""
    if path is not None:
        return path.read_text(encoding="utf-8")
    return resources.files("concilia.authenticity").joinpath(TRAINING_FILE).read_text("utf-8")


@once
def get_model() -> FakeModel:
    """The trained model, built once per process from the shipped training file."""
    return build_model(training_text())


def build_model(text: str, threshold: float = DEFAULT_THRESHOLD) -> FakeModel:
    """Train a model on a training CSV's text."""
    x, y = read_csv(text, FEATURES)
    version = "gb-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return FakeModel(
        classifier=train(x, y), version=version, threshold=threshold, training_rows=len(y)
    )
