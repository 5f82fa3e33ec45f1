"""Tone checker quality and speed on the held-out split; prints one JSON object.

The classifier is trained on the training split only (never on held-out messages) and the
lexicon-only checker is scored in the same run for comparison. Message-level figures: a
message counts as predicted for a category when the checker returns at least one flag of that
category; a message with no gold label is a negative for every category.

Usage: .venv/bin/python bench/tone_quality.py [--dev] [--no-speed]
  --dev       5-fold cross-validation inside the training split (for tuning; the held-out
              split is not read)
  --no-speed  skip the speed measurement
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence

from concilia.outreach.tone import lexicon
from concilia.outreach.tone.checker import ToneChecker, train_classifier
from concilia.outreach.tone.dataset import (
    Example,
    held_out_examples,
    load_examples,
    load_extra_eval,
    train_examples,
)
from concilia.outreach.tone.types import CATEGORIES, LANGS, ToneFlag

Counts = dict[str, dict[str, list[int]]]  # lang -> category -> [tp, fp, fn]


def _new_counts() -> Counts:
    return {lang: {cat: [0, 0, 0] for cat in CATEGORIES} for lang in LANGS}


def _tally(counts: Counts, ex: Example, flags: Sequence[ToneFlag]) -> None:
    predicted = {f.category for f in flags}
    for cat in CATEGORIES:
        gold, pred = cat in ex.labels, cat in predicted
        c = counts[ex.lang][cat]
        if gold and pred:
            c[0] += 1
        elif pred:
            c[1] += 1
        elif gold:
            c[2] += 1


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {
        "precision": None if p is None else round(p, 3),
        "recall": None if r is None else round(r, 3),
        "f1": None if f is None else round(f, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def _summary(counts: Counts) -> dict[str, object]:
    per: dict[str, object] = {}
    for lang in LANGS:
        per[lang] = {cat: _prf(*counts[lang][cat]) for cat in CATEGORIES}
    by_cat = {
        cat: _prf(*[sum(counts[lang][cat][k] for lang in LANGS) for k in range(3)])
        for cat in CATEGORIES
    }
    totals = [sum(counts[lang][cat][k] for lang in LANGS for cat in CATEGORIES) for k in range(3)]
    return {"per_language": per, "per_category": by_cat, "overall": _prf(*totals)}


def _evaluate(checker: ToneChecker, examples: Sequence[Example], counts: Counts) -> dict[str, int]:
    """Tally message-level counts; return span and severity statistics."""
    stats = {"gold_spans": 0, "gold_spans_hit": 0, "block_needed": 0, "blocked": 0}
    for ex in examples:
        flags = checker.check(ex.text, ex.lang)
        _tally(counts, ex, flags)
        for span in ex.spans:
            stats["gold_spans"] += 1
            if any(
                f.category == span.category and f.start < span.end and span.start < f.end
                for f in flags
            ):
                stats["gold_spans_hit"] += 1
        if ex.labels & {"threat", "false_legal_claim"}:
            stats["block_needed"] += 1
            stats["blocked"] += any(f.severity == "block" for f in flags)
    return stats


def _report(checker: ToneChecker, examples: Sequence[Example]) -> dict[str, object]:
    counts = _new_counts()
    stats = _evaluate(checker, examples, counts)
    out = _summary(counts)
    out["gold_spans_overlapped"] = round(stats["gold_spans_hit"] / max(1, stats["gold_spans"]), 3)
    out["threat_or_false_legal_messages_blocked"] = round(
        stats["blocked"] / max(1, stats["block_needed"]), 3
    )
    return out


def _speed(checker: ToneChecker, texts: Sequence[str], seconds: float = 2.0) -> dict[str, int]:
    """Messages per second, by wall clock and by this process's CPU time.

    CPU time is the figure to compare across runs on a shared machine: wall-clock throughput
    drops with whatever else the cores are doing.
    """
    for t in texts:  # warm up: language models, regex caches
        checker.check(t, None)
    n = 0
    w0, c0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - w0 < seconds:
        for t in texts:
            checker.check(t, None)
        n += len(texts)
    return {
        "wall": round(n / (time.perf_counter() - w0)),
        "cpu": round(n / max(1e-9, time.process_time() - c0)),
    }


def _dev(train: Sequence[Example]) -> dict[str, object]:
    counts_full, counts_lex = _new_counts(), _new_counts()
    folds = 5
    for k in range(folds):
        fit = tuple(e for i, e in enumerate(train) if i % folds != k)
        val = [e for i, e in enumerate(train) if i % folds == k]
        _evaluate(ToneChecker(train_classifier(fit)), val, counts_full)
        _evaluate(ToneChecker(None), val, counts_lex)
    return {
        "mode": "dev-cv5-on-train",
        "rules_plus_classifier": _summary(counts_full),
        "lexicon_only": _summary(counts_lex),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--dev", action="store_true", help="cross-validate inside the training split"
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = parser.parse_args(argv)
    train = train_examples()
    if args.dev:
        print(json.dumps(_dev(train)))
        return 0
    held = held_out_examples()
    t0 = time.perf_counter()
    full = ToneChecker(train_classifier(train))
    train_seconds = time.perf_counter() - t0
    lex = ToneChecker(None)
    result: dict[str, object] = {
        "split": {"train": len(train), "held_out": len(held)},
        "held_out_by_language": {lang: sum(e.lang == lang for e in held) for lang in LANGS},
        "rules": {lang: lexicon.rules_for(lang) for lang in LANGS},
        "train_seconds": round(train_seconds, 2),
        "rules_plus_classifier": _report(full, held),
        "lexicon_only": _report(lex, held),
    }
    extra = load_extra_eval()
    if extra:
        result["fresh_set"] = {
            "messages": len(extra),
            "rules_plus_classifier": _report(full, extra),
            "lexicon_only": _report(lex, extra),
        }
    per_cat = result["rules_plus_classifier"]["per_category"]  # type: ignore[index]
    overall = result["rules_plus_classifier"]["overall"]  # type: ignore[index]
    result["targets"] = {
        "threat_recall>=0.95": (per_cat["threat"]["recall"] or 0) >= 0.95,
        "false_legal_claim_recall>=0.95": (per_cat["false_legal_claim"]["recall"] or 0) >= 0.95,
        "overall_precision>=0.90": (overall["precision"] or 0) >= 0.90,
    }
    if not args.no_speed:
        texts = [e.text for e in held]
        polite = [e.text for e in load_examples() if not e.labels]
        result["speed_messages_per_second"] = {
            "polite_only_rules_plus_classifier": _speed(full, polite),
            "rules_plus_classifier_uncached": _speed(full, texts),
            "lexicon_only_uncached": _speed(lex, texts),
            "note": "held-out messages (about half abusive) unless stated; single process, "
            "language detected, no result cache (check_tone adds an LRU cache so a repeated "
            "text costs a dictionary lookup); load average at start: "
            + " ".join(f"{x:.1f}" for x in os.getloadavg()),
        }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
