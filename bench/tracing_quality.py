"""Linkage quality on a synthetic world: precision, recall and F1 at the default review
threshold, blocking recall, and the same figures for a baseline rule (exact folded full
name + birthday) computed in the same run. Prints one JSON object.

    .venv/bin/python bench/tracing_quality.py --people 5000 --seed 1
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd

from concilia.tracing import inputs, linkage, places, prepare, scoring
from concilia.tracing import normalize as nz
from concilia.tracing import settings as st
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


def _frontier(scored: pd.DataFrame, truth: set[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """For precision 0.99 to 0.95: the highest recall reached, and at which threshold."""
    ranked = scored.sort_values("final_probability", ascending=False)
    true = [
        (d, p) in truth
        for d, p in zip(ranked.debtor_id.astype(str), ranked.profile_id.astype(str), strict=True)
    ]
    hits = np.cumsum(true)
    precision = hits / np.arange(1, len(true) + 1)
    out: dict[str, dict[str, float]] = {}
    for target in (0.99, 0.98, 0.97, 0.96, 0.95):
        ok = np.nonzero(precision >= target)[0]
        if len(ok) == 0 or not truth:
            continue
        i = int(ok.max())
        out[str(target)] = {
            "recall": round(float(hits[i]) / len(truth), 4),
            "threshold": round(float(ranked.final_probability.iloc[i]), 4),
        }
    return out


def _profile_kinds(folder: Path) -> dict[str, str]:
    """Profile id -> genuine, fake or impersonator (the truth file)."""
    out: dict[str, str] = {}
    with (folder / "truth_profiles.jsonl").open("rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            out[str(rec["external_id"])] = str(rec.get("kind"))
    return out


def _calibration(scored: pd.DataFrame, truth: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """Share of true pairs among the candidates in each band of final probability."""
    true = np.array(
        [
            (d, p) in truth
            for d, p in zip(
                scored.debtor_id.astype(str), scored.profile_id.astype(str), strict=True
            )
        ]
    )
    prob = scored.final_probability.to_numpy()
    out = []
    for lo, hi in ((0.5, 0.9), (0.9, 0.99), (0.99, 0.999), (0.999, 1.01)):
        band = (prob >= lo) & (prob < hi)
        n = int(band.sum())
        out.append(
            {
                "band": f"[{lo}, {min(hi, 1.0)}{']' if hi > 1 else ')'}",
                "candidates": n,
                "true_share": round(float(true[band].mean()), 4) if n else None,
                "mean_probability": round(float(prob[band].mean()), 4) if n else None,
            }
        )
    return out


# Comparisons that say something besides the names (the e-mail's "the profile shows no
# address" level says nothing either way).
_EVIDENCE = ("birthday", "city", "employer", "friends", "birth_year", "phone", "email", "photo")


def _misses(
    scored: pd.DataFrame,
    missed: set[tuple[str, str]],
    threshold: float,
    labels: dict[str, dict[int, str]],
) -> dict[str, int]:
    """Why true pairs are not shown: never scored (blocking, or under the scoring floor);
    nothing but the name (and a handle) to go on; above the threshold before competition
    but shared with rivals; or evidence too weak or contradicting."""

    rows = scored.assign(
        key=list(zip(scored.debtor_id.astype(str), scored.profile_id.astype(str), strict=True))
    )
    rows = rows[rows.key.isin(missed)]
    out = {
        "never_scored": len(missed) - len(rows),
        "name_only": 0,
        "lost_to_competition": 0,
        "weak_or_contradicting": 0,
    }
    silent = {"email": "the profile shows no address"}
    for _, row in rows.iterrows():
        evidence = False
        for comp in _EVIDENCE:
            gamma = int(row[f"gamma_{comp}"])
            if gamma < 0:
                continue
            label = labels[comp].get(gamma, "")
            if silent.get(comp) != label:
                evidence = True
        if not evidence:
            out["name_only"] += 1
        elif row.match_probability >= threshold:
            out["lost_to_competition"] += 1
        else:
            out["weak_or_contradicting"] += 1
    return out


def _flagged(folder: Path) -> dict[str, str]:
    """Profiles the authenticity module sets aside (fake, or impersonating another profile):
    shown to an agent with the reasons, but never usable as evidence nor for outreach. Its
    models were trained on the world of another seed (see bench/authenticity_quality.py)."""
    from concilia.authenticity.features import featurize
    from concilia.authenticity.impersonation import find_impersonators
    from concilia.authenticity.model import get_model
    from concilia.authenticity.records import load_world
    from concilia.authenticity.training import as_of_of

    records, _ = load_world(folder)
    as_of = as_of_of(folder)
    model = get_model()
    scores = model.scores(featurize(records, as_of))
    why = {flag.key: "impersonator" for flag in find_impersonators(records, as_of)}
    for rec, score in zip(records, scores, strict=True):
        if score >= model.threshold:
            why.setdefault(rec.key, "fake")
    return why


class Linked(NamedTuple):
    """One world linked: its inputs, the blocked pairs, the model and the scored pairs."""

    debtors_raw: pd.DataFrame
    profiles_raw: pd.DataFrame
    debtors: pd.DataFrame
    profiles: pd.DataFrame
    truth: set[tuple[str, str]]
    pairs: pd.DataFrame
    model: dict[str, Any]
    scored: pd.DataFrame
    options: linkage.LinkageOptions


def generate(folder: Path, people: int, seed: int) -> None:
    from concilia.simulate import service as simulate_service

    simulate_service.generate(out_dir=folder, people=people, seed=seed, workers=2)


def world_folder(path: Path | None, people: int, seed: int, tmp: Path) -> Path:
    """``path`` when a world was generated there already, else a new world under ``tmp``."""
    if path is not None:
        return path
    folder = tmp / f"world-{people}-{seed}"
    generate(folder, people, seed)
    return folder


def link_world(folder: Path, secs: dict[str, float] | None = None) -> Linked:
    """Normalise, block, train and score a simulate world as a batch run does."""
    secs = {} if secs is None else secs
    t = time.perf_counter()
    debtors_raw = inputs.read_portfolio_csv(folder / "portfolio.csv")
    profiles_raw = inputs.read_profiles_jsonl(folder / "profiles.jsonl")
    edges = inputs.read_friends_jsonl(folder / "friends.jsonl")
    profiles_raw["friend_places"] = places.friend_places(profiles_raw, edges)
    del edges
    posts_file = folder / "posts.jsonl"
    posts = inputs.read_posts_jsonl(posts_file) if posts_file.exists() else None
    profiles_raw["post_places"] = places.post_places(profiles_raw, posts)
    del posts
    truth = _truth(folder)
    debtors = prepare.prepare_debtors(debtors_raw)
    profiles = prepare.prepare_profiles(profiles_raw)
    secs["normalise"] = time.perf_counter() - t

    t = time.perf_counter()
    options = linkage.LinkageOptions()
    blocker = linkage.Blocker(profiles, options)
    pairs = blocker.pairs(debtors)
    secs["block"] = time.perf_counter() - t

    t = time.perf_counter()
    model = linkage.train(debtors, profiles, blocker, options=options)
    secs["train"] = time.perf_counter() - t
    t = time.perf_counter()
    scored = scoring.resolve_competition(
        scoring.score(debtors, profiles, pairs, model, keep_below=0.05),
        one_per_network=options.one_per_network,
    )
    secs["score"] = time.perf_counter() - t
    blocker.close()
    return Linked(
        debtors_raw, profiles_raw, debtors, profiles, truth, pairs, model, scored, options
    )


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
    folder = world_folder(args.world, args.people, args.seed, Path(tmp.name))
    secs["simulate"] = time.perf_counter() - t
    linked = link_world(folder, secs)
    debtors_raw, profiles_raw, truth = linked.debtors_raw, linked.profiles_raw, linked.truth
    debtors, profiles, pairs = linked.debtors, linked.profiles, linked.pairs
    model, scored = linked.model, linked.scored
    blocked = set(zip(pairs.debtor_id, pairs.profile_id, strict=True))
    # Pairs blocking did not propose, scored because a twin of the profile matched.
    lent = {
        (d, p)
        for d, p in zip(scored.debtor_id.astype(str), scored.profile_id.astype(str), strict=True)
        if (d, p) not in blocked
    }
    shown = scored[scored.final_probability >= args.threshold]
    found = set(zip(shown.debtor_id.astype(str), shown.profile_id.astype(str), strict=True))
    baseline = _baseline(debtors_raw, profiles_raw)
    frontier = _frontier(scored, truth)
    misses = _misses(scored, truth - found, args.threshold, st.level_labels(model))
    kinds = _profile_kinds(folder)
    flagged = _flagged(folder)
    wrong = collections.Counter(kinds.get(p, "unknown") for _, p in found - truth)
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
        # What can become evidence: the shown candidates whose profile the authenticity
        # gate lets through (the review queue shows the others with the gate's reasons).
        "after_authenticity_gate": {
            **_scores({(d, p) for d, p in found if p not in flagged}, truth),
            # True pairs the gate sets aside, by the reason it gives.
            "true_pairs_set_aside": dict(
                collections.Counter(flagged[p] for d, p in found & truth if p in flagged)
            ),
        },
        # The best recall any single threshold gives at each precision: how much the
        # ranking itself is worth, whatever the default threshold.
        "recall_at_precision": frontier,
        "true_pairs_missed": misses,
        "false_positives_by_profile_kind": dict(wrong),
        "calibration": _calibration(scored, truth),
        "seconds": {k: round(v, 2) for k, v in secs.items()},
    }
    tmp.cleanup()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
