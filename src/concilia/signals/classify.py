"""One entry point from raw post texts to readings: language, event, confidence, cues, guard.

Order matters for privacy: the special-category guard runs here, before any caller can
store anything, and the cues it returns for a special-category post are already empty.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from concilia.signals import entities as entities_mod
from concilia.signals import guard, lang, lexicon
from concilia.signals import model as model_mod
from concilia.signals.corpus import Example, load_handwritten, split
from concilia.signals.labels import VULNERABILITY_LABELS
from concilia.signals.text import irony_markers, mark_negation, normalise, tokens

# A vulnerability class with a plain lexicon cue wins from this probability on: missing a
# bereavement or an illness costs the debtor far more than a gentler approach by mistake.
VULNERABILITY_FLOOR = 0.15
MAX_CUES = 5


@dataclass(frozen=True)
class Reading:
    """What the classifier read in one post; ``cues`` are already safe to store."""

    lang: str
    label: str
    confidence: float
    cues: list[str]
    special: frozenset[str] = frozenset()
    entities: list[entities_mod.Entity] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.lang == lang.OTHER


_model_lock = threading.Lock()
_models: dict[str, model_mod.EventModel] = {}


def training_examples(extra: Sequence[Example] = ()) -> list[Example]:
    """The training side of the hand-written corpus (never the held-out side), plus ``extra``."""
    train, _ = split(load_handwritten())
    return [*train, *extra]


def fit(examples: Sequence[Example]) -> model_mod.EventModel:
    """Train a model on ``examples`` with the same preprocessing as prediction."""
    marked = [mark_negation(tokens(normalise(e.text)), e.lang) for e in examples]
    cues = [lexicon.find_cues(m, e.lang) for m, e in zip(marked, examples, strict=True)]
    vectors = model_mod.embed([e.text for e in examples])
    return model_mod.train(examples, [" ".join(m) for m in marked], cues, vectors)


def get_model(var_dir: Path | None = None) -> model_mod.EventModel:
    """The default model: loaded from the ``var/models`` cache, trained there on first use."""
    if var_dir is None:
        from concilia.config import get_settings

        var_dir = get_settings().var_dir
    examples = training_examples()
    fp = model_mod.fingerprint(examples)
    with _model_lock:
        if fp in _models:
            return _models[fp]
        path = model_mod.cache_path(var_dir, fp)
        if path.exists():
            fitted = model_mod.load(path)
        else:
            fitted = fit(examples)
            model_mod.save(fitted, path)
        _models[fp] = fitted
        return fitted


def _decide(
    prediction: model_mod.Prediction, cues: list[lexicon.CueMatch]
) -> tuple[str, float, list[str]]:
    label, confidence = prediction.label, prediction.confidence
    plain = {c.label for c in cues if not c.negated}
    # Recall first for vulnerability: see VULNERABILITY_FLOOR.
    if label not in VULNERABILITY_LABELS:
        rescue = [
            v
            for v in VULNERABILITY_LABELS
            if v in plain and prediction.proba.get(v, 0.0) >= VULNERABILITY_FLOOR
        ]
        if rescue:
            label = max(sorted(rescue), key=lambda v: prediction.proba[v])
            confidence = prediction.proba[label]
    # Negation: an event whose only lexicon cues are negated did not happen.
    own = [c for c in cues if c.label == label]
    if label != "none" and own and all(c.negated for c in own):
        negated = [f"not {c.cue}" for c in own]
        return "none", prediction.proba.get("none", 0.0) + confidence, negated
    words = [c.cue for c in own if not c.negated]
    words += [d for d in prediction.drivers if d not in words]
    return label, confidence, words


def read(
    texts: Sequence[str],
    *,
    model: model_mod.EventModel | None = None,
    threshold: float | None = None,
) -> list[Reading]:
    """Read every text; posts not in French, Spanish or English are skipped (``lang='other'``)."""
    langs = lang.detect(texts)
    keep = [i for i, code in enumerate(langs) if code != lang.OTHER]
    readings: list[Reading | None] = [None] * len(texts)
    for i, code in enumerate(langs):
        if code == lang.OTHER:
            readings[i] = Reading(lang=code, label="none", confidence=0.0, cues=[])
    if keep:
        fitted = model or get_model()
        marked = [mark_negation(tokens(normalise(texts[i])), langs[i]) for i in keep]
        cues = [lexicon.find_cues(m, langs[i]) for m, i in zip(marked, keep, strict=True)]
        predictions = fitted.predict(
            [texts[i] for i in keep], [" ".join(m) for m in marked], cues, threshold=threshold
        )
        for i, toks, found, prediction in zip(keep, marked, cues, predictions, strict=True):
            label, confidence, words = _decide(prediction, found)
            words += [f"irony:{m}" for m in irony_markers(toks) if f"irony:{m}" not in words]
            scanned = guard.scan(texts[i], label=label)
            readings[i] = Reading(
                lang=langs[i],
                label=label,
                confidence=round(confidence, 4),
                cues=guard.safe_cues(words[:MAX_CUES], scanned),
                special=scanned.categories,
                entities=[] if scanned.special else entities_mod.extract(texts[i], label=label),
            )
    return [r for r in readings if r is not None]
