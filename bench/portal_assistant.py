"""Retrieval accuracy of the portal's out-of-hours assistant on the blind part of its
hand-labelled questions; prints one JSON object.

    .venv/bin/python bench/portal_assistant.py [--tune]

A question counts as right when the assistant picks its labelled FAQ entry, or, for a
question labelled ``none``, when it declines (score under the threshold) and offers a
person. ``--tune`` also sweeps the threshold on the TUNE part only and reports the best
one there (the shipped threshold is chosen that way; the blind part never chooses).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from concilia.portal import assistant


def _predict(index: assistant.Index, scores: Any, threshold: float) -> list[str]:
    out = []
    for row in scores:
        best = int(np.argmax(row))
        out.append(index.labels[best][0] if float(row[best]) >= threshold else "none")
    return out


def _accuracy(labels: list[str], predicted: list[str]) -> float:
    return sum(a == b for a, b in zip(labels, predicted, strict=True)) / max(len(labels), 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="sweep the threshold on the tune part")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    index = assistant.get_index()
    load_s = time.perf_counter() - started
    rows = assistant.labelled_questions()
    result: dict[str, Any] = {
        "bench": "portal_assistant",
        "faq_entries": len(index.entries),
        "faq_wordings": len(index.labels),
        "threshold": assistant.THRESHOLD,
        "model_and_index_load_s": round(load_s, 2),
    }
    for part in ("tune", "blind"):
        chosen = [r for r in rows if r.part == part]
        t0 = time.perf_counter()
        scores = index.scores([r.question for r in chosen])
        per_q_ms = (time.perf_counter() - t0) * 1000 / max(len(chosen), 1)
        labels = [r.intent for r in chosen]
        predicted = _predict(index, scores, assistant.THRESHOLD)
        in_scope = [i for i, r in enumerate(chosen) if r.intent != "none"]
        by_lang = {
            lang: round(
                _accuracy(
                    [labels[i] for i, r in enumerate(chosen) if r.lang == lang],
                    [predicted[i] for i, r in enumerate(chosen) if r.lang == lang],
                ),
                3,
            )
            for lang in assistant.LANGS
        }
        errors = [
            {"q": r.question, "want": r.intent, "got": p}
            for r, p in zip(chosen, predicted, strict=True)
            if r.intent != p
        ]
        result[part] = {
            "questions": len(chosen),
            "accuracy": round(_accuracy(labels, predicted), 3),
            "in_scope_accuracy": round(
                _accuracy([labels[i] for i in in_scope], [predicted[i] for i in in_scope]), 3
            ),
            "by_lang": by_lang,
            "ms_per_question": round(per_q_ms, 2),
        }
        if part == "blind":
            result[part]["errors"] = errors
        if part == "tune" and args.tune:
            sweep = {
                f"{t:.2f}": round(_accuracy(labels, _predict(index, scores, t)), 3)
                for t in np.arange(0.30, 0.81, 0.05)
            }
            result["tune"]["sweep"] = sweep
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
