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
from splink.internals.comparison_creator import ComparisonCreator

from concilia.tracing import levels as lv
from concilia.tracing.levels import ContainsLevel, CrossIntersectLevel, CrossJaroWinklerLevel

DEBTORS = "debtors"
PROFILES = "profiles"


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    """The comparisons, one per field; the labels are what the explanation shows."""
    return [
        cl.CustomComparison(
            output_column_name="given_name",
            comparison_levels=[
                # A profile showing one word that is the debtor's surname ('Webb') shows no
                # given name: the surname comparison weighs that word.
                cll.Or(
                    lv.custom('"given_l" IS NULL OR "given_r" IS NULL', "missing"),
                    cll.And(
                        lv.given_first(lv.ONE_WORD_NOT_GIVEN),
                        cll.JaroWinklerLevel("family_first", 0.9),
                    ),
                ).configure(is_null_level=True, label_for_charts="missing"),
                # A rare given name says more than 'Marie': weighted by its frequency.
                lv.custom('"given_l" = "given_r"', "same").configure(
                    tf_adjustment_column="given", tf_adjustment_weight=1.0
                ),
                lv.custom('"given_key_l" = "given_key_r"', "nickname"),
                cll.JaroWinklerLevel("given", 0.9).configure(label_for_charts="similar"),
                # 'bne' of Ben: a short name's one slip is far in Jaro–Winkler's terms.
                cll.DamerauLevenshteinLevel("given", 1).configure(
                    label_for_charts="one letter off"
                ),
                lv.custom(lv.GIVEN_SWAPPED, "swapped"),
                cll.Or(
                    CrossJaroWinklerLevel("given", "family_first", 0.9),
                    CrossJaroWinklerLevel("given", "given_last", 0.9),
                ).configure(label_for_charts="swapped, with a slip"),
                lv.custom(
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
                # A profile showing one word that is not the debtor's surname shows their
                # given name, or another: the given-name comparison weighs it.
                cll.Or(
                    lv.custom(
                        '"family_first_l" IS NULL OR ("family_first_r" IS NULL AND '
                        '"family_initial_r" IS NULL)',
                        "missing",
                    ),
                    cll.And(
                        lv.given_first('"one_word_r" IS NOT NULL'),
                        cll.Not(cll.JaroWinklerLevel("family_first", 0.9)),
                    ),
                ).configure(is_null_level=True, label_for_charts="missing"),
                lv.custom('"family_l" = "family_r"', "same").configure(
                    tf_adjustment_column="family", tf_adjustment_weight=1.0
                ),
                # 'Maria Fernanda Guillen Valenzuela' of Maria Fernanda / Guillen Valenzuela:
                # her second given name shown before her surnames.
                cll.And(
                    lv.given_first(
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
                    lv.given_first('"family_n_l" >= 2 AND "family_n_r" >= 2'),
                    cll.ArrayIntersectLevel("family_tokens", 1),
                    cll.Not(cll.ArrayIntersectLevel("family_tokens", 2)),
                    cll.Not(CrossIntersectLevel("name_tokens", "family_tokens", 2)),
                ).configure(label_for_charts="one surname in common, the other differs"),
                cll.ArrayIntersectLevel("family_tokens", 1).configure(
                    label_for_charts="one surname in common"
                ),
                cll.JaroWinklerLevel("family_first", 0.9).configure(label_for_charts="similar"),
                # 'frew' and 'freq': one slip in a short surname.
                cll.DamerauLevenshteinLevel("family_first", 1).configure(
                    label_for_charts="one letter off"
                ),
                lv.custom(lv.FAMILY_SWAPPED, "swapped"),
                lv.custom(lv.FAMILY_SWAPPED_PART, "swapped, one surname of two in common"),
                CrossJaroWinklerLevel("family_first", "given", 0.9).configure(
                    label_for_charts="swapped, with a slip"
                ),
                # 'Marie M.': only the initial is shown.
                lv.custom(
                    '"family_first_r" IS NULL AND substr("family_first_l", 1, 1) = '
                    '"family_initial_r"',
                    "only the initial shown, and it agrees",
                ),
                # A married name on one side and the maiden name on the other is how most
                # true matches with differing surnames look; a man's surname differing
                # says more against the match.
                lv.custom(
                    '"name_may_change_l" IS NOT NULL',
                    "different, as a name changed by marriage would",
                ),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="birthday",
            comparison_levels=[
                lv.null_unless_linked("birthday"),
                lv.custom('"birthday_l" = "birthday_r"', "agrees"),
                lv.custom(lv.linked("birthday"), lv.TWIN.format("agrees")),
                # Creditors' files carry typed-in dates one day off.
                lv.custom(
                    'substr("birthday_l", 1, 2) = substr(coalesce("birthday_r", '
                    '"linked_birthday_r"), 1, 2) AND abs(cast(substr("birthday_l", 4, 2) AS '
                    'INTEGER) - cast(substr(coalesce("birthday_r", "linked_birthday_r"), 4, 2) '
                    "AS INTEGER)) = 1",
                    "one day apart",
                ),
                # A typed date's other slips: one digit wrong ('04-29' for '04-24').
                cll.LevenshteinLevel("birthday", 1).configure(label_for_charts="one digit off"),
                cll.ElseLevel().configure(label_for_charts="differs"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="city",
            comparison_levels=[
                lv.null_unless_linked("city", "said_cities", "post_cities"),
                # London says less than Tournefeuille: weighted by the city's frequency.
                lv.custom('"city_l" = "city_r"', "same").configure(
                    tf_adjustment_column="city", tf_adjustment_weight=1.0
                ),
                lv.custom(lv.linked("city"), lv.TWIN.format("same")),
                # 'IUT de Tournefeuille', '📍 Asnières': the debtor's city (or previous
                # address) named in the profile's school or bio, whatever city it states.
                cll.And(
                    lv.given_first('"said_cities_r" IS NOT NULL'),
                    CrossIntersectLevel("places", "said_cities"),
                ).configure(label_for_charts="named in the profile's bio or school"),
                # Creditors' files carry typos the gazetteer cannot resolve ('Lypn').
                cll.JaroWinklerLevel("city", 0.92).configure(label_for_charts="same, misspelt"),
                cll.DistanceInKMLevel("lat", "lon", 15, not_null=True).configure(
                    label_for_charts="within 15 km"
                ),
                lv.custom(
                    '"prev_city_l" = "city_r" OR "city_l" = "prev_city_r"', "previous address"
                ),
                cll.DistanceInKMLevel("lat", "lon", 60, not_null=True).configure(
                    label_for_charts="within 60 km"
                ),
                # "New life in Lyon", "Leaving Leeds for York": a mover's posts name the
                # new city before the profile states it, and a stale stated city is then
                # 'other' for the wrong reason. A holiday post names places too, so this
                # weighs less than a bio.
                cll.And(
                    lv.given_first('"post_cities_r" IS NOT NULL'),
                    CrossIntersectLevel("places_small", "post_cities"),
                ).configure(label_for_charts="named in the profile's posts"),
                # Posts name a large city for many reasons besides living there.
                cll.And(
                    lv.given_first('"post_cities_r" IS NOT NULL'),
                    CrossIntersectLevel("places", "post_cities"),
                ).configure(label_for_charts="named in the profile's posts, a large city"),
                lv.custom(
                    lv.only_said("city", "said_cities"),
                    "not stated; the bio or school names another",
                ),
                lv.custom(
                    lv.unstated("city", "said_cities"), "not stated; its posts name other places"
                ),
                cll.ElseLevel().configure(label_for_charts="other"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="phone",
            comparison_levels=[
                lv.null("phones"),
                cll.ArrayIntersectLevel("phones", 1).configure(label_for_charts="same number"),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="email",
            comparison_levels=[
                lv.custom('"emails_l" IS NULL', "missing").configure(is_null_level=True),
                cll.And(
                    lv.given_first('"emails_r" IS NOT NULL'), cll.ArrayIntersectLevel("emails", 1)
                ).configure(label_for_charts="same address"),
                # 'margaud.buisson@...' on file, 'Margaud Buisson' on the profile, 'Roger' in
                # the debtor's surname: an address made before or after a marriage spells the
                # other name (addresses spelling the debtor's own name are left out in
                # prepare). Only when the surnames differ, or it would repeat the name.
                lv.spelt().configure(
                    label_for_charts="the debtor's address spells the profile's name"
                ),
                # Not a missing value: nearly every profile shows no address, and how often a
                # true match's address spells its name must be weighed against all of them.
                lv.custom('"emails_r" IS NULL', "the profile shows no address"),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="employer",
            comparison_levels=[
                lv.null_unless_linked("employer", "said_employer"),
                lv.custom('"employer_l" = "employer_r"', "same").configure(
                    tf_adjustment_column="employer", tf_adjustment_weight=1.0
                ),
                lv.custom(lv.linked("employer"), lv.TWIN.format("same")),
                lv.custom('"employer_l" = "said_employer_r"', "named in the profile's bio"),
                cll.JaroWinklerLevel("employer", 0.88).configure(label_for_charts="similar"),
                lv.custom(
                    lv.only_said("employer", "said_employer"), "not stated; the bio names another"
                ),
                cll.ElseLevel().configure(label_for_charts="different"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="photo",
            comparison_levels=[
                lv.custom('"twin_debtors_r" IS NULL', "missing").configure(is_null_level=True),
                # Filled by the second pass of scoring.score: another network's profile with
                # this picture matched the debtor at TWIN_SURE or more. Fixed, not trained:
                # about half of a person's profiles have such a twin (m), while a stranger's
                # profile shares a picture with a confident match about once in a thousand
                # times (u: the match's own error times copied or stock pictures).
                lv.custom(
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
                # profile whose stated city (its twin's, its bio's, its posts') already
                # agrees: friends live where their friend lives, so in the same city they
                # would count the same evidence twice and make namesakes next door look
                # certain.
                cll.Or(
                    lv.custom(
                        '"friends_any_r" IS NULL OR "places_l" IS NULL OR "city_l" = "city_r" '
                        'OR ("city_r" IS NULL AND "city_l" = "linked_city_r") '
                        'OR "prev_city_l" = "city_r"',
                        "the stated city already agrees",
                    ),
                    CrossIntersectLevel("places", "said_cities"),
                    CrossIntersectLevel("places", "post_cities"),
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
                CrossIntersectLevel("places_small", "friends_many").configure(
                    label_for_charts="many of them live in the debtor's city"
                ),
                CrossIntersectLevel("places_small", "friends_some").configure(
                    label_for_charts="several live in the debtor's city"
                ),
                # A namesake in Madrid has friends in Madrid too: a large city's friends
                # say less than a town's.
                CrossIntersectLevel("places", "friends_many").configure(
                    label_for_charts="many of them live in the debtor's city, a large one"
                ),
                CrossIntersectLevel("places", "friends_some").configure(
                    label_for_charts="several live in the debtor's city, a large one"
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
                lv.custom('"friends_n_r" >= 8', "many located, all elsewhere"),
                cll.ElseLevel().configure(label_for_charts="the few located live elsewhere"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="birth_year",
            comparison_levels=[
                lv.custom(
                    '"year4_l" IS NULL OR ("year4_r" IS NULL AND "year2_r" IS NULL)', "missing"
                ).configure(is_null_level=True),
                # 'mgautier1952': people write their birth year in their usernames.
                lv.custom('"year4_l" = "year4_r"', "the handle holds the birth year"),
                lv.custom(
                    '"year2_l" = "year2_r"', "the handle holds the birth year's last two digits"
                ),
                lv.custom('"year4_r" IS NOT NULL', "the handle holds another year"),
                cll.ElseLevel().configure(label_for_charts="the handle's number is another"),
            ],
        ),
        cl.CustomComparison(
            output_column_name="handle",
            comparison_levels=[
                lv.null("handle_keys"),
                # A handle spelling the name the profile already displays says nothing the
                # name comparisons have not said: counting it again would make namesakes
                # look certain ('smithj' of Jane Smith 'spells' John Smith too), or punish
                # twice a maiden name the surname comparison already weighed. Fixed at x1.
                lv.custom(
                    lv.HANDLE_REPEATS,
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
                        lv.custom('"family_first_r" IS NULL', "surname shown only as an initial"),
                        cll.JaroWinklerLevel("family_first", 0.9),
                    ),
                ).configure(label_for_charts="spells the name the profile shows only in part"),
                cll.ArrayIntersectLevel("handle_keys", 1).configure(
                    label_for_charts="spells the name"
                ),
                # Jaro–Winkler rewards a shared start: 'alexandrieblin' is 'close' to
                # 'alexandrielanglois'. A handle close to the name must also hold the
                # start of the debtor's surname, or it is only a given name in common.
                # A profile showing its surname as an initial ('Laetitia M.') spells it in
                # full in its handle ('laetitiamaillot'): close to Laetitia Maillard is then
                # another surname, not the debtor's.
                cll.And(
                    # The cheap test first: the pairwise distances are skipped where it fails.
                    lv.custom(
                        f'"family_first_r" IS NOT NULL AND {lv.HANDLE_HAS_SURNAME_START}',
                        "has the surname's start",
                    ),
                    cll.PairwiseStringDistanceFunctionLevel("handle_keys", "jaro_winkler", 0.9),
                ).configure(label_for_charts="close to the name"),
                lv.custom(
                    lv.HANDLE_HAS_SURNAME,
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
        n = len([lev for lev in comp["comparison_levels"] if not lev.get("is_null_level")])
        for lev in comp["comparison_levels"]:
            if lev.get("is_null_level"):
                levels[-1] = lev.get("label_for_charts") or "missing"
            else:
                n -= 1
                levels[n] = lev.get("label_for_charts") or lev["sql_condition"]
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
