"""Generate a synthetic world: ``generate(out_dir=..., people=..., seed=...)``."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import orjson

from concilia.simulate.activity import Context
from concilia.simulate.chunk import CHUNK_SIZE, FILES, ChunkOutput, build_chunk, make_context
from concilia.simulate.portfolio import COLUMNS
from concilia.simulate.schemas import SimulationSettings, SimulationSummary

_CONTEXT: Context | None = None


def _init_worker(ctx: Context) -> None:
    global _CONTEXT
    _CONTEXT = ctx


def _work(chunk: int) -> ChunkOutput:
    assert _CONTEXT is not None
    return build_chunk(_CONTEXT, chunk)


def chunk_count(people: int) -> int:
    """How many chunks a world of ``people`` has."""
    return (people + CHUNK_SIZE - 1) // CHUNK_SIZE


def default_workers() -> int:
    """Worker processes by default: the machine's cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def generate(
    *,
    out_dir: Path,
    people: int,
    seed: int,
    settings: SimulationSettings | None = None,
    workers: int = 1,
    on_chunk: Callable[[int, int], None] | None = None,
) -> SimulationSummary:
    """Write the world's files into ``out_dir``, streaming chunk by chunk; same seed, same bytes.

    ``workers`` > 1 generates chunks in parallel processes; output order (and so every byte)
    is the same whatever the number of workers. ``on_chunk(done, total)`` reports progress.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    settings = settings or SimulationSettings()
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = make_context(seed=seed, people=people, settings=settings)
    total = chunk_count(people)
    counts: dict[str, int] = {}
    handles = {name: (out_dir / name).open("wb") for name in FILES}
    try:
        handles["portfolio.csv"].write((",".join(COLUMNS) + "\n").encode("utf-8"))

        def write(out: ChunkOutput, done: int) -> None:
            for name, blob in out.data.items():
                handles[name].write(blob)
            for key, value in out.counts.items():
                counts[key] = counts.get(key, 0) + value
            if on_chunk is not None:
                on_chunk(done, total)

        if workers <= 1 or total == 1:
            for chunk in range(total):
                write(build_chunk(ctx, chunk), chunk + 1)
        else:
            # fork shares the layout and pools without pickling; results come back in order,
            # with at most 2 x workers chunks in flight so memory stays flat.
            mp = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                workers, mp_context=mp, initializer=_init_worker, initargs=(ctx,)
            ) as pool:
                pending: deque[Future[ChunkOutput]] = deque()
                next_chunk = 0
                done = 0
                while done < total:
                    while next_chunk < total and len(pending) < 2 * workers:
                        pending.append(pool.submit(_work, next_chunk))
                        next_chunk += 1
                    done += 1
                    write(pending.popleft().result(), done)
    finally:
        for handle in handles.values():
            handle.close()
    summary = SimulationSummary(
        seed=seed,
        people=people,
        debtors=counts.get("debtors", 0),
        debts=counts.get("debts", 0),
        profiles=counts.get("profiles", 0),
        fake_profiles=counts.get("fake", 0),
        impersonator_profiles=counts.get("impersonator", 0),
        friends=counts.get("friends", 0),
        posts=counts.get("posts", 0),
        mentions=counts.get("mentions", 0),
        files=[*FILES, "truth.json"],
        settings=settings,
    )
    (out_dir / "truth.json").write_bytes(
        orjson.dumps(
            summary.model_dump(mode="json"), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        )
        + b"\n"
    )
    return summary
