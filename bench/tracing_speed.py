"""End-to-end linkage speed: normalise, block, train, score and store candidates for
N debtors against M profiles, on the embedded database. Prints one JSON object with the
seconds per stage, the number of compared pairs and the peak resident memory.

    .venv/bin/python bench/tracing_speed.py --debtors 100000 --profiles 1000000

The data comes from concilia.tracing.testworld (fast to generate at this size, and harsh:
small name pools make many namesakes); the quality figures come from tracing_quality.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from concilia.db import Base, make_engine
from concilia.domains import load_all_models
from concilia.tracing import runner, testworld


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    args = parser.parse_args(argv)

    t = time.perf_counter()
    # testworld makes about 0.94 profiles per person-slot per unit of profiles_per_person.
    world = testworld.generate(
        args.debtors, seed=args.seed, profiles_per_person=args.profiles / args.debtors / 0.94
    )
    generate_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory(prefix="concilia-speed-") as tmp:
        load_all_models()
        engine = make_engine(f"sqlite:///{Path(tmp) / 'speed.db'}")
        Base.metadata.create_all(engine)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        t = time.perf_counter()
        result = runner.run(
            session_factory=factory,
            debtors_raw=world.debtors,
            profiles_raw=world.profiles,
            config=runner.RunConfig(
                portfolio="speed",
                engine=args.engine,
                chunk_size=args.chunk_size,
                actor="bench",
            ),
        )
        total = time.perf_counter() - t
        engine.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "debtors": len(world.debtors),
        "profiles": len(world.profiles),
        "engine": args.engine,
        "chunk_size": args.chunk_size,
        "pairs_compared": result.pairs_compared,
        "candidates_stored": result.candidates,
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "seconds_end_to_end": round(total, 2),
        "seconds_generating_world": round(generate_s, 2),
        "peak_rss_gib": round(peak_kib / 1024 / 1024, 3),
        "target": {"seconds": 300, "peak_rss_gib": 6},
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
