"""The new evidence end to end: birth years in handles, names spelt by e-mail addresses,
places named in bios and schools, public friends' cities, the blocking keys that let such
pairs meet, the friend-edges file, and explanations of old (version 1) runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from concilia.errors import InvalidInput
from concilia.tracing import explain, inputs, keys, linkage, places, prepare, scoring, values
from concilia.tracing import normalize as nz
from concilia.tracing import settings as st
from concilia.tracing.cli import app as trace_app

from .conftest import Scored

# --- prepare: birth years, e-mail names, the debtor's places ---------------------------------


@pytest.mark.parametrize(
    ("handle", "years"),
    [
        # A four-digit year is not also read as a two-digit number; the last one counts.
        ("mgautier1952", ("1952", None)),
        ("marie.gautier.52", (None, "52")),
        ("mg1952_52", ("1952", None)),
        ("jean_75_2001", ("2001", None)),
        ("jean_75_12", (None, "12")),
        # Not a year: out of range, or part of a longer number.
        ("mgautier2031", (None, None)),
        ("mgautier19525", (None, None)),
        ("m.gautier.5", (None, None)),
        ("mgautier", (None, None)),
        (None, (None, None)),
    ],
)
def test_handle_years(handle: str | None, years: tuple[str | None, str | None]) -> None:
    assert values.handle_years(handle) == years


def _debtors(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return prepare.prepare_debtors(pd.DataFrame(rows)).set_index("unique_id", drop=False)


def _profiles(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return prepare.prepare_profiles(pd.DataFrame(rows)).set_index("unique_id", drop=False)


MARGAUD = {
    "debtor_id": "D1",
    "given_names": "Margaud",
    "family_names": "Roger",  # her married name
    "date_of_birth": "1985-06-02",
    "city": "Lyon",
    "country": "FR",
    "previous_city": "Asnières-sur-Seine",
    "emails": "margaud.buisson85@yahoo.fr|mr@x.fr",
    "employer": "Acme SAS",
}


def test_debtor_years_other_surnames_and_places() -> None:
    d = _debtors([MARGAUD, {"debtor_id": "D2", "given_names": "Ana", "family_names": "Ruiz"}])
    one, two = d.loc["D1"], d.loc["D2"]
    assert (one.year4, one.year2) == ("1985", "85")
    # 'margaud.buisson85' is her given name and another surname; 'mr' is too short.
    assert one.mail_surnames == ["buisson"]
    # A debtor's places are their own city and previous city, with their grid cells; the
    # profile-side place columns stay empty (each pair would otherwise carry copies).
    assert one.city == "lyon" and one.prev_city == "asnieres sur seine"
    assert one.places == ["lyon", "asnieres sur seine"]
    _, lat1, lon1 = places.geocode("Lyon", "FR")
    _, lat2, lon2 = places.geocode("Asnières-sur-Seine", "FR")
    assert lat1 is not None and lon1 is not None and lat2 is not None and lon2 is not None
    assert one.cells == [places.cell(lat1, lon1), places.cell(lat2, lon2)]
    for col in ("said_cities", "friends_many", "friends_near", "said_employer", "friends_summary"):
        assert one[col] is None, col
    # Nothing known: nothing filled in.
    for col in ("year4", "year2", "mail_surnames", "places", "cells"):
        assert two[col] is None, col


def test_debtor_without_previous_city_has_one_place() -> None:
    d = _debtors([{**MARGAUD, "previous_city": None}]).loc["D1"]
    assert d.places == ["lyon"]
    assert d.prev_city is None
    assert len(d.cells) == 1


def test_profile_columns_from_handle_bio_school_and_friends() -> None:
    p = _profiles(
        [
            {
                "profile_id": "p1",
                "network": "social",
                "display_name": "Margaud Buisson",
                "handle": "mbuisson1985",
                "bio": "📍 Lyon · Comptable chez Acme SAS",
                "school": "IUT de Tournefeuille",
                "country": "FR",
                "friend_places": "5|villeurbanne/FR=3|paris/FR=2",
            },
            {"profile_id": "p2", "network": "pro", "display_name": "DUPONT Jean"},
        ]
    )
    one, two = p.loc["p1"], p.loc["p2"]
    assert (one.year4, one.year2) == ("1985", None)
    assert one.handle == "mbuisson"
    # The other surnames a debtor's addresses spell meet the profile's own surname tokens;
    # the profile carries no copy of them.
    assert one.mail_surnames is None and list(one.family_tokens) == ["buisson"]
    assert list(two.family_tokens) == ["dupont"]
    assert one.said_cities == ["lyon", "tournefeuille"]
    assert one.said_employer == "acme"
    assert one.friends_summary == "5|villeurbanne/FR=3|paris/FR=2"
    assert one.friends_many == ["villeurbanne", "paris"]
    assert one.friends_some == ["villeurbanne", "paris"]
    assert one.friends_any == ["villeurbanne", "paris"]
    assert one.friends_near == places.friend_columns(one.friends_summary)[3]
    assert one.places is None and one.cells is None
    assert one.city is None  # stated nowhere: the bio's city is not the stated city
    for col in ("said_cities", "said_employer", "friends_any", "friends_summary", "year4"):
        assert two[col] is None, col


def test_profile_surname_matches_a_debtor_address() -> None:
    d = _debtors([MARGAUD]).loc["D1"]
    p = _profiles([{"profile_id": "p", "display_name": "Margaud Buisson"}]).loc["p"]
    assert set(d.mail_surnames) & set(p.family_tokens) == {"buisson"}


# --- blocking keys ---------------------------------------------------------------------------


def test_block_keys_of_the_new_kinds() -> None:
    out = keys.block_keys(
        ["RJR"],
        ["margaud"],
        None,
        "lyon",
        None,
        None,
        None,
        employer="acme",
        more_cities=["asnieres sur seine", "lyon"],
        other_surnames=["buisson"],
    )
    assert "w:margaud|acme" in out
    # Another surname an address spells meets the profiles' own given name + surname keys.
    assert f"f:margaud|{nz.phonetic('buisson')}" in out
    # The stated city once, and each other city tied to the record.
    assert [k for k in out if k.startswith("g:")] == [
        "g:margaud|lyon",
        "g:margaud|asnieres sur seine",
    ]
    bare = keys.block_keys(["RJR"], ["margaud"], None, "", None, None, None)
    assert not any(k[:2] in ("w:", "g:") for k in bare)


def test_prepared_records_carry_the_new_keys() -> None:
    d = _debtors([MARGAUD]).loc["D1"]
    assert {
        "w:margaud|acme",
        f"f:margaud|{nz.phonetic('buisson')}",
        "g:margaud|asnieres sur seine",
    } <= set(d.block_keys)
    p = _profiles(
        [
            {
                "profile_id": "p",
                "display_name": "Margaud Buisson",
                "country": "FR",
                "bio": "📍 Tournefeuille",
                "friend_places": "6|nantes/FR=4|paris/FR=2",
            }
        ]
    ).loc["p"]
    # A hidden city: the bio's city and the city many friends live in still block.
    assert {"g:margaud|tournefeuille", "g:margaud|nantes", "g:margaud|paris"} <= set(p.block_keys)


def _blocked(debtors: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> dict[str, str]:
    """profile_id -> kinds of key shared with the (only) debtor."""
    d, p = _debtors(debtors), _profiles(profiles)
    blocker = linkage.Blocker(p.reset_index(drop=True), linkage.LinkageOptions())
    try:
        pairs = blocker.pairs(d.reset_index(drop=True))
    finally:
        blocker.close()
    return dict(zip(pairs.profile_id, pairs.rules, strict=True))


def test_a_married_name_meets_its_profile_on_given_name_and_employer() -> None:
    debtor = {**MARGAUD, "emails": None, "previous_city": None}
    found = _blocked(
        [debtor],
        [
            # Her maiden name, no city: only the given name and the employer are shared.
            {"profile_id": "same-job", "display_name": "Margaud Buisson", "employer": "ACME"},
            {"profile_id": "other-job", "display_name": "Margaud Buisson", "employer": "Globex"},
        ],
    )
    assert found == {"same-job": "w"}


def test_a_maiden_name_in_the_address_meets_its_profile() -> None:
    debtor = {**MARGAUD, "employer": None, "previous_city": None}
    found = _blocked(
        [debtor],
        [
            {"profile_id": "maiden", "display_name": "Margaud Buisson"},
            {"profile_id": "other", "display_name": "Margaud Lambert"},
        ],
    )
    assert found == {"maiden": "f"}


def test_a_previous_city_and_a_bio_city_meet_on_given_name() -> None:
    debtor = {**MARGAUD, "emails": None, "employer": None}
    found = _blocked(
        [debtor],
        [
            {"profile_id": "old-town", "display_name": "Margaud Buisson", "city": "Asnières"},
            {"profile_id": "pin", "display_name": "Margaud Buisson", "bio": "📍 Lyon"},
            {"profile_id": "nowhere", "display_name": "Margaud Buisson", "city": "Brest"},
        ],
    )
    assert found == {"old-town": "g", "pin": "g"}


# --- linkage with the trained model -----------------------------------------------------------


def _score(model: dict[str, Any], debtor: dict[str, Any], profiles: list[dict[str, Any]]) -> Any:
    """Every profile scored against the debtor; rows by profile id."""
    d = prepare.prepare_debtors(pd.DataFrame([debtor]))
    p = prepare.prepare_profiles(pd.DataFrame(profiles))
    pairs = pd.DataFrame({"debtor_id": str(debtor["debtor_id"]), "profile_id": p["unique_id"]})
    out = scoring.resolve_competition(scoring.score(d, p, pairs, model, keep_below=0.0))
    assert len(out) == len(profiles)
    return out.set_index("profile_id", drop=False)


def _label(model: dict[str, Any], comp: str, gamma: Any) -> str:
    return st.level_labels(model)[comp][int(gamma)]


def _gamma(model: dict[str, Any], comp: str, label: str) -> int:
    found = [g for g, text in st.level_labels(model)[comp].items() if text == label]
    assert len(found) == 1, (comp, label)
    return found[0]


DEBTOR = {k: v for k, v in MARGAUD.items() if k not in ("emails", "employer")}
# Same name everywhere: only the friends differ.
PROFILE = {"network": "social", "display_name": "Margaud Roger", "country": "FR"}
FRIEND_PROFILES = [
    {**PROFILE, "profile_id": "friends-here", "friend_places": "12|lyon/FR=8|paris/FR=4"},
    # Far from both her cities (Paris would be next to her previous one).
    {**PROFILE, "profile_id": "friends-away", "friend_places": "12|marseille/FR=8|nantes/FR=4"},
    # The stated city agrees: the friends would say it twice.
    {
        **PROFILE,
        "profile_id": "states-lyon",
        "city": "Lyon",
        "friend_places": "12|lyon/FR=8|paris/FR=4",
    },
    # The bio names the debtor's city: likewise.
    {
        **PROFILE,
        "profile_id": "pins-lyon",
        "bio": "📍 Lyon",
        "friend_places": "12|lyon/FR=8|paris/FR=4",
    },
    # A stale stated city: the friends still say where she lives.
    {
        **PROFILE,
        "profile_id": "stale-city",
        "city": "Marseille",
        "friend_places": "12|lyon/FR=8|paris/FR=4",
    },
    {
        **PROFILE,
        "profile_id": "old-friends",
        "friend_places": "10|asnieres sur seine/FR=6|paris/FR=4",
    },
    {**PROFILE, "profile_id": "several", "friend_places": "10|lyon/FR=2|marseille/FR=8"},
    {**PROFILE, "profile_id": "around", "friend_places": "10|villeurbanne/FR=6|marseille/FR=4"},
    {**PROFILE, "profile_id": "one-friend", "friend_places": "10|lyon/FR=1|marseille/FR=9"},
    # One friend in the next town, the rest far away (Villeurbanne touches Lyon).
    {
        **PROFILE,
        "profile_id": "one-around",
        "friend_places": "10|villeurbanne/FR=1|marseille/FR=9",
    },
    {**PROFILE, "profile_id": "too-few", "friend_places": "2|lyon/FR=2"},
    {**PROFILE, "profile_id": "no-friends"},
]
NOT_COUNTED = (
    "not counted: the stated city already places the profile, or too few friends are located"
)


@pytest.fixture(scope="module")
def friends_scored(scored_world: Scored) -> Any:
    return _score(scored_world.model, DEBTOR, FRIEND_PROFILES)


def test_friends_in_the_debtor_city_raise_the_weight(
    scored_world: Scored, friends_scored: Any
) -> None:
    model = scored_world.model
    here, away = friends_scored.loc["friends-here"], friends_scored.loc["friends-away"]
    assert _label(model, "friends", here.gamma_friends) == "many of them live in the debtor's city"
    assert _label(model, "friends", away.gamma_friends).endswith("elsewhere")
    assert here.match_weight > away.match_weight
    # Nothing else differs between the two.
    assert here.match_weight - away.match_weight == pytest.approx(
        here.mw_friends - away.mw_friends, abs=1e-9
    )
    assert here.mw_friends > 0 > away.mw_friends


@pytest.mark.parametrize(
    ("profile_id", "label"),
    [
        ("states-lyon", NOT_COUNTED),
        ("pins-lyon", NOT_COUNTED),
        ("too-few", NOT_COUNTED),
        ("no-friends", NOT_COUNTED),
        ("stale-city", "many of them live in the debtor's city"),
        ("old-friends", "many of them live in the debtor's city"),  # her previous city
        ("several", "several live in the debtor's city"),
        ("around", "many live around the debtor's city"),
        ("one-friend", "one lives in the debtor's city"),
        ("one-around", "one lives around the debtor's city"),
    ],
)
def test_friends_levels(
    scored_world: Scored, friends_scored: Any, profile_id: str, label: str
) -> None:
    row = friends_scored.loc[profile_id]
    assert _label(scored_world.model, "friends", row.gamma_friends) == label
    if label == NOT_COUNTED:
        assert int(row.gamma_friends) == -1
        assert row.mw_friends == 0.0


def test_a_handle_spelling_another_surname_is_not_close_to_the_debtors(
    scored_world: Scored,
) -> None:
    """'Laetitia M.' spells her surname in her handle: 'laetitiamaillot' is Maillot, not
    Laetitia Maillard, however alike the two strings look; shown with a surname, a handle
    a letter off the debtor's name is still close."""
    model = scored_world.model
    debtor = {"debtor_id": "D-handle", "given_names": "Laetitia", "family_names": "Maillard"}
    base = {"network": "photo", "country": "FR"}
    out = _score(
        model,
        debtor,
        [
            {**base, "profile_id": "initial", "display_name": "Laetitia M.",
             "handle": "laetitiamaillot"},
            {**base, "profile_id": "shown", "display_name": "Laetitia Mailard",
             "handle": "laetitia.maillar"},
        ],
    )  # fmt: skip
    assert _label(model, "handle", out.loc["initial"].gamma_handle) == "unrelated"
    assert _label(model, "handle", out.loc["shown"].gamma_handle) == "close to the name"


