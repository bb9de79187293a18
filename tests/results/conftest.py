"""A released run of the demo wave stored by hand, so each test knows exactly what may and may not reach the public:
shown and suppressed figures (a suppressed one with a number still stored, as a trap), a named theme with an
approved, a proposed and a rejected quote, a hidden and an unnamed theme, and a question not yet reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from extensions import db
from models import (
    AnalysisRun,
    NamedTheme,
    ProfileSnapshot,
    Quote,
    QuoteStatus,
    RunStatus,
    Theme,
    ThemeCount,
    ThemeReview,
)

GM, CENTRUM, OUD_WEST = "GM9001", "WK900100", "WK900101"
DIMENSIONS = ("ph_body", "ph_mind", "ph_meaning", "ph_quality", "ph_participation", "ph_daily")
READY, UNREVIEWED = "adult.open_better", "adult.open_good"
APPROVED = "Er wordt te hard gereden in de Dorpsstraat"
NEVER = {
    "proposed": "Voorstel dat niemand goedkeurde",
    "rejected": "Afgewezen citaat van een inwoner",
    "hidden_theme_quote": "Citaat bij een verborgen thema",
    "other_wijk": "Citaat uit Oud-West",
}
NEVER_THEMES = ("Verborgen thema", "Thema zonder review")
TRAP = 9.87  # stored with a suppressed figure: it must never be shown


@dataclass
class Stored:
    run: AnalysisRun
    named: NamedTheme


def _figure(run, area, measure, statistic, value, n=None, flags="", lower=None, upper=None, instrument="adult"):
    db.session.add(
        ProfileSnapshot(
            run_id=run.id,
            area_code=area,
            area_level="municipality" if area.startswith("GM") else "wijk",
            instrument=instrument,
            measure=measure,
            statistic=statistic,
            value=value,
            lower=lower,
            upper=upper,
            n=n,
            flags=flags,
        )
    )


def store_run(wave, released: bool = True, theme_name: str = "Verkeer is te druk") -> Stored:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    run = AnalysisRun(
        wave=wave,
        status=RunStatus.succeeded,
        params={"min_n": 10, "indicative_n": 30},
        finished_at=now,
        released_at=now if released else None,
    )
    db.session.add(run)
    db.session.flush()
    for area, n in ((GM, 200), (CENTRUM, 60), (OUD_WEST, 40)):
        _figure(run, area, "respondents", "n", float(n), n=n)
        for index, dimension in enumerate(DIMENSIONS):
            _figure(
                run,
                area,
                dimension,
                "mean",
                6.0 + index / 10 + (0.5 if area == CENTRUM else 0),
                n=n,
                lower=5.5,
                upper=7.5,
            )
    _figure(run, GM, "life_satisfaction", "mean", 7.1, n=200, lower=6.9, upper=7.3)
    _figure(run, CENTRUM, "life_satisfaction", "mean", 7.6, n=60, lower=7.2, upper=8.0, flags="higher_than_rest")
    _figure(run, OUD_WEST, "life_satisfaction", "mean", 6.4, n=40, lower=6.0, upper=6.8, flags="lower_than_rest")
    _figure(run, GM, "cohesion", "mean", 6.2, n=200)
    _figure(run, CENTRUM, "cohesion", "mean", 6.5, n=60)
    _figure(run, OUD_WEST, "cohesion", "mean", TRAP, n=4, flags="suppressed suppressed_small")
    _figure(run, GM, "djg:not_lonely", "share", 0.61, n=200)
    _figure(run, CENTRUM, "djg:not_lonely", "share", 0.72, n=60)
    _figure(run, OUD_WEST, "djg:not_lonely", "share", None, flags="suppressed suppressed_complementary")

    db.session.add_all(
        [
            ThemeReview(run_id=run.id, question=READY, ready=True),
            ThemeReview(run_id=run.id, question=UNREVIEWED, ready=False),
        ]
    )
    named = NamedTheme(run_id=run.id, question=READY, name=theme_name, translations={"en": "Too much traffic"})
    hidden = NamedTheme(run_id=run.id, question=READY, name=NEVER_THEMES[0], hidden=True)
    unnamed = NamedTheme(run_id=run.id, question=READY, name="")
    unreviewed = NamedTheme(run_id=run.id, question=UNREVIEWED, name=NEVER_THEMES[1])
    db.session.add_all([named, hidden, unnamed, unreviewed])
    db.session.flush()
    themes = {}
    for key, group, question in (
        ("nl-1", named, READY),
        ("nl-2", hidden, READY),
        ("nl-3", unnamed, READY),
        ("nl-1", unreviewed, UNREVIEWED),
    ):
        theme = Theme(
            run_id=run.id, question=question, key=key, language="nl", label=key, terms=[], answers=30, named_id=group.id
        )
        db.session.add(theme)
        db.session.flush()
        themes[(question, key)] = theme
    for question in (READY, UNREVIEWED):
        for area, total, in_first in ((GM, 150, 70), (CENTRUM, 50, 30), (OUD_WEST, 40, 20)):
            db.session.add(ThemeCount(run_id=run.id, question=question, theme_id=None, area_code=area, answers=total))
            db.session.add(
                ThemeCount(
                    run_id=run.id,
                    question=question,
                    theme_id=themes[(question, "nl-1")].id,
                    area_code=area,
                    answers=in_first,
                )
            )
            if question == READY:
                for key in ("nl-2", "nl-3"):
                    db.session.add(
                        ThemeCount(
                            run_id=run.id,
                            question=question,
                            theme_id=themes[(question, key)].id,
                            area_code=area,
                            answers=total // 5,
                        )
                    )
    first = themes[(READY, "nl-1")]
    db.session.add_all(
        [
            Quote(theme_id=first.id, area_code=CENTRUM, text=APPROVED, status=QuoteStatus.approved),
            Quote(theme_id=first.id, area_code=CENTRUM, text=NEVER["proposed"], status=QuoteStatus.proposed),
            Quote(theme_id=first.id, area_code=CENTRUM, text=NEVER["rejected"], status=QuoteStatus.rejected),
            Quote(
                theme_id=themes[(READY, "nl-2")].id,
                area_code=CENTRUM,
                text=NEVER["hidden_theme_quote"],
                status=QuoteStatus.approved,
            ),
            Quote(theme_id=first.id, area_code=OUD_WEST, text=NEVER["other_wijk"], status=QuoteStatus.approved),
        ]
    )
    db.session.commit()
    return Stored(run, named)


@pytest.fixture
def stored(app, demo_wave) -> Stored:
    return store_run(demo_wave)
