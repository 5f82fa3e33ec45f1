"""World generator speed and memory. Prints one JSON object.

Usage: .venv/bin/python bench/simulate.py [--people 20000 | --profiles 1000000] [--seed 1]
       [--workers N] [--keep DIR]

Generates a world into a temporary directory (removed afterwards unless --keep) and reports
profiles per second (wall clock) and the peak resident memory of the main process and of the
largest worker. Target: 1,000,000 profiles with their friends and posts in under 300 s, with
memory flat in N (compare peak_rss_mb at --people 50000 and at --profiles 1000000).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from concilia.simulate.service import default_workers, generate

# Profiles per person at the default settings (genuine, fake and impersonating accounts),
# measured on seed 1; used only to turn --profiles into a number of people.
PROFILES_PER_PERSON = 1.59


def main() -> None:
    """Run the benchmark and print its JSON result."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--people", type=int, default=None, help="people in the world")
    parser.add_argument("--profiles", type=int, default=None, help="aim at this many profiles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="0: one per core (max 4)")
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    args = parser.parse_args()
    people = args.people or (
        round(args.profiles / PROFILES_PER_PERSON) if args.profiles else 20_000
    )
    workers = args.workers or default_workers()
    out = args.keep or Path(tempfile.mkdtemp(prefix="concilia-sim-"))
    started = time.perf_counter()
    cpu0 = os.times()
    try:
        summary = generate(out_dir=out, people=people, seed=args.seed, workers=workers)
        seconds = time.perf_counter() - started
        written = sum(f.stat().st_size for f in out.iterdir())
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.children_user - cpu0.children_user)
    cpu += (cpu1.system - cpu0.system) + (cpu1.children_system - cpu0.children_system)
    # ru_maxrss is in KiB on Linux; for children it is the largest single child.
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "people": summary.people,
                "profiles": summary.profiles,
                "friends": summary.friends,
                "posts": summary.posts,
                "mentions": summary.mentions,
                "debts": summary.debts,
                "workers": workers,
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "profiles_per_second": round(summary.profiles / seconds),
                "profiles_per_cpu_second": round(summary.profiles / cpu) if cpu else None,
                "peak_rss_mb": round(self_rss, 1),
                "peak_rss_worker_mb": round(child_rss, 1),
                "bytes_written": written,
                "load_average_1min": round(os.getloadavg()[0], 1),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
