"""Scale means of an area beside the municipality's, and the six dimensions of Positive Health (the spider web)."""

from __future__ import annotations

from dataclasses import dataclass

from council.areas import Area
from council.names import WIJKTEAM, current_instrument, measure_name, scale_range
from council.respondents import survey_instruments
from council.snapshots import Figure, WaveProfile

# the six Positive Health dimensions of the adult questionnaire, in the order of Huber's spider web
DIMENSIONS = ("ph_body", "ph_mind", "ph_meaning", "ph_quality", "ph_participation", "ph_daily")
SPIDER_INSTRUMENT = "adult"


@dataclass(frozen=True)
class ScaleFigure:
    instrument: str
    measure: str
    name: str
    low: float
    high: float
    figure: Figure | None
    reference: Figure | None  # the municipality's figure (None on the municipality's own page)
    # a buurt's model estimate (analysis.smallarea), shown beside the direct figure and marked as such, never in
    # its place; synthetic (without the buurt's own answers) where the direct figure is suppressed
    model: Figure | None = None


def scale_measures(profile: WaveProfile, slug: str) -> list[str]:
    """The scales (and subscales) with a mean, in the order of the instrument definition."""
    stored = set(profile.measures(profile.wave.municipality.code, slug, "mean"))
    stored |= {
        measure for (_, instrument, measure, statistic) in profile.figures if instrument == slug and statistic == "mean"
    }
    instrument = current_instrument(slug)
    order = []
    if instrument is not None:
        for scale in instrument.scales:
            order.append(scale.id)
            order.extend(f"{scale.id}_{part}" for part in scale.subscales)
    known = [measure for measure in order if measure in stored]
    return known + sorted(stored - set(known))


def scale_figures(profile: WaveProfile, area: Area, locale: str) -> dict[str, list[ScaleFigure]]:
    """Per questionnaire, every scale mean of the area with the municipality's next to it."""
    gm = profile.wave.municipality.code
    result = {}
    for slug in survey_instruments(profile):
        if slug == WIJKTEAM:
            continue
        rows = []
        for measure in scale_measures(profile, slug):
            low, high = scale_range(slug, measure)
            rows.append(
                ScaleFigure(
                    slug,
                    measure,
                    measure_name(slug, measure, locale),
                    low,
                    high,
                    profile.get(area.code, slug, measure, "mean"),
                    None if area.is_municipality else profile.get(gm, slug, measure, "mean"),
                    profile.get(area.code, slug, measure, "mean_model") if area.level == "buurt" else None,
                )
            )
        if rows:
            result[slug] = rows
    return result


@dataclass(frozen=True)
class Spider:
    axes: list[str]
    area: list[Figure | None]
    reference: list[Figure | None]
    low: float
    high: float


def spider(profile: WaveProfile, area: Area, locale: str) -> Spider | None:
    """The six Positive Health dimensions of the area and of the municipality; None when the run has none."""
    gm = profile.wave.municipality.code
    own = [profile.get(area.code, SPIDER_INSTRUMENT, measure, "mean") for measure in DIMENSIONS]
    reference = [profile.get(gm, SPIDER_INSTRUMENT, measure, "mean") for measure in DIMENSIONS]
    if all(figure is None for figure in own + reference):
        return None
    low, high = scale_range(SPIDER_INSTRUMENT, DIMENSIONS[0])
    return Spider(
        [measure_name(SPIDER_INSTRUMENT, measure, locale) for measure in DIMENSIONS], own, reference, low, high
    )