def test_friends_in_a_large_city_say_less_than_in_a_town(scored_world: Scored) -> None:
    """A namesake in Paris has friends in Paris too; in Tournefeuille, far fewer people do."""
    model = scored_world.model
    debtor = {**DEBTOR, "city": "Paris", "previous_city": "Tournefeuille"}
    out = _score(
        model,
        debtor,
        [
            {**PROFILE, "profile_id": "paris", "friend_places": "12|paris/FR=8|lyon/FR=4"},
            {**PROFILE, "profile_id": "town", "friend_places": "12|tournefeuille/FR=8|lyon/FR=4"},
            {**PROFILE, "profile_id": "paris-some", "friend_places": "10|paris/FR=2|lyon/FR=8"},
        ],
    )
    large, town = out.loc["paris"], out.loc["town"]
    assert _label(model, "friends", large.gamma_friends) == (
        "many of them live in the debtor's city, a large one"
    )
    assert _label(model, "friends", town.gamma_friends) == "many of them live in the debtor's city"
    assert _label(model, "friends", out.loc["paris-some"].gamma_friends) == (
        "several live in the debtor's city, a large one"
    )
    assert town.mw_friends > large.mw_friends > 0


def test_a_stated_city_that_agrees_is_counted_once(
    scored_world: Scored, friends_scored: Any
) -> None:
    states = friends_scored.loc["states-lyon"]
    assert _label(scored_world.model, "city", states.gamma_city) == "same"
    assert int(states.gamma_friends) == -1


