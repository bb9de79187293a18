"""Output beside outcome for the council: per outcome its indicators over the waves next to the output measures
meant to serve it; across wijken an indicator against an output measure with their correlation; and per wijk the
change of both between two waves.

Only figures the council already sees are used: a suppressed indicator figure stays hidden and its wijk is left out
of the correlation. Output figures are the municipality's own or CBS's published counts (council.outputs).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.association import Correlation, Difference, correlation, difference
from council.areas import WIJK, Area, areas_of
from council.indicators import Evaluation, evaluate
from council.outputs import is_hidden, values_of, year_for
from council.snapshots import Figure, ShownFigure, WaveProfile, analysed_waves
from council.trends import Trend
from models import Direction, Indicator, Outcome, OutputMeasure

if TYPE_CHECKING:
    from typing_extensions import TypeIs


def shown(figure: Figure | None) -> TypeIs[ShownFigure]:
    """A figure the council may read as a number: there, with a value, and not suppressed."""
    return figure is not None and figure.value is not None and not figure.suppressed


# --- side by side on the wijk profile and the report ----------------------------------------------------------------


@dataclass(frozen=True)
class OutputLine:
    measure: OutputMeasure
    values: dict[int, float | None]  # year -> value (None: no figure that year)


@dataclass(frozen=True)
class IndicatorLine:
    trend: Trend
    values: dict[int, Evaluation | None]  # year of the wave -> its evaluation


@dataclass(frozen=True)
class Beside:
    """One outcome of the framework in one area: its indicators and its output measures over the same years."""

    outcome: Outcome
    years: list[int]
    indicators: list[IndicatorLine]
    outputs: list[OutputLine]


def beside(trends: Sequence[Trend], area_code: str) -> list[Beside]:
    """Every outcome that names output measures, with the years of its waves and of its output figures."""
    outcomes: dict[int, Outcome] = {}
    for trend in trends:
        outcomes.setdefault(trend.indicator.outcome_id, trend.indicator.outcome)
    result = []
    for outcome in outcomes.values():
        if not outcome.outputs:
            continue
        lines = []
        for trend in trends:
            if trend.indicator.outcome_id == outcome.id:
                lines.append(IndicatorLine(trend, {wave.opens_on.year: e for wave, e in trend.history}))
        wave_years = {year for line in lines for year in line.values}
        last = max(wave_years) if wave_years else None
        outputs = []
        output_years: set[int] = set()
        for measure in outcome.outputs:
            values = values_of(measure)
            measure_years = {year for (code, year) in values if code == area_code and (last is None or year <= last)}
            output_years |= measure_years
            outputs.append(OutputLine(measure, {year: values.get((area_code, year)) for year in measure_years}))
        years = sorted(wave_years | output_years)
        result.append(Beside(outcome, years, lines, outputs))
    return result


# --- across wijken ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    area: Area
    output: float | None
    evaluation: Evaluation

    @property
    def usable(self) -> bool:
        return self.output is not None and not is_hidden(self.output) and shown(self.evaluation.figure)


@dataclass(frozen=True)
class Across:
    indicator: Indicator
    measure: OutputMeasure
    year: int | None  # the year of the output figures set beside the wave
    points: list[Point]
    correlation: Correlation | None


def across(profile: WaveProfile, wijken: Sequence[Area], indicator: Indicator, measure: OutputMeasure) -> Across:
    """Each wijk's indicator in the wave against the output measure of the wave's year (or the latest before it)."""
    year = year_for(measure, profile.wave.opens_on.year)
    values = values_of(measure)
    points = [
        Point(area, None if year is None else values.get((area.code, year)), evaluate(indicator, profile, area.code))
        for area in wijken
    ]
    # the usable points, with the checks of Point.usable repeated where they narrow the types
    usable = [
        (p.output, p.evaluation.figure.value)
        for p in points
        if p.usable and p.output is not None and shown(p.evaluation.figure)
    ]
    found = correlation([output for output, _ in usable], [value for _, value in usable])
    return Across(indicator, measure, year, points, found)


# --- change between two waves -----------------------------------------------------------------------------------------


class Movement(enum.Enum):
    up = "up"
    down = "down"
    same = "same"
    unknown = "unknown"


class Progress(enum.Enum):
    improved = "improved"  # clearly better: the interval of the change lies wholly on the good side of 0
    worsened = "worsened"  # clearly worse
    unclear = "unclear"  # not clearly changed either way
    unknown = "unknown"  # a figure of either wave missing or suppressed


@dataclass(frozen=True)
class WijkChange:
    area: Area
    output_before: float | None
    output_after: float | None
    output: Movement
    before: Figure | None
    after: Figure | None
    change: Difference | None
    outcome: Progress

    @property
    def more_without_better(self) -> bool:
        """The council's question answered no: more output, and residents not clearly better off."""
        return self.output is Movement.up and self.outcome in (Progress.unclear, Progress.worsened)


