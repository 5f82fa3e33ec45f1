"""Mention sentiment and topic quality: cross-validation on the tuning part, then the blind part.

The feature families are compared by a 5-fold cross-validation grouped by mention idea (the FR, ES
and EN versions of one idea stay in the same fold) on the tuning part only. The shipped
configuration is then trained on the whole tuning part and scored once on the blind part
(src/concilia/reputation/data/mentions_blind.jsonl), which nothing is ever tuned on. The lexicon
baseline (VADER for EN, a small word list with negation for FR/ES) is scored on the blind part.
Prints one JSON object.

    .venv/bin/python bench/reputation_quality.py [--no-cv]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

from concilia.reputation import classifier, labels, lexicon

CANDIDATES: dict[str, classifier.FeatureConfig] = {
    "ngrams": classifier.FeatureConfig(embeddings=False),
    "embeddings": classifier.FeatureConfig(chars=False, words=False),
    "ngrams+embeddings": classifier.FeatureConfig(),
    "ngrams+embeddings+lexicon": classifier.FeatureConfig(lexicon_weight=3.0),
    "embeddings+lexicon (shipped)": classifier.DEFAULT_CONFIG,
}
TARGETS = {"sentiment_macro_f1": 0.80, "topic_macro_f1": 0.75}


def _f1(truth: list[str], predicted: list[str]) -> float:
    return round(float(f1_score(truth, predicted, average="macro")), 3)


def cross_validate(rows: list[labels.Labelled], config: classifier.FeatureConfig) -> dict[str, Any]:
    """Grouped 5-fold macro-F1 of one configuration on the tuning part."""
    predicted: list[classifier.Prediction | None] = [None] * len(rows)
    folds = GroupKFold(n_splits=5).split(rows, groups=[r.group for r in rows])
    for train_idx, test_idx in folds:
        model = classifier.train([rows[i] for i in train_idx], config)
        for i, p in zip(test_idx, model.predict([rows[i].text for i in test_idx]), strict=True):
            predicted[i] = p
    done = [p for p in predicted if p is not None]
    return {
        "sentiment_macro_f1": _f1([r.sentiment for r in rows], [p.sentiment for p in done]),
        "topic_macro_f1": _f1([r.topic for r in rows], [p.topic for p in done]),
    }


def score(rows: list[labels.Labelled], predicted: list[classifier.Prediction]) -> dict[str, Any]:
    """Macro-F1 and accuracy overall, per language and per phenomenon."""
    out: dict[str, Any] = {
        "n": len(rows),
        "sentiment_macro_f1": _f1([r.sentiment for r in rows], [p.sentiment for p in predicted]),
        "topic_macro_f1": _f1([r.topic for r in rows], [p.topic for p in predicted]),
        "sentiment_accuracy": round(
            float(accuracy_score([r.sentiment for r in rows], [p.sentiment for p in predicted])), 3
        ),
        "topic_accuracy": round(
            float(accuracy_score([r.topic for r in rows], [p.topic for p in predicted])), 3
        ),
    }
    for key, values in (("per_language", labels.LANGUAGES), ("per_phenomenon", None)):
        groups = values or sorted({r.phenomenon for r in rows})
        attr = "lang" if key == "per_language" else "phenomenon"
        out[key] = {}
        for value in groups:
            idx = [i for i, r in enumerate(rows) if getattr(r, attr) == value]
            out[key][value] = {
                "n": len(idx),
                "sentiment_macro_f1": _f1(
                    [rows[i].sentiment for i in idx], [predicted[i].sentiment for i in idx]
                ),
                "topic_macro_f1": _f1(
                    [rows[i].topic for i in idx], [predicted[i].topic for i in idx]
                ),
            }
    return out


def lexicon_baseline(rows: list[labels.Labelled]) -> dict[str, Any]:
    """Sentiment macro-F1 of the lexicon baseline, overall and per language."""
    guess = [lexicon.sentiment(r.text, r.lang) for r in rows]
    out: dict[str, Any] = {"sentiment_macro_f1": _f1([r.sentiment for r in rows], guess)}
    for lang in labels.LANGUAGES:
        idx = [i for i, r in enumerate(rows) if r.lang == lang]
        method = "vader" if lang == "en" else "word_list"
        out[lang] = {
            "method": method,
            "sentiment_macro_f1": _f1([rows[i].sentiment for i in idx], [guess[i] for i in idx]),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cv", action="store_true", help="Skip the cross-validation.")
    args = parser.parse_args()
    tune, blind = labels.load("tune"), labels.load("blind")
    result: dict[str, Any] = {
        "tune_size": len(tune),
        "blind_size": len(blind),
        "model_version": classifier.MODEL_VERSION,
        "shipped_config": classifier.DEFAULT_CONFIG.__dict__,
    }
    if not args.no_cv:
        result["cv_tune"] = {name: cross_validate(tune, cfg) for name, cfg in CANDIDATES.items()}
    started = time.perf_counter()
    model = classifier.train(tune)
    result["train_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    predicted = model.predict([r.text for r in blind])
    result["predict_seconds"] = round(time.perf_counter() - started, 2)
    result["blind"] = score(blind, predicted)
    result["blind_lexicon_baseline"] = lexicon_baseline(blind)
    result["targets"] = {
        key: {"target": target, "met": result["blind"][key] >= target}
        for key, target in TARGETS.items()
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
