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
from concilia.signals.corpus import (
    Example,
    load_handwritten,
    load_synthetic,
    split,
    split_synthetic,
)
from concilia.signals.labels import VULNERABILITY_LABELS
from concilia.signals.text import irony_markers, mark_negation, normalise, tokens

# A vulnerability class with a plain lexicon cue wins from this probability on: missing a
# bereavement or an illness costs the debtor far more than a gentler approach by mistake.
VULNERABILITY_FLOOR = 0.15
MAX_CUES = 5
# A label this probable is enough for the guard to treat the post as revealing it. It was
# 0.15 when the guard was a word list; the guard now reads meaning itself, and at 0.15 the
# vulnerability-boosted illness probability flagged company health plans ("mutuelle santé").
GUARD_FLOOR = 0.5


@dataclass(frozen=True)
class Reading:
    """What the classifier read in one post; ``cues`` are already safe to store."""

    lang: str
    label: str
    confidence: float
    cues: list[str]
    special: frozenset[str] = frozenset()
    entities: list[entities_mod.Entity] = field(default_factory=list)
    # A language the special-category guard cannot read: nothing of the post may be kept.
    refused: bool = False

    @property
    def skipped(self) -> bool:
        return self.lang == lang.OTHER


_model_lock = threading.Lock()
_models: dict[str, model_mod.EventModel] = {}


# The synthetic world used for training: fixed size and seed, so the data is reproducible.
SYNTHETIC_PEOPLE = 2000
SYNTHETIC_SEED = 20261123


def synthetic_training(people: int = SYNTHETIC_PEOPLE, seed: int = SYNTHETIC_SEED) -> list[Example]:
    """The training side of a synthetic world generated here (deterministic: same seed)."""
    import tempfile

    from concilia.simulate import service as simulate_service

    with tempfile.TemporaryDirectory(prefix="concilia-signals-") as tmp:
        out = Path(tmp)
        simulate_service.generate(out_dir=out, people=people, seed=seed)
        train, _ = split_synthetic(load_synthetic(out / "posts.jsonl"))
    return train


def _synthetic_key(people: int, seed: int) -> str:
    """Cache key of the synthetic data without generating it: size, seed, generator source."""
    import hashlib

    import concilia.simulate as simulate_pkg

    digest = hashlib.sha256(f"{people}:{seed}".encode())
    for path in sorted(Path(simulate_pkg.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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


def model_key(*, synthetic: bool) -> str:
    """Cache key of the default model: hand-written data, model version, synthetic recipe."""
    key = model_mod.fingerprint(training_examples())
    if synthetic:
        key = f"{key}-{_synthetic_key(SYNTHETIC_PEOPLE, SYNTHETIC_SEED)}"
    return key


def train_default(*, synthetic: bool = True) -> model_mod.EventModel:
    """Train the default model: hand-written training side plus, by default, synthetic posts."""
    extra = synthetic_training() if synthetic else []
    fitted = fit(training_examples(extra))
    fitted.fingerprint = model_key(synthetic=synthetic)
    return fitted


def get_model(var_dir: Path | None = None, *, synthetic: bool = True) -> model_mod.EventModel:
    """The default model: loaded from the ``var/models`` cache, trained there on first use."""
    if var_dir is None:
        from concilia.config import get_settings

        var_dir = get_settings().var_dir
    key = model_key(synthetic=synthetic)
    with _model_lock:
        if key in _models:
            return _models[key]
        path = model_mod.cache_path(var_dir, key)
        if path.exists():
            fitted = model_mod.load(path)
        else:
            fitted = train_default(synthetic=synthetic)
            model_mod.save(fitted, path)
        _models[key] = fitted
        return fitted


def use_model(fitted: model_mod.EventModel, *, synthetic: bool = True) -> None:
    """Install ``fitted`` as the process's default model (tests, or a freshly trained one)."""
    with _model_lock:
        _models[model_key(synthetic=synthetic)] = fitted


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
    # A death named beside an illness is a bereavement ("parti après une longue maladie").
    elif (
        label == "illness_or_disability"
        and "bereavement" in plain
        and prediction.proba.get("bereavement", 0.0) >= VULNERABILITY_FLOOR
    ):
        label, confidence = "bereavement", prediction.proba["bereavement"]
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
    """Read every text; posts not in French, Spanish or English get no event
    (``lang='other'``) but still go through the special-category guard."""
    langs = lang.detect(texts)
    keep = [i for i, code in enumerate(langs) if code != lang.OTHER]
    labels: list[set[str]] = [set() for _ in texts]
    events: dict[int, tuple[str, float, list[str]]] = {}
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
            # Any real chance of a health reading counts, not only the winning label.
            labels[i] = {c for c, p in prediction.proba.items() if p >= GUARD_FLOOR} | {label}
            events[i] = (label, confidence, words)
    # One batched pass of the guard over every text (it embeds them in batches).
    scanned = guard.scan_many(texts, labels=labels)
    readings: list[Reading] = []
    for i, code in enumerate(langs):
        verdict = scanned[i]
        if i not in events:
            readings.append(
                Reading(
                    lang=code,
                    label="none",
                    confidence=0.0,
                    cues=[],
                    special=verdict.categories,
                    refused=verdict.refused,
                )
            )
            continue
        label, confidence, words = events[i]
        readings.append(
            Reading(
                lang=code,
                label=label,
                confidence=round(confidence, 4),
                cues=guard.safe_cues(words[:MAX_CUES], verdict),
                special=verdict.categories,
                entities=entities_mod.extract(texts[i], label=label) if verdict.storable else [],
                refused=verdict.refused,
            )
        )
    return readings
