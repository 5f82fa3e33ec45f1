"""Which pairs a truth-fitted model takes at P >= 0.97 that EM does not, and the reverse,
by comparison level: what evidence the ceiling reads that the linkage misses. Prints one
JSON object.

A world of ``--seed`` is linked as a batch run does; gradient-boosted trees (or the
logistic regression, ``--model logistic``) are fitted on the truth of a world of
``--train-seed`` as in bench/tracing_ceiling.py; each ranking is cut at the threshold that
keeps precision >= 0.97, and the pairs one takes and the other does not are counted, true
and false, with the levels most of them share (a level shown by at least a fifth of a
group), their mean name frequency adjustments and EM's mean probability.

    .venv/bin/python bench/tracing_ceiling_diff.py --train-seed 2 --seed 11 \\
        --worlds /tmp/tracing-worlds
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from concilia.tracing import settings as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tracing_ceiling as tc
import tracing_quality as tq


def taken(scored: pd.DataFrame, truth: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs at or above the threshold that keeps precision >= 0.97."""
    cut = tq._frontier(scored, truth)[tc.TARGET]["threshold"]
    kept = scored[scored.final_probability >= cut]
    return set(zip(kept.debtor_id.astype(str), kept.profile_id.astype(str), strict=True))


def group(scored: pd.DataFrame, keys: set[tuple[str, str]], labels: Any) -> dict[str, Any]:
    rows = scored[
        pd.Series(
            list(zip(scored.debtor_id.astype(str), scored.profile_id.astype(str), strict=True)),
            index=scored.index,
        ).isin(keys)
    ]
    counts: collections.Counter[str] = collections.Counter()
    for comp in st.COMPARISON_NAMES:
        for gamma, n in rows[f"gamma_{comp}"].astype(int).value_counts().items():
            counts[f"{comp}: {labels[comp].get(int(gamma), str(gamma))}"] += int(n)
    tf = {
        c: round(float(rows[c].astype(float).fillna(0.0).mean()), 3)
        for c in rows.columns
        if c.startswith("mw_tf_adj_") and len(rows)
    }
    return {
        "pairs": len(rows),
        "em_mean_probability": round(float(rows.final_probability.mean()), 3)
        if len(rows)
        else None,
        "mean_frequency_adjustment": tf,
        "levels": {k: n for k, n in counts.most_common() if n >= max(2, len(rows) / 5)},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-people", type=int, default=20000)
    parser.add_argument("--train-seed", type=int, default=2)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--model", choices=("trees", "logistic"), default="trees")
    parser.add_argument("--worlds", type=Path, help="keep and reuse worlds in this folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="concilia-ceiling-diff-") as tmp:
        root = args.worlds or Path(tmp)
        folders = []
        for people, seed in ((args.train_people, args.train_seed), (args.people, args.seed)):
            path = root / f"world-{people}-{seed}"
            if not (path / "portfolio.csv").exists():
                tq.generate(path, people, seed)
            folders.append(path)
        train = tq.link_world(folders[0])
        test = tq.link_world(folders[1])

    model = tc.fit([tc.World(args.train_seed, train.scored, train.truth)])
    x = tc.features(test.scored, model.columns)
    if args.model == "trees":
        p = np.clip(model.trees.predict_proba(x)[:, 1], 1e-12, 1 - 1e-12)
        weights = np.log2(p / (1 - p))
    else:
        weights = model.logistic.decision_function(x) / np.log(2)
    fitted = tc.reweighted(test.scored, weights)
    truth = test.truth
    em, other = taken(test.scored, truth), taken(fitted, truth)
    labels = st.level_labels(test.model)
    groups = {
        "only_fitted_true": (other - em) & truth,
        "only_fitted_false": (other - em) - truth,
        "only_em_true": (em - other) & truth,
        "only_em_false": (em - other) - truth,
    }
    return {
        "trained_on": {"people": args.train_people, "seed": args.train_seed},
        "measured_on": {"people": args.people, "seed": args.seed},
        "model": args.model,
        "em_taken": {"pairs": len(em), "true": len(em & truth)},
        "fitted_taken": {"pairs": len(other), "true": len(other & truth)},
        "groups": {name: group(test.scored, keys, labels) for name, keys in groups.items()},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
