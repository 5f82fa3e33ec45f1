"""Data the linkage was not built on (bench/tracing_outside.py): display names of one word,
given and family names swapped or mistyped, birthdays missing or mistyped, towns no
gazetteer knows. Blocking must still propose the pair, and the comparisons must read it
as what it is."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from concilia.tracing import explain, linkage, places, prepare, runner, scoring
from concilia.tracing import service as tracing_service
from concilia.tracing import settings as st
from concilia.tracing.models import MatchCandidate

from .conftest import Scored


def _debtor(ref: str, given: str | None, family: str | None, **more: Any) -> dict[str, Any]:
    return {"debtor_id": ref, "given_names": given, "family_names": family, **more}


def _profile(pid: str, name: str, **more: Any) -> dict[str, Any]:
    return {"profile_id": pid, "network": "social", "display_name": name, **more}


def _blocked(debtors: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> set[tuple[str, str]]:
    d = prepare.prepare_debtors(pd.DataFrame(debtors))
    p = prepare.prepare_profiles(pd.DataFrame(profiles))
    blocker = linkage.Blocker(p, linkage.LinkageOptions())
    try:
        pairs = blocker.pairs(d)
    finally:
        blocker.close()
    return set(zip(pairs["debtor_id"], pairs["profile_id"], strict=True))


# Profiles that share nothing with the debtors, so that no key is empty of strangers.
_OTHERS = [
    _profile("x1", "Paul Durand", city="Lyon", country="FR", birthday="02-14"),
    _profile("x2", "Ines Ruiz", city="Sevilla", country="ES", birthday="11-30"),
]


def test_a_display_name_of_one_word_meets_the_debtor_of_that_surname() -> None:
    debtors = [_debtor("D1", "Kyra", "Webb", date_of_birth="1947-04-29", city="Freemans Reach")]
    profiles = [_profile("P1", "webb", birthday="04-29", city="Freemans Reach"), *_OTHERS]
    assert ("D1", "P1") in _blocked(debtors, profiles)


def test_a_debtor_without_given_name_meets_a_profile_showing_the_surname_alone() -> None:
    debtors = [_debtor("D1", None, "Collinson", date_of_birth="1984-08-07", city="Illabo")]
    profiles = [_profile("P1", "Collinson", birthday="08-07"), *_OTHERS]
    assert ("D1", "P1") in _blocked(debtors, profiles)


def test_both_names_mistyped_still_meet_on_the_birthday_and_initials() -> None:
    debtors = [_debtor("D1", "Eliza", "Keany", date_of_birth="1928-08-02")]
    profiles = [_profile("P1", "Eriaz Keacny", birthday="08-02"), *_OTHERS]
    assert ("D1", "P1") in _blocked(debtors, profiles)


def test_a_replaced_given_name_and_a_mistyped_surname_meet_on_the_town() -> None:
    # No birthday on either side, a given name that is another's, a slip in the surname's
    # end (its sound changes), and a town no gazetteer holds.
    debtors = [_debtor("D1", "Monique", "Millar", city="Westmead", country="AU")]
    profiles = [_profile("P1", "Elle Millpar", city="Westmead", country="AU"), *_OTHERS]
    assert ("D1", "P1") in _blocked(debtors, profiles)


def test_swapped_and_mistyped_names_meet_on_the_birthday_and_town() -> None:
    debtors = [_debtor("D1", "Joshua", "Campbell", date_of_birth="1967-02-27", city="Harbord")]
    profiles = [_profile("P1", "Campblel Joshua", birthday="02-27", city="Harbord"), *_OTHERS]
    assert ("D1", "P1") in _blocked(debtors, profiles)


def test_strangers_with_the_same_birthday_and_other_initials_are_not_proposed() -> None:
    debtors = [_debtor("D1", "Eliza", "Keany", date_of_birth="1928-08-02", city="Longreach")]
    profiles = [_profile("P1", "Tom Brown", birthday="08-02", city="Perth"), *_OTHERS]
    assert ("D1", "P1") not in _blocked(debtors, profiles)


def test_a_town_of_a_country_the_gazetteer_lacks_is_kept_as_text() -> None:
    # 'Brighton' exists in Britain; an Australian suburb of that name is not that city,
    # and must not borrow its coordinates (nor its neighbours within 15 km).
    assert places.geocode("Brighton", "AU") == ("brighton", None, None)
    assert places.geocode("Brighton", "GB")[1] is not None


# --- the comparisons, with the small world's trained model ---------------------------------


def _levels_of(
    scored_world: Scored, debtor: dict[str, Any], profile: dict[str, Any]
) -> dict[str, str]:
    """Each comparison's level label for one hand-made pair ('missing' when null)."""
    d = prepare.prepare_debtors(pd.DataFrame([debtor]))
    p = prepare.prepare_profiles(pd.DataFrame([profile]))
    pairs = pd.DataFrame(
        {"debtor_id": [debtor["debtor_id"]], "profile_id": [profile["profile_id"]]}
    )
    row = scoring.score(d, p, pairs, scored_world.model, keep_below=0.0).iloc[0]
    labels = st.level_labels(scored_world.model)
    return {
        c: labels[c][int(row[f"gamma_{c}"])]
        for c in ("given_name", "family_name", "birthday", "city")
    }


