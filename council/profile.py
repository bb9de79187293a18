"""An area's whole profile in one wave, as the wijk page and the report show it; the waves and framework they read.

Plain functions and dataclasses, so that the overview, wijk profile, comparison and report (HTML and PDF) show the
same figures and tests can check them without a request. Each part of the page is assembled in a module of its own
(council.respondents, .scales, .trends, .resident_types, .theme_figures, .wijkteam; names in council.names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from council.areas import Area
from council.names import WIJKTEAM
from council.resident_types import TypeShare, resident_types
from council.respondents import Respondents, Weighting, respondents, weighting_note
from council.scales import ScaleFigure, Spider, scale_figures, spider
from council.snapshots import Figure, WaveProfile, analysed_waves
from council.theme_figures import QuestionThemes, themes
from council.trends import Trend, trends
from council.wijkteam import Change, wijkteam_changes
from extensions import db
from models import Indicator, Municipality, Outcome, User, Wave


def council_waves(user: User | None) -> list[Wave]:
    """The waves this staff member may read that have a successful analysis, newest first."""
    return analysed_waves(user.municipality if user is not None else None)[::-1]


def framework(municipality: Municipality) -> list[Indicator]:
    """The key indicators of the municipality's outcome framework, outcome by outcome."""
    outcomes = db.session.scalars(
        select(Outcome).where(Outcome.municipality_id == municipality.id).order_by(Outcome.position, Outcome.id)
    ).all()
    return [indicator for outcome in outcomes for indicator in outcome.indicators]


class FigureNotes:
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
class AreaProfile(FigureNotes):
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
