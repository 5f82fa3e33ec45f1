"""Linkage facade: block, train and score normalised debtors against public profiles.

Splink does the Fellegi–Sunter work (u by random sampling, m by expectation–maximisation,
scoring with per-field Bayes factors) on DuckDB or Spark, chosen by one argument. Blocking
is done here in DuckDB with typed keys (see :mod:`concilia.tracing.prepare`) and handed to
Splink as a pre-computed pair table, so both engines score exactly the same pairs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, block_on

from concilia.tracing import settings as st

Engine = Literal["duckdb", "spark"]
log = logging.getLogger(__name__)

# Blocking keys are prefixed by their kind; the names are used in reports.
KEY_KINDS = {
    "n": "surname sound + birthday",
    "b": "given name + birthday",
    "f": "given name + surname sound",
    "i": "given-name initial + surname sound",
    "s": "given-name sound + surname sound",
    "j": "given name + surname initial",
    "g": "given name + city",
    "w": "given name + employer",
    "p": "phone",
    "e": "e-mail",
    "h": "handle",
}
# Keys that identify a person on their own are never dropped for being frequent.
_UNCAPPED = ("p", "e")


@dataclass
class LinkageOptions:
    """Tunables of a run; thresholds live on the portfolio, not here."""

    max_key_profiles: int = 400
    # Looser keys get a lower cap: a given-name initial + a common surname sound is shared
    # by too many profiles to be worth comparing, a rare one is how a typo is caught.
    max_key_profiles_by_kind: dict[str, int] = field(default_factory=lambda: {"i": 40, "w": 40})
    train_debtors: int = 3000
    train_random_profiles: int = 50_000
    u_max_pairs: float = 1e6
    deterministic_recall: float = 0.85
    min_labels: int = 30
    # A debtor whose given name no more than this many profiles carry, and whose family
    # name at least `swap_common_given` profiles carry as their given name, is also
    # blocked on the swapped reading (the file swapped the two: 'MARIQUE CLARISA').
    swap_unknown_given: int = 1
    swap_common_given: int = 5
    seed: int = 42
    keep_below: float = 0.01
    one_per_network: bool = True
    # Share of people who keep a second (often abandoned) account on one network: a strong
    # rival on the same network discounts a candidate by about this factor, not to nothing.
    second_account_share: float = 0.05
    # Smallest m of a trained level: EM can drive a rare level's m to zero (an 'employer
    # similar' weight of x1/10^24), which one typo would then turn into a veto.
    min_m: float = 0.005
    max_m_disagree: dict[str, float] = field(default_factory=lambda: {"birthday": 0.05})
    extra: dict[str, Any] = field(default_factory=dict)


class Blocker:
    """Profiles' blocking keys indexed once in DuckDB; debtors are blocked chunk by chunk."""

    def __init__(self, profiles: pd.DataFrame, options: LinkageOptions) -> None:
        self.con = duckdb.connect()
        self.con.execute("SET preserve_insertion_order = false")
        self.options = options
        self.con.register("_profiles_df", profiles[["unique_id", "block_keys"]])
        self.con.execute(
            "CREATE TABLE pkeys AS SELECT unique_id AS pid, unnest(block_keys) AS k "
            "FROM _profiles_df"
        )
        self.con.unregister("_profiles_df")
        caps = " ".join(
            f"WHEN '{kind}' THEN {int(cap)}"
            for kind, cap in options.max_key_profiles_by_kind.items()
        )
        cap_sql = (
            f"CASE substr(k, 1, 1) {caps} ELSE {int(options.max_key_profiles)} END"
            if caps
            else str(int(options.max_key_profiles))
        )
        self.con.execute(
            f"""
            CREATE TABLE keep_keys AS
            SELECT k FROM pkeys GROUP BY k
            HAVING count(*) <= {cap_sql}
                OR substr(k, 1, 1) IN {_UNCAPPED}
            """
        )
        self.con.execute(
            "CREATE TABLE pk AS SELECT pid, k FROM pkeys SEMI JOIN keep_keys USING (k)"
        )
        self.con.execute("DROP TABLE pkeys")
        self.con.register("_givens_df", profiles[["given_key"]])
        self.con.execute(
            "CREATE TABLE givens AS SELECT given_key AS g, count(*) AS n FROM _givens_df "
            "WHERE given_key IS NOT NULL GROUP BY given_key"
        )
        self.con.unregister("_givens_df")

    def pairs(self, debtors: pd.DataFrame) -> pd.DataFrame:
        """Distinct (debtor, profile) pairs sharing a key, with the kinds of key shared."""
        cols = ["unique_id", "block_keys", "given_key", "family_as_given", "city"]
        self.con.register("_debtors_df", debtors[cols])
        opts = self.options
        try:
            return self.con.execute(
                f"""
                WITH dk AS (
                    SELECT DISTINCT unique_id AS did, unnest(block_keys) AS k FROM _debtors_df
                    UNION
                    -- A given name (almost) no profile carries and a family name many carry
                    -- as theirs: the file may have swapped them. Given name + city only,
                    -- so ordinary names do not multiply the pairs.
                    SELECT d.unique_id, 'g:' || d.family_as_given || '|' || d.city
                    FROM _debtors_df d JOIN givens c ON c.g = d.family_as_given
                    WHERE d.city IS NOT NULL AND c.n >= {int(opts.swap_common_given)}
                      AND coalesce((SELECT r.n FROM givens r WHERE r.g = d.given_key), 0)
                          <= {int(opts.swap_unknown_given)}
                )
                SELECT did AS debtor_id, pid AS profile_id,
                       string_agg(DISTINCT substr(k, 1, 1), '' ORDER BY substr(k, 1, 1)) AS rules
                FROM dk JOIN pk USING (k)
                GROUP BY did, pid
                """
            ).df()
        finally:
            self.con.unregister("_debtors_df")

    def close(self) -> None:
        self.con.close()


