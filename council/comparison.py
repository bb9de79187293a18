"""Areas side by side (or one area over waves): the same rows for every column."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from council.areas import Area
from council.indicators import Evaluation, evaluate
from council.names import WIJKTEAM, instrument_label, measure_name, scale_range
from council.profile import FigureNotes
from council.respondents import survey_instruments
from council.scales import scale_measures
from council.snapshots import Figure, WaveProfile, analysed_waves
from models import Indicator, Wave


@dataclass(frozen=True)
class ComparisonAsked:
    """What the compare page was asked: areas (?area=, in order, once each), or one area over the waves
    (?waves=all); `asked` when there is something to check and show."""

    codes: list[str]
    over_waves: bool
    asked: bool

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> ComparisonAsked:
        codes = list(dict.fromkeys(args.getlist("area")))
        over_waves = args.get("waves") == "all"
        # a lone area without "show" only fills in the form (the link from a wijk page); a submitted form is checked
        return cls(codes, over_waves, "show" in args or over_waves or len(codes) >= 2)

    def problems(self, known: set[str]) -> list[str]:
        if not self.asked:
            return []
        if any(code not in known for code in self.codes):
            return [_("Choose areas from the list.")]
        if self.over_waves and len(self.codes) != 1:
            return [_("To follow an area over the waves, choose exactly one area.")]
        if not self.over_waves and len(self.codes) < 2:
            return [_("Choose at least two areas to compare.")]
        return []


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
class Comparison(FigureNotes):
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


def over_waves(wave: Wave, area: Area) -> list[Column]:
    """One column per analysed wave of the municipality in which the area can be read, oldest first."""
    columns = []
    for one in analysed_waves(wave.municipality):
        loaded = WaveProfile.load(one, areas={area.code, wave.municipality.code})
        if loaded is not None:
            columns.append(Column(one.name, loaded, area.code))
    return columns


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
