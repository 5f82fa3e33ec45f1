from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from concilia.geo import service


def test_every_country_has_enough_cities_with_time_zones() -> None:
    cities = service.all_cities()
    for country in ["FR", "ES", "GB", "US"]:
        mine = [c for c in cities if c.country == country]
        assert len(mine) >= 80
        assert all(ZoneInfo(c.time_zone) for c in mine)
        assert all(c.population > 0 for c in mine)
    assert len({c.id for c in cities}) == len(cities)


def test_lookup_is_accent_and_case_insensitive_and_knows_exonyms() -> None:
    seville = service.lookup("Sevilla")
    assert seville is not None and seville.country == "ES"
    assert service.lookup("seville") == seville
    assert service.lookup("SÉVILLE") == seville
    london = service.lookup("Londres")
    assert london is not None and london.name == "London" and london.country == "GB"
    assert service.lookup("Nueva York") == service.lookup("New York City")
    assert service.lookup("l'hospitalet de llobregat") is not None
    assert service.lookup("Nowhereville") is None


def test_lookup_uses_country_and_state_qualifiers() -> None:
    uk = service.lookup("Cambridge", "GB")
    us = service.lookup("Cambridge", country="US")
    assert uk is not None and us is not None and uk != us
    assert us.admin1 == "MA"
    assert service.lookup("Cambridge, MA") == us
    assert service.lookup("Cambridge (UK)") == uk
    # Largest wins without a qualifier.
    best = service.lookup("Cambridge")
    assert best is not None and best.population == max(uk.population, us.population)


def test_distance_and_nearby() -> None:
    paris, lyon = service.lookup("Paris"), service.lookup("Lyon")
    assert paris is not None and lyon is not None
    assert 380 < service.distance_km(paris, lyon) < 400
    assert service.distance_km(lyon, lyon) == 0
    near_lyon = [c.name for c, _ in service.nearby(lyon, 15)]
    assert "Villeurbanne" in near_lyon and "Lyon" not in near_lyon
    boston = service.lookup("Boston", "US")
    assert boston is not None
    assert "Cambridge" in [c.name for c, _ in service.nearby(boston, 10)]
    manchester = service.lookup("Manchester", "GB")
    assert manchester is not None
    near = service.nearby(manchester, 10)
    assert "Salford" in [c.name for c, _ in near]
    assert [d for _, d in near] == sorted(d for _, d in near)
    assert service.nearest((45.77, 4.88)).name == "Villeurbanne"


def test_router_search_lookup_and_nearby(client: TestClient, auth_headers: Any) -> None:
    assert client.get("/api/geo/cities", params={"q": "villeu"}).status_code == 401
    headers = auth_headers("geo-reader", "agent")
    res = client.get("/api/geo/cities", params={"q": "villeu"}, headers=headers)
    assert res.status_code == 200
    assert res.json()[0]["name"] == "Villeurbanne"
    res = client.get("/api/geo/cities/lookup", params={"name": "Saragosse"}, headers=headers)
    assert res.json()["name"] == "Zaragoza"
    missing = client.get("/api/geo/cities/lookup", params={"name": "Atlantis"}, headers=headers)
    assert missing.status_code == 404
    lyon = client.get("/api/geo/cities/lookup", params={"name": "Lyon"}, headers=headers).json()
    res = client.get(f"/api/geo/cities/{lyon['id']}/nearby", params={"km": 10}, headers=headers)
    assert "Villeurbanne" in [r["city"]["name"] for r in res.json()]
    assert client.get("/api/geo/cities/1/nearby", headers=headers).status_code == 404


def test_misspelt_city_names_are_read_within_their_country() -> None:
    london = service.lookup("London", "GB")
    assert service.lookup("Londom", "GB") is None
    assert service.lookup_misspelt("Londom", "GB") == london
    assert service.lookup_misspelt("LODON", "GB") == london
    # Two neighbouring letters swapped is one slip.
    assert service.lookup_misspelt("Remis", "FR") == service.lookup("Reims", "FR")
    assert service.lookup_misspelt("Pairs", "FR") == service.lookup("Paris", "FR")
    # A long name may carry two slips, a short one only one.
    hull = service.lookup("Kingston upon Hull", "GB")
    assert service.lookup_misspelt("Kinngston upn Hull", "GB") == hull
    assert service.lookup_misspelt("Lodnm", "GB") is None
    # Only within the country asked, never across a border, and never a short name.
    assert service.lookup_misspelt("Londom", "FR") is None
    assert service.lookup_misspelt("Lyn", "FR") is None
    assert service.lookup_misspelt("Nowhereville", "US") is None
