"""Compliance engine speed: checks per second on one core. Prints one JSON object.

Usage: .venv/bin/python bench/compliance_speed.py [--n 20000] [--tone-n 500]

The engine figure is evaluate() alone over a mix of messages from all four jurisdictions
(the message set in tests/outreach/data plus variations of send time and contact history);
the second figure adds the tone checker, as `concilia outreach check` runs them.
Target: >= 5,000 engine checks per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from concilia.outreach.check import MessageIn, default_tone_checker
from concilia.outreach.rules import Communication, ContactEvent, default_packs, evaluate

DATA = Path(__file__).resolve().parent.parent / "tests" / "outreach" / "data" / "messages.jsonl"


def workload(n: int) -> list[Communication]:
    base = [
        MessageIn.model_validate(orjson.loads(x)).to_communication()
        for x in DATA.read_text().splitlines()
        if x.strip()
    ]
    out: list[Communication] = []
    i = 0
    while len(out) < n:
        c = base[i % len(base)]
        shift = timedelta(minutes=37 * i % (60 * 24 * 7))
        send_at = (c.send_at + shift) if c.send_at else None
        # A realistic contact history: a dozen past calls and messages.
        hist = (
            c.history
            or tuple(
                ContactEvent(
                    at=(send_at or c.send_at or _epoch()) - timedelta(hours=13 * k),
                    channel="call" if k % 2 else "sms",
                    debt_id=c.debt_id,
                )
                for k in range(1, 13)
            )
            if send_at
            else c.history
        )
        out.append(replace(c, send_at=send_at, history=hist))
        i += 1
    return out


def _epoch() -> datetime:
    return datetime(2026, 11, 24, 12, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="engine checks to time")
    parser.add_argument(
        "--tone-n", type=int, default=500, help="checks to time with the tone checker"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    packs = default_packs()
    comms = workload(args.n)
    for c in comms[:200]:  # warm caches (zones, holidays, regexes)
        evaluate(c, packs)
    verdicts: dict[str, int] = {}
    t0 = time.perf_counter()
    for c in comms:
        d = evaluate(c, packs)
        verdicts[d.verdict] = verdicts.get(d.verdict, 0) + 1
    engine_s = time.perf_counter() - t0
    result: dict[str, object] = {
        "bench": "compliance_speed",
        "engine_checks": len(comms),
        "engine_seconds": round(engine_s, 3),
        "engine_checks_per_second": round(len(comms) / engine_s),
        "target_checks_per_second": 5000,
        "meets_target": len(comms) / engine_s >= 5000,
        "verdicts": verdicts,
        "rules_per_check_avg": round(
            sum(len(p.rules) for p in packs) / len(packs.jurisdictions), 1
        ),
        "cpu_cores_used": 1,
        "python": platform.python_version(),
    }
    tone = default_tone_checker()
    if tone is not None and args.tone_n:
        sample = comms[: args.tone_n]
        tone(sample[0].text or "warm up", None)
        t0 = time.perf_counter()
        for c in sample:
            flags = list(tone(c.text, c.lang)) if c.text else []
            evaluate(c, packs, tone_flags=flags)
        s = time.perf_counter() - t0
        result["with_tone_checks"] = len(sample)
        result["with_tone_checks_per_second"] = round(len(sample) / s)
    else:
        result["with_tone_checks_per_second"] = None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
