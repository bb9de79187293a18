"""An analyst's review of the themes of one open question: naming, merging across languages, splitting off,
hiding, marking ready; and carrying a review over to a rerun of the same wave.

Themes reach the council only through a named theme of a question whose review is ready. Functions here add and
flush, and write every change to the audit log; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from accounts import audit
from analysis.themematch import match_themes
from config import DEFAULT_LANGUAGE, LANGUAGES
from extensions import db
from models import AnalysisRun, NamedTheme, RunStatus, Theme, ThemeCount, ThemeReview, User
from models.types import utcnow

NAME_LENGTH = 120
TRANSLATION_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


class ReviewError(ValueError):
    """A review step that cannot be taken; the message is translated and shown as it is."""


@dataclass(frozen=True)
class QuestionReview:
    """The themes of one question of a run as the review page lists them: named themes largest first."""

    question: str
    review: ThemeReview | None
    named: list[NamedTheme]
    answers: int  # answers to the question in the municipality, every language
    unthemed: int = 0  # of which without a theme: in a language with too few answers, or about nothing

    @property
    def ready(self) -> bool:
        return self.review is not None and self.review.ready

    @property
    def unnamed(self) -> list[NamedTheme]:
        return [named for named in self.named if not named.hidden and not named.name]


def _size(named: NamedTheme) -> int:
    return sum(theme.answers for theme in named.members)


def questions_of(run: AnalysisRun) -> list[str]:
    """The questions of a run that have themes or answers, in key order."""
    keys = set(db.session.scalars(select(Theme.question).where(Theme.run_id == run.id)))
    keys |= set(db.session.scalars(select(ThemeReview.question).where(ThemeReview.run_id == run.id)))
    return sorted(keys)


def review_of(run: AnalysisRun, question: str) -> ThemeReview | None:
    return db.session.scalar(select(ThemeReview).where(ThemeReview.run_id == run.id, ThemeReview.question == question))


def question_review(run: AnalysisRun, question: str) -> QuestionReview:
    named = db.session.scalars(
        select(NamedTheme).where(NamedTheme.run_id == run.id, NamedTheme.question == question).order_by(NamedTheme.id)
    ).all()
    named = sorted((item for item in named if item.members), key=lambda item: (-_size(item), item.id))
    municipality = run.wave.municipality.code
    counted = dict(
        db.session.execute(
            select(ThemeCount.theme_id.is_(None), func.coalesce(func.sum(ThemeCount.answers), 0))
            .where(ThemeCount.run_id == run.id, ThemeCount.question == question, ThemeCount.area_code == municipality)
            .group_by(ThemeCount.theme_id.is_(None))
        ).all()
    )
    answers, themed = int(counted.get(True, 0)), int(counted.get(False, 0))
    return QuestionReview(question, review_of(run, question), list(named), answers, max(answers - themed, 0))


def _review(run_id: int, question: str) -> ThemeReview:
    review = db.session.scalar(
        select(ThemeReview).where(ThemeReview.run_id == run_id, ThemeReview.question == question)
    )
    if review is None:
        review = ThemeReview(run_id=run_id, question=question, ready=False)
        db.session.add(review)
    return review


def _changed(named: NamedTheme, actor: User | None) -> None:
    """Any change to a question's themes makes it not ready until an analyst marks it ready again."""
    review = _review(named.run_id, named.question)
    if review.ready:
        review.ready = False
        audit.record("themes_unready", actor, "analysis_run", named.run_id, question=named.question)


def _clean_name(value: str | None, *, required: bool) -> str:
    name = " ".join((value or "").split())
    if required and not name:
        raise ReviewError(_("Give the theme a short name in Dutch."))
    if len(name) > NAME_LENGTH:
        raise ReviewError(_("Use at most %(max)s characters for the name.", max=NAME_LENGTH))
    return name


