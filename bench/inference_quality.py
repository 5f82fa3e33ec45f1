"""Whereabouts inference quality on a synthetic world, against two baselines in the same run.

Generates (or reuses) worlds with ``concilia.simulate``: the *training* world (seed 11) is
only used to fit the distance decay and the evidence weights (``--fit`` prints them; the
committed weights in ``params.py`` come from it) and to choose the declining thresholds; every
figure is measured on an *evaluation* world (seed 12 by default, ``--eval-seed 13`` for a
second check), never used for tuning. For each debtor with at least one public profile, the
accepted profiles are the person's genuine accounts (as an agent would accept them after
linkage). Prints one JSON object.

    .venv/bin/python bench/inference_quality.py [--people 20000] [--fit] [--eval-seed 12]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from concilia.geo import service as geo
from concilia.tracing.whereabouts.infer import (
    PlaceStatement,
    WhereaboutsResult,
    candidate_features,
    ego_graph,
    infer,
    resolve,
)
from concilia.tracing.whereabouts.mentions import statements_from_posts
from concilia.tracing.whereabouts.model import FEATURES, fit_weights
from concilia.tracing.whereabouts.params import DEFAULT_PARAMS, Params, fit_decay

TRAIN_SEED = 11
EVAL_SEED = 12
STALE_PROFILE_DAYS = 730


def world(seed: int, people: int, cache: Path) -> Path:
    """The world's directory, generated on first use."""
    out = cache / f"seed{seed}-people{people}"
    if not (out / "truth.json").exists():
        from concilia.simulate.service import generate

        print(f"generating world seed={seed} people={people} ...", file=sys.stderr)
        generate(out_dir=out, people=people, seed=seed)
    return out


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        return [orjson.loads(line) for line in handle if line.strip()]


@dataclass
class Case:
    person_id: str
    true_city: tuple[float, float]
    true_city_id: int
    public_friends: int
    statements: list[PlaceStatement]
    friends: list[tuple[str | None, str | None]]
    edges: list[tuple[int, int]]
    second_hop: list[tuple[int, str | None, str | None]]
    stated_city: str | None
    stated_country: str | None


def load_cases(directory: Path) -> tuple[list[Case], list[float], date]:
    """Debtor cases of a world, and person-to-friend true distances (for fitting)."""
    as_of = date.fromisoformat(
        orjson.loads((directory / "truth.json").read_bytes())["settings"]["as_of"]
    )
    profiles = {
        p["external_id"]: p
        for p in _jsonl(directory / "profiles.jsonl")
        if p.get("visibility") == "public"
    }
    truth_profiles = {t["external_id"]: t for t in _jsonl(directory / "truth_profiles.jsonl")}
    people = {t["person_id"]: t for t in _jsonl(directory / "truth_people.jsonl")}
    adj: dict[str, set[str]] = defaultdict(set)
    for e in _jsonl(directory / "friends.jsonl"):
        if (
            e.get("visibility") == "public"
            and e["profile_id"] in profiles
            and e["friend_id"] in profiles
        ):
            adj[e["profile_id"]].add(e["friend_id"])
            adj[e["friend_id"]].add(e["profile_id"])
    posts: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for p in _jsonl(directory / "posts.jsonl"):
        if p.get("visibility") == "public":
            posts[p["profile_id"]].append((datetime.fromisoformat(p["created_at"]), p["text"]))

    def person_city(profile_id: str) -> tuple[float, float] | None:
        t = truth_profiles.get(profile_id)
        if not t or t["kind"] != "genuine" or t["person_id"] is None:
            return None
        c = people[t["person_id"]]["city"]
        return (c["latitude"], c["longitude"])

    distances: list[float] = []
    cases: list[Case] = []
    as_of_dt = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    for pid, person in people.items():
        own = [p for p in person["profiles"] if p in profiles]
        if not own:
            continue
        here = (person["city"]["latitude"], person["city"]["longitude"])
        own_set = set(own)
        friend_ids = sorted({f for p in own for f in adj.get(p, ()) if f not in own_set})
        for f in friend_ids:
            there = person_city(f)
            if there is not None:
                distances.append(geo.distance_km(here, there))
        if person.get("debtor_reference") is None:
            continue
        local = {f: i for i, f in enumerate(friend_ids, start=1)}
        second: dict[str, int] = {}
        edges: list[tuple[int, int]] = []
        for f in friend_ids:
            for g in adj.get(f, ()):
                if g in own_set:
                    continue
                if g not in local and g not in second:
                    second[g] = len(local) + len(second) + 1
                edges.append((local[f], local.get(g) or second[g]))
        statements: list[PlaceStatement] = []
        for p in own:
            prof = profiles[p]
            times = [at for at, _ in posts.get(p, [])]
            stale = bool(times) and (as_of_dt - max(times)).days > STALE_PROFILE_DAYS
            if prof.get("city"):
                statements.append(
                    PlaceStatement(
                        prof["city"],
                        prof.get("country"),
                        kind="profile",
                        weight=0.25 if stale else 1.0,
                    )
                )
            statements += statements_from_posts(posts.get(p, []), prof.get("country"))
        main = next((profiles[p] for p in own if profiles[p].get("city")), None)
        cases.append(
            Case(
                person_id=pid,
                true_city=here,
                true_city_id=person["city"]["geoname_id"],
                public_friends=len(friend_ids),
                statements=statements,
                friends=[(profiles[f].get("city"), profiles[f].get("country")) for f in friend_ids],
                edges=edges,
                second_hop=[
                    (n, profiles[g].get("city"), profiles[g].get("country"))
                    for g, n in second.items()
                ],
                stated_city=main.get("city") if main else None,
                stated_country=main.get("country") if main else None,
            )
        )
    return cases, distances, as_of


