"""Where a profile places its owner beyond its stated city: bio pins, schools, employers
named in bios, and where its public friends live (counts per city only)."""

from __future__ import annotations

import pandas as pd
import pytest

from concilia.tracing import places

# --- the bio and the school -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("bio", "school", "country", "city"),
    [
        ("📍 Asnières-sur-Seine", None, "FR", "Asnières-sur-Seine"),
        (None, "IUT de Tournefeuille", "FR", "Tournefeuille"),
        (None, "Université de Lyon", "FR", "Lyon"),
        (None, "University of Leeds", "GB", "Leeds"),
        (None, "Leeds College", "GB", "Leeds"),
        ("Vivo en Sevilla", None, "ES", "Sevilla"),
        ("J'habite à Nantes", None, "FR", "Nantes"),
        ("Based in Manchester", None, "GB", "Manchester"),
        # The place ends at the first sentence break or separator.
        ("Based in Manchester. Dog person", None, "GB", "Manchester"),
        ("📍 Lyon · Comptable", None, "FR", "Lyon"),
        # 'Lyon, France' keeps its country as a qualifier.
        ("📍Lyon, France", None, None, "Lyon"),
        # Another language's name of the same city is the gazetteer's name.
        ("Vivo en Seville", None, "ES", "Sevilla"),
    ],
)
def test_said_cities_gives_the_gazetteer_name(
    bio: str | None, school: str | None, country: str | None, city: str
) -> None:
    expected = places.known_city(city, country)
    assert expected is not None  # the gazetteer knows the city the text names
    assert places.said_cities(bio, school, country) == [expected]


def test_said_cities_are_folded_gazetteer_keys() -> None:
    assert places.said_cities("📍 Asnières-sur-Seine", None, "FR") == ["asnieres sur seine"]
    assert places.said_cities(None, "IUT de Tournefeuille", "FR") == ["tournefeuille"]
    assert places.said_cities("Vivo en Seville", None, "ES") == ["sevilla"]


@pytest.mark.parametrize(
    ("bio", "school", "country"),
    [
        # A school named after a person is not a place.
        (None, "Lycée Victor Hugo", "FR"),
        (None, "IES Miguel de Cervantes", "ES"),
        ("Carpe diem", None, "FR"),
        (None, None, "FR"),
        ("", "", None),
        # A pin naming nothing the gazetteer knows.
        ("📍 Nowhereville-sur-Rien", None, "FR"),
    ],
)
def test_said_cities_finds_nothing_without_a_known_place(
    bio: str | None, school: str | None, country: str | None
) -> None:
    assert places.said_cities(bio, school, country) == []


def test_said_cities_keeps_bio_and_school_once_each() -> None:
    assert places.said_cities("Based in Manchester", "University of Leeds", "GB") == [
        "manchester",
        "leeds",
    ]
    # The same city from the pin and the school is named once.
    assert places.said_cities("📍 Leeds", "University of Leeds", "GB") == ["leeds"]


@pytest.mark.parametrize(
    ("bio", "employer"),
    [
        ("Nurse at Acme Ltd", "acme"),
        ("Comptable chez Dupuy SA", "dupuy"),
        ("Comptable chez DUPUY S.A.S.", "dupuy"),
        ("Albañil en Gonzalo Alonso Solana S.L.U.", "gonzalo alonso solana"),
    ],
)
def test_said_employer_reads_the_employer_as_a_key(bio: str, employer: str) -> None:
    assert places.said_employer(bio) == employer


def test_said_employer_keeps_the_spanish_company_name_whole() -> None:
    key = places.said_employer("Albañil en Gonzalo Alonso Solana S.L.U.")
    assert key is not None and "gonzalo alonso solana" in key
    assert "slu" not in key.split()  # the legal form is dropped


@pytest.mark.parametrize("bio", [None, "", "Carpe diem", "Nurse at X"])
def test_said_employer_is_none_without_an_employer(bio: str | None) -> None:
    assert places.said_employer(bio) is None


# Regression: the employer used to run to the end of the bio, across the separators and
# sentence breaks said_cities stops at ('Nurse at Acme Ltd · 📍 Leeds' gave 'acme leeds').
@pytest.mark.parametrize(
    ("bio", "employer"),
    [
        ("Nurse at Acme Ltd · 📍 Leeds", "acme"),
        ("Comptable chez Dupuy SA | Lyon", "dupuy"),
        ("Comptable chez Dupuy SA. Fan de foot", "dupuy"),
    ],
)
def test_said_employer_stops_at_a_separator(bio: str, employer: str) -> None:
    assert places.said_employer(bio) == employer


