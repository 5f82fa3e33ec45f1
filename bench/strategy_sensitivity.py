"""Does the strategies' ranking hold when the behaviour model is wrong? One JSON object.

Runs the outcome simulator (``concilia strategy simulate``) once with the documented
behaviour parameters, then once per key parameter moved down and up by 50 % (the others at
their documented value), each strategy on the same simulated cases. For every variant it
reports each strategy's figures, the recovery ratio of the first strategy over the second and
whether the issue's target holds (>= 1.2x recovered, fewer contacts per case, no more
complaints, zero rule violations). Parameters and their sources:
concilia.simulate.behaviour.BehaviourParams.

    .venv/bin/python bench/strategy_sensitivity.py [--cases 30] [--days 30] [--seed 1]
        [--param call_answer --param email_notice ...] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from concilia.simulate.behaviour import BehaviourParams
from concilia.strategy.simulation import simulate

KEY_PARAMS = (
    "call_answer",
    "email_notice",
    "sms_notice",
    "engage_digital",
    "pay_given_engaged",
    "digital_pay_factor",
    "complaint_per_contact",
    "pressure_backfire",
    "promise_kept",
)
STRATEGIES = ["default", "letters-and-calls"]


def _variant(args: tuple[str | None, float, int, int, int]) -> dict[str, Any]:
    name, factor, cases, days, seed = args
    params = BehaviourParams()
    if name is not None:
        params = params.with_scale(name, factor)
    started = time.perf_counter()
    result = simulate(
        cases=cases, days=days, seed=seed, strategies=STRATEGIES, params=params, use_tone=False
    )
    keep = ("recovered", "recovered_share", "contacts_per_case", "complaints", "disputes",
            "rule_violations", "cost")  # fmt: skip
    return {
        "param": name,
        "factor": factor,
        "value": getattr(params, name) if name is not None else None,
        "strategies": {s: {k: v[k] for k in keep} for s, v in result["strategies"].items()},
        "target": result["target"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--param", action="append", choices=KEY_PARAMS, default=None)
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args()
    names = args.param or list(KEY_PARAMS)
    jobs: list[tuple[str | None, float, int, int, int]] = [(None, 1.0, args.cases, args.days,
                                                             args.seed)]  # fmt: skip
    jobs += [(n, f, args.cases, args.days, args.seed) for n in names for f in (0.5, 1.5)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        variants = list(pool.map(_variant, jobs))
    base, moved = variants[0], variants[1:]
    ratios = [v["target"]["recovery_ratio"] for v in moved if v["target"]["recovery_ratio"]]
    print(
        json.dumps(
            {
                "bench": "strategy_sensitivity",
                "cases": args.cases,
                "days": args.days,
                "seed": args.seed,
                "strategies": STRATEGIES,
                "tone_checker": False,
                "baseline": base,
                "variants": moved,
                "summary": {
                    "baseline_ratio": base["target"]["recovery_ratio"],
                    "baseline_target_met": base["target"]["met"],
                    "ratio_min": min(ratios) if ratios else None,
                    "ratio_max": max(ratios) if ratios else None,
                    "default_recovers_more_in": sum(1 for r in ratios if r > 1.0),
                    "target_met_in": sum(1 for v in moved if v["target"]["met"]),
                    "variants": len(moved),
                    "violations_total": sum(
                        s["rule_violations"] for v in variants for s in v["strategies"].values()
                    ),
                },
                "parameters": BehaviourParams.documentation(),
                "seconds": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
