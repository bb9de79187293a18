"""What the council's pages show, assembled from stored snapshots, the outcome framework, themes and approved quotes.

Plain functions and dataclasses, so that the overview, wijk profile, comparison and report (HTML and PDF) show the
same figures and tests can check them without a request. Names of scales, bands and domains come from the
instrument definitions in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from babel import Locale as BabelLocale
from babel.lists import format_list
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from analysis.change import WORKER_DIFFERS
from analysis.theme_contrast import HIGHER, LOWER, ThemeContrast
from council.areas import Area, areas_of
from council.indicators import Evaluation, evaluate
from council.snapshots import Figure, WaveProfile, analysed_waves
from council.themes import approved_quotes, shown_themes
from extensions import db
from framework.measurables import measurable_of, measurables
from models import (
    Indicator,
    IndicatorKind,
    Municipality,
    NamedTheme,
    Outcome,
    Quote,
    User,
    Wave,
)
from surveys.instruments import Instrument, localise
from surveys.questions import question_text
from surveys.registry import current_instruments

OPEN_ANSWERS, WIJKTEAM = "open_answers", "wijkteam"
# the six Positive Health dimensions of the adult questionnaire, in the order of Huber's spider web
DIMENSIONS = ("ph_body", "ph_mind", "ph_meaning", "ph_quality", "ph_participation", "ph_daily")
SPIDER_INSTRUMENT = "adult"
INSTRUMENT_LABELS = {
    "adult": _l("Adults"),
    "youth": _l("Young people"),
    "parent": _l("Parents"),
    WIJKTEAM: _l("Clients of the wijkteam"),
}
SUBSCALE_LABELS = {"emotional": _l("emotional"), "social": _l("social")}
CHANGES = ("improved", "same", "worse")
# a type's description, per direction: "Higher than average: Well-being (WHO-5), Life satisfaction."
LEVEL_SENTENCES = {"high": _l("Higher than average: %(scales)s."), "low": _l("Lower than average: %(scales)s.")}
# A type's name, from the one or two parts of life on which its residents score clearly better ("better") or worse
# ("worse") than on the rest (analysis.types.type_name): short words in plain language, as in "strong network,
# little resilience".
TYPE_NAME_PARTS = {
    "who5": (_l("feels good"), _l("feels less good")),
    "djg": (_l("rarely lonely"), _l("often lonely")),
    "brs": (_l("much resilience"), _l("little resilience")),
    "mastery": (_l("in control of own life"), _l("little control over own life")),
    "life_satisfaction": (_l("satisfied with life"), _l("less satisfied with life")),
    "cohesion": (_l("close-knit neighbourhood"), _l("little contact in the neighbourhood")),
    "belonging": (_l("feels at home"), _l("feels little at home")),
    "ph_body": (_l("body in good shape"), _l("troubled by the body")),
    "ph_mind": (_l("strong in mind and feelings"), _l("struggles with mind and feelings")),
    "ph_meaning": (_l("finds meaning in life"), _l("finds little meaning in life")),
    "ph_quality": (_l("enjoys life"), _l("enjoys life less")),
    "ph_participation": (_l("takes part a lot"), _l("takes little part")),
    "ph_daily": (_l("copes well day to day"), _l("struggles day to day")),
    "parenting_confidence": (_l("confident as a parent"), _l("unsure as a parent")),
    "support_network": (_l("strong network"), _l("weak network")),
    "safety": (_l("feels safe"), _l("feels less safe")),
}
# a type that no part of life sets apart is named by its level (analysis.types.ResidentType.level, z units)
TYPE_LEVEL_NAMES = {
    "better": _l("better than average on everything"),
    "worse": _l("worse than average on everything"),
    "average": _l("about average, nothing stands out"),
}


def council_waves(user: User | None) -> list[Wave]:
    """The waves this staff member may read that have a successful analysis, newest first."""
    return analysed_waves(user.municipality if user is not None else None)[::-1]


def framework(municipality: Municipality) -> list[Indicator]:
    """The key indicators of the municipality's outcome framework, outcome by outcome."""
    outcomes = db.session.scalars(
        select(Outcome).where(Outcome.municipality_id == municipality.id).order_by(Outcome.position, Outcome.id)
    ).all()
    return [indicator for outcome in outcomes for indicator in outcome.indicators]


# --- names in the reader's language -------------------------------------------------------------------------------


def instrument_label(slug: str, locale: str) -> str:
    if slug in INSTRUMENT_LABELS:
        return str(INSTRUMENT_LABELS[slug])
    instrument = current_instruments().get(slug)
    return localise(instrument.title, locale) if instrument else slug