def test_friends_explanation_quotes_counts_and_adds_up(
    scored_world: Scored, friends_scored: Any
) -> None:
    model = scored_world.model
    for pid, quoted in (
        ("friends-here", "8 of 12 located in Lyon"),
        ("old-friends", "6 of 10 located in Asnieres Sur Seine"),
        ("friends-away", "12 located"),
    ):
        row = friends_scored.loc[pid].to_dict()
        lines = explain.lines(row, model)
        friends = [ln for ln in lines if ln["field"] == "friends"]
        assert len(friends) == 1
        assert friends[0]["text"].startswith(f"public friends {quoted}, ")
        assert friends[0]["weight"] == pytest.approx(row["mw_friends"])
        fields = [ln for ln in lines if ln["field"] != "competition"]
        assert explain.total(fields) == pytest.approx(row["match_weight"], abs=1e-6)
        assert explain.total(lines) == pytest.approx(row["final_weight"], abs=1e-6)
    # Only counts are quoted: no '8 of 12' for friends elsewhere.
    away = explain.lines(friends_scored.loc["friends-away"].to_dict(), model)
    assert " of " not in next(ln["text"] for ln in away if ln["field"] == "friends")


def test_spanish_second_surname_that_differs(scored_world: Scored) -> None:
    model = scored_world.model
    debtor = {
        "debtor_id": "D9",
        "given_names": "Belén",
        "family_names": "Valenzuela Cobo",
        "date_of_birth": "1990-02-11",
        "city": "Sevilla",
        "country": "ES",
    }
    base = {"network": "social", "country": "ES"}
    out = _score(
        model,
        debtor,
        [
            {**base, "profile_id": "both", "display_name": "Belén Valenzuela Casal"},
            {**base, "profile_id": "first", "display_name": "Belén Valenzuela"},
            {**base, "profile_id": "same", "display_name": "Belén Valenzuela Cobo"},
        ],
    )
    differs = _gamma(model, "family_name", "one surname in common, the other differs")
    in_common = _gamma(model, "family_name", "one surname in common")
    assert int(out.loc["both"].gamma_family_name) == differs
    assert int(out.loc["first"].gamma_family_name) == in_common
    assert _label(model, "family_name", out.loc["same"].gamma_family_name) == "same"
    # A second surname that disagrees says less than one not shown.
    assert out.loc["both"].mw_family_name < out.loc["first"].mw_family_name


