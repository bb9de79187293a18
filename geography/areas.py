"""Looking up the buurten of a municipality, as choices for a form."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from models import District, Neighbourhood


def buurt_choices(municipality_id: int) -> dict[str, list[tuple[str, str]]]:
    """Buurten grouped by wijk name, both sorted by name: {wijk: [(buurt code, buurt name), ...]}."""
    districts = db.session.scalars(
        select(District).filter_by(municipality_id=municipality_id).order_by(District.name)
    )
    return {d.name: [(n.code, n.name) for n in sorted(d.neighbourhoods, key=lambda n: n.name)] for d in districts}


def neighbourhood_in(municipality_id: int, code: str) -> Neighbourhood | None:
    return db.session.scalar(
        select(Neighbourhood).join(District).where(Neighbourhood.code == code,
                                                   District.municipality_id == municipality_id)
    )