def majority(case: Case) -> tuple[float, float] | None:
    """Plain majority vote of friends' stated cities (resolved by the gazetteer)."""
    votes: Counter[int] = Counter()
    cities: dict[int, Any] = {}
    for city, country in case.friends:
        c = resolve(city, country)
        if c is not None:
            votes[c.id] += 1
            cities[c.id] = c
    if not votes:
        return None
    best = max(votes.items(), key=lambda kv: (kv[1], cities[kv[0]].population, -kv[0]))[0]
    return (cities[best].latitude, cities[best].longitude)


def plain_majority(case: Case) -> tuple[float, float] | None:
    """The most frequent city *text* friends state (accents, case and punctuation folded),
    placed with the gazetteer: a vote without any place knowledge."""
    votes: Counter[str] = Counter(geo.normalize_name(c) for c, _ in case.friends if c)
    if not votes:
        return None
    best = max(votes.items(), key=lambda kv: (kv[1], kv[0]))[0]
    c = resolve(best)
    return (c.latitude, c.longitude) if c else None


def stated(case: Case) -> tuple[float, float] | None:
    """The profile's own stated city."""
    c = resolve(case.stated_city, case.stated_country)
    return (c.latitude, c.longitude) if c else None


def run_ours(case: Case, as_of: date, params: Params) -> WhereaboutsResult:
    graph = ego_graph(case.friends, case.edges, case.second_hop)
    return infer(graph, case.statements, as_of=as_of_dt(as_of), params=params)


def as_of_dt(as_of: date) -> datetime:
    return datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)


def fit(cases: list[Case], as_of: date, params: Params) -> tuple[float, ...]:
    """Conditional-logit weights on the training world's debtors: the true home (or the
    candidate nearest to it, within 25 km) against the other candidates."""
    groups = []
    for case in cases:
        graph = ego_graph(case.friends, case.edges, case.second_hop)
        cands, x = candidate_features(graph, case.statements, as_of=as_of_dt(as_of), params=params)
        if len(cands) < 2:
            continue
        dists = [geo.distance_km(case.true_city, c) for c in cands]
        best = min(range(len(cands)), key=lambda i: dists[i])
        if dists[best] <= 25:
            groups.append((x, best))
    return tuple(round(float(w), 3) for w in fit_weights(groups))


