"""The named themes the council may see: of questions an analyst marked ready, not hidden, with per area their
number of answers and share of all answers to the question, after disclosure control.

A named theme counts the answers whose main theme is one of its themes (merged across languages): one main theme
per answer, so nothing is counted twice. Counts are stored raw per area (models.ThemeCount); the same rules as
every other figure (analysis.disclosure) run over them here, for every area at once, so the municipality's, a
wijk's and a buurt's figures cannot be played off against each other. Unreviewed themes are never read.

Where a named theme stands out in a wijk against the rest of the municipality comes from analysis.theme_contrast
over the wijken's stored counts; it is told only where the wijk's and the municipality's figures of the theme are
shown, so that a comparison never gives a hidden figure away.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

import numpy as np
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from analysis.disclosure import RESPONDENTS, apply_disclosure
from analysis.frames import area_table
from analysis.inference import wilson_interval
from analysis.records import INDICATIVE, ProfileRecord
from analysis.records import clean as clean_value
from analysis.theme_contrast import ThemeContrast, contrasts_from_counts
from council.snapshots import Figure
from extensions import db
from models import AnalysisRun, NamedTheme, Quote, QuoteStatus, Theme, ThemeCount, ThemeReview

FAMILY = "themes"  # measure "themes:<named theme id>": the named themes of one question in one area
FDR = 0.05  # Benjamini-Hochberg over all named themes and wijken of a question
CACHED_RUNS = 32  # figures of this many (run, naming) states are kept per process
_FIGURES_CACHE: OrderedDict[tuple, tuple[dict, dict, dict]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class NamedFigure:
    """A named theme in one area: its answers (count) and their share of all answers to the question there."""

    named: NamedTheme
    languages: tuple[str, ...]  # the languages its answers came in
    count: Figure | None
    share: Figure | None
    contrast: ThemeContrast | None = None  # against the rest of the municipality; only for a shown wijk figure


@dataclass
class RunThemes:
    """Every shown named theme of a run with its figures per area, per question."""

    questions: list[str]  # ready questions, in key order
    named: dict[str, list[NamedTheme]]  # per question, shown named themes
    answers: dict[tuple[str, str], Figure] = field(default_factory=dict)  # (question, area) -> answers
    figures: dict[tuple[int, str], tuple[Figure, Figure]] = field(default_factory=dict)  # (named id, area)
    languages: dict[int, tuple[str, ...]] = field(default_factory=dict)
    contrasts: dict[tuple[int, str], ThemeContrast] = field(default_factory=dict)  # (named id, wijk code)

    def ranked(self, question: str, area_code: str) -> list[NamedFigure]:
        """The question's named themes in the area, most answers first; suppressed ones last."""
        listed = []
        for named in self.named.get(question, []):
            count, share = self.figures.get((named.id, area_code), (None, None))
            listed.append(
                NamedFigure(
                    named, self.languages.get(named.id, ()), count, share, self.contrasts.get((named.id, area_code))
                )
            )
        listed.sort(
            key=lambda item: (
                item.count is None or item.count.value is None,
                -(item.count.value or 0) if item.count else 0,
                item.named.name.casefold(),
            )
        )
        return listed


def ready_questions(run: AnalysisRun) -> list[str]:
    return sorted(
        db.session.scalars(
            select(ThemeReview.question).where(ThemeReview.run_id == run.id, ThemeReview.ready.is_(True))
        )
    )