# Regression: a Spanish compound given name shown in full ('María José García') is parsed
# as given name 'maria' + surnames 'jose garcia'; the debtor's own second given name used to
# count as a second surname disagreeing with 'López', so the profile showing her full given
# name scored lower than 'María García'.
def test_a_compound_given_name_is_not_a_differing_surname(scored_world: Scored) -> None:
    model = scored_world.model
    debtor = {
        "debtor_id": "D8",
        "given_names": "María José",
        "family_names": "García López",
        "city": "Sevilla",
        "country": "ES",
    }
    base = {"network": "social", "country": "ES"}
    out = _score(
        model,
        debtor,
        [
            {**base, "profile_id": "full", "display_name": "María José García"},
            {**base, "profile_id": "short", "display_name": "María García"},
        ],
    )
    assert _label(model, "family_name", out.loc["full"].gamma_family_name) != (
        "one surname in common, the other differs"
    )
    assert out.loc["full"].match_weight >= out.loc["short"].match_weight


def test_birth_year_in_the_handle(scored_world: Scored) -> None:
    model = scored_world.model
    handles = {
        "year": ("mroger1985", "the handle holds the birth year"),
        "two-digits": ("mroger85", "the handle holds the birth year's last two digits"),
        "other-year": ("mroger1990", "the handle holds another year"),
        "other-number": ("mroger07", "the handle's number is another"),
        "no-number": ("mroger", "missing"),
    }
    out = _score(
        model,
        DEBTOR,
        [{**PROFILE, "profile_id": pid, "handle": h} for pid, (h, _) in handles.items()],
    )
    for pid, (_, label) in handles.items():
        assert _label(model, "birth_year", out.loc[pid].gamma_birth_year) == label, pid
    assert int(out.loc["no-number"].gamma_birth_year) == -1
    year = explain.lines(out.loc["year"].to_dict(), model)
    text = next(ln["text"] for ln in year if ln["field"] == "birth_year")
    assert text.startswith("birth year 1985, the handle holds the birth year: ×")


def test_an_address_spelling_another_surname(scored_world: Scored) -> None:
    model = scored_world.model
    debtor = {**DEBTOR, "emails": "margaud.buisson85@yahoo.fr"}
    out = _score(
        model,
        debtor,
        [
            {**PROFILE, "profile_id": "maiden", "display_name": "Margaud Buisson"},
            # Her own surname: the address would only repeat the name.
            {**PROFILE, "profile_id": "married", "display_name": "Margaud Roger"},
            {**PROFILE, "profile_id": "stranger", "display_name": "Margaud Lambert"},
        ],
    )
    spelt = "the debtor's address spells the profile's name"
    assert _label(model, "email", out.loc["maiden"].gamma_email) == spelt
    # A profile showing no address is weighed, not left out: almost none shows one.
    none_shown = "the profile shows no address"
    assert _label(model, "email", out.loc["married"].gamma_email) == none_shown
    assert _label(model, "email", out.loc["stranger"].gamma_email) == none_shown


def test_an_address_spelling_the_debtors_own_name_spells_no_other() -> None:
    debtors = prepare.prepare_debtors(
        pd.DataFrame(
            [
                {
                    "debtor_id": "own",
                    "given_names": "Aimée",
                    "family_names": "Thomas",
                    "emails": "thomas.aimee@sfr.fr|aimee.thomas85@sfr.fr",
                },
                {
                    "debtor_id": "other",
                    "given_names": "Margaud",
                    "family_names": "Roger",
                    "emails": "margaud.buisson85@yahoo.fr|mroger@free.fr",
                },
            ]
        )
    ).set_index("unique_id")
    assert debtors.loc["own"].mail_surnames is None
    assert list(debtors.loc["other"].mail_surnames) == ["buisson"]


