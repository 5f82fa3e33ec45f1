"""Scoring: Splink predictions over blocked pairs, the twin pass, and the one-to-one
competition between candidates that Splink's pairwise model does not know.

A batch run scores chunk after chunk of debtors against the same profiles: they are loaded
once into DuckDB (:class:`ProfileTable`) with their name, city and employer frequencies,
and each chunk's prediction picks its profiles there by Splink's own semi-join on the pair
table.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd
from splink import DuckDBAPI, Linker

from concilia.tracing import linkage
from concilia.tracing import settings as st
from concilia.tracing.explain import QUOTED
from concilia.tracing.linkage import Engine

TF_COLUMNS = ("given", "family", "city", "employer")


def term_frequencies(profiles: pd.DataFrame, col: str) -> pd.DataFrame:
    """Share of profiles showing each value: how common a name is in the population seen."""
    counts = profiles[col].dropna().value_counts()
    total = max(int(counts.sum()), 1)
    return pd.DataFrame({col: counts.index.astype(str), f"tf_{col}": counts.to_numpy() / total})


class ProfileTable:
    """The profiles and their term frequencies as DuckDB tables, loaded once per run.

    Selecting a chunk's profiles from a pandas frame cost a hash look-up over a million
    ids and two copies of the selected rows per chunk, and the frequencies were counted
    again each time: a large share of the scoring stage at 100k x 1M. Once loaded, the
    prepared frame is no longer needed for scoring: only which profiles have twins is kept
    in Python."""

    TABLE = "__concilia_profiles"
    _TWINNED = "__concilia_twinned"

    def __init__(self, profiles: pd.DataFrame) -> None:
        self.con = linkage.duckdb_connection()
        # The columns of linkage.splink_columns, chosen in SQL: no copy of the frame.
        dropped = [c for c in (*linkage.NOT_COMPARED, "twin_debtors") if c in profiles.columns]
        exclude = f"EXCLUDE ({', '.join(dropped)})" if dropped else ""
        self._load(
            self.TABLE, profiles, f"SELECT * {exclude}, NULL::VARCHAR AS twin_debtors FROM _frame"
        )
        for col in TF_COLUMNS:
            self._load(_tf_table(col), term_frequencies(profiles, col))
        self.twins = _twin_map(profiles)
        self._kept = {
            name
            for (name,) in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }

    def _load(self, name: str, frame: pd.DataFrame, select: str = "SELECT * FROM _frame") -> None:
        self.con.register("_frame", frame)
        try:
            self.con.execute(f"CREATE TABLE {name} AS {select}")
        finally:
            self.con.unregister("_frame")

    def api(self) -> DuckDBAPI:
        return DuckDBAPI(self.con)

    def with_twin_debtors(self, marks: pd.Series) -> str:
        """A view of the profiles in ``marks`` (profile id -> '|d1|d2|'), their
        ``twin_debtors`` filled in; dropped by :meth:`clean`."""
        self._load(
            "__concilia_marks",
            pd.DataFrame({"unique_id": marks.index.astype(str), "marked": marks.to_numpy()}),
        )
        self.con.execute(
            f"CREATE VIEW {self._TWINNED} AS SELECT p.* REPLACE (m.marked AS twin_debtors) "
            f"FROM {self.TABLE} p JOIN __concilia_marks m USING (unique_id)"
        )
        return self._TWINNED

    def clean(self) -> None:
        """Drop what a chunk's prediction left in the connection (Splink keeps its
        intermediate tables for the life of the connection, which here is the run's)."""
        for (name,) in self.con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall():
            self.con.execute(f'DROP VIEW IF EXISTS "{name}"')
        for (name,) in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            if name not in self._kept:
                self.con.execute(f'DROP TABLE IF EXISTS "{name}"')

    def close(self) -> None:
        self.con.close()


def _twin_map(profiles: pd.DataFrame) -> pd.DataFrame:
    """(unique_id, twin_ids) of the profiles that have a twin."""
    if "twin_ids" not in profiles.columns:
        return pd.DataFrame({"unique_id": pd.Series(dtype=str), "twin_ids": pd.Series()})
    return profiles.loc[profiles["twin_ids"].notna(), ["unique_id", "twin_ids"]]


# What a run keeps of a scored pair: ids, weights, the network (for the competition between
# a person's accounts), each field's level and weight, and the values explanations quote.
_STORED = frozenset(
    {
        "unique_id_l",
        "unique_id_r",
        "debtor_id",
        "profile_id",
        "match_weight",
        "match_probability",
        "network_r",
        *QUOTED,
    }
)


def stored_column(name: str) -> bool:
    """Whether a run stores this column of Splink's prediction."""
    return name in _STORED or name.startswith(("gamma_", "mw_"))


def _tf_table(col: str) -> str:
    return f"__concilia_tf_{col}"