def run_themes(
    run: AnalysisRun,
    *,
    min_n: int,
    indicative_n: int = 30,
    min_count: int | None = None,
    confidence: float = 0.95,
    contrast_min_n: int | None = None,
    fdr: float = FDR,
) -> RunThemes:
    """The run's shown named themes with their figures per area after disclosure control, and per wijk where each
    stands out (`contrast_min_n` answers in the wijk and in the rest at least, by default `min_n`)."""
    questions = ready_questions(run)
    named: dict[str, list[NamedTheme]] = defaultdict(list)
    member_of: dict[int, NamedTheme] = {}
    languages: dict[int, set[str]] = defaultdict(set)
    if questions:
        for theme, group in db.session.execute(
            select(Theme, NamedTheme)
            .join(NamedTheme, Theme.named_id == NamedTheme.id)
            .where(
                Theme.run_id == run.id,
                Theme.question.in_(questions),
                NamedTheme.hidden.is_(False),
                NamedTheme.name != "",
            )
            .order_by(NamedTheme.id, Theme.id)
        ):
            if group.id not in languages:
                named[group.question].append(group)
            member_of[theme.id] = group
            languages[group.id].add(theme.language)
    result = RunThemes(
        questions, dict(named), languages={key: tuple(sorted(value)) for key, value in languages.items()}
    )
    if not questions:
        return result
    # The figures depend only on the run's stored counts (never changed after the run) and on which themes make up
    # which shown named theme: a page or API call that asks again gets them from the cache instead of running the
    # disclosure control (seconds at a real run's size) once more. Names are read fresh above.
    # the run's creation time and a digest of its counts too: an id can come back after a deletion (SQLite)
    stored = tuple(
        db.session.execute(
            select(func.count(), func.sum(ThemeCount.answers), func.max(ThemeCount.id)).where(
                ThemeCount.run_id == run.id
            )
        ).one()
    )
    key = (
        run.id,
        run.created_at,
        stored,
        tuple(questions),
        tuple(sorted((theme_id, group.id) for theme_id, group in member_of.items())),
        min_n,
        indicative_n,
        min_count,
        confidence,
        contrast_min_n,
        fdr,
    )
    with _CACHE_LOCK:
        cached = _FIGURES_CACHE.get(key)
        if cached is not None:
            _FIGURES_CACHE.move_to_end(key)
    if cached is not None:
        result.answers, result.figures, result.contrasts = (dict(part) for part in cached)
        return result
    _compute_figures(
        run,
        result,
        questions,
        named,
        member_of,
        min_n=min_n,
        indicative_n=indicative_n,
        min_count=min_count,
        confidence=confidence,
        contrast_min_n=contrast_min_n,
        fdr=fdr,
    )
    with _CACHE_LOCK:
        _FIGURES_CACHE[key] = (dict(result.answers), dict(result.figures), dict(result.contrasts))
        while len(_FIGURES_CACHE) > CACHED_RUNS:
            _FIGURES_CACHE.popitem(last=False)
    return result


def _compute_figures(
    run: AnalysisRun,
    result: RunThemes,
    questions: list[str],
    named: dict[str, list[NamedTheme]],
    member_of: dict[int, NamedTheme],
    *,
    min_n: int,
    indicative_n: int,
    min_count: int | None,
    confidence: float,
    contrast_min_n: int | None,
    fdr: float,
) -> None:
    totals: dict[tuple[str, str], int] = {}
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for question, theme_id, area, answers in db.session.execute(
        select(ThemeCount.question, ThemeCount.theme_id, ThemeCount.area_code, ThemeCount.answers).where(
            ThemeCount.run_id == run.id, ThemeCount.question.in_(questions)
        )
    ):
        if theme_id is None:
            totals[(question, area)] = answers
        elif theme_id in member_of:
            counts[(member_of[theme_id].id, area)] += answers
    if not totals:
        return
    areas = area_table({area for _question, area in totals})
    records = []
    for (question, area), n in totals.items():
        level = str(areas.loc[area, "level"])
        records.append(ProfileRecord(area, level, question, RESPONDENTS, "n", float(n), n=n))
        groups = named.get(question, [])
        k = np.array([counts.get((group.id, area), 0) for group in groups], dtype=float)
        lower, upper = wilson_interval(k, np.full(len(groups), n, dtype=float), confidence)
        for index, group in enumerate(groups):
            records.append(
                ProfileRecord(
                    area,
                    level,
                    question,
                    f"{FAMILY}:{group.id}",
                    "share",
                    clean_value(k[index] / n),
                    clean_value(lower[index]),
                    clean_value(upper[index]),
                    n=n,
                )
            )
    for record in apply_disclosure(records, areas, min_n=min_n, indicative_n=indicative_n, min_count=min_count):
        flags = frozenset(record.flags)
        if record.measure == RESPONDENTS:
            result.answers[(record.instrument, record.area_code)] = Figure(record.value, None, None, record.n, flags)
            continue
        group_id = int(record.measure.split(":", 1)[1])
        share = Figure(record.value, record.lower, record.upper, record.n, flags)
        count = Figure(
            None if record.value is None else float(counts.get((group_id, record.area_code), 0)),
            None,
            None,
            record.n,
            flags - {INDICATIVE},
        )  # the share says it once
        result.figures[(group_id, record.area_code)] = (count, share)
    _add_contrasts(
        result,
        totals,
        counts,
        areas,
        min_n=min_n if contrast_min_n is None else contrast_min_n,
        confidence=confidence,
        fdr=fdr,
    )


