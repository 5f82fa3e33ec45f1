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
    "d": "birthday + the city's first letters",
    "y": "birthday + the names' initials",
    "t": "surname sound or first letters + city",
    "q": "given name + the surname's first letters",
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
    # The fallback keys (birthday + city or initials, surname + city, given name + the
    # surname's start) serve only where they are rare.
    max_key_profiles_by_kind: dict[str, int] = field(
        default_factory=lambda: {k: 40 for k in ("i", "w", "d", "y", "t", "q")}
    )
    train_debtors: int = 3000
    train_random_profiles: int = 50_000
    u_max_pairs: float = 1e6
    # The share of true matches the likely-pair rule finds (and the namesakes it counts)
    # assumed on simulated worlds; lower when the trained model shows it (rule_recall),
    # never under min_rule_recall.
    deterministic_recall: float = 0.85
    min_rule_recall: float = 0.2
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
    # The rate of birthday slips assumed before the data says otherwise, and how many
    # sure pairs' worth that assumption weighs (linkage.birthday_typo_rate).
    birthday_typo_prior: float = 0.01
    birthday_typo_weight: float = 50.0
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


def _prior(found: float, n_debtors: int, n_profiles: int, recall: float) -> float:
    """Prior match probability from the likely pairs found, corrected for the share of
    true matches the rule finds (``recall``)."""
    expected = max(found / recall, 1.0)
    return min(expected / (max(n_debtors, 1) * max(n_profiles, 1)), 0.5)


def _likely_pairs(debtors: pd.DataFrame, pairs: pd.DataFrame, profiles: pd.DataFrame) -> float:
    """How many (debtor, network) have a likely pair: same phone or e-mail, or same given
    name and a surname in common (the rule :func:`rule_recall` measures).

    Namesakes make the rule over-count a little and married names, nicknames, typos and
    swapped orders make it miss some; the prior corrects for the net share it finds."""
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
    return float(row[0][0]) if row else 0.0


# The levels at which the likely-pair rule's name test holds: the same given-name key
# (nicknames folded) and a surname in common.
_RULE_GIVEN = ("same", "nickname")
_RULE_FAMILY = (
    "same",
    "same, after a second given name",
    "one surname in common, the other differs",
    "one surname in common",
)