@pytest.mark.parametrize(
    ("emails", "spelt"),
    [
        # The initial of her given name and another surname: a married or maiden name.
        ("mbuisson@free.fr", ["buisson"]),
        ("m.buisson.85@free.fr", ["buisson"]),
        ("margaud.buisson@free.fr|mbuisson@free.fr", ["buisson"]),
        # Another initial is someone else's address (a partner's); too short says nothing.
        ("jbuisson@free.fr", None),
        ("mbui@free.fr", None),
        # Her own surname, with or without her given name.
        ("mroger85@free.fr", None),
        ("roger.m@free.fr", None),
    ],
)
def test_an_initial_and_another_surname_in_an_address(emails: str, spelt: list[str] | None) -> None:
    debtor = {"debtor_id": "D", "given_names": "Margaud", "family_names": "Roger"}
    row = prepare.prepare_debtors(pd.DataFrame([{**debtor, "emails": emails}])).iloc[0]
    assert (None if row.mail_surnames is None else list(row.mail_surnames)) == spelt


def test_employer_named_in_the_bio(scored_world: Scored) -> None:
    model = scored_world.model
    debtor = {**DEBTOR, "employer": "Acme SAS"}
    out = _score(
        model,
        debtor,
        [
            {**PROFILE, "profile_id": "bio-acme", "bio": "Comptable chez ACME"},
            {**PROFILE, "profile_id": "bio-other", "bio": "Comptable chez Dupuy SA"},
            {**PROFILE, "profile_id": "silent"},
        ],
    )
    assert _label(model, "employer", out.loc["bio-acme"].gamma_employer) == (
        "named in the profile's bio"
    )
    assert _label(model, "employer", out.loc["bio-other"].gamma_employer) == (
        "not stated; the bio names another"
    )
    assert int(out.loc["silent"].gamma_employer) == -1


# Regression: a bio naming the debtor's employer and then anything else ('Nurse at Acme
# Ltd · 📍 Leeds') used to give the key 'acme leeds', so the true employer landed on 'not
# stated; the bio names another' (a penalty); and 'Vivo en Sevilla' used to name an
# employer 'sevilla'.
def test_employer_bio_with_a_pin_or_a_place(scored_world: Scored) -> None:
    model = scored_world.model
    debtor = {**DEBTOR, "employer": "Acme SAS"}
    out = _score(
        model,
        debtor,
        [
            {**PROFILE, "profile_id": "pin", "bio": "Comptable chez Acme SAS · 📍 Lyon"},
            {**PROFILE, "profile_id": "lives", "bio": "Vivo en Sevilla"},
        ],
    )
    labels = st.level_labels(model)["employer"]
    assert (labels[int(out.loc["pin"].gamma_employer)], int(out.loc["lives"].gamma_employer)) == (
        "named in the profile's bio",
        -1,
    )


def test_city_named_in_the_bio_or_school(scored_world: Scored) -> None:
    model = scored_world.model
    out = _score(
        model,
        DEBTOR,
        [
            # States an old city, but studies in the debtor's.
            {**PROFILE, "profile_id": "school", "city": "Brest", "school": "Université de Lyon"},
            # Hides its city; the pin names the debtor's previous one.
            {**PROFILE, "profile_id": "pin-old", "bio": "📍 Asnières-sur-Seine"},
            {**PROFILE, "profile_id": "pin-other", "bio": "J'habite à Nantes"},
            {**PROFILE, "profile_id": "silent"},
        ],
    )
    named = "named in the profile's bio or school"
    assert _label(model, "city", out.loc["school"].gamma_city) == named
    assert _label(model, "city", out.loc["pin-old"].gamma_city) == named
    assert _label(model, "city", out.loc["pin-other"].gamma_city) == (
        "not stated; the bio or school names another"
    )
    assert int(out.loc["silent"].gamma_city) == -1


# --- the friend-edges file -------------------------------------------------------------------


def _jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    text = [ln if isinstance(ln, str) else orjson.dumps(ln).decode() for ln in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def test_read_friends_keeps_public_edges_only(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "friends.jsonl",
        [
            {"external_id": "e1", "profile_id": "A", "friend_id": "B", "kind": "friend"},
            "",
            {"external_id": "e2", "profile_id": "A", "friend_id": "C", "visibility": "public"},
            {"external_id": "e3", "profile_id": "A", "friend_id": "D", "visibility": "friends"},
            {"external_id": "e4", "profile_id": 7, "friend_id": 8, "kind": "follows"},
        ],
    )
    edges = inputs.read_friends_jsonl(path)
    assert list(edges.columns) == ["profile_id", "friend_id"]
    assert list(zip(edges.profile_id, edges.friend_id, strict=True)) == [
        ("A", "B"),
        ("A", "C"),
        ("7", "8"),
    ]


def test_read_friends_refuses_the_whole_file_on_a_bad_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "friends.jsonl",
        [
            {"profile_id": "A", "friend_id": "B"},
            "",
            {"profile_id": "A"},  # line 3: no friend_id
            "{not json",  # line 4
        ],
    )
    with pytest.raises(InvalidInput) as caught:
        inputs.read_friends_jsonl(path)
    problems = caught.value.problems
    assert [(p.file, p.row) for p in problems] == [(str(path), 3), (str(path), 4)]
    assert "friend_id" in str(problems[0])
    assert str(problems[0]).startswith(f"{path}:3: column ")
    assert "invalid JSON" in problems[1].reason


# Regression: a line without friend_id used to be reported on the column 'profile_id';
# like the sources importer and the contract (docs/source-format.md), the field at fault
# is named.
def test_read_friends_names_the_missing_field(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "friends.jsonl", [{"profile_id": "A"}])
    with pytest.raises(InvalidInput) as caught:
        inputs.read_friends_jsonl(path)
    assert [p.field for p in caught.value.problems] == ["friend_id"]