def _shown(result: RunThemes, question: str, group_id: int, area: str) -> bool:
    """Whether the named theme's figures in the area, and the area's answers to the question, are all shown."""
    answers = result.answers.get((question, area))
    count, share = result.figures.get((group_id, area), (None, None))
    return all(
        figure is not None and figure.value is not None and not figure.suppressed for figure in (answers, count, share)
    )


def _add_contrasts(
    result: RunThemes,
    totals: dict[tuple[str, str], int],
    counts: dict[tuple[int, str], int],
    areas,
    *,
    min_n: int,
    confidence: float,
    fdr: float,
) -> None:
    """Per question, every shown named theme in every wijk against the rest of the municipality.

    Tested from the stored wijk counts (each answer has one main theme, so a wijk's answers are its named themes'
    counts and the rest without a named theme), all together, so Benjamini-Hochberg runs over all named themes and
    wijken of the question. A contrast is kept only where the wijk's and the municipality's figures
    of the theme are shown: its shares and interval could otherwise give a suppressed figure away."""
    municipality = next((code for code in areas.index if areas.loc[code, "level"] == "municipality"), None)
    for question in result.questions:
        groups = result.named.get(question, [])
        wijken = sorted(
            area for (asked, area), _n in totals.items() if asked == question and areas.loc[area, "level"] == "wijk"
        )
        if not groups or not wijken:
            continue
        answers = np.array([totals[(question, wijk)] for wijk in wijken])
        mentions = np.array([[counts.get((group.id, wijk), 0) for wijk in wijken] for group in groups])
        # never more main themes than answers in a wijk (a stored count is never larger, but a page must not fail)
        mentions = np.minimum(mentions, np.maximum(answers - (np.cumsum(mentions, axis=0) - mentions), 0))
        for contrast in contrasts_from_counts(
            mentions, answers, [str(group.id) for group in groups], wijken, min_n=min_n, confidence=confidence, fdr=fdr
        ):
            group_id = int(contrast.theme)
            if (
                _shown(result, question, group_id, contrast.wijk_code)
                and municipality is not None
                and _shown(result, question, group_id, municipality)
            ):
                result.contrasts[(group_id, contrast.wijk_code)] = contrast


def shown_themes(run: AnalysisRun) -> RunThemes:
    """run_themes with the run's own disclosure parameters; a theme is compared between a wijk and the rest where
    both have at least the app's suppression threshold of answers (or the run's, when that was higher)."""
    params = run.params or {}
    configured = int(current_app.config.get("SUPPRESSION_MIN_N") or 10)
    min_n = int(params.get("min_n") or configured)
    return run_themes(
        run,
        min_n=min_n,
        indicative_n=int(params.get("indicative_n") or 30),
        min_count=params.get("min_count"),
        confidence=float(params.get("confidence") or 0.95),
        contrast_min_n=max(min_n, configured),
    )


def approved_quotes(run: AnalysisRun, area_code: str, shown: RunThemes) -> dict[int, list[Quote]]:
    """Per shown named theme id, the quotes an analyst approved for the area. Proposed and rejected quotes, and
    quotes of hidden or unreviewed themes, are never read."""
    ids = {group.id for groups in shown.named.values() for group in groups}
    quotes: dict[int, list[Quote]] = defaultdict(list)
    if not ids:
        return quotes
    for quote in db.session.scalars(
        select(Quote)
        .join(Theme, Quote.theme_id == Theme.id)
        .options(contains_eager(Quote.theme))
        .where(
            Theme.run_id == run.id,
            Theme.named_id.in_(ids),
            Quote.area_code == area_code,
            Quote.status == QuoteStatus.approved,
        )
        .order_by(Quote.id)
    ):
        if quote.theme.named_id is not None:  # always: the query asks for named themes
            quotes[quote.theme.named_id].append(quote)  # the theme comes with the quote: its language, no query
    return quotes
