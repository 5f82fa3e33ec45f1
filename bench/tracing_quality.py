"""Linkage quality on a synthetic world: precision, recall and F1 at the default review
threshold, blocking recall, and the same figures for a baseline rule (exact folded full
name + birthday) computed in the same run. Prints one JSON object.

    .venv/bin/python bench/tracing_quality.py --people 5000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from concilia.tracing import inputs, linkage, places, prepare
from concilia.tracing import normalize as nz
from concilia.tracing.service import DEFAULT_REVIEW_THRESHOLD


def _truth(folder: Path) -> set[tuple[str, str]]:
    """True (debtor_reference, profile external_id) pairs: the debtor's person's genuine
    profiles (an abandoned second account is still theirs; impersonators are not)."""
    person_of_debtor: dict[int, list[str]] = {}
    with (folder / "truth_debtors.jsonl").open("rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            person_of_debtor.setdefault(rec["person_id"], []).append(str(rec["debtor_reference"]))
    pairs: set[tuple[str, str]] = set()
    with (folder / "truth_profiles.jsonl").open("rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            if rec.get("kind") != "genuine" or rec.get("person_id") is None:
                continue
            for ref in person_of_debtor.get(rec["person_id"], []):
                pairs.add((ref, str(rec["external_id"])))
    return pairs


def _scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "predicted": len(found),
        "true_positives": tp,
    }


def _baseline(debtors_raw: pd.DataFrame, profiles_raw: pd.DataFrame) -> set[tuple[str, str]]:
    """Exact folded full name ('given family') and the same birthday day and month."""
    d = pd.DataFrame(
        {
            "debtor_id": debtors_raw["debtor_id"],
            "key": [
                " ".join(nz.fold(f"{g or ''} {f or ''}").split())
                for g, f in zip(
                    debtors_raw["given_names"], debtors_raw["family_names"], strict=True
                )
            ],
            "bd": [
                str(x)[5:10] if isinstance(x, str) else None for x in debtors_raw["date_of_birth"]
            ],
        }
    )
    p = pd.DataFrame(
        {
            "profile_id": profiles_raw["profile_id"],
            "key": [" ".join(nz.fold(str(x or "")).split()) for x in profiles_raw["display_name"]],
            "bd": profiles_raw["birthday"],
        }
    )
    m = d.dropna(subset=["bd"]).merge(p.dropna(subset=["bd"]), on=["key", "bd"])
    return set(zip(m.debtor_id.astype(str), m.profile_id.astype(str), strict=True))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000, help="people in the world")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=DEFAULT_REVIEW_THRESHOLD)
    parser.add_argument("--world", type=Path, help="reuse a world already generated here")
    args = parser.parse_args(argv)

    secs: dict[str, float] = {}
    t = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="concilia-quality-")
    folder = args.world or Path(tmp.name)
    if args.world is None:
        from concilia.simulate import service as simulate_service

        simulate_service.generate(out_dir=folder, people=args.people, seed=args.seed, workers=2)
    secs["simulate"] = time.perf_counter() - t

    t = time.perf_counter()
    debtors_raw = inputs.read_portfolio_csv(folder / "portfolio.csv")
    profiles_raw = inputs.read_profiles_jsonl(folder / "profiles.jsonl")
    edges = inputs.read_friends_jsonl(folder / "friends.jsonl")
    profiles_raw["friend_places"] = places.friend_places(profiles_raw, edges)
    del edges
    truth = _truth(folder)
    debtors = prepare.prepare_debtors(debtors_raw)
    profiles = prepare.prepare_profiles(profiles_raw)
    secs["normalise"] = time.perf_counter() - t

    t = time.perf_counter()
    options = linkage.LinkageOptions()
    blocker = linkage.Blocker(profiles, options)
    pairs = blocker.pairs(debtors)
    secs["block"] = time.perf_counter() - t
    blocked = set(zip(pairs.debtor_id, pairs.profile_id, strict=True))

    t = time.perf_counter()
    model = linkage.train(debtors, profiles, blocker, options=options)
    secs["train"] = time.perf_counter() - t
    t = time.perf_counter()
    scored = linkage.resolve_competition(
        linkage.score(debtors, profiles, pairs, model, keep_below=0.05),
        one_per_network=options.one_per_network,
    )
    secs["score"] = time.perf_counter() - t
    blocker.close()
    # Pairs blocking did not propose, scored because a twin of the profile matched.
    lent = {
        (d, p)
        for d, p in zip(scored.debtor_id.astype(str), scored.profile_id.astype(str), strict=True)
        if (d, p) not in blocked
    }
    shown = scored[scored.final_probability >= args.threshold]
    found = set(zip(shown.debtor_id.astype(str), shown.profile_id.astype(str), strict=True))
    baseline = _baseline(debtors_raw, profiles_raw)
    by_kind = pairs.assign(
        true=[(d, p) in truth for d, p in zip(pairs.debtor_id, pairs.profile_id, strict=True)]
    )
    result = {
        "people": args.people,
        "seed": args.seed,
        "debtors": len(debtors),
        "profiles": len(profiles),
        "true_pairs": len(truth),
        "threshold": args.threshold,
        "linkage": _scores(found, truth),
        "blocking": {
            "recall": round(len(blocked & truth) / len(truth), 4) if truth else 0.0,
            "pairs": len(pairs),
            "reduction_ratio": round(1 - len(pairs) / (len(debtors) * len(profiles)), 6),
            "true_pairs_found_by_key_kind": {
                kind: int(by_kind[by_kind.rules.str.contains(kind) & by_kind.true].shape[0])
                for kind in linkage.KEY_KINDS
            },
        },
        "twin_pass": {"pairs_lent": len(lent), "true_pairs_lent": len(lent & truth)},
        "baseline_exact_name_birthday": _scores(baseline, truth),
        "seconds": {k: round(v, 2) for k, v in secs.items()},
    }
    tmp.cleanup()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