# Prepared columns no comparison reads.
NOT_COMPARED = ("block_keys", "twin_ids")


def splink_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The columns Splink reads: no blocking keys or twin lists; ``twin_debtors`` (the
    debtors a profile's twin matched, '|d1|d2|') empty unless the twin pass filled it."""
    out = df.drop(columns=[c for c in NOT_COMPARED if c in df.columns])
    if "twin_debtors" not in out.columns:
        out = out.assign(twin_debtors=None)
    return out


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection set up for Splink's SQL."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    # Splink 5 still writes list lambdas as `x -> ...`, which DuckDB 2 refuses by default.
    con.execute("SET lambda_syntax = 'ENABLE_SINGLE_ARROW'")
    return con


def db_api(engine: Engine, spark: Any = None) -> Any:
    if engine == "duckdb":
        return DuckDBAPI(duckdb_connection())
    from splink.backends.spark import SparkAPI

    if spark is None:
        from concilia.tracing.spark import local_session

        spark = local_session()
    return SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]


def _deterministic_prior(
    debtors: pd.DataFrame,
    pairs: pd.DataFrame,
    profiles: pd.DataFrame,
    n_profiles: int,
    recall: float,
) -> float:
    """Prior match probability from likely pairs (same phone or e-mail, or same given name
    and a surname in common), corrected for the share of true matches such rules find.

    Namesakes make the rule over-count a little and married names, nicknames and swapped
    orders make it miss some; ``recall`` is the net correction."""
    con = duckdb.connect()
    con.register("d", debtors)
    con.register("p", profiles)
    con.register("pairs", pairs)
    # At most one match per debtor and network (the competition step's assumption): in a
    # large population the rule finds several namesakes per debtor, and counting them all
    # made the prior, and every probability, grow with the population.
    row = con.execute(
        """
        SELECT count(DISTINCT (pairs.debtor_id, coalesce(p.network, ''))) FROM pairs
        JOIN d ON d.unique_id = pairs.debtor_id
        JOIN p ON p.unique_id = pairs.profile_id
        WHERE (d.given_key = p.given_key AND list_has_any(d.family_tokens, p.family_tokens))
           OR list_has_any(d.phones, p.phones) OR list_has_any(d.emails, p.emails)
        """
    ).fetchall()
    con.close()
    found = float(row[0][0]) if row else 0.0
    expected = max(found / recall, 1.0)
    return min(expected / (max(len(debtors), 1) * max(n_profiles, 1)), 0.5)


