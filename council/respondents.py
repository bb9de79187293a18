"""Who answered per area and questionnaire, the overview's rows, and what the page says about weighting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from council.areas import Area
from council.indicators import Evaluation, evaluate
from council.names import OPEN_ANSWERS, instrument_label
from council.snapshots import Figure, WaveProfile
from models import Indicator


@dataclass(frozen=True)
class Respondents:
    instrument: str
    label: str
    count: Figure | None
    rate: Figure | None


@dataclass(frozen=True)
class AreaRow:
    area: Area
    respondents: list[Respondents]
    evaluations: list[Evaluation]


def survey_instruments(profile: WaveProfile) -> list[str]:
    """The questionnaires of the run in the wave's order (not open answers, which have no respondents of their own)."""
    stored = set(profile.instruments())
    ordered = [link.instrument_slug for link in profile.wave.instruments if link.instrument_slug in stored]
    rest = sorted(stored - set(ordered) - {OPEN_ANSWERS})
    return [*ordered, *rest]


def respondents(profile: WaveProfile, area_code: str, locale: str) -> list[Respondents]:
    return [
        Respondents(
            slug,
            instrument_label(slug, locale),
            profile.get(area_code, slug, "respondents", "n"),
            profile.get(area_code, slug, "respondents", "response_rate"),
        )
        for slug in survey_instruments(profile)
        if profile.get(profile.wave.municipality.code, slug, "respondents", "n") is not None
        or profile.get(area_code, slug, "respondents", "n") is not None
    ]


def overview_rows(
    profile: WaveProfile, areas: Sequence[Area], indicators: Sequence[Indicator], locale: str
) -> list[AreaRow]:
    return [
        AreaRow(
            area,
            respondents(profile, area.code, locale),
            [evaluate(indicator, profile, area.code) for indicator in indicators],
        )
        for area in areas
    ]


# --- weighting ----------------------------------------------------------------------------------------------------

# what a run's weights were raked to (analysis.weighting), in the order the page names them
MARGIN_WORDS = {"age": _l("age"), "sex": _l("sex"), "household": _l("living alone or not")}


@dataclass(frozen=True)
class Weighting:
    """What the page says about weighting: the margins in words ("age, sex and living alone or not"), and per
    questionnaire the municipality's respondents and what they are worth after weighting (Kish's effective n)."""

    margins: str
    effective: list[tuple[str, str, str]]  # (questionnaire, respondents, effective n), formatted for the reader


def weighting_note(profile: WaveProfile | None, locale: str) -> Weighting | None:
    """None when the page shows no weighted figures. Runs from before raking have no record of their margins:
    they were weighted by age band only."""
    if profile is None or not profile.is_weighted:
        return None
    stored = profile.run.weighting or {}
    margins = {margin for entry in stored.values() for margin in entry.get("margins", [])} or {"age"}
    words = [str(MARGIN_WORDS[margin]) for margin in MARGIN_WORDS if margin in margins]
    gm = profile.wave.municipality.code
    effective = []
    for slug in survey_instruments(profile):
        n = profile.get(gm, slug, "respondents", "n")
        worth = profile.get(gm, slug, "respondents", "effective_n")
        if n is not None and worth is not None and n.value and worth.value:
            effective.append(
                (instrument_label(slug, locale), format_decimal(n.value), format_decimal(round(worth.value)))
            )
    return Weighting(format_list(words, locale=locale), effective)