def _to_engine(engine: Engine, api: Any, df: pd.DataFrame, name: str) -> Any:
    if engine == "spark":
        from concilia.tracing.spark import to_spark

        return api.register(to_spark(api.spark, df), dataset_display_name=name)
    return api.register(df, dataset_display_name=name)


# A twin (same picture, another network) matched at this probability lends the profile
# the 'photo' comparison's weight.
TWIN_SURE = 0.99


def score(
    debtors: pd.DataFrame,
    profiles: pd.DataFrame | ProfileTable,
    pairs: pd.DataFrame,
    model: dict[str, Any],
    *,
    engine: Engine = "duckdb",
    spark: Any = None,
    keep_below: float = 0.01,
    stored_only: bool = False,
) -> pd.DataFrame:
    """Score the given pairs; one row per pair with match weight, probability, per-field
    gamma and Bayes factor, and the compared values (suffix _l debtor, _r profile).

    Two passes: the blocked pairs, then the pairs (debtor, profile) where a twin of the
    profile (same picture on another network, ``twin_ids``) matched the debtor at
    :data:`TWIN_SURE` or more, scored again with the 'photo' comparison filled in. Such a
    pair need not have been blocked (a maiden name, a hidden city).

    ``profiles`` is the prepared frame, or on DuckDB the :class:`ProfileTable` a batch run
    loaded once. ``stored_only`` keeps only the columns a run stores
    (:func:`stored_column`)."""
    if isinstance(profiles, ProfileTable) and engine != "duckdb":
        raise ValueError("a ProfileTable lives in DuckDB; the Spark engine takes the frame")
    if pairs.empty:
        return pd.DataFrame()
    run = _Prediction(debtors, profiles, model, engine, spark, keep_below, stored_only)
    first = run.score(profiles, pairs)
    twins = profiles.twins if isinstance(profiles, ProfileTable) else _twin_map(profiles)
    if first.empty or twins.empty:
        return first
    # The twin must be sure after its own namesakes have had their say: a namesake's
    # profile matched on name and city alone would otherwise lend that same evidence again.
    resolved = resolve_competition(first)
    sure = resolved[resolved["final_probability"] >= TWIN_SURE]
    twin_map = twins[twins["unique_id"].isin(sure["profile_id"])]
    if twin_map.empty:
        return first
    lent = (
        sure[["debtor_id", "profile_id"]]
        .merge(twin_map.explode("twin_ids"), left_on="profile_id", right_on="unique_id")
        .loc[:, ["debtor_id", "twin_ids"]]
        .rename(columns={"twin_ids": "profile_id"})
        .drop_duplicates()
    )
    marks = lent.groupby("profile_id")["debtor_id"].agg(lambda s: "|" + "|".join(sorted(s)) + "|")
    if isinstance(profiles, ProfileTable):
        twinned: pd.DataFrame | str = profiles.with_twin_debtors(marks)
    else:
        twinned = profiles[profiles["unique_id"].isin(marks.index)].assign(
            twin_debtors=lambda df: df["unique_id"].map(marks)
        )
    second = run.score(twinned, lent)
    if second.empty:
        return first
    again = set(zip(second["debtor_id"], second["profile_id"], strict=True))
    keep = [
        (d, p) not in again for d, p in zip(first["debtor_id"], first["profile_id"], strict=True)
    ]
    out = pd.concat([first[keep], second], ignore_index=True)
    return out.sort_values(["debtor_id", "match_weight"], ascending=[True, False]).reset_index(
        drop=True
    )


