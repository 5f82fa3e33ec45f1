"""The gazetteer's record type and the shapes of its API.

No table: the gazetteer is read-only reference data shipped inside the package
(``data/cities.csv``), loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True, slots=True)
class City:
    """One city of the gazetteer."""

    id: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    time_zone: str
    alt_names: tuple[str, ...]

    @property
    def label(self) -> str:
        """Human label, with the US state to tell apart e.g. Cambridge MA from Cambridge GB."""
        if self.country == "US":
            return f"{self.name}, {self.admin1}"
        return f"{self.name} ({self.country})"


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
