"""Creating, opening and closing waves, and how many residents responded per wijk and buurt (small groups hidden)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from accounts import audit
from extensions import db
from models import (
    District,
    InstrumentVersion,
    Municipality,
    Response,
    ResponseStatus,
    User,
    Wave,
    WaveInstrument,
)
from surveys.flow import municipal_today
from surveys.registry import current_instruments, ensure_version


class WaveError(ValueError):
    """A wave cannot be made or changed as asked; the message is translated and shown as it is."""


def waves_for(user: User | None) -> list[Wave]:
    """The waves this staff member works with: those of their municipality (all, for a platform administrator)."""
    query = select(Wave).order_by(Wave.opens_on.desc(), Wave.name)
    if user is not None and user.municipality_id is not None:
        query = query.where(Wave.municipality_id == user.municipality_id)
    return list(db.session.scalars(query))


def wave_for(user: User | None, wave_id: int) -> Wave | None:
    wave = db.session.get(Wave, wave_id)
    if wave is None or (user is not None and user.municipality_id not in (None, wave.municipality_id)):
        return None
    return wave


def submitted_counts(waves: Sequence[Wave]) -> dict[int, int]:
    """Submitted responses per wave id (a wave without any is left out)."""
    return dict(
        db.session.execute(
            select(Response.wave_id, func.count())
            .where(Response.status == ResponseStatus.submitted, Response.wave_id.in_([wave.id for wave in waves]))
            .group_by(Response.wave_id)
        ).all()
    )


def find_wave(name: str) -> Wave | None:
    return db.session.scalar(select(Wave).filter_by(name=name))


def create_wave(
    name: str,
    instruments: list[str],
    municipality: Municipality,
    opens_on: date,
    closes_on: date | None = None,
    actor: User | None = None,
    via: str = "web",
) -> Wave:
    name = name.strip()
    if not name or len(name) > 80:
        raise WaveError(_("Give the wave a name of at most 80 characters."))
    if find_wave(name) is not None:
        raise WaveError(_("There is already a wave with this name."))
    available = current_instruments()
    unknown = [slug for slug in instruments if slug not in available]
    if unknown:
        raise WaveError(
            _(
                "Unknown questionnaire(s): %(slugs)s. Choose from %(known)s.",
                slugs=", ".join(unknown),
                known=", ".join(sorted(available)),
            )
        )
    if not instruments:
        raise WaveError(_("Choose at least one questionnaire."))
    if closes_on is not None and closes_on < opens_on:
        raise WaveError(_("The closing date cannot be before the opening date."))
    wave = Wave(name=name, municipality=municipality, opens_on=opens_on, closes_on=closes_on)
    wave.instruments = [
        WaveInstrument(instrument_slug=slug, position=position)
        for position, slug in enumerate(dict.fromkeys(instruments))
    ]
    db.session.add(wave)
    for slug in instruments:
        ensure_version(available[slug])  # the version responses will be stored with, frozen from today
    db.session.flush()
    audit.record(
        "wave_created",
        actor,
        "wave",
        wave.id,
        name=name,
        instruments=list(instruments),
        opens_on=opens_on.isoformat(),
        closes_on=closes_on.isoformat() if closes_on else None,
        via=via,
    )
    return wave


def open_wave(wave: Wave, actor: User | None = None, via: str = "web", today: date | None = None) -> None:
    """Open from today on, without a closing date (a wave that opens later opens now)."""
    today = today or municipal_today()
    wave.opens_on = min(wave.opens_on, today)
    if wave.closes_on is not None and wave.closes_on < today:
        wave.closes_on = None
    audit.record("wave_opened", actor, "wave", wave.id, via=via)


def close_wave(wave: Wave, actor: User | None = None, via: str = "web", today: date | None = None) -> None:
    """Close now: the last day to respond was yesterday. Answers already sent stay."""
    yesterday = (today or municipal_today()) - timedelta(days=1)
    if wave.closes_on is None or wave.closes_on > yesterday:
        wave.closes_on = yesterday
    wave.opens_on = min(wave.opens_on, wave.closes_on)
    audit.record("wave_closed", actor, "wave", wave.id, via=via)


# --- response counts ----------------------------------------------------------------------------------------------


@dataclass
class AreaCount:
    code: str
    name: str
    inhabitants: int | None
    count: int
    hidden: bool = False  # fewer than the threshold, or hidden so that a hidden neighbour cannot be worked out

    @property
    def rate(self) -> float | None:
        """Responses per 100 inhabitants."""
        if self.hidden or not self.inhabitants:
            return None
        return 100 * self.count / self.inhabitants


@dataclass
class DistrictCount(AreaCount):
    buurten: list[AreaCount] = field(default_factory=list)


@dataclass
class WaveCounts:
    min_n: int
    total: AreaCount
    districts: list[DistrictCount]
    by_instrument: list[AreaCount]
    unknown_area: AreaCount | None = None  # residents who did not know their neighbourhood


def _suppress(groups: Sequence[AreaCount], min_n: int) -> None:
    """Hide each group below the threshold; when exactly one is hidden among shown siblings, hide the next smallest
    too, or the total minus the others would give it away."""
    for group in groups:
        group.hidden = group.count < min_n
    hidden = [group for group in groups if group.hidden]
    shown = sorted((group for group in groups if not group.hidden), key=lambda group: group.count)
    if len(hidden) == 1 and shown:
        shown[0].hidden = True


def response_counts(wave: Wave, min_n: int) -> WaveCounts:
    """Submitted responses per wijk and buurt against the population, small counts hidden."""
    per_buurt = dict(
        db.session.execute(
            select(Response.neighbourhood_id, func.count())
            .where(Response.wave_id == wave.id, Response.status == ResponseStatus.submitted)
            .group_by(Response.neighbourhood_id)
        ).all()
    )
    per_slug = dict(
        db.session.execute(
            select(InstrumentVersion.slug, func.count(Response.id))
            .join(InstrumentVersion, Response.instrument_version_id == InstrumentVersion.id)
            .where(Response.wave_id == wave.id, Response.status == ResponseStatus.submitted)
            .group_by(InstrumentVersion.slug)
        ).all()
    )
    districts = db.session.scalars(
        select(District).where(District.municipality_id == wave.municipality_id).order_by(District.code)
    ).all()
    result = []
    for district in districts:
        buurten = [AreaCount(n.code, n.name, n.inhabitants, per_buurt.get(n.id, 0)) for n in district.neighbourhoods]
        _suppress(buurten, min_n)
        result.append(
            DistrictCount(
                district.code, district.name, district.inhabitants, sum(b.count for b in buurten), buurten=buurten
            )
        )
    # residents who did not know their neighbourhood are the wijken's sibling: the total minus the wijken shows them
    unknown = AreaCount("", "", None, per_buurt.get(None, 0))
    _suppress([*result, unknown] if unknown.count else result, min_n)
    total = sum(per_buurt.values())
    municipality = wave.municipality
    by_instrument = [AreaCount(slug, slug, None, per_slug.get(slug, 0)) for slug in wave.instrument_slugs]
    _suppress(by_instrument, min_n)
    return WaveCounts(
        min_n=min_n,
        total=AreaCount(municipality.code, municipality.name, municipality.inhabitants, total, total < min_n),
        districts=result,
        by_instrument=by_instrument,
        unknown_area=unknown,
    )