def test_friend_places_are_compared_inputs() -> None:
    """A rejected pair comes back when where the profile's friends live changes."""
    assert "friend_places" in inputs.PROFILE_COMPARED
    df = pd.DataFrame(
        [
            {"profile_id": "p", "display_name": "Ana Ruiz", "friend_places": "3|lyon/FR=3"},
            {"profile_id": "p", "display_name": "Ana Ruiz", "friend_places": "4|lyon/FR=4"},
            {"profile_id": "p", "display_name": "Ana Ruiz", "friend_places": "4|lyon/FR=4"},
        ]
    )
    first, moved, again = inputs.row_fingerprints(df, inputs.PROFILE_COMPARED)
    assert first != moved and moved == again


def test_cli_friends_needs_profiles(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "friends.jsonl", [{"profile_id": "A", "friend_id": "B"}])
    result = CliRunner().invoke(trace_app, ["run", "--friends", str(path)])
    assert result.exit_code == 2
    assert "--friends goes with --profiles" in result.output


# --- explanations of version-1 runs ----------------------------------------------------------

V1_FIELDS = [c for c in st.COMPARISON_NAMES if c not in ("friends", "birth_year")]


def test_version_1_compact_rows_still_render(scored_world: Scored) -> None:
    """A run stored before the friends and birth-year comparisons: 9 levels per row, 15
    quoted values (ending with handle_r), and a run model without 'fields'."""
    scored = scored_world.scored
    model = scored_world.model
    current = explain.explain_model(model, explain.level_weights(scored))
    run_model = {
        "version": 1,
        "prior": current["prior"],
        "labels": {c: current["labels"][c] for c in V1_FIELDS},
        "weights": {c: current["weights"][c] for c in V1_FIELDS},
    }
    run_model = orjson.loads(orjson.dumps(run_model))
    keep = [st.COMPARISON_NAMES.index(c) for c in V1_FIELDS]
    handle_at = explain.QUOTED.index("handle_r")
    assert handle_at == 14
    rendered = 0
    for row, data in zip(
        scored.head(200).to_dict("records"), explain.compact_rows(scored.head(200)), strict=True
    ):
        _, gammas, tfs, quoted = orjson.loads(orjson.dumps(data))
        v1 = [1, [gammas[i] for i in keep], [tfs[i] for i in keep], quoted[: handle_at + 1]]
        assert len(v1[1]) == len(v1[2]) == 9 and len(v1[3]) == 15
        # A version-1 pair had no friends or birth-year weight.
        match_weight = row["match_weight"] - row["mw_friends"] - row["mw_birth_year"]
        competition = row["competition_weight"]
        final = match_weight + competition
        got = explain.render(v1, run_model, match_weight=match_weight, final_weight=final)
        expected = [
            ln
            for ln in explain.lines(row, model)
            if ln["field"] not in ("friends", "birth_year", "competition")
        ]
        fields = [ln for ln in got if ln["field"] != "competition"]
        assert [ln["field"] for ln in fields] == ["prior", *V1_FIELDS]
        assert [ln["text"] for ln in fields] == [ln["text"] for ln in expected]
        assert explain.total(fields) == pytest.approx(match_weight, abs=1e-6)
        assert explain.total(got) == pytest.approx(final, abs=1e-6)
        rendered += 1
    assert rendered == 200


def test_a_hand_written_version_1_row_renders() -> None:
    """Labels and weights of an old run, whatever the current settings' levels."""
    labels = {c: {"-1": "missing", "1": "same", "0": "different"} for c in V1_FIELDS}
    weights = {c: {"-1": 0.0, "1": 2.0, "0": -1.0} for c in V1_FIELDS}
    run_model = {"version": 1, "prior": 0.001, "labels": labels, "weights": weights}
    quoted: list[Any] = ["margaud", "margaud", "roger", "buisson", "06-02", None, "lyon"]
    quoted += ["villeurbanne", 45.75, 4.85, 45.77, 4.88, "acme", None, "mroger85"]
    gammas = [1, 0, -1, 0, -1, -1, -1, -1, 1]
    prior = explain.prior_weight({"probability_two_random_records_match": 0.001})
    weight = prior + 2.0 + -1.0 + -1.0 + 2.0
    lines = explain.render(
        [1, gammas, [0.0] * 9, quoted], run_model, match_weight=weight, final_weight=weight
    )
    texts = {ln["field"]: ln["text"] for ln in lines}
    assert list(texts) == ["prior", *V1_FIELDS]
    assert texts["given_name"] == "given name Margaud same: ×4.0"
    assert texts["family_name"] == "surname Roger vs Buisson different: ×0.50"
    assert texts["city"].startswith("city Lyon vs Villeurbanne, ")
    assert texts["handle"] == "handle mroger85 same: ×4.0"
    assert explain.total(lines) == pytest.approx(weight)


# Regression: 'alfonsomartin' of 'Alfonso Quirós Martín' spells the second surname the
# profile displays; it used to count as 'spells the name' (x1,000 or more) on top of the
# surname comparison's 'one surname in common', which made a namesake sharing one of two
# Spanish surnames look certain.
def test_a_handle_spelling_a_displayed_second_surname_repeats_the_name(
    scored_world: Scored,
) -> None:
    model = scored_world.model
    debtor = {
        "debtor_id": "D-martin",
        "given_names": "Alfonso",
        "family_names": "Martín Lasa",
        "city": "Barcelona",
        "country": "ES",
    }
    out = _score(
        model,
        debtor,
        [
            {
                "profile_id": "second-surname",
                "display_name": "Alfonso Quirós Martín",
                "handle": "alfonsomartin",
                "country": "ES",
            },
            # Shown as an initial only: the handle still says what the surname would.
            {
                "profile_id": "initial",
                "display_name": "Alfonso M.",
                "handle": "alfonsomartin",
                "country": "ES",
            },
        ],
    )
    assert _label(model, "handle", out.loc["second-surname"].gamma_handle) == (
        "repeats the displayed name"
    )
    assert float(out.loc["second-surname"].mw_handle) == 0.0
    assert _label(model, "handle", out.loc["initial"].gamma_handle) != (
        "repeats the displayed name"
    )
    assert float(out.loc["initial"].mw_handle) > 0.0


