"""The gazetteer's record type.

No table: the gazetteer is read-only reference data shipped inside the package
(``data/cities.csv``), loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass


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
