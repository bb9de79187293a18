"""The areas the council's pages and targets speak of: the municipality as a whole and each of its wijken."""

from __future__ import annotations

from dataclasses import dataclass

from models import Municipality

MUNICIPALITY, WIJK = "municipality", "wijk"


@dataclass(frozen=True)
class Area:
    """The municipality as a whole or one of its wijken."""

    code: str
    name: str
    level: str

    @property
    def is_municipality(self) -> bool:
        return self.level == MUNICIPALITY


def areas_of(municipality: Municipality) -> list[Area]:
    """The municipality first, then its wijken by code."""
    return [
        Area(municipality.code, municipality.name, MUNICIPALITY),
        *(Area(district.code, district.name, WIJK) for district in municipality.districts),
    ]


def find_area(municipality: Municipality, code: str) -> Area | None:
    return next((area for area in areas_of(municipality) if area.code == code), None)
