"""Signals test helpers: one model per test session, cached between sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

import concilia.signals.classify as classify
from concilia.signals import model as model_mod
from concilia.signals.model import EventModel


@pytest.fixture(scope="session")
def signals_model(request: pytest.FixtureRequest) -> EventModel:
    """The model trained on the hand-written training side only (no synthetic world: faster).

    Cached in pytest's cache directory under its data fingerprint, so an unchanged corpus
    is trained once; it is also installed as the process default for code that does not
    take a model argument (the classify command).
    """
    cache = Path(str(request.config.cache.mkdir("signals-model")))
    key = classify.model_key(synthetic=False)
    path = model_mod.cache_path(cache, key)
    if path.exists():
        fitted = model_mod.load(path)
    else:
        fitted = classify.train_default(synthetic=False)
        model_mod.save(fitted, path)
    classify.use_model(fitted, synthetic=False)
    classify.use_model(fitted, synthetic=True)
    return fitted