def test_handle_surname_reads_the_displayed_surnames() -> None:
    p = prepare.prepare_profiles(
        pd.DataFrame(
            [
                {
                    "profile_id": "a",
                    "display_name": "Alfonso Quirós Martín",
                    "handle": "@alfonso_martin",
                },
                {"profile_id": "b", "display_name": "Alfonso Quirós Martín", "handle": "alfonso82"},
                {"profile_id": "c", "display_name": "Alfonso M.", "handle": "alfonsomartin"},
                {"profile_id": "d", "display_name": "Jean Li", "handle": "jeanli"},
            ]
        )
    ).set_index("unique_id")
    assert p.at["a", "handle_surname"] == "martin"
    assert p.at["b", "handle_surname"] is None
    assert p.at["c", "handle_surname"] is None
    # Two letters are too few to say a handle spells a surname.
    assert p.at["d", "handle_surname"] is None


# Many profiles carry 'Clarisa' as their given name, none 'Marique'.
_CLARISAS = [
    {"profile_id": f"other-{i}", "display_name": f"Clarisa Otero{i}", "city": "Sevilla"}
    for i in range(5)
]


def test_a_file_that_swapped_given_and_family_name_still_meets_on_city() -> None:
    debtor = {
        "debtor_id": "D-swapped",
        "given_names": "MARIQUE",
        "family_names": "CLARISA",
        "city": "Madrid",
        "country": "ES",
    }
    found = _blocked(
        [debtor],
        [
            *_CLARISAS,
            {"profile_id": "her", "display_name": "Clarisa Manrique Antón", "city": "Madrid"},
            {"profile_id": "elsewhere", "display_name": "Clarisa Manrique", "city": "Bilbao"},
        ],
    )
    # The swapped reading meets her (the town fallback, "t", may meet her too).
    assert "g" in found["her"]
    # Another city: only the keys it had before (the initial and the surname's sound).
    assert "g" not in found.get("elsewhere", "")


def test_a_swapped_file_meets_a_nickname_of_its_family_word(scored_world: Scored) -> None:
    # The file reads Smith / Nathan Dale; the profiles call him Nate. Many profiles carry
    # Nathan (its nickname group) as their given name, none Smith.
    nathans = [
        {"profile_id": f"nathan-{i}", "display_name": f"Nathan Jones{i}", "city": "Cardiff"}
        for i in range(5)
    ]
    debtor = {
        "debtor_id": "D-nate",
        "given_names": "Smith",
        "family_names": "Nathan Dale",
        "city": "Cardiff",
        "country": "GB",
    }
    him = {"profile_id": "him", "display_name": "Nate Smith", "city": "Cardiff"}
    found = _blocked([debtor], [*nathans, him])
    assert "g" in found["him"]
    out = _score(scored_world.model, debtor, [{**him, "network": "social", "country": "GB"}])
    model = scored_world.model
    assert _label(model, "given_name", out.loc["him"].gamma_given_name) == "swapped"
    assert _label(model, "family_name", out.loc["him"].gamma_family_name) == "swapped"


def test_an_ordinary_name_is_not_read_swapped() -> None:
    # 'Jean' is a given name profiles carry: 'Martin' is not tried as his given name, even
    # though many profiles are called Martin.
    martins = [
        {"profile_id": f"martin-{i}", "display_name": f"Martin Roux{i}", "city": "Lyon"}
        for i in range(5)
    ]
    debtor = {
        "debtor_id": "D-jean",
        "given_names": "Jean",
        "family_names": "Martin",
        "city": "Lyon",
        "country": "FR",
    }
    found = _blocked(
        [debtor],
        [
            *martins,
            {"profile_id": "jean", "display_name": "Jean Dupont", "city": "Paris"},
            {"profile_id": "jean-2", "display_name": "Jean Petit", "city": "Paris"},
        ],
    )
    # The swapped reading ("g") is not tried; the fallback on surname and town ("t") may still
    # propose the Martins of Lyon, for scoring to turn away.
    assert not any("g" in kinds for pid, kinds in found.items() if pid.startswith("martin-"))
    # With one Jean only, 'Jean' could be a surname no profile carries as a given name:
    # the swapped reading is tried and meets the Martins of Lyon.
    alone = _blocked(
        [debtor],
        [
            *martins,
            {"profile_id": "jean", "display_name": "Jean Dupont", "city": "Paris"},
        ],
    )
    assert {pid for pid in alone if pid.startswith("martin-")} == {f"martin-{i}" for i in range(5)}


def test_a_double_surname_read_as_the_given_name_is_swapped(scored_world: Scored) -> None:
    model = scored_world.model
    debtor = {
        "debtor_id": "D-hyphen",
        "given_names": "Jerry",
        "family_names": "Rodriguez-Robinson",
        "country": "US",
    }
    base = {"network": "photo", "country": "US"}
    out = _score(
        model,
        debtor,
        [
            {**base, "profile_id": "swapped", "display_name": "Rodriguez-Robinson Jerry"},
            {**base, "profile_id": "other", "display_name": "Rodriguez-Smith Jerry"},
        ],
    )
    swapped, other = out.loc["swapped"], out.loc["other"]
    assert _label(model, "given_name", swapped.gamma_given_name) == "swapped"
    assert _label(model, "family_name", swapped.gamma_family_name) == "swapped"
    # Another double surname beginning alike is no exact swap of hers: one surname of two
    # in common (the first word of both is Rodriguez), which weighs less.
    assert (
        _label(model, "family_name", other.gamma_family_name)
        == "swapped, one surname of two in common"
    )
    assert swapped.match_weight > other.match_weight


