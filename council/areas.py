"""The areas the council's pages and targets speak of: the municipality as a whole and each of its wijken; and the
buurten, which have a page of their own (reached from their wijk) but no targets or comparisons."""

from __future__ import annotations

from dataclasses import dataclass

from models import Municipality

MUNICIPALITY, WIJK, BUURT = "municipality", "wijk", "buurt"


@dataclass(frozen=True)
class Area:
    """The municipality as a whole, one of its wijken or one of its buurten."""

    code: str
    name: str
    level: str

    @property
    def is_municipality(self) -> bool:
        return self.level == MUNICIPALITY

    @property
    def is_buurt(self) -> bool:
        return self.level == BUURT

    @property
    def wijk_code(self) -> str | None:
        """The wijk a buurt lies in (BU05990110 in WK059901); None for other areas."""
        return "WK" + self.code[2:8] if self.is_buurt else None


def areas_of(municipality: Municipality) -> list[Area]:
    """The municipality first, then its wijken by code."""
    return [
        Area(municipality.code, municipality.name, MUNICIPALITY),
        *(Area(district.code, district.name, WIJK) for district in municipality.districts),
    ]


def buurten_of(municipality: Municipality, wijk_code: str) -> list[Area]:
    """The buurten of one wijk, by code."""
    return [
        Area(buurt.code, buurt.name, BUURT)
        for district in municipality.districts
        if district.code == wijk_code
        for buurt in district.neighbourhoods
    ]


def find_area(municipality: Municipality, code: str) -> Area | None:
    """The municipality, a wijk or a buurt of the municipality by its code."""
    found = next((area for area in areas_of(municipality) if area.code == code), None)
    if found is None and code.startswith("BU"):
        found = next((area for area in buurten_of(municipality, "WK" + code[2:8]) if area.code == code), None)
    return found
