"""Looking up the buurten of a municipality: as choices for a form, by code and by postcode."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from extensions import db
from models import District, Municipality, Neighbourhood, PostcodeArea
from surveys.register import addressed


def buurt_choices(municipality_id: int) -> list[SelectChoice]:
    """The buurten as options grouped by wijk name (an optgroup per wijk), wijken and buurten sorted by name."""
    # one query for the columns shown (the resident's neighbourhood page shows them with every request), wijken in
    # the database's order of names, buurten in Python's, as the relationship once gave them
    rows = db.session.execute(
        select(District.id, District.name, Neighbourhood.code, Neighbourhood.name)
        .join(Neighbourhood, Neighbourhood.district_id == District.id)
        .where(District.municipality_id == municipality_id)
        .order_by(District.name, District.id, Neighbourhood.code)
    )
    by_district: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for district_id, district_name, code, name in rows:
        by_district.setdefault(district_id, (district_name, []))[1].append((code, name))
    return [
        SelectChoice(code, name, optgroup=district_name)
        for district_name, buurten in by_district.values()
        for code, name in sorted(buurten, key=lambda buurt: buurt[1])
    ]


def neighbourhood_in(municipality_id: int, code: str) -> Neighbourhood | None:
    if not code.isprintable():  # no code has NUL or a lone surrogate, and the database refuses to compare them
        return None
    return db.session.scalar(
        select(Neighbourhood)
        .join(District)
        .where(Neighbourhood.code == code, District.municipality_id == municipality_id)
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
    return (
        db.session.scalar(
            select(PostcodeArea.postcode)
            .join(Neighbourhood)
            .join(District)
            .where(District.municipality_id == municipality_id)
            .limit(1)
        )
        is not None
    )


def neighbourhoods_by_postcode(municipality_id: int, postcode: str) -> list[Neighbourhood]:
    """The municipality's buurten with this postcode (normalise_postcode): one for a full postcode, one or more for
    the 4 digits alone, whose postcodes may lie in several buurten."""
    match = PostcodeArea.postcode == postcode if len(postcode) == 6 else PostcodeArea.postcode.startswith(postcode)
    found = select(PostcodeArea.neighbourhood_id).where(match)  # (no DISTINCT over rows: a boundary is JSON)
    return list(
        db.session.scalars(
            select(Neighbourhood)
            .join(District)
            .where(Neighbourhood.id.in_(found), District.municipality_id == municipality_id)
            .order_by(Neighbourhood.name)
        )
    )


@dataclass(frozen=True)
class NeighbourhoodChoice:
    """The buurt a resident chose or whose postcode they typed; else what to tell them, at the list or the postcode."""

    neighbourhood: Neighbourhood | None
    buurt_error: str | None = None
    postcode_error: str | None = None


def find_neighbourhood(
    municipality: Municipality, code: str, postcode_text: str, postcodes_known: bool
) -> NeighbourhoodChoice:
    """The buurt of the municipality chosen from the list (`code`, which wins), or else lying at the typed postcode;
    `postcodes_known` says whether the list may be left for a postcode (has_postcodes)."""
    if code:
        neighbourhood = neighbourhood_in(municipality.id, code)
        if neighbourhood is None:
            return NeighbourhoodChoice(
                None,
                buurt_error=addressed(
                    _("Choose one of the answers shown."), pgettext("youth", "Choose one of the answers shown.")
                ),
            )
        return NeighbourhoodChoice(neighbourhood)
    if not postcode_text:
        return NeighbourhoodChoice(
            None,
            buurt_error=(
                addressed(
                    _("Choose your neighbourhood from the list, or type your postcode."),
                    pgettext("youth", "Choose your neighbourhood from the list, or type your postcode."),
                )
                if postcodes_known
                else addressed(
                    _("Choose your neighbourhood from the list."),
                    pgettext("youth", "Choose your neighbourhood from the list."),
                )
            ),
        )
    postcode = normalise_postcode(postcode_text)
    if postcode is None:
        return NeighbourhoodChoice(
            None,
            postcode_error=addressed(
                _("This is not a Dutch postcode. Write it like this: 1234 AB."),
                pgettext("youth", "This is not a Dutch postcode. Write it like this: 1234 AB."),
            ),
        )
    found = neighbourhoods_by_postcode(municipality.id, postcode)
    if not found:
        return NeighbourhoodChoice(
            None,
            postcode_error=addressed(
                _(
                    "We do not know this postcode in %(municipality)s. Choose your neighbourhood from the list.",
                    municipality=municipality.name,
                ),
                pgettext(
                    "youth",
                    "We do not know this postcode in %(municipality)s. Choose your neighbourhood from the list.",
                    municipality=municipality.name,
                ),
            ),
        )
    if len(found) > 1:
        names = ", ".join(n.name for n in found)
        return NeighbourhoodChoice(
            None,
            postcode_error=addressed(
                _(
                    "Postcode %(postcode)s lies in more than one neighbourhood: %(names)s. Type your whole postcode "
                    "(like 1234 AB), or choose your neighbourhood from the list.",
                    postcode=postcode,
                    names=names,
                ),
                pgettext(
                    "youth",
                    "Postcode %(postcode)s lies in more than one neighbourhood: %(names)s. Type your whole postcode "
                    "(like 1234 AB), or choose your neighbourhood from the list.",
                    postcode=postcode,
                    names=names,
                ),
            ),
        )
    return NeighbourhoodChoice(found[0])
