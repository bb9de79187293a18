"""The first page of the council's report: each indicator's status against its target, where the area differs most
from the municipality, and the named themes; the detail follows on the next pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from council.indicators import Evaluation, Status
from council.profile import AreaProfile
from council.respondents import AreaRow
from council.scales import ScaleFigure
from council.theme_figures import ThemeFigure
from models import Indicator

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from council.snapshots import Figure, ShownFigure

MOST_DIFFERENCES = 3  # scales, and again themes, that differ most: the summary must stay one page
MOST_THEMES = 3  # named themes per question


@dataclass(frozen=True)
class ThemeDifference:
    question: str
    theme: ThemeFigure


@dataclass(frozen=True)
class QuestionSummary:
    question: str
    themes: list[str]  # the most raised named themes, most answers first


@dataclass(frozen=True)
class WijkStatuses:
    """On the municipality's report: per indicator the wijken clearly on and clearly short of target."""

    indicator: Indicator
    on_target: list[str]
    off_target: list[str]


@dataclass(frozen=True)
class Summary:
    indicators: list[Evaluation]
    scales: list[ScaleFigure] = field(default_factory=list)  # clearly different from the municipality
    themes_differing: list[ThemeDifference] = field(default_factory=list)
    themes: list[QuestionSummary] = field(default_factory=list)
    wijken: list[WijkStatuses] = field(default_factory=list)


def _shown(figure: Figure | None) -> TypeIs[ShownFigure]:
    return figure is not None and figure.value is not None and not figure.suppressed


def clearly_different(row: ScaleFigure) -> bool:
    """The municipality's mean lies outside the area's 95% interval."""
    if not (_shown(row.figure) and _shown(row.reference)) or row.figure.lower is None or row.figure.upper is None:
        return False
    return not row.figure.lower <= row.reference.value <= row.figure.upper


def largest_differences(scales: dict[str, list[ScaleFigure]], most: int = MOST_DIFFERENCES) -> list[ScaleFigure]:
    """The scales on which the area differs clearly from the municipality, the largest differences first (as a share
    of each scale's range, since ranges differ)."""
    rows = [row for rows in scales.values() for row in rows if clearly_different(row)]

    def largest_first(row: ScaleFigure) -> float:
        if not (_shown(row.figure) and _shown(row.reference)):  # clearly_different let only shown pairs through
            return 0.0
        return -abs(row.figure.value - row.reference.value) / ((row.high - row.low) or 1.0)

    rows.sort(key=largest_first)
    return rows[:most]


def report_summary(
    data: AreaProfile, rows: Sequence[AreaRow] | None, indicators: Sequence[Indicator] | None
) -> Summary:
    themes_differing = [
        ThemeDifference(question.text, item)
        for question in data.themes
        for item in question.themes
        if item.contrast is not None and item.contrast.direction is not None
    ][:MOST_DIFFERENCES]
    themes = [
        QuestionSummary(
            question.text,
            [item.name for item in question.themes if item.count is not None and item.count.value][:MOST_THEMES],
        )
        for question in data.themes
    ]
    wijken = []
    if rows and indicators:
        for position, indicator in enumerate(indicators):
            found: dict[Status, list[str]] = {Status.on_target: [], Status.off_target: []}
            for row in rows:
                evaluation = row.evaluations[position]
                if not row.area.is_municipality and evaluation.status in found:
                    found[evaluation.status].append(row.area.name)
            wijken.append(WijkStatuses(indicator, found[Status.on_target], found[Status.off_target]))
    return Summary(
        indicators=[trend.current for trend in data.trends],
        scales=[] if data.area.is_municipality else largest_differences(data.scales),
        themes_differing=themes_differing,
        themes=[question for question in themes if question.themes],
        wijken=wijken,
    )