def metrics(errors: Sequence[float | None], total: int) -> dict[str, Any]:
    """Accuracy (exact = same city, i.e. 0 km), within 25 and 100 km, median error."""
    answered = [e for e in errors if e is not None]
    n = len(answered)
    if n == 0:
        return {"answered": 0, "of": total}
    return {
        "answered": n,
        "of": total,
        "coverage": round(n / total, 4) if total else None,
        "exact": round(sum(e < 1.0 for e in answered) / n, 4),
        "within_25km": round(sum(e <= 25 for e in answered) / n, 4),
        "within_100km": round(sum(e <= 100 for e in answered) / n, 4),
        "median_error_km": round(statistics.median(answered), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--cache", type=Path, default=Path("var/bench/worlds"))
    parser.add_argument(
        "--fit",
        action="store_true",
        help="also fit the decay and the evidence weights on the training world (printed)",
    )
    parser.add_argument(
        "--use-fitted",
        action="store_true",
        help="evaluate with the weights just fitted instead of the committed defaults",
    )
    parser.add_argument("--eval-seed", type=int, default=EVAL_SEED)
    parser.add_argument("--min-friends", type=int, default=5)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    params = DEFAULT_PARAMS
    fitted = None
    if args.fit or args.use_fitted:
        train, distances, train_as_of = load_cases(world(TRAIN_SEED, args.people, args.cache))
        b, g = fit_decay(distances)
        weights = fit(train, train_as_of, params)
        fitted = {
            "b_km": b,
            "gamma": g,
            "pairs": len(distances),
            "weights": dict(zip(FEATURES, weights, strict=True)),
            "weights_tuple": weights,
        }
        if args.use_fitted:
            params = replace(params, weights=weights)
    if args.eval_seed == TRAIN_SEED:
        parser.error("the evaluation world must not be the training world")
    cases, _, as_of = load_cases(world(args.eval_seed, args.people, args.cache))
    rows = []
    for case in cases:
        res = run_ours(case, as_of, params)
        top = res.top
        ours = (
            geo.distance_km(case.true_city, geo.get(top.city_id))  # type: ignore[arg-type]
            if top is not None and res.answered
            else None
        )
        forced = (
            geo.distance_km(case.true_city, geo.get(top.city_id))  # type: ignore[arg-type]
            if top is not None
            else None
        )
        m = majority(case)
        pm = plain_majority(case)
        s = stated(case)
        rows.append(
            {
                "friends": case.public_friends,
                "ours": ours,
                "ours_forced": forced,
                "majority": geo.distance_km(case.true_city, m) if m else None,
                "plain_majority": geo.distance_km(case.true_city, pm) if pm else None,
                "stated": geo.distance_km(case.true_city, s) if s else None,
            }
        )
    rich = [r for r in rows if r["friends"] >= args.min_friends]
    answered = [r for r in rich if r["ours"] is not None]
    result: dict[str, Any] = {
        "bench": "inference_quality",
        "train_world": {"seed": TRAIN_SEED, "people": args.people, "used_for": "fitting only"},
        "eval_world": {"seed": args.eval_seed, "people": args.people},
        "params": params.__dict__,
        "fitted_on_train": fitted,
        "debtors_with_a_profile": len(rows),
        f"debtors_with_{args.min_friends}plus_public_friends": len(rich),
        "ours_on_5plus": metrics([r["ours"] for r in rich], len(rich)),
        "ours_forced_on_5plus": metrics([r["ours_forced"] for r in rich], len(rich)),
        "majority_on_same_answered": metrics([r["majority"] for r in answered], len(answered)),
        "plain_majority_on_same_answered": metrics(
            [r["plain_majority"] for r in answered], len(answered)
        ),
        "stated_on_same_answered": metrics([r["stated"] for r in answered], len(answered)),
        "majority_on_5plus": metrics([r["majority"] for r in rich], len(rich)),
        "stated_on_5plus": metrics([r["stated"] for r in rich], len(rich)),
        "ours_all_debtors": metrics([r["ours"] for r in rows], len(rows)),
        "majority_all_debtors": metrics([r["majority"] for r in rows], len(rows)),
        "stated_all_debtors": metrics([r["stated"] for r in rows], len(rows)),
        "seconds": round(time.perf_counter() - started, 1),
    }
    mine: dict[str, Any] = result["ours_on_5plus"]
    maj: dict[str, Any] = result["majority_on_same_answered"]
    result["targets"] = {
        "within_25km_on_answered_ge_0.90": mine.get("within_25km", 0) >= 0.90,
        "coverage_ge_0.80": (mine.get("coverage") or 0) >= 0.80,
        "ge_10_points_above_plain_majority": (
            mine.get("within_25km", 0)
            - result["plain_majority_on_same_answered"].get("within_25km", 0)
        )
        >= 0.10,
        "ge_10_points_above_gazetteer_majority": (
            mine.get("within_25km", 0) - maj.get("within_25km", 0)
        )
        >= 0.10,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
