"""Impersonation detection: precision and recall on simulated worlds with truth.

Each world (``concilia.simulate.impersonation.generate``) holds the agency's official accounts,
its agents' professional accounts, a crowd of ordinary accounts with hard negatives (agents'
namesakes, some with "support" in their bio; businesses sharing a word of the agency's name;
critics and parodies; agents' personal accounts that reuse their own picture) and
impersonators of the agency or of an agent. The detector's thresholds were set by looking at
the development world (seed 1) only; the evaluation worlds (seeds 11-15) were never looked at
while tuning. A flag counts as right when the account is an impersonator AND the flag names
the identity it imitates. The world and the detector were written by the same engineer: the
figures say how the detector does on the tricks the world knows, not on a real network.
Prints one JSON object.

    .venv/bin/python bench/reputation_impersonation.py [--seeds 11,12,13,14,15]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import asdict
from typing import Any

from concilia.reputation import impersonation
from concilia.simulate.impersonation import generate

DEV_SEED = 1
EVAL_SEEDS = (11, 12, 13, 14, 15)


def _hard_negative(account: Any, world: Any) -> str:
    names = {o.name for o in world.officials[1:]}
    if account.display_name in names:
        return "agent namesake or personal account"
    if world.agency.split()[0].lower() in account.handle.lower():
        return "names the agency (business, critic)"
    return "other"


def score(seed: int) -> dict[str, Any]:
    """Precision, recall and misses of the detector on one world."""
    world = generate(seed=seed)
    _, protected = impersonation.protected_from_json(world.official_json())
    profiles = [impersonation.Account(**asdict(p)) for p in world.profiles]
    started = time.perf_counter()
    flags = impersonation.detect(profiles, protected)
    seconds = time.perf_counter() - started
    by_id = {p.external_id: p for p in world.profiles}
    right = [f for f in flags if world.truth.get(f.account.external_id, ("",))[0] == f.imitates.key]
    flagged = {f.account.external_id for f in flags}
    false = [f for f in flags if f.account.external_id not in world.truth]
    missed = [k for k in world.truth if k not in flagged]
    return {
        "seed": seed,
        "profiles": len(profiles),
        "impersonators": len(world.truth),
        "flagged": len(flags),
        "right": len(right),
        "precision": round(len(right) / len(flags), 3) if flags else None,
        "recall": round(len(right) / len(world.truth), 3),
        "false_flags_by_kind": dict(
            Counter(_hard_negative(by_id[f.account.external_id], world) for f in false)
        ),
        "missed_by_trick": dict(Counter(world.truth[k][1] for k in missed)),
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds", default=",".join(map(str, EVAL_SEEDS)), help="evaluation worlds' seeds"
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    evaluation = [score(s) for s in seeds]
    right = sum(r["right"] for r in evaluation)
    flagged = sum(r["flagged"] for r in evaluation)
    truth = sum(r["impersonators"] for r in evaluation)
    print(
        json.dumps(
            {
                "bench": "reputation_impersonation",
                "evaluation_seeds": seeds,
                "precision": round(right / flagged, 3) if flagged else None,
                "recall": round(right / truth, 3) if truth else None,
                "flagged": flagged,
                "impersonators": truth,
                "per_world": evaluation,
                "development_world": score(DEV_SEED),
            }
        )
    )


if __name__ == "__main__":
    main()
