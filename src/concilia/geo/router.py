"""HTTP routes of the gazetteer (reference data, no personal data; signed-in users only, like
the rest of the API)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query

from concilia.auth.dependencies import current_principal
from concilia.errors import NotFound, problem_responses
from concilia.geo import service
from concilia.geo.schemas import CityOut, NearbyCityOut
from concilia.ids import Id

router = APIRouter(prefix="/api/geo", tags=["geo"], dependencies=[Depends(current_principal)])


@router.get("/cities", response_model=list[CityOut])
def search_cities(
    q: str = Query(..., min_length=1, max_length=100),
    country: str | None = Query(None, max_length=20),
    limit: int = Query(20, ge=1, le=100),
) -> list[CityOut]:
    """Cities whose name (or alternate name) starts with ``q``, largest first."""
    return [CityOut.of(c) for c in service.search(q, country=country, limit=limit)]


@router.get("/cities/lookup", response_model=CityOut, responses=problem_responses(NotFound))
def lookup_city(
    name: str = Query(..., min_length=1, max_length=100),
    country: str | None = Query(None, max_length=20),
) -> CityOut:
    """The most likely city for a free-text place name."""
    city = service.lookup(name, country)
    if city is None:
        raise HTTPException(status_code=404, detail=f"no city matches {name!r}")
    return CityOut.of(city)


@router.get("/cities/{city_id}/nearby", response_model=list[NearbyCityOut])
def nearby_cities(city_id: Id, km: float = Query(30.0, gt=0, le=500)) -> list[NearbyCityOut]:
    """Cities within ``km`` kilometres of a city, nearest first."""
    city = service.get(city_id)
    if city is None:
        raise HTTPException(status_code=404, detail=f"no city with id {city_id}")
    return [
        NearbyCityOut(city=CityOut.of(c), distance_km=round(d, 1))
        for c, d in service.nearby(city, km)
    ]