class _Prediction:
    """One Splink prediction per call, over given pairs, with the run's model, engine and
    name frequencies (from the whole ``population``, whichever profiles are scored)."""

    def __init__(
        self,
        debtors: pd.DataFrame,
        population: pd.DataFrame | ProfileTable,
        model: dict[str, Any],
        engine: Engine,
        spark: Any,
        keep_below: float,
        stored_only: bool,
    ) -> None:
        self.debtors = debtors
        self.table = population if isinstance(population, ProfileTable) else None
        # Counted once for both passes (the table holds its own).
        self.tf = (
            {col: term_frequencies(population, col) for col in TF_COLUMNS}
            if isinstance(population, pd.DataFrame)
            else {}
        )
        self.model = st.for_dialect(model, "spark") if engine == "spark" else model
        self.engine: Engine = engine
        self.spark = spark
        self.keep_below = keep_below
        self.stored_only = stored_only

    def score(
        self, profiles: pd.DataFrame | ProfileTable | str, pairs: pd.DataFrame
    ) -> pd.DataFrame:
        """``profiles``: a frame, the loaded table, or a view in the table's connection."""
        table, engine = self.table, self.engine
        api = table.api() if table is not None else linkage.db_api(engine, self.spark)
        used_d = self.debtors[self.debtors.unique_id.isin(pairs.debtor_id)]
        try:
            if isinstance(profiles, ProfileTable | str):
                # Splink's source pruning semi-joins the table to the pairs.
                name = profiles.TABLE if isinstance(profiles, ProfileTable) else profiles
                used = api.register(name, dataset_display_name=st.PROFILES)
            else:
                chosen = profiles[profiles.unique_id.isin(pairs.profile_id)]
                used = _to_engine(engine, api, linkage.splink_columns(chosen), st.PROFILES)
            linker = Linker(
                [_to_engine(engine, api, linkage.splink_columns(used_d), st.DEBTORS), used],
                self.model,
                log_level=logging.WARNING,
            )
            for col in TF_COLUMNS:
                tf = (
                    api.register(_tf_table(col))
                    if table is not None
                    else _to_engine(engine, api, self.tf[col], _tf_table(col))
                )
                linker.table_management.register_term_frequency_lookup(tf, col)
            sep = "-__-"
            id_pairs = pd.DataFrame(
                {
                    "match_key": "0",
                    "join_key_l": st.DEBTORS + sep + pairs["debtor_id"].astype(str),
                    "join_key_r": st.PROFILES + sep + pairs["profile_id"].astype(str),
                }
            )
            linker.table_management.register_blocked_pairs_for_predict(
                _to_engine(engine, api, id_pairs, "__concilia_pairs")
            )
            result = linker.inference.predict(threshold_match_probability=self.keep_below)
            out = self._fetch(result)
        finally:
            if table is not None:
                table.clean()
        out = out.rename(columns={"unique_id_l": "debtor_id", "unique_id_r": "profile_id"})
        return out.sort_values(["debtor_id", "match_weight"], ascending=[True, False]).reset_index(
            drop=True
        )

    def _fetch(self, result: Any) -> pd.DataFrame:
        if self.table is not None and self.stored_only:
            # Chosen in DuckDB: the compared lists (places, cells, tokens...) of a million
            # pairs would otherwise each become a Python object, only to be dropped.
            rel = self.table.con.table(result.physical_name)
            wanted = [f'"{c}"' for c in rel.columns if stored_column(c)]
            return rel.select(", ".join(wanted)).df()
        out: pd.DataFrame = result.as_pandas_dataframe()
        if self.stored_only:
            out = out[[c for c in out.columns if stored_column(c)]]
        return out


def resolve_competition(
    scored: pd.DataFrame, *, one_per_network: bool = True, second_account_share: float = 0.05
) -> pd.DataFrame:
    """Apply the one-to-one constraints Splink's pairwise model does not know.

    A profile belongs to at most one person, and a person rarely keeps two accounts on one
    network; so when several candidates compete for one profile (namesakes in one city),
    each one's odds are shared: o' = o / (1 + sum of the others' odds). The change is added
    as ``competition_weight`` (log2), so the explanation still adds up to ``final_weight``.
    """
    out = scored.copy()
    if out.empty:
        out["competition_weight"] = []
        out["final_weight"] = []
        out["final_probability"] = []
        return out
    w = out["match_weight"].clip(-500, 500).to_numpy(dtype="float64")
    odds = np.exp2(w)
    tot = out.assign(_o=odds).groupby("profile_id")["_o"].transform("sum").to_numpy()
    # Others first: 1 + tot - odds loses the 1 when odds is large and gives 0.
    odds1 = odds / (1.0 + (tot - odds))
    if one_per_network and "network_r" in out.columns:
        net = out["network_r"].fillna("").to_numpy()
        # Hypotheses on one network: none of the candidates is the person's, one is, or two
        # are (a second account, with conditional share ``second_account_share``); three
        # or more are not considered. A rival the model is sure of leaves this candidate
        # the odds of a second account rather than nothing, while many equal namesakes on
        # one network still share the odds among themselves.
        o = np.minimum(odds1, 2.0**250)
        keys = [out["debtor_id"].to_numpy(), net]
        s1 = pd.Series(o).groupby(keys).transform("sum").to_numpy()
        s2 = pd.Series(o * o).groupby(keys).transform("sum").to_numpy()
        rivals = s1 - o
        rival_pairs = np.maximum((rivals * rivals - (s2 - o * o)) / 2.0, 0.0)
        c = second_account_share
        odds1 = o * (1.0 + c * rivals) / (1.0 + rivals + c * rival_pairs)
    final = np.log2(np.maximum(odds1, 1e-300))
    out["competition_weight"] = final - w
    out["final_weight"] = final
    out["final_probability"] = odds1 / (1.0 + odds1)
    return out


def probability(weight: float) -> float:
    """Match probability from a log2 match weight."""
    return 1.0 / (1.0 + math.pow(2.0, -weight))