def _instrument(slug: str) -> Instrument | None:
    return current_instruments().get(slug)


def measure_name(slug: str, measure: str, locale: str) -> str:
    """A scale ("cohesion"), subscale ("djg_emotional"), band ("djg:not_lonely") or wijkteam domain in words."""
    if slug == WIJKTEAM:
        domain = measure.split(":", 1)[0]
        if domain == "overall":
            return _("All areas of life together")
        interview = _instrument("interview")
        item = interview.items_by_id.get(domain) if interview else None
        return localise(item.text, locale) if item else domain
    instrument = _instrument(slug)
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


# --- overview -----------------------------------------------------------------------------------------------------


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


# --- scales -------------------------------------------------------------------------------------------------------


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
    instrument = _instrument(slug)
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


# --- indicators over waves ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    indicator: Indicator
    current: Evaluation
    history: list[tuple[Wave, Evaluation]]  # oldest first, up to and including the page's wave

    @property
    def share(self) -> bool:
        return self.indicator.kind.is_share


def waves_until(wave: Wave) -> list[Wave]:
    """The municipality's analysed waves up to and including `wave`, oldest first."""
    waves = analysed_waves(wave.municipality)
    return [other for other in waves if (other.opens_on, other.id) <= (wave.opens_on, wave.id)] or [wave]


def trends(profile: WaveProfile, area: Area, indicators: Sequence[Indicator]) -> list[Trend]:
    gm = profile.wave.municipality.code
    profiles = []
    for wave in waves_until(profile.wave):
        loaded = profile if wave.id == profile.wave.id else WaveProfile.load(wave, areas={area.code, gm})
        if loaded is not None:
            profiles.append(loaded)
    return [
        Trend(
            indicator,
            evaluate(indicator, profile, area.code),
            [(one.wave, evaluate(indicator, one, area.code)) for one in profiles],
        )
        for indicator in indicators
    ]


# --- resident types, themes, wijkteam -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeShare:
    instrument: str
    type_id: str
    description: str
    figure: Figure | None
    reference: Figure | None


def describe_type(slug: str, profile: Iterable[Sequence[str]], locale: str) -> str:
    """A type in words from its profile: on which scales it lies clearly above or below average."""
    profile = list(profile)
    parts = []
    for level in ("high", "low"):
        names = [
            measure_name(slug, feature.removesuffix("_score"), locale)
            for feature, described in profile
            if described == level
        ]
        if names:
            parts.append(str(LEVEL_SENTENCES[level]) % {"scales": ", ".join(names)})
    return " ".join(parts) if parts else _("About average on every scale.")


def type_name(slug: str, entry: dict, locale: str) -> str:
    """A stored type (see runs.snapshots) named by what sets it apart, e.g. "strong network, little resilience"; a
    type stored before types were named by their shape is described by its profile instead."""
    if "name" not in entry:
        return describe_type(slug, entry.get("profile", []), locale)
    parts = []
    for feature, direction in entry["name"]:
        scale = feature.removesuffix("_score")
        better, worse = TYPE_NAME_PARTS.get(scale, (None, None))
        phrase = better if direction == "better" else worse
        if phrase is None:
            template = (
                _("%(scale)s: higher than their other scores")
                if direction == "better"
                else _("%(scale)s: lower than their other scores")
            )
            phrase = template % {"scale": measure_name(slug, scale, locale)}
        parts.append(str(phrase))
    if len(parts) == 2:
        return _("%(first)s, %(second)s", first=parts[0], second=parts[1])
    if parts:
        return parts[0]
    level = entry.get("level", 0.0)
    return str(TYPE_LEVEL_NAMES["better" if level > 0.5 else "worse" if level < -0.5 else "average"])


def resident_types(profile: WaveProfile, area: Area, locale: str) -> dict[str, list[TypeShare]]:
    gm = profile.wave.municipality.code
    result = {}
    for slug, model in (profile.run.types or {}).items():
        shares = [
            TypeShare(
                slug,
                entry["id"],
                type_name(slug, entry, locale),
                profile.get(area.code, slug, f"type:{entry['id']}", "share"),
                None if area.is_municipality else profile.get(gm, slug, f"type:{entry['id']}", "share"),
            )
            for entry in model.get("types", [])
        ]
        if shares:
            result[slug] = shares
    return result


@dataclass(frozen=True)
class ThemeFigure:
    """A named theme in the area: its name in the reader's language, the languages its answers came in, the number
    of answers with it as main theme and their share of all the area's answers to the question."""

    name: str
    languages: list[str]
    count: Figure | None
    share: Figure | None
    quotes: list[Quote] = field(default_factory=list)
    contrast: ThemeContrast | None = None  # in a wijk: against the rest of the municipality, when shown