def name_theme(
    named: NamedTheme, name: str, translations: Mapping[str, str | None], hidden: bool, actor: User | None
) -> None:
    """Set the Dutch name, its translations (only the shipped languages, only what is filled in) and whether the
    theme is hidden from the council. A hidden theme needs no name."""
    name = _clean_name(name, required=not hidden)
    cleaned = {}
    for lang in TRANSLATION_LANGUAGES:
        text = _clean_name((translations or {}).get(lang), required=False)
        if text:
            cleaned[lang] = text
    if (named.name, named.translations or {}, named.hidden) == (name, cleaned, hidden):
        return
    named.name, named.translations, named.hidden = name, cleaned, hidden
    _changed(named, actor)
    audit.record(
        "theme_hidden" if hidden else "theme_named",
        actor,
        "named_theme",
        named.id,
        run=named.run_id,
        question=named.question,
        languages=sorted(cleaned),
    )
    db.session.flush()


def merge_themes(named: NamedTheme, into: NamedTheme, actor: User | None) -> None:
    """Merge `named` into `into` (same run and question): its themes, of any language, count as one named theme."""
    if named.id == into.id or (named.run_id, named.question) != (into.run_id, into.question):
        raise ReviewError(_("Choose another theme of the same question."))
    moved = [theme.id for theme in named.members]
    for theme in list(named.members):
        theme.named = into
    if not into.name and named.name:
        into.name, into.translations = named.name, dict(named.translations or {})
    _changed(into, actor)
    audit.record(
        "themes_merged",
        actor,
        "named_theme",
        into.id,
        run=into.run_id,
        question=into.question,
        merged=named.id,
        themes=moved,
    )
    db.session.flush()
    db.session.delete(named)
    db.session.flush()


def split_theme(theme: Theme, actor: User | None) -> NamedTheme:
    """Take one discovered theme out of its named theme into a named theme of its own, without a name."""
    named = theme.named
    if named is None or len(named.members) < 2:
        raise ReviewError(_("This theme is not merged with another."))
    alone = NamedTheme(run_id=theme.run_id, question=theme.question, name="", translations={}, hidden=False)
    db.session.add(alone)
    theme.named = alone
    _changed(named, actor)
    db.session.flush()
    audit.record(
        "theme_split",
        actor,
        "named_theme",
        alone.id,
        run=theme.run_id,
        question=theme.question,
        theme=theme.id,
        split_from=named.id,
    )
    return alone


def set_ready(run: AnalysisRun, question: str, ready: bool, actor: User | None) -> None:
    """Mark the question's themes ready for the council (every shown theme needs a name), or withdraw them."""
    review = _review(run.id, question)
    if ready:
        if not question_review(run, question).named:
            raise ReviewError(_("This question has no themes."))
        if question_review(run, question).unnamed:
            raise ReviewError(_("Give every theme a name, or hide it, before you mark the themes as ready."))
    review.ready, review.reviewed_by_id, review.reviewed_at = ready, actor.id if actor else None, utcnow()
    audit.record("themes_ready" if ready else "themes_withdrawn", actor, "analysis_run", run.id, question=question)
    db.session.flush()


# --- a rerun keeps the review -------------------------------------------------------------------------------------


def previous_run(run: AnalysisRun) -> AnalysisRun | None:
    """The newest other successful run of the same wave: the one a rerun replaces."""
    return db.session.scalar(
        select(AnalysisRun)
        .where(AnalysisRun.wave_id == run.wave_id, AnalysisRun.status == RunStatus.succeeded, AnalysisRun.id != run.id)
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    )