def train(
    debtors: pd.DataFrame,
    profiles: pd.DataFrame,
    blocker: Blocker,
    *,
    options: LinkageOptions | None = None,
    labels: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Estimate the model without labels; refine m from agents' decisions when enough.

    ``labels`` has columns debtor_id, profile_id, accepted (bool).
    Training always runs on DuckDB: the model is small and portable to the Spark engine.
    """
    opts = options or LinkageOptions()
    sample = debtors.sample(n=min(opts.train_debtors, len(debtors)), random_state=opts.seed)
    pairs = blocker.pairs(sample)
    prior = _deterministic_prior(
        sample,
        pairs,
        profiles[profiles.unique_id.isin(pairs.profile_id)],
        len(profiles),
        opts.deterministic_recall,
    )
    # u: random pairs, i.e. sampled debtors against randomly drawn profiles.
    randoms = profiles.sample(
        n=min(opts.train_random_profiles, len(profiles)), random_state=opts.seed
    )
    api = db_api("duckdb")
    linker = Linker(
        [
            api.register(splink_columns(sample), dataset_display_name=st.DEBTORS),
            api.register(splink_columns(randoms), dataset_display_name=st.PROFILES),
        ],
        st.settings_creator(prior),
        log_level=logging.WARNING,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=opts.u_max_pairs, seed=opts.seed)
    model: dict[str, Any] = linker.misc.save_model_to_json()

    # m: expectation–maximisation on the blocked candidates of the sample.
    candidates = profiles[profiles.unique_id.isin(pairs.profile_id)]

    def fresh_linker(current: dict[str, Any]) -> tuple[Linker, Any]:
        api2 = db_api("duckdb")
        tables = [
            api2.register(splink_columns(sample), dataset_display_name=st.DEBTORS),
            api2.register(splink_columns(candidates), dataset_display_name=st.PROFILES),
        ]
        return Linker(tables, current, log_level=logging.WARNING), api2

    # EM cannot estimate a field its session is blocked on, and a session blocked on the
    # surname alone is mostly namesakes, which teaches 'same name' m values for the city.
    # The second session is blocked on name and city, so city (like the names) is learnt
    # only on the birthday session; it teaches birthday, contacts, employer and handle.
    sessions = (
        (block_on("birthday"), ()),
        (block_on("given_key", "family_first", "city"), _HELD_IN_NAME_SESSION),
    )
    for rule, held in sessions:
        _hold(model, held, True)
        linker2, _ = fresh_linker(model)
        try:
            linker2.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except ValueError as exc:
            # On small or degenerate blocks EM can drive a level's m to zero, which Splink
            # refuses (and leaves that linker unusable): the session is dropped, the
            # other one (or the defaults) stand.
            log.warning(
                "EM session on %s abandoned: %s",
                rule.get_blocking_rule("duckdb").blocking_rule_sql,
                exc,
            )
        else:
            model = linker2.misc.save_model_to_json()
        finally:
            _hold(model, held, False)
    if labels is not None and int(labels["accepted"].sum()) >= opts.min_labels:
        linker2, api2 = fresh_linker(model)
        _refine_from_labels(linker2, api2, labels)
        model = linker2.misc.save_model_to_json()
    model["probability_two_random_records_match"] = prior
    _floor_m(model, opts.min_m)
    _cap_disagreement(model, opts.max_m_disagree)
    _tie_partial_handle(model)
    return model


# The handle level that spells a surname the profile shows only as an initial or misspelt,
# and the surname levels it stands in for.
_PARTIAL_HANDLE = ("handle", "spells the name the profile shows only in part")
_SURNAME_SHOWN = ("family_name", "same")
_SURNAME_PARTIAL = ("family_name", "only the initial shown, and it agrees")


def _tie_partial_handle(model: dict[str, Any]) -> None:
    """Weigh a handle spelling the surname a profile shows only in part as what showing
    that surname would have added, no more: log2 BF(surname same) - BF(initial agrees).

    EM learns its u among random pairs, where a handle spelling the debtor's name is rare
    whoever owns it; but it is only ever reached by pairs whose names already agree, where
    namesakes spell it as well. Left alone it weighed, on top of the initial, more than a
    surname shown in full, and made namesakes showing 'Marie M.' and 'mariemartin' look
    certain."""
    levels = _levels(model)
    handle, shown, partial = (
        levels.get(k) for k in (_PARTIAL_HANDLE, _SURNAME_SHOWN, _SURNAME_PARTIAL)
    )
    if handle is None or shown is None or partial is None:
        return
    try:
        bf_shown = shown["m_probability"] / shown["u_probability"]
        bf_partial = partial["m_probability"] / partial["u_probability"]
        m = handle["m_probability"]
    except (KeyError, TypeError, ZeroDivisionError):
        return  # a level EM could not train: nothing to tie
    handle["u_probability"] = min(m * bf_partial / max(bf_shown, bf_partial), 1.0)


# Levels a session blocked on the same name and city cannot observe among true matches
# (an address spelling another surname; a birthday one day off is too rare in a sample):
# EM would drive their m to zero, which Splink refuses, and the whole session would be
# lost. Their m from the first session is held during this one.
# A true match in that session shows another birthday only by a typo in the file, so
# "differs" is held too, at the rate of such typos (no session can learn it: the first is
# blocked on the birthday itself).
_HELD_IN_NAME_SESSION: tuple[tuple[str, str, float | None], ...] = (
    ("email", "the debtor's address spells the profile's name", None),
    ("birthday", "one day apart", None),
    ("birthday", "differs", 0.01),
)


def _hold(
    model: dict[str, Any], levels: tuple[tuple[str, str, float | None], ...], on: bool
) -> None:
    """Fix (or free again) the m of the named levels for one EM session; a level not
    trained yet starts from the given m."""
    by_label = _levels(model)
    for comp, label, start in levels:
        lv = by_label.get((comp, label))
        if lv is None:
            continue
        if on:
            lv["fix_m_probability"] = True
            if start is not None and not isinstance(lv.get("m_probability"), float):
                lv["m_probability"] = start
        else:
            lv.pop("fix_m_probability", None)


def _levels(model: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    """Each level of the model by (comparison, label)."""
    return {
        (comp["output_column_name"], lv.get("label_for_charts")): lv
        for comp in model["comparisons"]
        for lv in comp["comparison_levels"]
    }


def _floor_m(model: dict[str, Any], floor: float) -> None:
    """Give every level at least ``floor`` of m (untrained levels included), taken from the
    other levels in proportion, so no single level can veto a pair on its own."""
    for comp in model["comparisons"]:
        levels = [
            lv
            for lv in comp["comparison_levels"]
            if not lv.get("is_null_level") and not lv.get("fix_m_probability")
        ]
        low = [lv for lv in levels if (lv.get("m_probability") or 0.0) < floor]
        if not low or len(low) == len(levels):
            continue
        rest = [lv for lv in levels if lv not in low]
        total = sum(lv["m_probability"] for lv in rest)
        freed = floor * len(low) - sum(lv.get("m_probability") or 0.0 for lv in low)
        if total <= freed:
            continue
        for lv in low:
            lv["m_probability"] = floor
        for lv in rest:
            lv["m_probability"] = lv["m_probability"] * (total - freed) / total


def _cap_disagreement(model: dict[str, Any], caps: dict[str, float]) -> None:
    """Bound m of the 'disagrees' level of fields a person states about themself.

    Unsupervised EM on blocks full of namesakes (same name, same city) learns the class
    'same name' rather than 'same person', and so believes a true match shows another
    birthday 30% of the time; the real rate is the typo rate. The freed mass goes to the
    agreeing levels in proportion.
    """
    for comp in model["comparisons"]:
        cap = caps.get(comp["output_column_name"])
        if cap is None:
            continue
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        last = levels[-1]
        m_last = last.get("m_probability")
        if m_last is None or m_last <= cap:
            continue
        others = [lv for lv in levels[:-1] if lv.get("m_probability") is not None]
        total = sum(lv["m_probability"] for lv in others)
        if total <= 0:
            continue
        for lv in others:
            lv["m_probability"] = lv["m_probability"] * (1.0 - cap) / total
        last["m_probability"] = cap


def _refine_from_labels(linker: Linker, api: Any, labels: pd.DataFrame) -> None:
    accepted = labels[labels["accepted"]]
    table = pd.DataFrame(
        {
            "source_dataset_l": st.DEBTORS,
            "unique_id_l": accepted["debtor_id"].astype(str),
            "source_dataset_r": st.PROFILES,
            "unique_id_r": accepted["profile_id"].astype(str),
            "clerical_match_score": 1.0,
        }
    )
    linker.training.estimate_m_from_pairwise_labels(api.register(table))  # type: ignore[no-untyped-call]