def _shared_kinds(debtor: dict[str, Any], display_name: str) -> set[str]:
    d = _debtors([{"debtor_id": "D", **debtor}]).iloc[0]
    p = _profiles([{"profile_id": "P", "network": "social", "display_name": display_name}])
    return {k[:1] for k in set(d.block_keys) & set(p.iloc[0].block_keys)}


@pytest.mark.parametrize(
    ("given", "family", "shown", "meets"),
    [
        # A typo in the file's given name: its sound and the surname's still meet.
        ("Saarah", "Shaw", "Sarah Shaw", True),
        ("Jessuca", "Miller", "Jessica Miller", True),
        # ... and in the profile's.
        ("Ronald", "Roberts", "Ronld Roberts", True),
        # Another given name of the same initial does not.
        ("Sandra", "Shaw", "Sarah Shaw", False),
    ],
)
def test_a_given_name_typo_meets_on_its_sound(
    given: str, family: str, shown: str, meets: bool
) -> None:
    kinds = _shared_kinds({"given_names": given, "family_names": family}, shown)
    assert ("s" in kinds) is meets
    # Not by the exact given name: only the sound (and the initial) carry the pair.
    assert "f" not in kinds


@pytest.mark.parametrize(
    ("given", "family", "shown", "meets"),
    [
        # A surname shown as its initial, no city: the given name and the initial meet.
        ("Denis", "Howells", "Denis H.", True),
        # Either surname of a double one.
        ("Mireia", "Sáenz Puig", "Mireia P.", True),
        # Another initial, or another given name, does not.
        ("Denis", "Howells", "Denis C.", False),
        ("Dennis", "Howells", "Daniel H.", False),
        # A profile showing its whole surname has its surname keys, not these.
        ("Denis", "Howells", "Denis Hart", False),
    ],
)
def test_a_surname_shown_as_an_initial_meets_on_the_given_name(
    given: str, family: str, shown: str, meets: bool
) -> None:
    kinds = _shared_kinds({"given_names": given, "family_names": family}, shown)
    assert ("j" in kinds) is meets


def test_a_name_written_surnames_first_reads_the_last_word_as_given(
    scored_world: Scored,
) -> None:
    model = scored_world.model
    debtor = {
        "debtor_id": "D-order",
        "given_names": "Perlita",
        "family_names": "Artigas Pablo",
        "country": "ES",
    }
    base = {"network": "social", "country": "ES"}
    out = _score(
        model,
        debtor,
        [
            {**base, "profile_id": "surnames-first", "display_name": "Artigas Pablo Perlita"},
            {**base, "profile_id": "other", "display_name": "Artigas Pablo Rosario"},
        ],
    )
    assert _label(model, "given_name", out.loc["surnames-first"].gamma_given_name) == "swapped"
    assert _label(model, "given_name", out.loc["other"].gamma_given_name) == "different"
    assert out.loc["surnames-first"].match_weight > out.loc["other"].match_weight


def test_a_second_given_name_shown_before_the_surnames(scored_world: Scored) -> None:
    model = scored_world.model
    base = {"network": "social", "country": "ES"}
    shown = [
        {**base, "profile_id": "both", "display_name": "Maria Fernanda Guillen Valenzuela"},
        {**base, "profile_id": "plain", "display_name": "Maria Guillen Valenzuela"},
    ]
    debtor = {"debtor_id": "D-mf", "given_names": "Maria Fernanda", "country": "ES"}
    out = _score(model, {**debtor, "family_names": "Guillen Valenzuela"}, shown)
    level = "same, after a second given name"
    assert _label(model, "family_name", out.loc["both"].gamma_family_name) == level
    assert _label(model, "family_name", out.loc["plain"].gamma_family_name) == "same"
    assert out.loc["both"].mw_family_name > 0
    # 'Fernanda' is no given name of hers: a surname that differs, not her second name.
    only_maria = {**debtor, "given_names": "Maria", "family_names": "Guillen Valenzuela"}
    other = _score(model, only_maria, shown)
    assert _label(model, "family_name", other.loc["both"].gamma_family_name) != level


@pytest.mark.parametrize(
    ("given", "country", "may_change"),
    [
        ("Margaud", "FR", False),  # not in the dictionary: no guess
        ("Éléonore", "FR", True),
        ("Lauren", "US", True),
        ("James", "GB", False),
        ("Dominique", "FR", False),  # borne by men and women alike
        ("Ana", "ES", False),  # Spanish surnames do not change at marriage
    ],
)
def test_who_may_have_changed_surname_at_marriage(
    given: str, country: str, may_change: bool
) -> None:
    d = _debtors(
        [{"debtor_id": "D", "given_names": given, "family_names": "X", "country": country}]
    )
    assert (d.iloc[0].name_may_change is not None) is may_change


def test_a_womans_differing_surname_weighs_less_against_her(scored_world: Scored) -> None:
    model = scored_world.model
    base = {"network": "social", "country": "GB", "city": "Leeds"}
    her = _score(
        model,
        {"debtor_id": "D-her", "given_names": "Lauren", "family_names": "Morgan", "country": "GB"},
        [{**base, "profile_id": "P", "display_name": "Lauren Holt"}],
    ).iloc[0]
    him = _score(
        model,
        {"debtor_id": "D-him", "given_names": "James", "family_names": "Morgan", "country": "GB"},
        [{**base, "profile_id": "P", "display_name": "James Holt"}],
    ).iloc[0]
    marriage = "different, as a name changed by marriage would"
    assert _label(model, "family_name", her.gamma_family_name) == marriage
    assert _label(model, "family_name", him.gamma_family_name) == "different"
    assert him.mw_family_name < her.mw_family_name < 0