def test_one_word_that_is_the_surname_weighs_as_the_surname(scored_world: Scored) -> None:
    got = _levels_of(
        scored_world,
        _debtor("D1", "Kyra", "Webb", date_of_birth="1947-04-29"),
        _profile("P1", "Webb", birthday="04-29"),
    )
    assert got["given_name"] == "missing"
    assert got["family_name"] == "same"
    assert got["birthday"] == "agrees"


def test_one_word_that_is_the_given_name_leaves_the_surname_unknown(scored_world: Scored) -> None:
    got = _levels_of(
        scored_world, _debtor("D1", "Kyra", "Webb"), _profile("P1", "Kyra", city="Lyon")
    )
    assert got["given_name"] == "same"
    assert got["family_name"] == "missing"
    assert got["birthday"] == "missing"


def test_one_word_that_is_neither_name_counts_against(scored_world: Scored) -> None:
    got = _levels_of(scored_world, _debtor("D1", "Kyra", "Webb"), _profile("P1", "Durand"))
    assert got["given_name"] == "different"
    assert got["family_name"] == "missing"


def test_swapped_names_with_a_slip(scored_world: Scored) -> None:
    got = _levels_of(
        scored_world, _debtor("D1", "Joshua", "Campbell"), _profile("P1", "Campblel Joshua")
    )
    assert got["given_name"] == "swapped"
    assert got["family_name"] == "swapped, with a slip"


@pytest.mark.parametrize(
    ("given", "family", "shown"),
    [
        # Her surname is the first half of the double surname in the given name's place.
        ("María", "García", "García-López María"),
        # The second half.
        ("María", "López", "García-López María"),
        # Two double surnames with the first in common.
        ("Jerry", "Rodriguez-Robinson", "Rodriguez-Smith Jerry"),
    ],
)
def test_one_half_of_a_swapped_double_surname_is_a_surname_in_part(
    scored_world: Scored, given: str, family: str, shown: str
) -> None:
    # Jaro–Winkler rewards the shared start: this was read as 'swapped, with a slip'.
    got = _levels_of(scored_world, _debtor("D1", given, family), _profile("P1", shown))
    assert got["given_name"] == "swapped"
    assert got["family_name"] == "swapped, one surname of two in common"


