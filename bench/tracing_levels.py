"""True and false pairs at each comparison level, on a synthetic world: which evidence the
linkage over- or under-weighs. Prints one JSON object.

For every level of every comparison: the scored pairs (blocked, before the review
threshold) at that level that are true and false, the level's mean weight (log2 Bayes
factor, frequency adjustment included), and the false pairs the model itself expects
there (the sum of 1 - probability over the level's pairs at probability 0.5 or more,
against the false pairs actually there). Levels that read the debtor's city (the posts
naming it, friends living there) are also split by the size of that city.

    .venv/bin/python bench/tracing_levels.py --people 20000 --seed 2
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from concilia.geo import service as geo
from concilia.tracing import settings as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tracing_quality as tq

# The levels split by the size of the debtor's city.
BY_CITY_SIZE = ("city", "friends")
SIZES = ((1_000_000, "1M or more"), (300_000, "300k to 1M"), (0, "under 300k"))


def _size(city: Any, country: Any) -> str:
    found = geo.lookup(str(city), str(country)) if isinstance(city, str) else None
    if found is None:
        return "not in the gazetteer"
    return next(label for floor, label in SIZES if found.population >= floor)


def levels(linked: tq.Linked) -> dict[str, Any]:
    scored = linked.scored
    labels = st.level_labels(linked.model)
    true = pd.Series(
        [
            (d, p) in linked.truth
            for d, p in zip(
                scored.debtor_id.astype(str), scored.profile_id.astype(str), strict=True
            )
        ],
        index=scored.index,
    )
    raw = linked.debtors_raw.set_index(linked.debtors_raw.debtor_id.astype(str))
    size = scored.debtor_id.astype(str).map(
        {d: _size(c, k) for d, c, k in zip(raw.index, raw.city, raw.country, strict=True)}
    )
    out: dict[str, Any] = {}
    for comp in st.COMPARISON_NAMES:
        weight = scored[f"mw_{comp}"].astype(float)
        if f"mw_tf_adj_{comp}" in scored.columns:
            weight = weight + scored[f"mw_tf_adj_{comp}"].astype(float).fillna(0.0)
        rows = []
        for gamma, group in scored.groupby(f"gamma_{comp}"):
            if int(gamma) < 0:
                continue
            shown = group[group.final_probability >= 0.5]
            row: dict[str, Any] = {
                "level": labels[comp].get(int(gamma), str(gamma)),
                "true": int(true[group.index].sum()),
                "false": int((~true[group.index]).sum()),
                "mean_weight": round(float(weight[group.index].mean()), 2),
                "at_0.5_or_more": {
                    "false": int((~true[shown.index]).sum()),
                    "false_expected": round(float((1 - shown.final_probability).sum()), 1),
                },
            }
            if comp in BY_CITY_SIZE:
                row["by_city_size"] = {
                    s: {"true": int(true[g.index].sum()), "false": int((~true[g.index]).sum())}
                    for s, g in group.groupby(size[group.index])
                }
            rows.append(row)
        out[comp] = rows
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--world", type=Path, help="reuse a world already generated here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="concilia-levels-") as tmp:
        linked = tq.link_world(tq.world_folder(args.world, args.people, args.seed, Path(tmp)))
    return {"people": args.people, "seed": args.seed, "levels": levels(linked)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
