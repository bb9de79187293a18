"""Looking up the buurten of a municipality, as choices for a form."""
from __future__ import annotations

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from extensions import db
from models import District, Municipality, Neighbourhood


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
