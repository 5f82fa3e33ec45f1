"""Fake-account and impersonation detection quality on a synthetic world with its truth.

The shipped models are trained on the world of seed 11 (``concilia authenticity
build-training-set``); every figure here is measured on the world of seed 12 (by default),
never used for training or tuning. Fake detection: genuine vs fake profiles (impersonators are
left to the impersonation figures). Impersonation: a predicted pair (copy, original) is right
when the truth says the copy copies that very profile. Prints one JSON object.

    .venv/bin/python bench/authenticity_quality.py [--people 20000] [--seed 12]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from concilia.authenticity.features import featurize
from concilia.authenticity.impersonation import find_impersonators
from concilia.authenticity.model import get_model
from concilia.authenticity.records import load_world
from concilia.authenticity.training import TRAINING_SEED, as_of_of, load_truth


def world(seed: int, people: int, cache: Path) -> Path:
    """The world's directory, generated on first use."""
    out = cache / f"seed{seed}-people{people}"
    if not (out / "truth.json").exists():
        from concilia.simulate.service import generate

        print(f"generating world seed={seed} people={people} ...", file=sys.stderr)
        generate(out_dir=out, people=people, seed=seed)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=12, help="evaluation world (not 11)")
    parser.add_argument("--cache", type=Path, default=Path("var/bench/worlds"))
    args = parser.parse_args(argv)
    if args.seed == TRAINING_SEED:
        parser.error(f"seed {TRAINING_SEED} is the training world; evaluate on another")
    started = time.perf_counter()
    directory = world(args.seed, args.people, args.cache)
    records, _ = load_world(directory)
    truth = load_truth(directory)
    as_of = as_of_of(directory)
    model = get_model()
    scores = np.asarray(model.scores(featurize(records, as_of)))
    kinds = [truth[r.key]["kind"] for r in records]
    mask = np.asarray([k != "impersonator" for k in kinds])
    y = np.asarray([k == "fake" for k in kinds])[mask]
    p = scores[mask]
    pred = p >= model.threshold
    styles: dict[str, Any] = {}
    for style in ("bot", "sock_puppet"):
        idx = [
            i
            for i, r in enumerate(r for r, m in zip(records, mask, strict=True) if m)
            if truth[r.key].get("fake_style") == style
        ]
        styles[style] = {"profiles": len(idx), "recall": round(float(np.mean(pred[idx])), 4)}
    flags = find_impersonators(records, as_of)
    true_pairs = {
        (k, t["copies_profile_id"]) for k, t in truth.items() if t["kind"] == "impersonator"
    }
    found = {(f.key, f.original_key) for f in flags}
    hit = len(found & true_pairs)
    flagged_copies = {f.key for f in flags}
    result: dict[str, Any] = {
        "bench": "authenticity_quality",
        "train_world": {"seed": TRAINING_SEED, "people": 20_000},
        "eval_world": {"seed": args.seed, "people": args.people, "as_of": as_of.isoformat()},
        "model_version": model.version,
        "fake": {
            "profiles": int(mask.sum()),
            "fakes": int(y.sum()),
            "roc_auc": round(float(roc_auc_score(y, p)), 4),
            "threshold": model.threshold,
            "precision": round(float(precision_score(y, pred)), 4),
            "recall": round(float(recall_score(y, pred)), 4),
            "recall_by_style": styles,
        },
        "impersonation": {
            "true_pairs": len(true_pairs),
            "flagged_pairs": len(found),
            "correct_pairs": hit,
            "pair_recall": round(hit / len(true_pairs), 4) if true_pairs else None,
            "pair_precision": round(hit / len(found), 4) if found else None,
            "copies_flagged_whatever_original": len(flagged_copies & {a for a, _ in true_pairs}),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    imp = result["impersonation"]
    result["targets"] = {
        "auc_ge_0.95": result["fake"]["roc_auc"] >= 0.95,
        "impersonator_recall_ge_0.90_at_precision_ge_0.90": (imp["pair_recall"] or 0) >= 0.90
        and (imp["pair_precision"] or 0) >= 0.90,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
