"""End-to-end linkage speed: normalise, block, train, score and store candidates for
N debtors against M profiles, on the embedded database. Prints one JSON object with the
seconds per stage, the number of compared pairs and the peak resident memory.

    .venv/bin/python bench/tracing_speed.py --debtors 100000 --profiles 1000000

The data comes from tests/tracing/testworld.py (fast to generate at this size, and harsh:
small name pools make many namesakes); the quality figures come from tracing_quality.py.
The world is generated and written to Parquet first, then the pipeline runs in a child
process that reads it: the peak RSS and CPU seconds reported are the pipeline's own, not
the generator's. ``--world DIR`` reuses a world written earlier (``--keep-world DIR``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEBTORS_FILE = "debtors.parquet"
PROFILES_FILE = "profiles.parquet"


def _write_world(args: argparse.Namespace, folder: Path) -> float:
    # The tests' small world is no part of the product: import it from the repository.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.tracing import testworld

    t = time.perf_counter()
    # testworld makes about 0.94 profiles per person-slot per unit of profiles_per_person.
    world = testworld.generate(
        args.debtors, seed=args.seed, profiles_per_person=args.profiles / args.debtors / 0.94
    )
    folder.mkdir(parents=True, exist_ok=True)
    world.debtors.to_parquet(folder / DEBTORS_FILE, index=False)
    world.profiles.to_parquet(folder / PROFILES_FILE, index=False)
    return time.perf_counter() - t


def _pipeline(args: argparse.Namespace) -> dict[str, Any]:
    """The measured part, run in the child: read the world, run the linkage, report."""
    import pandas as pd
    from sqlalchemy.orm import sessionmaker

    from concilia.db import Base, make_engine
    from concilia.domains import load_all_models
    from concilia.tracing import runner

    folder = Path(args.child)
    debtors = pd.read_parquet(folder / DEBTORS_FILE)
    profiles = pd.read_parquet(folder / PROFILES_FILE)
    # Parquet gives numpy arrays for list cells; the contract readers give lists.
    for col in ("phones", "emails"):
        if col in profiles.columns:
            profiles[col] = [None if v is None else list(v) for v in profiles[col]]
    with tempfile.TemporaryDirectory(prefix="concilia-speed-") as tmp:
        load_all_models()
        engine = make_engine(f"sqlite:///{Path(tmp) / 'speed.db'}")
        Base.metadata.create_all(engine)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        t = time.perf_counter()
        cpu = time.process_time()
        result = runner.run(
            session_factory=factory,
            debtors_raw=debtors,
            profiles_raw=profiles,
            config=runner.RunConfig(
                portfolio="speed",
                engine=args.engine,
                chunk_size=args.chunk_size,
                actor="bench",
            ),
        )
        total = time.perf_counter() - t
        cpu_total = time.process_time() - cpu
        engine.dispose()
    return {
        "debtors": len(debtors),
        "profiles": len(profiles),
        "pairs_compared": result.pairs_compared,
        "candidates_stored": result.candidates,
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "cpu_seconds": {k: round(v, 2) for k, v in result.cpu_seconds.items()},
        "seconds_end_to_end": round(total, 2),
        "cpu_seconds_end_to_end": round(cpu_total, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--world", help="Folder of a world written earlier: skip generating.")
    parser.add_argument("--keep-world", help="Write the generated world here and keep it.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _pipeline(args)

    with tempfile.TemporaryDirectory(prefix="concilia-world-") as tmp:
        folder = Path(args.world or args.keep_world or tmp)
        generate_s = 0.0 if args.world else _write_world(args, folder)
        load_before = os.getloadavg()
        cmd = [
            sys.executable,
            __file__,
            "--child",
            str(folder),
            "--chunk-size",
            str(args.chunk_size),
            "--engine",
            args.engine,
        ]
        t = time.perf_counter()
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t
        load_after = os.getloadavg()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out.update(
        {
            "engine": args.engine,
            "chunk_size": args.chunk_size,
            "seconds_child_process": round(wall, 2),
            "cpu_seconds_child_user": round(usage.ru_utime, 2),
            "cpu_seconds_child_system": round(usage.ru_stime, 2),
            "seconds_generating_world": round(generate_s, 2),
            # ru_maxrss of the child alone (KiB on Linux): the pipeline, not the generator.
            "peak_rss_gib": round(usage.ru_maxrss / 1024 / 1024, 3),
            "load_average_1_5_15_before": [round(x, 2) for x in load_before],
            "load_average_1_5_15_after": [round(x, 2) for x in load_after],
            "target": {"seconds": 300, "peak_rss_gib": 6},
        }
    )
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