def test_a_swapped_double_surname_in_part_is_explained_with_the_word_it_read(
    scored_world: Scored,
) -> None:
    d = prepare.prepare_debtors(pd.DataFrame([_debtor("D1", "María", "García")]))
    p = prepare.prepare_profiles(pd.DataFrame([_profile("P1", "García-López María")]))
    pairs = pd.DataFrame({"debtor_id": ["D1"], "profile_id": ["P1"]})
    row = scoring.score(d, p, pairs, scored_world.model, keep_below=0.0).iloc[0].to_dict()
    text = {line["field"]: line["text"] for line in explain.lines(row, scored_world.model)}
    # The surname is quoted against the word that holds it, not against the given name.
    assert text["family_name"].startswith(
        "surname Garcia vs Garcia-Lopez swapped, one surname of two in common: "
    )
    assert text["given_name"].startswith("given name Maria swapped: ")
    # A rare level keeps a trained u (borrowed from the level it was carved out of), never
    # Splink's default, which depends on nothing but the level's rank.
    level = next(
        lv
        for comp in scored_world.model["comparisons"]
        if comp["output_column_name"] == "family_name"
        for lv in comp["comparison_levels"]
        if lv.get("label_for_charts") == "swapped, one surname of two in common"
    )
    assert isinstance(level.get("u_probability"), float)


def test_a_word_beginning_with_the_surname_but_no_double_surname_is_a_slip(
    scored_world: Scored,
) -> None:
    # 'Garcias' is not 'Garcia' and another surname: one letter more, as typed.
    got = _levels_of(
        scored_world, _debtor("D1", "María", "García"), _profile("P1", "Garcias María")
    )
    assert got["family_name"] == "swapped, with a slip"


@pytest.mark.parametrize(
    ("given", "family", "shown", "field", "level"),
    [
        ("Ben", "Browne", "Bne Browne", "given_name", "one letter off"),
        ("Riley", "Frew", "Riley Freq", "family_name", "one letter off"),
    ],
)
def test_one_slip_in_a_short_name(
    scored_world: Scored, given: str, family: str, shown: str, field: str, level: str
) -> None:
    got = _levels_of(scored_world, _debtor("D1", given, family), _profile("P1", shown))
    assert got[field] == level


def test_a_birthday_one_digit_off_is_not_a_different_birthday(scored_world: Scored) -> None:
    got = _levels_of(
        scored_world,
        _debtor("D1", "Jake", "Grosser", date_of_birth="1967-02-27"),
        _profile("P1", "Jake Grosser", birthday="07-27"),
    )
    assert got["birthday"] == "one digit off"


def test_unknown_towns_compare_as_text(scored_world: Scored) -> None:
    same = _levels_of(
        scored_world,
        _debtor("D1", "April", "Herbert", city="Wisemans Ferry", country="AU"),
        _profile("P1", "April Herbert", city="wisemans ferry", country="AU"),
    )
    slip = _levels_of(
        scored_world,
        _debtor("D1", "April", "Herbert", city="Wisemans Ferry", country="AU"),
        _profile("P1", "April Herbert", city="Wisemans Fery", country="AU"),
    )
    other = _levels_of(
        scored_world,
        _debtor("D1", "April", "Herbert", city="Wisemans Ferry", country="AU"),
        _profile("P1", "April Herbert", city="Kununurra", country="AU"),
    )
    assert (same["city"], slip["city"], other["city"]) == ("same", "same, misspelt", "other")


# --- training on the data in hand -------------------------------------------------------------


