"""Benchmark: import N generated public profiles (JSON Lines) into a fresh database.

Prints one JSON object: profiles, file_mb, seconds (check pass + write pass + commit),
profiles_per_second, the re-import time of the same file (every line unchanged), the peak
resident memory before and after the imports (constant memory: the import must not grow
with N), optional friend-edge figures, and the target (1,000,000 profiles in minutes).

    .venv/bin/python bench/sources_import.py [--profiles 1000000] [--friends-per-profile 0]
        [--database-url URL] [--batch-size 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

FIRST = ["Jeanne", "Pierre", "María", "Carlos", "Amy", "John", "Léa", "Hugo", "Lucía", "Omar"]
LAST = ["Dupont", "Martin", "García", "López", "Smith", "Jones", "Bernard", "Ruiz", "Brown"]
CITIES = [
    ("Lyon", "FR"),
    ("Paris", "FR"),
    ("Madrid", "ES"),
    ("Sevilla", "ES"),
    ("Leeds", "GB"),
    ("London", "GB"),
    ("Austin", "US"),
    ("Boston", "US"),
]
TARGET_SECONDS = 600.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _provenance(path: str) -> dict[str, str]:
    return {
        "url": f"https://social.example/{path}",
        "captured_at": "2026-11-01T10:00:00+00:00",
        "captured_by": "connector:bench",
        "legal_basis": "legitimate_interest:LIA-2026-01",
    }


def write_profiles(path: Path, n: int, seed: int) -> None:
    """N profiles in the documented format, a fifth with published contacts."""
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for i in range(n):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, country = rng.choice(CITIES)
            item: dict[str, Any] = {
                "external_id": f"u{i}",
                "network": "social",
                "display_name": f"{first} {last}",
                "handle": f"{first.lower()}.{last.lower()}{i}",
                "city": city,
                "country": country,
                "employer": rng.choice([None, "Acme", "Boulangerie Martin", "NHS"]),
                "birthday": f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "photo_hash": f"{rng.getrandbits(64):016x}",
                "created_at": f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "friends_count": rng.randint(0, 900),
                "privacy": "public" if rng.random() < 0.8 else "partial",
                "language": "fr" if country == "FR" else "es" if country == "ES" else "en",
                "visibility": "public",
                "provenance": _provenance(f"u{i}"),
            }
            if rng.random() < 0.2:
                item["phones"] = [f"+33 6 {rng.randint(10_000_000, 99_999_999)}"]
                item["emails"] = [f"{first.lower()}{i}@example.org"]
            handle.write(orjson.dumps(item))
            handle.write(b"\n")


def write_friends(path: Path, n_profiles: int, per_profile: int, seed: int) -> int:
    """Random public edges between the generated profiles."""
    rng = random.Random(seed + 1)
    count = 0
    with path.open("wb") as handle:
        for i in range(n_profiles):
            for _ in range(per_profile):
                j = rng.randrange(n_profiles)
                if j == i:
                    continue
                handle.write(
                    orjson.dumps(
                        {
                            "external_id": f"e{count}",
                            "profile_id": f"u{i}",
                            "friend_id": f"u{j}",
                            "kind": "friend",
                            "visibility": "public",
                            "provenance": _provenance(f"u{i}/friends"),
                        }
                    )
                )
                handle.write(b"\n")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--friends-per-profile", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default=None, help="default: a new SQLite file in a temporary folder"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-sources-"))
    os.environ.setdefault("CONCILIA_VAR_DIR", str(tmp))
    os.environ["CONCILIA_DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.db'}"

    from datetime import UTC, datetime

    from concilia.db import Base, get_engine, session_scope
    from concilia.domains import load_all_models
    from concilia.sources import service as sources_service
    from concilia.sources.connectors import JsonLinesFile
    from concilia.sources.schemas import ItemKind, SourceDeclaration

    load_all_models()
    Base.metadata.create_all(get_engine())
    now = datetime(2026, 11, 20, tzinfo=UTC)  # the generated captures stay within retention
    with session_scope() as session:
        sources_service.declare(
            db_session=session,
            declaration=SourceDeclaration.model_validate(
                {
                    "name": "bench",
                    "kind": "platform_export",
                    "platform": "social",
                    "allowed_purposes": ["locating"],
                }
            ),
            actor="bench",
        )
    profiles = tmp / "profiles.jsonl"
    write_profiles(profiles, args.profiles, args.seed)
    rss_before = _peak_rss_mb()

    cpu: dict[str, float] = {}

    def run(path: Path, kind: ItemKind, label: str) -> tuple[float, Any]:
        start, cpu_start = time.perf_counter(), time.process_time()
        with session_scope() as session:
            report = sources_service.run_import(
                db_session=session,
                connector=JsonLinesFile(path),
                kind=kind,
                source_name="bench",
                actor="bench",
                now=now,
                batch_size=args.batch_size,
            )
        # CPU time of this process: on a shared machine wall time also counts waiting for
        # a core (the database work runs in-process for SQLite, in the server for PostgreSQL).
        cpu[label] = round(time.process_time() - cpu_start, 1)
        return time.perf_counter() - start, report

    seconds, report = run(profiles, ItemKind.profiles, "import")
    again, report2 = run(profiles, ItemKind.profiles, "reimport")
    result: dict[str, Any] = {
        "bench": "sources_import",
        "database": get_engine().dialect.name,
        "profiles": args.profiles,
        "file_mb": round(profiles.stat().st_size / 1e6, 1),
        "created": report.created,
        "seconds": round(seconds, 1),
        "profiles_per_second": round(args.profiles / seconds),
        "cpu_seconds": cpu["import"],
        "reimport_seconds": round(again, 1),
        "reimport_cpu_seconds": cpu["reimport"],
        "reimport_unchanged": report2.unchanged,
        "peak_rss_mb_before_import": round(rss_before, 1),
        "peak_rss_mb_after_import": round(_peak_rss_mb(), 1),
        "batch_size": args.batch_size,
        "target": f"1,000,000 profiles in under {TARGET_SECONDS:.0f} s",
        "meets_target": seconds * 1_000_000 / max(args.profiles, 1) < TARGET_SECONDS,
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    if args.friends_per_profile:
        friends = tmp / "friends.jsonl"
        edges = write_friends(friends, args.profiles, args.friends_per_profile, args.seed)
        f_seconds, f_report = run(friends, ItemKind.friends, "friends")
        result.update(
            {
                "friend_edges": edges,
                "friends_created": f_report.created,
                "friends_seconds": round(f_seconds, 1),
                "friends_cpu_seconds": cpu["friends"],
                "friends_per_second": round(edges / f_seconds),
                "peak_rss_mb_after_friends": round(_peak_rss_mb(), 1),
            }
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
