"""Looking up the buurten of a municipality: as choices for a form, by code and by postcode."""
from __future__ import annotations

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from extensions import db
from models import District, Municipality, Neighbourhood, PostcodeArea


def buurt_choices(municipality_id: int) -> list[SelectChoice]:
    """The buurten as options grouped by wijk name (an optgroup per wijk), wijken and buurten sorted by name."""
    districts = db.session.scalars(
        select(District).filter_by(municipality_id=municipality_id).order_by(District.name)
    )
    return [SelectChoice(n.code, n.name, optgroup=d.name)
            for d in districts for n in sorted(d.neighbourhoods, key=lambda n: n.name)]


def neighbourhood_in(municipality_id: int, code: str) -> Neighbourhood | None:
    if not code.isprintable():  # no code has NUL or a lone surrogate, and the database refuses to compare them
        return None
    return db.session.scalar(
        select(Neighbourhood).join(District).where(Neighbourhood.code == code,
                                                   District.municipality_id == municipality_id)
    )


def area_names(municipality: Municipality) -> dict[str, str]:
    """Code -> name of the municipality, its wijken and its buurten."""
    names = {municipality.code: municipality.name}
    for district in municipality.districts:
        names[district.code] = district.name
        for neighbourhood in district.neighbourhoods:
            names[neighbourhood.code] = neighbourhood.name
    return names


def normalise_postcode(value: str) -> str | None:
    """A Dutch postcode as the table keeps it: "1234AB" (6 positions), or "1234" (the 4 digits alone); else None."""
    compact = "".join(value.split()).upper()
    if len(compact) not in (4, 6) or not compact[:4].isascii() or not compact[:4].isdigit() or compact[0] == "0":
        return None
    if len(compact) == 6 and not (compact[4:].isascii() and compact[4:].isalpha()):
        return None
    return compact


def has_postcodes(municipality_id: int) -> bool:
    return db.session.scalar(
        select(PostcodeArea.postcode).join(Neighbourhood).join(District)
        .where(District.municipality_id == municipality_id).limit(1)
    ) is not None


def neighbourhoods_by_postcode(municipality_id: int, postcode: str) -> list[Neighbourhood]:
    """The municipality's buurten with this postcode (normalise_postcode): one for a full postcode, one or more for
    the 4 digits alone, whose postcodes may lie in several buurten."""
    match = PostcodeArea.postcode == postcode if len(postcode) == 6 else PostcodeArea.postcode.startswith(postcode)
    found = select(PostcodeArea.neighbourhood_id).where(match)  # (no DISTINCT over rows: a boundary is JSON)
    return list(db.session.scalars(
        select(Neighbourhood).join(District)
        .where(Neighbourhood.id.in_(found), District.municipality_id == municipality_id).order_by(Neighbourhood.name)))