def _movement(before: float | None, after: float | None) -> Movement:
    if before is None or after is None or is_hidden(before) or is_hidden(after):
        return Movement.unknown
    if after > before:
        return Movement.up
    if after < before:
        return Movement.down
    return Movement.same


def judge(before: Figure | None, after: Figure | None, direction: Direction) -> tuple[Difference | None, Progress]:
    """Whether the outcome improved clearly between two waves, from the intervals both figures carry."""
    if not (shown(before) and shown(after)):
        return None, Progress.unknown
    if before.lower is None or before.upper is None or after.lower is None or after.upper is None:
        return None, Progress.unclear
    found = difference(before.value, (before.lower, before.upper), after.value, (after.lower, after.upper))
    if not found.clear:
        return found, Progress.unclear
    better = found.value > 0 if direction is Direction.higher_is_better else found.value < 0
    return found, Progress.improved if better else Progress.worsened


@dataclass(frozen=True)
class Changes:
    earlier: WaveProfile
    later: WaveProfile
    year_before: int | None
    year_after: int | None
    rows: list[WijkChange]


def changes(
    earlier: WaveProfile, later: WaveProfile, wijken: Sequence[Area], indicator: Indicator, measure: OutputMeasure
) -> Changes:
    """Per wijk: did output rise or fall between the years of the two waves, and did the outcome improve clearly?"""
    year_before = year_for(measure, earlier.wave.opens_on.year)
    year_after = year_for(measure, later.wave.opens_on.year)
    values = values_of(measure)
    rows = []
    for area in wijken:
        output_before = None if year_before is None else values.get((area.code, year_before))
        output_after = None if year_after is None else values.get((area.code, year_after))
        movement = _movement(output_before, output_after) if year_before != year_after else Movement.unknown
        before = evaluate(indicator, earlier, area.code).figure
        after = evaluate(indicator, later, area.code).figure
        found, judged = judge(before, after, indicator.direction)
        rows.append(WijkChange(area, output_before, output_after, movement, before, after, found, judged))
    return Changes(earlier, later, year_before, year_after, rows)


def chosen_pair(
    indicators: Sequence[Indicator], measures: Sequence[OutputMeasure], indicator_id: str | None, measure_id: str | None
) -> tuple[Indicator | None, OutputMeasure | None]:
    """The indicator and output measure asked for; by default the first indicator with a paired output measure, and
    its first paired measure."""
    indicator = next((one for one in indicators if str(one.id) == indicator_id), None)
    measure = next((one for one in measures if str(one.id) == measure_id), None)
    if indicator is None and indicators:
        paired = [one for one in indicators if one.outcome.outputs]
        indicator = paired[0] if paired else indicators[0]
    if measure is None and indicator is not None:
        measure = indicator.outcome.outputs[0] if indicator.outcome.outputs else (measures[0] if measures else None)
    return indicator, measure


def across_wijken(
    profile: WaveProfile, indicator: Indicator, measure: OutputMeasure, levels: Sequence[str]
) -> tuple[Across, Changes | None]:
    """The indicator against the measure across the wave's wijken, and per wijk their change since the wave just
    before (None for the first wave); `levels` are the levels the earlier wave's profile is read at."""
    wave = profile.wave
    wijken = [area for area in areas_of(wave.municipality) if area.level == WIJK]
    result = across(profile, wijken, indicator, measure)
    earlier_waves = [
        one for one in analysed_waves(wave.municipality) if (one.opens_on, one.id) < (wave.opens_on, wave.id)
    ]
    earlier = WaveProfile.load(earlier_waves[-1], levels=levels) if earlier_waves else None
    return result, None if earlier is None else changes(earlier, profile, wijken, indicator, measure)
