"""Areas side by side (or one area over waves): the same rows for every column."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from council.indicators import Evaluation, evaluate
from council.names import WIJKTEAM, instrument_label, measure_name, scale_range
from council.profile import FigureNotes
from council.respondents import survey_instruments
from council.scales import scale_measures
from council.snapshots import Figure, WaveProfile
from models import Indicator


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