def carry_over(run: AnalysisRun, previous: AnalysisRun | None) -> dict[str, bool]:
    """Give the new run's themes the names, merges and hidden flags of the themes they match in `previous` (same
    question and language, by the overlap of their answers; see analysis.themematch), so a rerun keeps the
    analyst's review. A question stays ready only when it was ready and every new theme found its match;
    unmatched themes stay unnamed for the analyst. Returns per question whether it is ready."""
    if previous is None:
        return {}
    old_reviews = {
        review.question: review
        for review in db.session.scalars(select(ThemeReview).where(ThemeReview.run_id == previous.id))
    }
    old_themes = defaultdict(list)
    for theme in db.session.scalars(select(Theme).where(Theme.run_id == previous.id).order_by(Theme.id)):
        if theme.named is not None:
            old_themes[(theme.question, theme.language)].append(theme)
    new_themes = defaultdict(list)
    for theme in db.session.scalars(select(Theme).where(Theme.run_id == run.id).order_by(Theme.id)):
        new_themes[(theme.question, theme.language)].append(theme)
    copies: dict[int, NamedTheme] = {}  # previous named theme id -> its copy in the new run
    unmatched: dict[str, int] = defaultdict(int)
    carried: dict[str, int] = defaultdict(int)
    for (question, language), themes in new_themes.items():
        before = old_themes.get((question, language), [])
        matched = match_themes(
            [(theme.signature, theme.terms) for theme in themes], [(theme.signature, theme.terms) for theme in before]
        )
        for position, theme in enumerate(themes):
            if position not in matched:
                unmatched[question] += 1
                continue
            old_named = before[matched[position]].named
            if old_named is None:  # old_themes holds named themes only
                continue
            if old_named.id not in copies:
                copies[old_named.id] = NamedTheme(
                    run_id=run.id,
                    question=question,
                    name=old_named.name,
                    translations=dict(old_named.translations or {}),
                    hidden=old_named.hidden,
                )
                db.session.add(copies[old_named.id])
            own = theme.named
            theme.named = copies[old_named.id]
            if own is not None and own is not copies[old_named.id]:
                db.session.delete(own)
            carried[question] += 1
    db.session.flush()
    ready = {}
    for question in sorted({question for question, _language in new_themes}):
        old = old_reviews.get(question)
        if old is None or not carried[question]:
            continue
        review = _review(run.id, question)
        review.carried_from_id = previous.id
        review.ready = bool(old.ready and not unmatched[question] and not question_review(run, question).unnamed)
        if review.ready:
            review.reviewed_by_id, review.reviewed_at = old.reviewed_by_id, old.reviewed_at
        ready[question] = review.ready
        audit.record(
            "themes_carried_over",
            None,
            "analysis_run",
            run.id,
            question=question,
            previous=previous.id,
            matched=carried[question],
            unmatched=unmatched[question],
            ready=review.ready,
        )
    db.session.flush()
    return ready


def name_from_suggestions(
    run: AnalysisRun,
    merge: dict[int, str] | None = None,
    actor: User | None = None,
    dutch_names: dict[str, str] | None = None,
) -> None:
    """Name every theme of the run by its suggested name and mark each question ready. Only for the demo and
    tests: it plays the analyst. `merge` optionally gives each theme id a topic; themes with the same topic are
    merged into one named theme, named by the suggestion of its largest Dutch theme (or by `dutch_names` of the
    topic when it has none), translated by the suggestions of its other languages."""
    for question in questions_of(run):
        groups: dict[str, list[Theme]] = defaultdict(list)
        for theme in db.session.scalars(
            select(Theme)
            .where(Theme.run_id == run.id, Theme.question == question)
            .order_by(Theme.answers.desc(), Theme.id)
        ):
            groups[(merge or {}).get(theme.id) or f"theme-{theme.id}"].append(theme)
        for topic, themes in groups.items():
            target = themes[0].named
            if target is None:  # store_result gives every theme its named theme
                continue
            for other in themes[1:]:
                if other.named is not None and other.named is not target:
                    merge_themes(other.named, target, actor)
            dutch = next((theme for theme in themes if theme.language == DEFAULT_LANGUAGE), None)
            translations: dict[str, str] = {}
            for theme in themes:
                if theme.language in TRANSLATION_LANGUAGES and theme.suggestion:
                    translations.setdefault(theme.language, theme.suggestion)
            name = (
                (dutch.suggestion or dutch.label)
                if dutch is not None
                else (dutch_names or {}).get(topic) or themes[0].suggestion or themes[0].label
            )
            name_theme(target, name[:NAME_LENGTH], translations, False, actor)
        if question_review(run, question).named:
            set_ready(run, question, True, actor)