# Regression: 'en' is also the Spanish and French 'in'; a bio saying where its owner lives,
# or that they are in a relationship, used to name an 'employer'.
@pytest.mark.parametrize("bio", ["Vivo en Sevilla", "Nacida en Madrid", "En couple"])
def test_said_employer_is_not_a_place_or_a_status(bio: str) -> None:
    assert places.said_employer(bio) is None


# Regression: 'Nurse @ Acme Ltd' (how people write it) used to be missed: the '@' had to
# follow a letter and be followed by a space.
def test_said_employer_reads_an_at_sign() -> None:
    assert places.said_employer("Nurse @ Acme Ltd") == "acme"


# --- friends: the summary -------------------------------------------------------------------


def _profiles(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["profile_id", "city", "country"])


def _edges(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["profile_id", "friend_id"])


FRIENDS = _profiles(
    [
        ("ego-0001", None, "FR"),  # hides its city
        ("friend-lyon-a", "Lyon", "FR"),
        ("friend-lyon-b", "Lyon", "FR"),
        ("friend-lyon-c", "Lyon", "FR"),
        ("friend-paris-a", "Paris", "FR"),
        ("friend-unknown", "Nowhereville-sur-Rien", "FR"),  # not in the gazetteer
        ("friend-hidden", None, "FR"),  # states no city
        ("loner-0002", "Nantes", "FR"),
    ]
)


def _summary_of(profiles: pd.DataFrame, edges: pd.DataFrame, pid: str) -> str | None:
    out = places.friend_places(profiles, edges)
    assert len(out) == len(profiles)
    i: int = profiles["profile_id"].tolist().index(pid)
    return out[i]


def test_friend_places_counts_located_friends_once_in_either_direction() -> None:
    edges = _edges(
        [
            ("ego-0001", "friend-lyon-a"),
            ("friend-lyon-a", "ego-0001"),  # the same edge seen from the other side
            ("ego-0001", "friend-lyon-b"),
            ("ego-0001", "friend-lyon-b"),  # listed twice
            ("friend-lyon-c", "ego-0001"),  # only in the friend's own list
            ("friend-paris-a", "ego-0001"),
            ("ego-0001", "friend-unknown"),  # a city the gazetteer does not know
            ("ego-0001", "friend-hidden"),  # no city
            ("loner-0002", "friend-lyon-a"),
        ]
    )
    summary = _summary_of(FRIENDS, edges, "ego-0001")
    assert summary == "4|lyon/FR=3|paris/FR=1"
    total, where = places.parse_friend_places(summary)
    assert total == 4
    assert where == [("lyon", "FR", 3), ("paris", "FR", 1)]
    # Only counts are kept: no friend (nor the profile itself) is named in the summary.
    for pid in FRIENDS["profile_id"]:
        assert pid not in summary
    assert "friend" not in summary


def test_a_locked_profile_is_placed_by_its_friends_lists() -> None:
    """A profile with no edges of its own, listed as a friend by others."""
    edges = _edges(
        [
            ("friend-lyon-a", "ego-0001"),
            ("friend-lyon-b", "ego-0001"),
            ("friend-paris-a", "ego-0001"),
        ]
    )
    assert _summary_of(FRIENDS, edges, "ego-0001") == "3|lyon/FR=2|paris/FR=1"


def test_too_few_located_friends_say_nothing() -> None:
    located = ["friend-lyon-a", "friend-lyon-b", "friend-lyon-c", "friend-paris-a"]
    unlocated = [("ego-0001", "friend-unknown"), ("ego-0001", "friend-hidden")]
    few = _edges([("ego-0001", f) for f in located[: places.MIN_LOCATED - 1]] + unlocated)
    assert _summary_of(FRIENDS, few, "ego-0001") is None
    enough = _edges([("ego-0001", f) for f in located[: places.MIN_LOCATED]] + unlocated)
    summary = _summary_of(FRIENDS, enough, "ego-0001")
    assert summary is not None
    assert places.parse_friend_places(summary)[0] == places.MIN_LOCATED
    # Each Lyon friend's only friend is the ego, which states no city.
    out = places.friend_places(FRIENDS, enough)
    assert out[FRIENDS["profile_id"].tolist().index("friend-lyon-a")] is None


def test_no_edges_no_summaries() -> None:
    assert places.friend_places(FRIENDS, None) == [None] * len(FRIENDS)
    assert places.friend_places(FRIENDS, _edges([])) == [None] * len(FRIENDS)


def test_friend_ids_may_be_numbers() -> None:
    profiles = pd.DataFrame(
        {"profile_id": [1, 2, 3, 4], "city": [None, "Leeds", "Leeds", "York"], "country": "GB"}
    )
    edges = pd.DataFrame({"profile_id": [1, 1, 4], "friend_id": [2, 3, 1]})
    out = places.friend_places(profiles, edges)
    assert out[0] == "3|leeds/GB=2|york/GB=1"
    assert out[1:] == [None, None, None]