@dataclass(frozen=True)
class StandingOut:
    """On the municipality's page: a named theme and the wijken where it is raised clearly more or less often than
    in the rest of the municipality, by name."""

    name: str
    higher: list[str]
    lower: list[str]


@dataclass(frozen=True)
class QuestionThemes:
    question: str
    text: str
    instrument: str
    answers: Figure | None  # the area's answers to the question, every language
    themes: list[ThemeFigure]
    compared: bool = False  # a wijk: each theme is compared with the rest of the municipality
    standing_out: list[StandingOut] = field(default_factory=list)  # the municipality: where themes stand out


def language_name(code: str, locale: str) -> str:
    try:
        return BabelLocale.parse(code).get_display_name(locale) or code
    except (ValueError, TypeError):
        return code


def themes(profile: WaveProfile, area: Area, locale: str) -> list[QuestionThemes]:
    """The named themes of every question an analyst marked ready, with their answers in the area, ranked by number;
    and the quotes an analyst approved for this area. Unreviewed and hidden themes, and proposed and rejected
    quotes, are never read."""
    shown = shown_themes(profile.run)
    quotes = approved_quotes(profile.run, area.code, shown)
    wijk_names = {wijk.code: wijk.name for wijk in areas_of(profile.wave.municipality) if not wijk.is_municipality}
    result = []
    for question in shown.questions:
        items = [
            ThemeFigure(
                item.named.name_in(locale),
                [language_name(code, locale) for code in item.languages],
                item.count,
                item.share,
                quotes.get(item.named.id, []),
                item.contrast,
            )
            for item in shown.ranked(question, area.code)
        ]
        if items:
            slug = question.split(".", 1)[0] if "." in question else ""
            result.append(
                QuestionThemes(
                    question,
                    question_text(question, locale),
                    instrument_label(slug, locale),
                    shown.answers.get((question, area.code)),
                    items,
                    compared=area.code in wijk_names,
                    standing_out=standing_out(shown.named.get(question, []), shown.contrasts, wijk_names, locale)
                    if area.is_municipality
                    else [],
                )
            )
    return result


def standing_out(
    named: Sequence[NamedTheme],
    contrasts: dict[tuple[int, str], ThemeContrast],
    wijk_names: dict[str, str],
    locale: str,
) -> list[StandingOut]:
    """Per named theme (in the question's order) the wijken where it is raised clearly more or less often than in
    the rest of the municipality; themes that stand out nowhere are left out."""
    result = []
    for group in named:
        found: dict[str, list[str]] = {HIGHER: [], LOWER: []}
        for code, name in sorted(wijk_names.items(), key=lambda item: item[1].casefold()):
            contrast = contrasts.get((group.id, code))
            if contrast is not None and contrast.direction in found:
                found[contrast.direction].append(name)
        if found[HIGHER] or found[LOWER]:
            result.append(StandingOut(group.name_in(locale), found[HIGHER], found[LOWER]))
    return result


@dataclass(frozen=True)
class Change:
    domain: str
    name: str
    shares: dict[str, Figure | None]  # improved / same / worse
    worker_differs: Figure | None  # share of clients whose worker rated it otherwise at the latest conversation


def wijkteam_changes(profile: WaveProfile, area: Area, locale: str) -> list[Change]:
    """Share of wijkteam clients better, the same or worse since intake: overall first, then per domain."""
    domains = list(
        dict.fromkeys(
            measure.split(":", 1)[0]
            for (code, slug, measure, statistic) in profile.figures
            if slug == WIJKTEAM
            and statistic == "share"
            and measure.partition(":")[2] in CHANGES
            and code in (area.code, profile.wave.municipality.code)
        )
    )
    domains.sort(key=lambda domain: (domain != "overall", domain))
    return [
        Change(
            domain,
            measure_name(WIJKTEAM, domain, locale),
            {change: profile.get(area.code, WIJKTEAM, f"{domain}:{change}", "share") for change in CHANGES},
            profile.get(area.code, WIJKTEAM, f"{domain}:{WORKER_DIFFERS}", "share"),
        )
        for domain in domains
    ]


# --- the whole page -----------------------------------------------------------------------------------------------


class _Notes:
    """Whether any figure of a page is indicative or suppressed: the page then explains what that means."""

    def _figures(self) -> Iterable[Figure | None]:
        raise NotImplementedError

    @property
    def has_indicative(self) -> bool:
        return any(figure is not None and figure.indicative for figure in self._figures())

    @property
    def has_suppressed(self) -> bool:
        return any(figure is not None and figure.suppressed for figure in self._figures())

    @property
    def has_small(self) -> bool:
        """Any figure hidden for resting on too few residents."""
        return any(figure is not None and figure.suppressed and not figure.complementary for figure in self._figures())

    @property
    def has_complementary(self) -> bool:
        """Any figure hidden so that a small group elsewhere cannot be worked out."""
        return any(figure is not None and figure.complementary for figure in self._figures())


