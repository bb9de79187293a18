"""Scales, bands, subscales, wijkteam domains, questionnaires and languages named in the reader's language, and the
range each figure is scored on.
"""

from __future__ import annotations

from babel import Locale as BabelLocale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from framework.measurables import measurable_of, measurables
from models import Indicator, IndicatorKind
from surveys.instruments import Instrument, localise
from surveys.registry import current_instruments

OPEN_ANSWERS, WIJKTEAM = "open_answers", "wijkteam"
INSTRUMENT_LABELS = {
    "adult": _l("Adults"),
    "youth": _l("Young people"),
    "parent": _l("Parents"),
    WIJKTEAM: _l("Clients of the wijkteam"),
}
SUBSCALE_LABELS = {"emotional": _l("emotional"), "social": _l("social")}


def instrument_label(slug: str, locale: str) -> str:
    if slug in INSTRUMENT_LABELS:
        return str(INSTRUMENT_LABELS[slug])
    instrument = current_instruments().get(slug)
    return localise(instrument.title, locale) if instrument else slug


def current_instrument(slug: str) -> Instrument | None:
    return current_instruments().get(slug)


def measure_name(slug: str, measure: str, locale: str) -> str:
    """A scale ("cohesion"), subscale ("djg_emotional"), band ("djg:not_lonely") or wijkteam domain in words."""
    if slug == WIJKTEAM:
        domain = measure.split(":", 1)[0]
        if domain == "overall":
            return _("All areas of life together")
        interview = current_instrument("interview")
        item = interview.items_by_id.get(domain) if interview else None
        return localise(item.text, locale) if item else domain
    instrument = current_instrument(slug)
    if instrument is None:
        return measure
    scales = {scale.id: scale for scale in instrument.scales}
    if ":" in measure:
        scale_id, band_code = measure.split(":", 1)
        scale = scales.get(scale_id)
        band = next((band for band in scale.bands if band.code == band_code), None) if scale else None
        if band is not None and band.label:
            return localise(band.label, locale)
        return measure
    if measure in scales:
        return localise(scales[measure].name, locale)
    for scale in instrument.scales:
        for part in scale.subscales:
            if measure == f"{scale.id}_{part}":
                return _(
                    "%(scale)s: %(part)s", scale=localise(scale.name, locale), part=str(SUBSCALE_LABELS.get(part, part))
                )
    return measure


def scale_range(slug: str, measure: str) -> tuple[float, float]:
    """The range a scale (or subscale) is scored on, as the framework knows it; shares run 0..1."""
    if ":" in measure or slug == WIJKTEAM:
        return 0.0, 1.0
    found = measurables().get(f"{IndicatorKind.scale_mean.name}/{slug}/{measure}")
    return (found.low, found.high) if found is not None else (0.0, 10.0)


def indicator_range(indicator: Indicator) -> tuple[float, float]:
    found = measurable_of(indicator)
    if found is not None:
        return found.low, found.high
    return (0.0, 1.0) if indicator.kind.is_share else (0.0, 10.0)


def language_name(code: str, locale: str) -> str:
    try:
        return BabelLocale.parse(code).get_display_name(locale) or code
    except (ValueError, TypeError):
        return code