# Regression: an edge from a profile to itself (the sources importer refuses one,
# docs/source-format.md, but a file read by inputs.read_friends_jsonl may hold one) used to
# count the profile's own stated city among its friends' cities.
def test_a_profile_is_not_its_own_friend() -> None:
    profiles = _profiles(
        [
            ("me-0001", "Paris", "FR"),
            ("friend-lyon-a", "Lyon", "FR"),
            ("friend-lyon-b", "Lyon", "FR"),
            ("friend-lyon-c", "Lyon", "FR"),
        ]
    )
    edges = _edges(
        [
            ("me-0001", "me-0001"),
            ("me-0001", "friend-lyon-a"),
            ("me-0001", "friend-lyon-b"),
            ("me-0001", "friend-lyon-c"),
        ]
    )
    assert places.friend_places(profiles, edges)[0] == "3|lyon/FR=3"


# --- friends: what the comparison reads ------------------------------------------------------


def _cell(city: str) -> str:
    _, lat, lon = places.geocode(city, "FR")
    assert lat is not None and lon is not None
    return places.cell(lat, lon)


def test_friend_columns_many_some_any_and_near() -> None:
    summary = "10|lyon/FR=4|paris/FR=3|villeurbanne/FR=2|nantes/FR=1"
    many, some, anyone, near = places.friend_columns(summary)[:4]
    # Many: at least a quarter of the located friends, and at least two.
    assert many == ["lyon", "paris"]
    # Some: at least two.
    assert some == ["lyon", "paris", "villeurbanne"]
    assert anyone == ["lyon", "paris", "villeurbanne", "nantes"]
    # Villeurbanne is in Lyon's cell: 6 of 10 there; Paris 3; Nantes 1 is too few. The
    # profile carries those cells with their neighbours (a debtor carries only their own).
    assert _cell("Villeurbanne") == _cell("Lyon")
    assert near is not None
    lyon = places.geocode("Lyon", "FR")
    paris = places.geocode("Paris", "FR")
    assert sorted(near) == sorted(
        set(places.cells_around(lyon[1], lyon[2]) + places.cells_around(paris[1], paris[2]))
    )
    assert _cell("Nantes") not in near


def test_friend_columns_need_two_friends_in_a_place() -> None:
    # A third of three friends is a large share, but one friend is only one friend.
    columns = places.friend_columns("3|lyon/FR=1|paris/FR=1|nantes/FR=1")
    many, some, anyone, near, around, nearby = columns[:6]
    assert (many, some, near, around) == (None, None, None, None)
    assert anyone == ["lyon", "paris", "nantes"]
    # But each of them places the profile in their own town's cell, one friend at a time.
    assert nearby is not None and {_cell("Lyon"), _cell("Nantes")} <= set(nearby)
    assert len(nearby) == len({_cell("Lyon"), _cell("Paris"), _cell("Nantes")})
    assert columns[6] == 3
    # Two of eight is exactly a quarter: many.
    many, some = places.friend_columns("8|lyon/FR=2|paris/FR=6")[:2]
    assert many == ["lyon", "paris"]
    # Two of nine is not.
    many, some = places.friend_columns("9|lyon/FR=2|paris/FR=7")[:2]
    assert many == ["paris"]
    assert some == ["lyon", "paris"]


@pytest.mark.parametrize("summary", [None, "", f"{places.MIN_LOCATED - 1}|lyon/FR=2"])
def test_friend_columns_empty_below_the_minimum(summary: str | None) -> None:
    assert places.friend_columns(summary)[:6] == (None,) * 6


def test_friends_in_gives_the_first_city_held() -> None:
    summary = "19|lyon/FR=12|paris/FR=3|nantes/FR=1"
    assert places.friends_in(summary, ["lyon"]) == (12, 19, "lyon")
    # The debtor's city first, then their previous one; missing ones are skipped.
    assert places.friends_in(summary, [None, "marseille", "paris", "lyon"]) == (3, 19, "paris")
    assert places.friends_in(summary, ["marseille"]) is None
    assert places.friends_in(None, ["lyon"]) is None


def test_cells_around_a_point() -> None:
    around = places.cells_around(45.75, 4.85)
    assert len(around) == len(set(around)) == 9
    assert places.cell(45.75, 4.85) in around
    assert places.cell(45.75 + places.CELL_DEGREES, 4.85 - places.CELL_DEGREES) in around
    assert places.cell(45.75 + 2 * places.CELL_DEGREES, 4.85) not in around
    assert places.cells_around(None, None) == []
    assert places.cells_around(float("nan"), 4.85) == []
