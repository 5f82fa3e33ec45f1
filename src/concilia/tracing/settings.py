"""The linkage model's settings, as data: comparisons, levels and their plain-word labels.

Every comparison reads columns produced by :mod:`concilia.tracing.prepare`, present on both
sides. SQL is written in the DuckDB dialect and translated by Splink for Spark; array and
string-distance levels use Splink's own dialect-aware level classes.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator
from splink.internals.column_expression import ColumnExpression
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

DEBTORS = "debtors"
PROFILES = "profiles"


class CrossIntersectLevel(ComparisonLevelCreator):
    """A debtor's list column shares at least ``n`` items with another list column of the
    profile: the debtor's known cities against the cities a profile's friends live in,
    without copying the debtor's cities into every profile column (a blocked pair carries
    every compared column of both sides, so each copy costs once per pair)."""

    def __init__(self, debtor_col: str, profile_col: str, n: int = 1) -> None:
        self.left = ColumnExpression.instantiate_if_str(debtor_col)
        self.right = ColumnExpression.instantiate_if_str(profile_col)
        self.n = n

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.left.sql_dialect = sql_dialect
        self.right.sql_dialect = sql_dialect
        l_name, r_name = self.left.name_l, self.right.name_r
        if sql_dialect.sql_dialect_str == "duckdb":
            return f"array_length(list_intersect({l_name}, {r_name})) >= {self.n}"
        return f"size(array_intersect({l_name}, {r_name})) >= {self.n}"

    def create_label_for_charts(self) -> str:
        return f"{self.left.raw_sql_expression} meets {self.right.raw_sql_expression}"


class ContainsLevel(ComparisonLevelCreator):
    """A debtor's list column holds a value of the profile's."""

    def __init__(self, debtor_col: str, profile_col: str) -> None:
        self.left = ColumnExpression.instantiate_if_str(debtor_col)
        self.right = ColumnExpression.instantiate_if_str(profile_col)

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        self.left.sql_dialect = sql_dialect
        self.right.sql_dialect = sql_dialect
        l_name, r_name = self.left.name_l, self.right.name_r
        if sql_dialect.sql_dialect_str == "duckdb":
            return f"list_contains({l_name}, {r_name})"
        return f"array_contains({l_name}, {r_name})"

    def create_label_for_charts(self) -> str:
        return f"{self.left.raw_sql_expression} holds {self.right.raw_sql_expression}"


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def _null(*cols: str) -> ComparisonLevelCreator:
    sql = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in cols)
    return _custom(sql, "missing").configure(is_null_level=True)


def _null_unless_linked(col: str, said: str | None = None) -> ComparisonLevelCreator:
    """Missing on the debtor, or on the profile, on its same-picture twin and (``said``)
    in its bio or school."""
    also = f' AND "{said}_r" IS NULL' if said else ""
    sql = f'"{col}_l" IS NULL OR ("{col}_r" IS NULL AND "linked_{col}_r" IS NULL{also})'
    return _custom(sql, "missing").configure(is_null_level=True)


def _only_said(col: str, said: str) -> str:
    """The profile states no value (nor does a twin), but its bio or school names one."""
    return f'"{col}_r" IS NULL AND "linked_{col}_r" IS NULL AND "{said}_r" IS NOT NULL'


def _linked(col: str) -> str:
    """The profile hides the field but a profile with the same picture states it."""
    return f'"{col}_r" IS NULL AND "{col}_l" = "linked_{col}_r"'


_TWIN = "{} (stated by a profile with the same picture)"

_HANDLE_REPEATS = (
    '("given_key_l" = "given_key_r" AND '
    '("family_first_l" = "family_first_r" OR "family_l" = "family_r")) OR '
    '(length("family_first_r") >= 3 AND '
    """instr("handle_r", replace(replace("family_first_r", ' ', ''), '-', '')) > 0) OR """
    # 'alfonsomartin' of 'Alfonso Quirós Martín': the second surname displayed.
    '"handle_surname_r" IS NOT NULL OR '
    # 'jeanm55' of Jean Moreau: the shown given name and the shown surname's initial.
    """"handle_r" = replace("given_r", '-', '') || """
    'coalesce(substr("family_first_r", 1, 1), "family_initial_r")'
)
_HANDLE_HAS_SURNAME_START = (
    'length("family_first_l") >= 3 AND instr("handle_r", substr("family_first_l", 1, 3)) > 0'
)
_HANDLE_HAS_SURNAME = (
    '(length("family_first_l") >= 3 AND instr("handle_r", "family_first_l") > 0) OR '
    '(length("family_first_r") >= 3 AND instr("handle_l", "family_first_r") > 0)'
)
# Each half of a swap is its own level: a debtor's surname used as someone's given name
# ('Roger' in 'Margaud Roger' vs 'Roger Martin') is one coincidence, counted once.
# A hyphenated word read as a given name is a whole double surname ('Rodriguez-Robinson
# Jerry'), whose first surname alone would not equal it.
# 'Artigas Pablo Perlita': the given name written last, after two surnames.
_GIVEN_SWAPPED = (
    '"given_l" = "family_first_r" OR replace("given_l", \'-\', \' \') = "family_r" '
    'OR "given_l" = "given_last_r"'
)
# The debtor's surname as the profile's given name, or as its nickname ('Nate Smith' of a
# file reading Smith / Nathan Dale).
_FAMILY_SWAPPED = (
    '"family_first_l" = "given_r" OR "family_l" = replace("given_r", \'-\', \' \') '
    'OR "family_as_given_l" = "given_key_r"'
)


def _given(sql: str) -> ComparisonLevelCreator:
    """A cheap condition put first in an ``And``: the engines skip the costly list
    operations after it for the many pairs where it fails."""
    return _custom(sql, "guard")


def _spelt() -> ComparisonLevelCreator:
    """The debtor's e-mail address spells another surname than theirs: the profile's."""
    return cll.And(
        _given('"mail_surnames_l" IS NOT NULL'),
        CrossIntersectLevel("mail_surnames", "family_tokens"),
        cll.Not(cll.ArrayIntersectLevel("family_tokens", 1)),
    )


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    """The comparisons, one per field; the labels are what the explanation shows."""
    return [
        cl.CustomComparison(
            output_column_name="given_name",
            comparison_levels=[
                _null("given"),
                # A rare given name says more than 'Marie': weighted by its frequency.
                _custom('"given_l" = "given_r"', "same").configure(
                    tf_adjustment_column="given", tf_adjustment_weight=1.0
                ),
                _custom('"given_key_l" = "given_key_r"', "nickname"),
                cll.JaroWinklerLevel("given", 0.9).configure(label_for_charts="similar"),
                _custom(_GIVEN_SWAPPED, "swapped"),
                _custom(
                    '(length("given_l") = 1 OR length("given_r") = 1) '
                    'AND substr("given_l", 1, 1) = substr("given_r", 1, 1)',
                    "initial",
                ),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="family_name",
            comparison_levels=[
                _custom(
                    '"family_first_l" IS NULL OR ("family_first_r" IS NULL AND '
                    '"family_initial_r" IS NULL)',
                    "missing",
                ).configure(is_null_level=True),
                _custom('"family_l" = "family_r"', "same").configure(
                    tf_adjustment_column="family", tf_adjustment_weight=1.0
                ),
                # 'Maria Fernanda Guillen Valenzuela' of Maria Fernanda / Guillen Valenzuela:
                # her second given name shown before her surnames.
                cll.And(
                    _given(
                        '"family_n_r" >= 2 AND "family_l" = '
                        'substr("family_r", length("family_first_r") + 2)'
                    ),
                    ContainsLevel("name_tokens", "family_first"),
                ).configure(label_for_charts="same, after a second given name"),
                # 'Valenzuela Casal' vs 'Valenzuela Cobo': both show two surnames and only
                # one agrees, which is a disagreement (Spain's second surname is the
                # mother's), not the 'one surname shown of two' that follows.
                # 'María José García' shows a second given name, not a second surname:
                # ``name_cover`` holds all the debtor's names on the left, the profile's
                # surname words on the right.
                cll.And(
                    _given('"family_n_l" >= 2 AND "family_n_r" >= 2'),
                    cll.ArrayIntersectLevel("family_tokens", 1),
                    cll.Not(cll.ArrayIntersectLevel("family_tokens", 2)),
                    cll.Not(CrossIntersectLevel("name_tokens", "family_tokens", 2)),
                ).configure(label_for_charts="one surname in common, the other differs"),
                cll.ArrayIntersectLevel("family_tokens", 1).configure(
                    label_for_charts="one surname in common"
                ),
                cll.JaroWinklerLevel("family_first", 0.9).configure(label_for_charts="similar"),
                _custom(_FAMILY_SWAPPED, "swapped"),
                # 'Marie M.': only the initial is shown.
                _custom(
                    '"family_first_r" IS NULL AND substr("family_first_l", 1, 1) = '
                    '"family_initial_r"',
                    "only the initial shown, and it agrees",
                ),
                # A married name on one side and the maiden name on the other is how most
                # true matches with differing surnames look; a man's surname differing
                # says more against the match.
                _custom(
                    '"name_may_change_l" IS NOT NULL',
                    "different, as a name changed by marriage would",
                ),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="birthday",
            comparison_levels=[
                _null_unless_linked("birthday"),
                _custom('"birthday_l" = "birthday_r"', "agrees"),
                _custom(_linked("birthday"), _TWIN.format("agrees")),
                # Creditors' files carry typed-in dates one day off.
                _custom(
                    'substr("birthday_l", 1, 2) = substr(coalesce("birthday_r", '
                    '"linked_birthday_r"), 1, 2) AND abs(cast(substr("birthday_l", 4, 2) AS '
                    'INTEGER) - cast(substr(coalesce("birthday_r", "linked_birthday_r"), 4, 2) '
                    "AS INTEGER)) = 1",
                    "one day apart",
                ),
                cll.ElseLevel().configure(label_for_charts="differs"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="city",
            comparison_levels=[
                _custom(
                    '"city_l" IS NULL OR ("city_r" IS NULL AND "linked_city_r" IS NULL AND '
                    '"said_cities_r" IS NULL AND "post_cities_r" IS NULL)',
                    "missing",
                ).configure(is_null_level=True),
                # London says less than Tournefeuille: weighted by the city's frequency.
                _custom('"city_l" = "city_r"', "same").configure(
                    tf_adjustment_column="city", tf_adjustment_weight=1.0
                ),
                _custom(_linked("city"), _TWIN.format("same")),
                # 'IUT de Tournefeuille', '📍 Asnières': the debtor's city (or previous
                # address) named in the profile's school or bio, whatever city it states.
                cll.And(
                    _given('"said_cities_r" IS NOT NULL'),
                    CrossIntersectLevel("places", "said_cities"),
                ).configure(label_for_charts="named in the profile's bio or school"),
                # Creditors' files carry typos the gazetteer cannot resolve ('Lypn').
                cll.JaroWinklerLevel("city", 0.92).configure(label_for_charts="same, misspelt"),
                cll.DistanceInKMLevel("lat", "lon", 15, not_null=True).configure(
                    label_for_charts="within 15 km"
                ),
                _custom('"prev_city_l" = "city_r" OR "city_l" = "prev_city_r"', "previous address"),
                cll.DistanceInKMLevel("lat", "lon", 60, not_null=True).configure(
                    label_for_charts="within 60 km"
                ),
                # "New life in Lyon", "Leaving Leeds for York": a mover's posts name the
                # new city before the profile states it, and a stale stated city is then
                # 'other' for the wrong reason. A holiday post names places too, so this
                # weighs less than a bio.
                cll.And(
                    _given('"post_cities_r" IS NOT NULL'),
                    CrossIntersectLevel("places", "post_cities"),
                ).configure(label_for_charts="named in the profile's posts"),
                _custom(
                    _only_said("city", "said_cities"), "not stated; the bio or school names another"
                ),
                _custom(
                    '"city_r" IS NULL AND "linked_city_r" IS NULL AND "said_cities_r" IS NULL',
                    "not stated; its posts name other places",
                ),
                cll.ElseLevel().configure(label_for_charts="other"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="phone",
            comparison_levels=[
                _null("phones"),
                cll.ArrayIntersectLevel("phones", 1).configure(label_for_charts="same number"),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="email",
            comparison_levels=[
                _custom('"emails_l" IS NULL', "missing").configure(is_null_level=True),
                cll.And(
                    _given('"emails_r" IS NOT NULL'), cll.ArrayIntersectLevel("emails", 1)
                ).configure(label_for_charts="same address"),
                # 'margaud.buisson@...' on file, 'Margaud Buisson' on the profile, 'Roger' in
                # the debtor's surname: an address made before or after a marriage spells the
                # other name (addresses spelling the debtor's own name are left out in
                # prepare). Only when the surnames differ, or it would repeat the name.
                _spelt().configure(
                    label_for_charts="the debtor's address spells the profile's name"
                ),
                # Not a missing value: nearly every profile shows no address, and how often a
                # true match's address spells its name must be weighed against all of them.
                _custom('"emails_r" IS NULL', "the profile shows no address"),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="employer",
            comparison_levels=[
                _null_unless_linked("employer", "said_employer"),
                _custom('"employer_l" = "employer_r"', "same").configure(
                    tf_adjustment_column="employer", tf_adjustment_weight=1.0
                ),
                _custom(_linked("employer"), _TWIN.format("same")),
                _custom('"employer_l" = "said_employer_r"', "named in the profile's bio"),
                cll.JaroWinklerLevel("employer", 0.88).configure(label_for_charts="similar"),
                _custom(
                    _only_said("employer", "said_employer"), "not stated; the bio names another"
                ),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="photo",
            comparison_levels=[
                _custom('"twin_debtors_r" IS NULL', "missing").configure(is_null_level=True),
                # Filled by the second pass of scoring.score: another network's profile with
                # this picture matched the debtor at TWIN_SURE or more. Fixed, not trained:
                # about half of a person's profiles have such a twin (m), while a stranger's
                # profile shares a picture with a confident match about once in a thousand
                # times (u: the match's own error times copied or stock pictures).
                _custom(
                    "instr(\"twin_debtors_r\", '|' || \"unique_id_l\" || '|') > 0",
                    "same as a profile of theirs on another network",
                ).configure(
                    m_probability=0.5,
                    u_probability=0.0005,
                    fix_m_probability=True,
                    fix_u_probability=True,
                ),
                cll.ElseLevel()
                .configure(label_for_charts="no match on another network")
                .configure(
                    m_probability=0.5,
                    u_probability=0.5,
                    fix_m_probability=True,
                    fix_u_probability=True,
                ),
            ],
        ),
        cl.CustomComparison(
            output_column_name="friends",
            comparison_levels=[
                # Fewer than three friends located, a debtor without a known city, or a
                # profile whose stated city (its twin's, its bio's) already agrees: friends
                # live where their friend lives, so in the same city they would count the
                # same evidence twice and make namesakes next door look certain.
                cll.Or(
                    _custom(
                        '"friends_any_r" IS NULL OR "places_l" IS NULL OR "city_l" = "city_r" '
                        'OR ("city_r" IS NULL AND "city_l" = "linked_city_r") '
                        'OR "prev_city_l" = "city_r"',
                        "the stated city already agrees",
                    ),
                    CrossIntersectLevel("places", "said_cities"),
                    cll.JaroWinklerLevel("city", 0.92),
                    cll.DistanceInKMLevel("lat", "lon", 60, not_null=True),
                ).configure(
                    is_null_level=True,
                    label_for_charts=(
                        "not counted: the stated city already places the profile, "
                        "or too few friends are located"
                    ),
                ),
                # Friend lists are the sediment of a life: they hold the debtor's known
                # city (or previous address) long after a move, which a stale or hidden
                # stated city cannot say. Counts per city only (DESIGN.md).
                CrossIntersectLevel("places", "friends_many").configure(
                    label_for_charts="many of them live in the debtor's city"
                ),
                CrossIntersectLevel("places", "friends_some").configure(
                    label_for_charts="several live in the debtor's city"
                ),
                CrossIntersectLevel("cells", "friends_near").configure(
                    label_for_charts="many live around the debtor's city"
                ),
                CrossIntersectLevel("places", "friends_any").configure(
                    label_for_charts="one lives in the debtor's city"
                ),
                CrossIntersectLevel("cells", "friends_around").configure(
                    label_for_charts="several live around the debtor's city"
                ),
                CrossIntersectLevel("cells_around", "friends_cells").configure(
                    label_for_charts="one lives around the debtor's city"
                ),
                # Three located friends elsewhere say less than fifteen.
                _custom('"friends_n_r" >= 8', "many located, all elsewhere"),
                cll.ElseLevel().configure(label_for_charts="the few located live elsewhere"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="birth_year",
            comparison_levels=[
                _custom(
                    '"year4_l" IS NULL OR ("year4_r" IS NULL AND "year2_r" IS NULL)', "missing"
                ).configure(is_null_level=True),
                # 'mgautier1952': people write their birth year in their usernames.
                _custom('"year4_l" = "year4_r"', "the handle holds the birth year"),
                _custom(
                    '"year2_l" = "year2_r"', "the handle holds the birth year's last two digits"
                ),
                _custom('"year4_r" IS NOT NULL', "the handle holds another year"),
                cll.ElseLevel().configure(label_for_charts="the handle's number is another"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="handle",
            comparison_levels=[
                _null("handle_keys"),
                # A handle spelling the name the profile already displays says nothing the
                # name comparisons have not said: counting it again would make namesakes
                # look certain ('smithj' of Jane Smith 'spells' John Smith too), or punish
                # twice a maiden name the surname comparison already weighed. Fixed at x1.
                _custom(
                    _HANDLE_REPEATS,
                    "repeats the displayed name",
                ).configure(
                    m_probability=0.5,
                    u_probability=0.5,
                    fix_m_probability=True,
                    fix_u_probability=True,
                ),
                # 'robertm' of 'Marcel R.', 'philippe.dubois' of 'Philippe Dubbois': the
                # handle spells the surname the profile shows only as an initial or misspelt,
                # which is what a shown surname would have said, no more.
                cll.And(
                    cll.ArrayIntersectLevel("handle_keys", 1),
                    cll.Or(
                        _custom('"family_first_r" IS NULL', "surname shown only as an initial"),
                        cll.JaroWinklerLevel("family_first", 0.9),
                    ),
                ).configure(label_for_charts="spells the name the profile shows only in part"),
                cll.ArrayIntersectLevel("handle_keys", 1).configure(
                    label_for_charts="spells the name"
                ),
                # Jaro–Winkler rewards a shared start: 'alexandrieblin' is 'close' to
                # 'alexandrielanglois'. A handle close to the name must also hold the
                # start of the debtor's surname, or it is only a given name in common.
                cll.And(
                    # The cheap test first: the pairwise distances are skipped where it fails.
                    _custom(_HANDLE_HAS_SURNAME_START, "has the surname's start"),
                    cll.PairwiseStringDistanceFunctionLevel("handle_keys", "jaro_winkler", 0.9),
                ).configure(label_for_charts="close to the name"),
                _custom(
                    _HANDLE_HAS_SURNAME,
                    "contains the surname",
                ),
                cll.ElseLevel().configure(label_for_charts="unrelated"),
            ],
        ),
    ]


COMPARISON_NAMES = [
    "given_name",
    "family_name",
    "birthday",
    "city",
    "phone",
    "email",
    "employer",
    "photo",
    "friends",
    "birth_year",
    "handle",
]

# Values kept beside each scored pair, so the explanation can quote them.
RETAINED = ["network", "given", "family", "birthday", "city", "employer", "handle", "lat", "lon"]


def settings_creator(prior: float = 1e-6) -> SettingsCreator:
    """Untrained settings: link debtors to profiles, never within one side."""
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=[],
        probability_two_random_records_match=prior,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["network", "prev_city", "friends_summary"],
        em_convergence=0.001,
        max_iterations=15,
    )


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison name -> gamma value -> plain label, read from a trained model."""
    out: dict[str, dict[int, str]] = {}
    for comp in model["comparisons"]:
        levels = {}
        n = len([lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")])
        for lv in comp["comparison_levels"]:
            if lv.get("is_null_level"):
                levels[-1] = lv.get("label_for_charts") or "missing"
            else:
                n -= 1
                levels[n] = lv.get("label_for_charts") or lv["sql_condition"]
        out[comp["output_column_name"]] = levels
    return out


_TRAINED_KEYS = ("m_probability", "u_probability", "fix_m_probability", "fix_u_probability")


def for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained model with its SQL regenerated for another engine's dialect.

    A saved model carries SQL in the dialect it was trained on (DuckDB); the comparisons are
    rebuilt from their creators for ``dialect`` and the trained m/u values copied level by
    level, so both engines compute the same thing.
    """
    if model.get("sql_dialect") == dialect:
        return model
    fresh = settings_creator(float(model["probability_two_random_records_match"]))
    out = fresh.create_settings_dict(dialect)
    for new_comp, old_comp in zip(out["comparisons"], model["comparisons"], strict=True):
        if new_comp["output_column_name"] != old_comp["output_column_name"]:
            raise ValueError("model and settings disagree on the comparisons")
        levels = zip(new_comp["comparison_levels"], old_comp["comparison_levels"], strict=True)
        for new_level, old_level in levels:
            for key in _TRAINED_KEYS:
                if key in old_level:
                    new_level[key] = old_level[key]
    out["sql_dialect"] = dialect
    return out