@dataclass(frozen=True)
class AreaProfile(_Notes):
    """Everything the wijk page and the report show for one area in one wave."""

    profile: WaveProfile
    area: Area
    respondents: list[Respondents]
    spider: Spider | None
    scales: dict[str, list[ScaleFigure]]
    trends: list[Trend]
    types: dict[str, list[TypeShare]]
    themes: list[QuestionThemes]
    changes: list[Change]
    wijkteam_clients: Figure | None
    min_n: int
    indicative_n: int
    weighting: Weighting | None = None

    @property
    def has_model(self) -> bool:
        """Any model estimate on the page: the page then explains what one is."""
        return any(row.model is not None for rows in self.scales.values() for row in rows) or any(
            evaluation.model is not None for trend in self.trends for _wave, evaluation in trend.history
        )

    def _figures(self) -> Iterable[Figure | None]:
        yield from (row.count for row in self.respondents)
        for rows in self.scales.values():
            yield from (row.figure for row in rows)
        yield from (trend.current.figure for trend in self.trends)
        for shares in self.types.values():
            yield from (share.figure for share in shares)
        for question in self.themes:
            yield question.answers
            yield from (item.share for item in question.themes)
        for change in self.changes:
            yield from change.shares.values()
            yield change.worker_differs


def area_profile(
    profile: WaveProfile, area: Area, indicators: Sequence[Indicator], locale: str, default_min_n: int = 10
) -> AreaProfile:
    params = profile.run.params or {}
    return AreaProfile(
        profile=profile,
        area=area,
        respondents=respondents(profile, area.code, locale),
        spider=spider(profile, area, locale),
        scales=scale_figures(profile, area, locale),
        trends=trends(profile, area, indicators),
        types=resident_types(profile, area, locale),
        themes=themes(profile, area, locale),
        changes=wijkteam_changes(profile, area, locale),
        wijkteam_clients=profile.get(area.code, WIJKTEAM, "respondents", "n"),
        min_n=int(params.get("min_n") or default_min_n),
        indicative_n=int(params.get("indicative_n") or 30),
        weighting=weighting_note(profile, locale),
    )


# --- comparison ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a comparison: an area in a wave."""

    label: str
    profile: WaveProfile
    area_code: str


@dataclass(frozen=True)
class ScaleRow:
    name: str
    instrument: str
    low: float
    high: float
    figures: list[Figure | None]


@dataclass(frozen=True)
class Comparison(_Notes):
    columns: list[Column]
    respondents: list[tuple[str, list[Figure | None]]]
    indicators: list[tuple[Indicator, list[Evaluation]]]
    scales: list[ScaleRow]

    def _figures(self) -> Iterable[Figure | None]:
        for _label, figures in self.respondents:
            yield from figures
        for _indicator, evaluations in self.indicators:
            yield from (evaluation.figure for evaluation in evaluations)
        for row in self.scales:
            yield from row.figures

    @property
    def has_model(self) -> bool:
        """Any model estimate beside an indicator's figure: the page then explains what one is."""
        return any(evaluation.model is not None for _indicator, found in self.indicators for evaluation in found)


def compare(columns: Sequence[Column], indicators: Sequence[Indicator], locale: str) -> Comparison:
    """The same rows for every column: respondents per questionnaire, the key indicators, every scale mean."""
    slugs = list(
        dict.fromkeys(slug for column in columns for slug in survey_instruments(column.profile) if slug != WIJKTEAM)
    )
    respondents_rows = [
        (
            instrument_label(slug, locale),
            [column.profile.get(column.area_code, slug, "respondents", "n") for column in columns],
        )
        for slug in slugs
    ]
    indicator_rows = [
        (indicator, [evaluate(indicator, column.profile, column.area_code) for column in columns])
        for indicator in indicators
    ]
    scales = []
    for slug in slugs:
        measures = list(
            dict.fromkeys(measure for column in columns for measure in scale_measures(column.profile, slug))
        )
        for measure in measures:
            low, high = scale_range(slug, measure)
            scales.append(
                ScaleRow(
                    measure_name(slug, measure, locale),
                    slug,
                    low,
                    high,
                    [column.profile.get(column.area_code, slug, measure, "mean") for column in columns],
                )
            )
    return Comparison(list(columns), respondents_rows, indicator_rows, scales)
