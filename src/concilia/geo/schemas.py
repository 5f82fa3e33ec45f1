"""Pydantic shapes of the gazetteer API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from concilia.geo.models import City


class CityOut(BaseModel):
    """A city as returned by the API."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    label: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    time_zone: str
    alt_names: list[str]

    @classmethod
    def of(cls, city: City) -> CityOut:
        """Build from a gazetteer record."""
        return cls(
            id=city.id,
            name=city.name,
            label=city.label,
            country=city.country,
            admin1=city.admin1,
            latitude=city.latitude,
            longitude=city.longitude,
            population=city.population,
            time_zone=city.time_zone,
            alt_names=list(city.alt_names),
        )


class NearbyCityOut(BaseModel):
    """A city near another one, with the great-circle distance."""

    city: CityOut
    distance_km: float
