"""Indicators against their targets: which stored figure an indicator reads, and an honest status that accounts for
the uncertainty of the estimate."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from council.snapshots import Figure, WaveProfile
from models import Direction, Indicator, IndicatorKind, Target


class Status(enum.Enum):
    on_target = "on_target"  # the whole 95% interval lies on the good side of the target
    undecided = "undecided"  # the interval contains the target: not distinguishable from it
    off_target = "off_target"  # the whole interval lies on the bad side of the target
    suppressed = "suppressed"  # too few respondents to show (disclosure control)
    protected = "protected"  # hidden so that a small group elsewhere cannot be worked out
    no_data = "no_data"  # the run has no figure for this indicator in this area
    no_target = "no_target"  # no target set for this area and year


# The model estimate (analysis.smallarea) of a buurt beside each direct statistic an indicator can read; the share of
# clients who improved has none.
MODEL_STATISTICS = {"mean": "mean_model", "share": "share_model"}


def figure_key(indicator: Indicator) -> tuple[str, str, str]:
    """(instrument, measure, statistic) of the snapshot an indicator reads."""
    if indicator.kind is IndicatorKind.scale_mean:
        return indicator.instrument, indicator.measure, "mean"
    if indicator.kind is IndicatorKind.band_share:
        return indicator.instrument, indicator.measure, "share"
    return indicator.instrument, f"{indicator.measure}:improved", "share"


def target_for(targets: Iterable[Target], area_code: str, municipality_code: str, year: int) -> Target | None:
    """The target for the area in `year`: its own, else the municipality's. None when neither has one for that year:
    a wave is judged only against the target of its own year (a later year's target is not yet due)."""
    for code in dict.fromkeys((area_code, municipality_code)):
        for target in targets:
            if target.area_code == code and target.year == year:
                return target
    return None


def status(figure: Figure | None, target: float | None, direction: Direction) -> Status:
    """Clearly on target, not distinguishable from it, or clearly off target.

    "Clearly" means the whole 95% interval lies on one side of the target; an interval that touches the target does
    not count as clear. A figure without an interval is never clear either way.
    """
    if figure is None:
        return Status.no_data
    if figure.suppressed:
        return Status.protected if figure.complementary else Status.suppressed
    if figure.value is None:
        return Status.no_data
    if target is None:
        return Status.no_target
    if figure.lower is None or figure.upper is None:
        return Status.undecided
    above, below = figure.lower > target, figure.upper < target
    if direction is Direction.lower_is_better:
        above, below = below, above
    if above:
        return Status.on_target
    if below:
        return Status.off_target
    return Status.undecided


@dataclass(frozen=True)
class Evaluation:
    """An indicator in one area and wave: the figure, the target it is held against and the resulting status."""

    indicator: Indicator
    area_code: str
    figure: Figure | None
    target: Target | None
    status: Status
    # a buurt's model estimate, where its direct figure is suppressed, absent or indicative (model_figure), with its
    # own status against the same target; shown beside the direct figure and marked in words, never in its place
    model: Figure | None = None
    model_status: Status | None = None


def needs_model(figure: Figure | None) -> bool:
    """Whether a direct figure is missing, suppressed or thin (indicative): where a buurt's model estimate is shown."""
    return figure is None or figure.suppressed or figure.value is None or figure.indicative


def model_figure(profile: WaveProfile, area_code: str, instrument: str, measure: str, statistic: str) -> Figure | None:
    """The buurt's model estimate beside its direct figure `statistic`, where one is stored and the direct figure
    needs it (needs_model); None for wijken and the municipality.

    Where the direct figure is suppressed, only a synthetic estimate (without the buurt's own answers) may be shown:
    a composite one could be solved for the hidden figure. analysis.smallarea stores nothing else for such a buurt;
    this holds the line also for a snapshot that breaks the rule."""
    model_statistic = MODEL_STATISTICS.get(statistic)
    if model_statistic is None or not area_code.startswith("BU"):
        return None
    direct = profile.get(area_code, instrument, measure, statistic)
    if not needs_model(direct):
        return None
    model = profile.get(area_code, instrument, measure, model_statistic)
    if model is None or model.value is None or not model.model:
        return None
    if (direct is None or direct.suppressed or direct.value is None) and not model.synthetic:
        return None
    return model


def evaluate(indicator: Indicator, profile: WaveProfile, area_code: str) -> Evaluation:
    """The indicator's figure for the area in this wave, against the target for the wave's year; for a buurt whose
    direct figure is suppressed, absent or thin, also its model estimate and that estimate's status."""
    instrument, measure, statistic = figure_key(indicator)
    figure = profile.get(area_code, instrument, measure, statistic)
    target = target_for(indicator.targets, area_code, profile.wave.municipality.code, profile.wave.opens_on.year)
    target_value = None if target is None else target.value
    modelled = indicator.kind is not IndicatorKind.improved_share  # the change of clients has no model
    model = model_figure(profile, area_code, instrument, measure, statistic) if modelled else None
    return Evaluation(
        indicator=indicator,
        area_code=area_code,
        figure=figure,
        target=target,
        status=status(figure, target_value, indicator.direction),
        model=model,
        model_status=None if model is None else status(model, target_value, indicator.direction),
    )
