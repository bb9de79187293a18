"""Reading what the council may see: the stored profile snapshots of each wave's newest released run.

Nothing here touches responses or answers: the number of rows read depends on areas and measures, not on how many
residents answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from analysis.records import (
    HIGHER_THAN_REST,
    INDICATIVE,
    LOWER_THAN_REST,
    MODEL,
    SUPPRESSED,
    SUPPRESSED_COMPLEMENTARY,
    SYNTHETIC_ONLY,
)
from extensions import db
from models import AnalysisRun, Municipality, ProfileSnapshot, RunStatus, Wave
from runs.releases import released_run

Key = tuple[str, str, str, str]  # area code, instrument, measure, statistic
# The weighted figure that stands in for an unweighted one when the profile is read weighted (the default).
WEIGHTED_STATISTICS = {"mean": "mean_weighted", "share": "share_weighted"}


@dataclass(frozen=True)
class Figure:
    """One stored figure: a value with its 95% interval, the number it rests on and its disclosure flags."""

    value: float | None
    lower: float | None
    upper: float | None
    n: int | None
    flags: frozenset[str]

    @property
    def suppressed(self) -> bool:
        return SUPPRESSED in self.flags

    @property
    def complementary(self) -> bool:
        """Hidden not for being small but so that a small group elsewhere cannot be worked out. Runs before the
        reason was stored only say "suppressed": those read as too few respondents, as they were shown then."""
        return self.suppressed and SUPPRESSED_COMPLEMENTARY in self.flags

    @property
    def indicative(self) -> bool:
        return INDICATIVE in self.flags

    @property
    def model(self) -> bool:
        """A model estimate (analysis.smallarea), to be marked as one wherever it is shown."""
        return MODEL in self.flags

    @property
    def synthetic(self) -> bool:
        """A model estimate without the buurt's own answers (its direct figure is suppressed or absent)."""
        return SYNTHETIC_ONLY in self.flags


class ShownFigure(Figure):
    """For the type checker only: a Figure with a value, as the checks that a figure may be shown narrow it."""

    value: float


@dataclass
class WaveProfile:
    """The figures of one wave's newest released run (runs.releases), for the areas asked for.

    `weighted` (the default): a mean or share is read as its weighted figure (weighted to the population, see
    analysis.weighting) where the run has one, with the unweighted figure's n and the flags of both, except that
    "clearly higher/lower than the rest" is the weighted test's verdict where the run made one. The unweighted
    figures stay stored and readable with `weighted=False`."""

    wave: Wave
    run: AnalysisRun
    figures: dict[Key, Figure]
    weighted: bool = True

    @classmethod
    def load(
        cls, wave: Wave, areas: Iterable[str] | None = None, levels: Iterable[str] | None = None
    ) -> WaveProfile | None:
        """The wave's profile, or None when it has no released run yet. `areas` and `levels` narrow what is read."""
        run = released_run(wave)
        if run is None:
            return None
        return cls.load_run(wave, run, areas, levels)

    @classmethod
    def load_run(
        cls, wave: Wave, run: AnalysisRun, areas: Iterable[str] | None = None, levels: Iterable[str] | None = None
    ) -> WaveProfile:
        """The figures of a given run of the wave (the caller chose it: released, or published to residents)."""
        query = select(
            ProfileSnapshot.area_code,
            ProfileSnapshot.instrument,
            ProfileSnapshot.measure,
            ProfileSnapshot.statistic,
            ProfileSnapshot.value,
            ProfileSnapshot.lower,
            ProfileSnapshot.upper,
            ProfileSnapshot.n,
            ProfileSnapshot.flags,
        ).where(ProfileSnapshot.run_id == run.id)
        if areas is not None:
            query = query.where(ProfileSnapshot.area_code.in_(list(areas)))
        if levels is not None:
            query = query.where(ProfileSnapshot.area_level.in_(list(levels)))
        figures = {
            (area, instrument, measure, statistic): Figure(value, lower, upper, n, frozenset(flags.split()))
            for area, instrument, measure, statistic, value, lower, upper, n, flags in db.session.execute(query)
        }
        return cls(wave=wave, run=run, figures=figures)

    def get(self, area: str, instrument: str, measure: str, statistic: str) -> Figure | None:
        figure = self.figures.get((area, instrument, measure, statistic))
        if self.weighted and figure is not None and not figure.suppressed and statistic in WEIGHTED_STATISTICS:
            weighted = self.figures.get((area, instrument, measure, WEIGHTED_STATISTICS[statistic]))
            if weighted is not None and weighted.value is not None and not weighted.suppressed:
                flags = figure.flags
                if (area, instrument, measure, "p_vs_rest_weighted") in self.figures:
                    # the difference from the rest was tested on the weighted figures too: that verdict is the one
                    # for the weighted figure shown (runs before those tests keep the unweighted one)
                    flags = flags - {HIGHER_THAN_REST, LOWER_THAN_REST}
                return Figure(weighted.value, weighted.lower, weighted.upper, figure.n, flags | weighted.flags)
        return figure

    @property
    def is_weighted(self) -> bool:
        """Whether what `get` gives includes weighted figures."""
        return self.weighted and any(key[3] in WEIGHTED_STATISTICS.values() for key in self.figures)

    def instruments(self) -> list[str]:
        return sorted({instrument for _, instrument, _, _ in self.figures})

    def measures(self, area: str, instrument: str, statistic: str) -> list[str]:
        """The measures of an instrument that have `statistic` for the area, in the order they were stored."""
        return list(
            dict.fromkeys(
                measure
                for (code, slug, measure, stat) in self.figures
                if code == area and slug == instrument and stat == statistic
            )
        )


def analysed_waves(municipality: Municipality | None) -> list[Wave]:
    """The waves with a released run, oldest first (the order of a trend): of one municipality, or of every
    municipality for None."""
    query = (
        select(Wave)
        .where(
            select(AnalysisRun.id)
            .where(
                AnalysisRun.wave_id == Wave.id,
                AnalysisRun.status == RunStatus.succeeded,
                AnalysisRun.released_at.is_not(None),
            )
            .exists()
        )
        .order_by(Wave.opens_on, Wave.id)
    )
    if municipality is not None:
        query = query.where(Wave.municipality_id == municipality.id)
    return list(db.session.scalars(query))
