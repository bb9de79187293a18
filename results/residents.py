"""What the public results page of a wijk shows residents: the six parts of Positive Health beside the
municipality, a few scales in plain words, the themes an analyst named with the quotes an analyst approved, and what
the municipality will do about each outcome.

Everything comes from the wave's published run (results.publication) through the council's own readers, so the
same disclosure control holds: a suppressed figure is never read for its value, a theme is shown only where its
figures are, and unreviewed themes and unapproved quotes are never read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from analysis.records import HIGHER_THAN_REST, LOWER_THAN_REST
from council import charts
from council.areas import WIJK, Area, areas_of, find_area
from council.names import scale_range
from council.scales import DIMENSIONS, SPIDER_INSTRUMENT, Spider, spider
from council.snapshots import Figure, ShownFigure, WaveProfile
from council.theme_figures import themes
from framework.service import outcomes_of
from models import AnalysisRun, Outcome, Quote, Wave
from results.publication import published_run, published_waves

if TYPE_CHECKING:
    from typing_extensions import TypeIs

# The scales a resident reads in plain words: (measure, statistic, what it is about).
PLAIN_SCALES = (
    ("life_satisfaction", "mean", _l("Satisfied with life")),
    ("cohesion", "mean", _l("Contact and care between neighbours")),
    ("belonging", "mean", _l("Feeling at home and mattering to others")),
    ("djg:not_lonely", "share", _l("Not lonely")),
)


def shown(figure: Figure | None) -> TypeIs[ShownFigure]:
    """A figure residents may read: present, with a value, and not suppressed."""
    return figure is not None and not figure.suppressed and figure.value is not None


def _mean(value: float) -> str:
    return format_decimal(value, "#,##0.0")


def _share(value: float) -> str:
    return format_percent(value, "#,##0%")


@dataclass(frozen=True)
class PlainScale:
    """A scale in plain words: what it is about and one or two sentences on the wijk and the municipality."""

    name: str
    sentences: list[str]
    hidden: bool  # too few residents answered: the sentence says so, no number is read


@dataclass(frozen=True)
class ThemeSaid:
    name: str
    share: str
    quotes: list[Quote]


@dataclass(frozen=True)
class QuestionSaid:
    text: str
    themes: list[ThemeSaid]


@dataclass(frozen=True)
class Plan:
    """An outcome of the framework with what the municipality will do about it."""

    name: str
    action: str


@dataclass(frozen=True)
class WijkResults:
    wave: Wave
    run: AnalysisRun
    area: Area
    respondents: Figure | None
    spider: Spider | None
    spider_chart: Markup | None
    spider_legend: Markup | None
    scales: list[PlainScale]
    said: list[QuestionSaid]
    plans: list[Plan]
    hidden_any: bool = field(default=False)
    weighted: bool = False  # the figures are weighted to the population (council.snapshots.WaveProfile)

    @property
    def respondents_shown(self) -> bool:
        return shown(self.respondents)


def plain_scale(
    name: str, measure: str, statistic: str, own: Figure | None, reference: Figure | None, area: Area, municipality: str
) -> PlainScale | None:
    """One scale as a resident reads it; None when the run has no such figure at all."""
    if own is None and reference is None:
        return None
    if not shown(own):
        return PlainScale(
            name,
            [_("Too few residents of %(area)s answered these questions to show a result.", area=area.name)],
            hidden=True,
        )
    if statistic == "share":
        sentences = [_("%(value)s of the residents of %(area)s who answered.", value=_share(own.value), area=area.name)]
        if shown(reference):
            sentences.append(
                _("In all of %(municipality)s: %(value)s.", municipality=municipality, value=_share(reference.value))
            )
    else:
        low, high = scale_range(SPIDER_INSTRUMENT, measure)
        sentences = [
            _(
                "On average %(value)s on a scale from %(low)s to %(high)s.",
                value=_mean(own.value),
                low=format_decimal(low),
                high=format_decimal(high),
            )
        ]
        if shown(reference):
            sentences.append(
                _("In all of %(municipality)s: %(value)s.", municipality=municipality, value=_mean(reference.value))
            )
    if HIGHER_THAN_REST in own.flags:
        sentences.append(_("That is clearly higher than in the rest of %(municipality)s.", municipality=municipality))
    elif LOWER_THAN_REST in own.flags:
        sentences.append(_("That is clearly lower than in the rest of %(municipality)s.", municipality=municipality))
    return PlainScale(name, sentences, hidden=False)


def _spider_chart(web: Spider, area: Area, municipality: str) -> Markup:
    def words(figure: Figure | None) -> str:
        return _mean(figure.value) if shown(figure) else _("not shown")

    series = [
        charts.Series(area.name, [figure.value if shown(figure) else None for figure in web.area]),
        charts.Series(municipality, [figure.value if shown(figure) else None for figure in web.reference]),
    ]
    described = "; ".join(
        f"{axis}: {area.name} {words(own)}, {municipality} {words(reference)}"
        for axis, own, reference in zip(web.axes, web.area, web.reference, strict=True)
    )
    return charts.radar(
        web.axes,
        series,
        low=web.low,
        high=web.high,
        chart_id="results-spider",
        title=_("Positive Health in %(area)s", area=area.name),
        description=_(
            "Six parts of health and life, each from %(low)s to %(high)s. %(figures)s.",
            low=format_decimal(web.low),
            high=format_decimal(web.high),
            figures=described,
        ),
        fmt=lambda value: format_decimal(value, "#,##0.#"),
    )


def _said(profile: WaveProfile, area: Area, locale: str) -> list[QuestionSaid]:
    """Per open question, the named themes whose figures are shown in the area, with their approved quotes."""
    result = []
    for question in themes(profile, area, locale):
        items = [
            ThemeSaid(item.name, _share(item.share.value), list(item.quotes))
            for item in question.themes
            if shown(item.share) and shown(item.count) and item.count.value > 0
        ]
        if items:
            result.append(QuestionSaid(question.text, items))
    return result


def _plans(outcomes: list[Outcome]) -> list[Plan]:
    return [Plan(outcome.name, outcome.action) for outcome in outcomes if outcome.action]


def wijken(wave: Wave) -> list[Area]:
    return [area for area in areas_of(wave.municipality) if area.level == WIJK]


def find_wijk(wave: Wave, code: str) -> Area | None:
    area = find_area(wave.municipality, code)
    return area if area is not None and area.level == WIJK else None


def wijk_results(wave: Wave, area: Area, locale: str) -> WijkResults | None:
    """The public page of a wijk in a published wave; None when the wave has no published run."""
    run = published_run(wave)
    if run is None:
        return None
    municipality = wave.municipality
    profile = WaveProfile.load_run(wave, run, areas={area.code, municipality.code})
    web = spider(profile, area, locale)
    scales = []
    for measure, statistic, name in PLAIN_SCALES:
        scale = plain_scale(
            str(name),
            measure,
            statistic,
            profile.get(area.code, SPIDER_INSTRUMENT, measure, statistic),
            profile.get(municipality.code, SPIDER_INSTRUMENT, measure, statistic),
            area,
            municipality.name,
        )
        if scale is not None:
            scales.append(scale)
    hidden_any = any(scale.hidden for scale in scales) or (
        web is not None and any(figure is not None and figure.suppressed for figure in web.area)
    )
    return WijkResults(
        wave=wave,
        run=run,
        area=area,
        respondents=profile.get(area.code, SPIDER_INSTRUMENT, "respondents", "n"),
        spider=web,
        spider_chart=None if web is None else _spider_chart(web, area, municipality.name),
        spider_legend=None if web is None else charts.legend([area.name, municipality.name]),
        scales=scales,
        said=_said(profile, area, locale),
        plans=_plans(outcomes_of(municipality)),
        hidden_any=hidden_any,
        weighted=profile.is_weighted,
    )


def newest_wave_of_wijk(code: str) -> Wave | None:
    """The newest published wave whose municipality has the wijk `code`."""
    return next((wave for wave in published_waves() if find_wijk(wave, code) is not None), None)


@dataclass(frozen=True)
class WijkWeb:
    """The wijk's mean per part of Positive Health in its newest published wave, for a resident's own web beside
    it: only figures that are shown, written in the reader's number format."""

    area: Area
    wave: Wave
    means: dict[str, str]  # dimension -> mean


def wijk_web(code: str) -> WijkWeb | None:
    """None until a wave with the wijk is published, or when none of its six figures may be shown."""
    wave = newest_wave_of_wijk(code)
    if wave is None:
        return None
    run, area = published_run(wave), find_wijk(wave, code)
    if run is None or area is None:  # neither: the wave was chosen for its published run and its wijk
        return None
    profile = WaveProfile.load_run(wave, run, areas={code})
    means = {
        dimension: _mean(figure.value)
        for dimension in DIMENSIONS
        if shown(figure := profile.get(code, SPIDER_INSTRUMENT, dimension, "mean"))
    }
    return WijkWeb(area, wave, means) if means else None
