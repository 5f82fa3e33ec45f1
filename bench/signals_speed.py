"""Posts per second of the whole reading, on one core; prints one JSON object.

End to end as ``concilia signals classify`` does it: language identification, normalisation,
negation, lexicon, the cascade classifier (sentence embedding only for unsure posts), the
special-category guard and the entity gazetteer. The process is pinned to one CPU and to one
BLAS thread. Target: >= 500 posts/s.

    .venv/bin/python bench/signals_speed.py [--posts 5000] [--batch 512]

The model is the default one (trained and cached under var/models on first use; that
training is not timed). Wall-clock and CPU-time throughputs are both reported, with the
load average: on a shared machine the CPU-time figure is the one-core figure.
"""

from __future__ import annotations

import os

# Before numpy is imported anywhere: one BLAS thread.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402

from concilia.signals import classify  # noqa: E402
from concilia.signals.corpus import load_blind, load_handwritten  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000, help="posts to read (timed)")
    parser.add_argument("--batch", type=int, default=512, help="posts per call, as the CLI does")
    parser.add_argument(
        "--no-synthetic", action="store_true", help="use the model without synthetic training"
    )
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    model = classify.get_model(synthetic=not args.no_synthetic)
    texts = [e.text for e in [*load_handwritten(), *load_blind()]]
    # Vary the texts a little so that no cache can answer for a repeated string.
    posts = [f"{texts[i % len(texts)]} {'!' * (i // len(texts))}" for i in range(args.posts)]
    classify.read(posts[:64], model=model)  # warm-up: detectors, encoder weights
    before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    started = time.perf_counter()
    cpu_started = time.process_time()
    labelled = 0
    for start in range(0, len(posts), args.batch):
        labelled += sum(
            r.label != "none" for r in classify.read(posts[start : start + args.batch], model=model)
        )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    result = {
        "bench": "signals_speed",
        "posts": len(posts),
        "seconds": round(seconds, 2),
        "posts_per_second": round(len(posts) / seconds, 1),
        # CPU time of this process: the fair figure when other jobs share the core.
        "cpu_seconds": round(cpu_seconds, 2),
        "posts_per_cpu_second": round(len(posts) / cpu_seconds, 1),
        "target_posts_per_second": 500,
        "cpus": 1,
        "batch": args.batch,
        "events_found": labelled,
        "cascade_threshold": model.threshold,
        "load_average_1min_before": before,
        "model": model.fingerprint,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
