"""The quotes a run proposes, in the order an analyst reviews them: by question, then by theme, then by area, paged."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from extensions import db
from geography.areas import area_names
from models import AnalysisRun, NamedTheme, Quote, Theme
from surveys.questions import question_text

PER_PAGE = 25


@dataclass
class ReviewedQuote:
    quote: Quote
    theme: Theme
    area_name: str


@dataclass
class ThemeGroup:
    name: str
    quotes: list[ReviewedQuote] = field(default_factory=list)


@dataclass
class QuestionGroup:
    question: str  # its key: "<questionnaire>.<item id>"
    text: str
    themes: list[ThemeGroup] = field(default_factory=list)


@dataclass
class QuotePage:
    page: int
    pages: int
    total: int
    groups: list[QuestionGroup]


def _ordered(run: AnalysisRun) -> list[tuple[Quote, Theme]]:
    # a stable order that a decision does not change, so that the next quote stays where the analyst expects it
    return [
        (quote, theme)
        for quote, theme in db.session.execute(
            select(Quote, Theme)
            .join(Theme, Quote.theme_id == Theme.id)
            .outerjoin(NamedTheme, Theme.named_id == NamedTheme.id)
            .where(Theme.run_id == run.id)
            .order_by(Theme.question, NamedTheme.id, Theme.key, Quote.area_code, Quote.id)
        ).all()
    ]


def theme_name(theme: Theme, lang: str) -> str:
    """A theme as the analyst named it, in the page's language; until it is named, its suggested label."""
    if theme.named is not None and theme.named.name:
        return theme.named.name_in(lang)
    return theme.suggestion or theme.label or theme.key


def quote_page(run: AnalysisRun, lang: str, page: int = 1, per_page: int | None = None) -> QuotePage:
    """One page of the run's quotes, grouped by question and theme, each with the name of its area."""
    ordered, per_page = _ordered(run), per_page or PER_PAGE
    pages = max((len(ordered) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    names = area_names(run.wave.municipality)
    groups: list[QuestionGroup] = []
    for quote, theme in ordered[(page - 1) * per_page : page * per_page]:
        if not groups or groups[-1].question != theme.question:
            groups.append(QuestionGroup(theme.question, question_text(theme.question, lang)))
        name = theme_name(theme, lang)
        themes = groups[-1].themes
        if not themes or themes[-1].name != name:
            themes.append(ThemeGroup(name))
        themes[-1].quotes.append(ReviewedQuote(quote, theme, names.get(quote.area_code, quote.area_code)))
    return QuotePage(page, pages, len(ordered), groups)


def place_of(run: AnalysisRun, quote: Quote, per_page: int | None = None) -> int:
    """The page a quote is on."""
    ids = [listed.id for listed, _theme in _ordered(run)]
    return ids.index(quote.id) // (per_page or PER_PAGE) + 1


def place_after(run: AnalysisRun, quote: Quote, per_page: int | None = None) -> tuple[int, int]:
    """Where the analyst goes on after deciding on a quote: the page and id of the next quote (or of this one when
    it is the last)."""
    ids = [listed.id for listed, _theme in _ordered(run)]
    index = ids.index(quote.id)
    following = min(index + 1, len(ids) - 1)
    return following // (per_page or PER_PAGE) + 1, ids[following]