def _frames(rows: list[tuple[str, str, str, str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(given, family, town, debtor's date of birth, profile's birthday) per true pair."""
    debtors = prepare.prepare_debtors(
        pd.DataFrame(
            [
                _debtor(f"D{i}", g, f, city=c, date_of_birth=dob)
                for i, (g, f, c, dob, _) in enumerate(rows)
            ]
        )
    )
    profiles = prepare.prepare_profiles(
        pd.DataFrame(
            [
                _profile(f"P{i}", f"{g} {f}", city=c, birthday=bd)
                for i, (g, f, c, _, bd) in enumerate(rows)
            ]
        )
    )
    return debtors, profiles


def test_the_birthday_typo_rate_is_read_from_the_data() -> None:
    names = [f"name{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(200)]
    # One in five unique-name pairs shows another birthday: far from the 1 % assumed.
    rows = [
        (n, f"fam{n}", "Westmead", "1950-04-29", "04-29" if i % 5 else "11-03")
        for i, n in enumerate(names)
    ]
    debtors, profiles = _frames(rows)
    pairs = pd.DataFrame({"debtor_id": debtors.unique_id, "profile_id": profiles.unique_id})
    options = linkage.LinkageOptions()
    rate = linkage.birthday_typo_rate(debtors, profiles, pairs, options)
    # 40 of 200, shrunk toward 1 % by 50 pairs' worth: (40 + 0.5) / 250.
    assert rate == pytest.approx(40.5 / 250)
    # No sure pair at all: the assumption stands.
    none = pairs.iloc[:0]
    assert linkage.birthday_typo_rate(debtors, profiles, none, options) == pytest.approx(0.01)


def test_the_likely_pair_rule_recall_follows_the_trained_model() -> None:
    def model(given_same: float, family_same: float) -> dict[str, Any]:
        def comp(name: str, m: float) -> dict[str, Any]:
            return {
                "output_column_name": name,
                "comparison_levels": [
                    {"label_for_charts": "same", "m_probability": m},
                    {"label_for_charts": "different", "m_probability": 1 - m},
                ],
            }

        return {"comparisons": [comp("given_name", given_same), comp("family_name", family_same)]}

    both = pd.DataFrame({"given_key": ["a", "b"], "family_first": ["c", "d"]})
    half = pd.DataFrame({"given_key": ["a", None], "family_first": ["c", "d"]})
    assert linkage.rule_recall(model(0.9, 0.8), both, both) == pytest.approx(0.72)
    # Half the profiles show no given name: the rule finds half as many.
    assert linkage.rule_recall(model(0.9, 0.8), both, half) == pytest.approx(0.36)


# --- a run, stored ------------------------------------------------------------------------------


def test_a_run_stores_the_pair_of_a_one_word_profile_in_an_unknown_town(
    session_factory: sessionmaker[Session], scored_world: Scored
) -> None:
    debtors = pd.DataFrame(
        [
            _debtor("D1", "Kyra", "Webb", date_of_birth="1947-04-29", city="Freemans Reach"),
            _debtor("D2", "Paul", "Durand", date_of_birth="1970-02-14", city="Lyon"),
        ]
    ).assign(country=["AU", "FR"])
    # Enough strangers that 'webb' is a rare surname among the profiles, as it is.
    strangers = [
        _profile(f"S{i}", f"Ines Ruiz{chr(97 + i % 26)}{chr(97 + i // 26)}", city="Sevilla")
        for i in range(200)
    ]
    profiles = pd.DataFrame(
        [_profile("P1", "Webb", birthday="04-29", city="Freemans Reach", country="AU"), *strangers]
    )
    config = runner.RunConfig(portfolio="outside", actor="test", model=scored_world.model)
    runner.run(
        session_factory=session_factory, debtors_raw=debtors, profiles_raw=profiles, config=config
    )
    with session_factory() as s:
        stored = s.scalars(select(MatchCandidate).where(MatchCandidate.portfolio == "outside"))
        by_pair = {(c.debtor_key, c.profile_key): c for c in stored}
        assert set(by_pair) == {("D1", "P1")}
        lines = tracing_service.explanation(db_session=s, candidate=by_pair[("D1", "P1")])
    # The one word is read as the surname: no given name shown (no weight either way),
    # the surname agrees and counts for the match.
    weight = {line["field"]: line["weight"] for line in lines}
    assert weight["given_name"] == 0.0
    assert weight["family_name"] > 3
    assert by_pair[("D1", "P1")].probability > 0.5
