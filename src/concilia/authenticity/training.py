"""Build the labelled training files from a synthetic world and its truth.

``concilia authenticity build-training-set`` generates a world with ``concilia.simulate`` (fixed
seed, 20,000 people by default), computes the features of every profile and of every candidate
impersonation pair, and writes ``data/training.csv`` and ``data/impersonation_training.csv``.
Same seed, same files, same model. The benchmark evaluates on a world of *another* seed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from concilia.authenticity.features import FEATURES, BatchContext, ProfileRecord, features_of
from concilia.authenticity.impersonation import PAIR_FEATURES, candidate_pairs, pair_features
from concilia.authenticity.model import GENUINE_SAMPLE
from concilia.authenticity.records import load_world

TRAINING_SEED = 11
TRAINING_PEOPLE = 20_000


def keep(key: str, share: float) -> bool:
    """A deterministic sample: the same keys are kept on every run and machine."""
    if share >= 1.0:
        return True
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return digest / 2**64 < share


def load_truth(directory: Path) -> dict[str, dict[str, Any]]:
    """``truth_profiles.jsonl`` by external id."""
    out: dict[str, dict[str, Any]] = {}
    with (directory / "truth_profiles.jsonl").open("rb") as handle:
        for line in handle:
            if line.strip():
                obj = orjson.loads(line)
                out[obj["external_id"]] = obj
    return out


def as_of_of(directory: Path) -> date:
    """The world's 'today' from its ``truth.json``."""
    summary = orjson.loads((directory / "truth.json").read_bytes())
    return date.fromisoformat(summary["settings"]["as_of"])


def fake_rows(
    records: Sequence[ProfileRecord],
    truth: Mapping[str, Mapping[str, Any]],
    as_of: date,
    sample: float = 1.0,
) -> list[list[float]]:
    """Feature rows + label (1 fake, 0 genuine); impersonators are left to the pair model."""
    ctx = BatchContext.of(records)
    rows: list[list[float]] = []
    for r in records:
        kind = truth[r.key]["kind"]
        if kind == "impersonator" or (kind == "genuine" and not keep(r.key, sample)):
            continue
        f = features_of(r, ctx, as_of)
        rows.append([*(f[n] for n in FEATURES), 1.0 if kind == "fake" else 0.0])
    return rows


def pair_rows(
    records: Sequence[ProfileRecord], truth: Mapping[str, Mapping[str, Any]], as_of: date
) -> list[list[float]]:
    """Candidate-pair rows + label (1 when the first profile copies the second)."""
    rows: list[list[float]] = []
    for copy, original in candidate_pairs(records):
        t = truth[copy.key]
        label = t["kind"] == "impersonator" and t["copies_profile_id"] == original.key
        f = pair_features(copy, original, as_of)
        rows.append([*(f[n] for n in PAIR_FEATURES), 1.0 if label else 0.0])
    return rows


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[float]]) -> str:
    """CSV text with rounded values (stable bytes across runs)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*columns, "label"])
    for row in rows:
        writer.writerow([f"{v:.5g}" for v in row[:-1]] + [str(int(row[-1]))])
    return buf.getvalue()


def build(world_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write both training files from an already generated world; returns row counts."""
    records, _ = load_world(world_dir)
    truth = load_truth(world_dir)
    as_of = as_of_of(world_dir)
    fakes = fake_rows(records, truth, as_of, GENUINE_SAMPLE)
    pairs = pair_rows(records, truth, as_of)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "training.csv").write_text(to_csv(FEATURES, fakes), encoding="utf-8")
    (out_dir / "impersonation_training.csv").write_text(
        to_csv(PAIR_FEATURES, pairs), encoding="utf-8"
    )
    return {
        "fake_rows": len(fakes),
        "fake_positives": int(sum(r[-1] for r in fakes)),
        "pair_rows": len(pairs),
        "pair_positives": int(sum(r[-1] for r in pairs)),
    }