def rule_recall(
    model: dict[str, Any], debtors: pd.DataFrame, profiles: pd.DataFrame
) -> float | None:
    """The share of true matches the likely-pair rule finds, read from the trained model:
    how often a true match shows the same given name and a surname in common (the m of
    those levels, times how often both records show the field), or the same phone or
    e-mail. None when a level it needs was not trained.

    Where names are typed with slips, replaced or left out (a real export, not the
    simulated worlds), the rule finds half the true matches, not the 85 % assumed: the
    prior, and every probability, was then too low by as much."""
    levels = _levels(model)

    def m_sum(comp: str, labels: tuple[str, ...]) -> float | None:
        # The first level ('same') must be trained; a rarer one EM never saw counts 0.
        values = [levels.get((comp, label), {}).get("m_probability") for label in labels]
        if not isinstance(values[0], float):
            return None
        return float(sum(v for v in values if isinstance(v, float)))

    def shown(col: str) -> float:
        both = debtors[col].notna().mean() * profiles[col].notna().mean()
        return float(both) if both == both else 0.0

    given, family = m_sum("given_name", _RULE_GIVEN), m_sum("family_name", _RULE_FAMILY)
    if given is None or family is None:
        return None
    names = shown("given_key") * given * shown("family_first") * family
    missed = 1.0 - names
    for comp, label, col in (
        ("phone", "same number", "phones"),
        ("email", "same address", "emails"),
    ):
        m = levels.get((comp, label), {}).get("m_probability")
        if isinstance(m, float):
            missed *= 1.0 - shown(col) * m
    return 1.0 - missed


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
    blocked_profiles = profiles[profiles.unique_id.isin(pairs.profile_id)]
    found = _likely_pairs(sample, pairs, blocked_profiles)
    prior = _prior(found, len(sample), len(profiles), opts.deterministic_recall)
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
    typo_rate = birthday_typo_rate(debtors, profiles, pairs, opts)
    sessions = (
        (block_on("birthday"), ()),
        (block_on("given_key", "family_first", "city"), _held_in_name_session(typo_rate)),
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
    # The rule's recall as the data show it, at most the assumed one (which also stands
    # for the namesakes the rule counts in a large population).
    measured = rule_recall(model, sample, blocked_profiles)
    recall = opts.deterministic_recall
    if measured is not None:
        recall = min(recall, max(measured, opts.min_rule_recall))
    model["probability_two_random_records_match"] = _prior(
        found, len(sample), len(profiles), recall
    )
    _floor_m(model, opts.min_m)
    _cap_disagreement(
        model, {**opts.max_m_disagree, "birthday": max(opts.max_m_disagree["birthday"], typo_rate)}
    )
    _tie_partial_handle(model)
    _borrow_u(model)
    return model


# A level too rare for random sampling to meet keeps no u, and Splink would weigh it with a
# default that depends only on the level's rank. It borrows the u of the broader level that
# took its pairs before it existed: a superset, so a u at least as large, and a weight that
# is not overstated.
_BORROWED_U = {
    ("family_name", "swapped, one surname of two in common"): (
        "family_name",
        "swapped, with a slip",
    ),
}


def _borrow_u(model: dict[str, Any]) -> None:
    """Give untrained rare levels the u of the level they were carved out of."""
    levels = _levels(model)
    for target, source in _BORROWED_U.items():
        level, broader = levels.get(target), levels.get(source)
        if level is None or broader is None or isinstance(level.get("u_probability"), float):
            continue
        u = broader.get("u_probability")
        if isinstance(u, float):
            level["u_probability"] = u


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
# A true match in that session shows another birthday only by a slip in one of the
# records, so "differs" is held too, at the rate of such slips in the data in hand
# (:func:`birthday_typo_rate`; no session can learn it: the first is blocked on the
# birthday itself, and the second is full of namesakes where names are few).
def _held_in_name_session(typo_rate: float) -> tuple[tuple[str, str, float | None, bool], ...]:
    """(comparison, level, m to start from, whether to set it even when trained)."""
    return (
        ("email", "the debtor's address spells the profile's name", None, False),
        ("birthday", "one day apart", None, False),
        ("birthday", "differs", typo_rate, True),
    )


def _hold(
    model: dict[str, Any], levels: tuple[tuple[str, str, float | None, bool], ...], on: bool
) -> None:
    """Fix (or free again) the m of the named levels for one EM session; a level not
    trained yet (or one marked so) starts from the given m."""
    by_label = _levels(model)
    for comp, label, start, force in levels:
        lv = by_label.get((comp, label))
        if lv is None:
            continue
        if on:
            lv["fix_m_probability"] = True
            if start is not None and (force or not isinstance(lv.get("m_probability"), float)):
                lv["m_probability"] = start
        else:
            lv.pop("fix_m_probability", None)


def birthday_typo_rate(
    debtors: pd.DataFrame, profiles: pd.DataFrame, pairs: pd.DataFrame, options: LinkageOptions
) -> float:
    """How often a true match's two birthdays differ by more than one slip, read from the
    data in hand: among blocked pairs with the same given name, surname and town, where
    that name is borne by one debtor and one profile only (so almost surely the same
    person), the share whose birthdays differ by more than one character.

    Few such pairs say little: the share is shrunk toward ``options.birthday_typo_prior``
    by ``options.birthday_typo_weight`` pairs' worth. A simulated world's file mistypes one
    birthday in a hundred; FEBRL's duplicates one in twenty."""
    con = duckdb.connect()
    try:
        con.register("d", debtors[["unique_id", "given_key", "family_first", "city", "birthday"]])
        con.register("p", profiles[["unique_id", "given_key", "family_first", "city", "birthday"]])
        con.register("pairs", pairs[["debtor_id", "profile_id"]])
        row = con.execute(
            """
            WITH dn AS (SELECT given_key, family_first FROM d
                        WHERE given_key IS NOT NULL AND family_first IS NOT NULL
                        GROUP BY ALL HAVING count(*) = 1),
                 pn AS (SELECT given_key, family_first FROM p
                        WHERE given_key IS NOT NULL AND family_first IS NOT NULL
                        GROUP BY ALL HAVING count(*) = 1)
            SELECT count(*), coalesce(sum(CASE WHEN levenshtein(d.birthday, p.birthday) > 1
                                               THEN 1 ELSE 0 END), 0)
            FROM pairs
            JOIN d ON d.unique_id = pairs.debtor_id
            JOIN p ON p.unique_id = pairs.profile_id
            SEMI JOIN dn ON dn.given_key = d.given_key AND dn.family_first = d.family_first
            SEMI JOIN pn ON pn.given_key = p.given_key AND pn.family_first = p.family_first
            WHERE d.given_key = p.given_key AND d.family_first = p.family_first
              AND d.city = p.city AND d.birthday IS NOT NULL AND p.birthday IS NOT NULL
            """
        ).fetchall()
    finally:
        con.close()
    anchors, differ = (int(row[0][0]), int(row[0][1])) if row else (0, 0)
    k = options.birthday_typo_weight
    return (differ + k * options.birthday_typo_prior) / (anchors + k)


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
