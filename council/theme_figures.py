"""The named themes of an area with their answers, quotes and contrasts, and where themes stand out by wijk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from analysis.theme_contrast import HIGHER, LOWER, ThemeContrast
from council.areas import Area, areas_of
from council.names import instrument_label, language_name
from council.snapshots import Figure, WaveProfile
from council.themes import approved_quotes, shown_themes
from models import NamedTheme, Quote
from surveys.questions import question_text


@dataclass(frozen=True)
class ThemeFigure:
    """A named theme in the area: its name in the reader's language, the languages its answers came in, the number
    of answers with it as main theme and their share of all the area's answers to the question."""

    name: str
    languages: list[str]
    count: Figure | None
    share: Figure | None
    quotes: list[Quote] = field(default_factory=list)
    contrast: ThemeContrast | None = None  # in a wijk: against the rest of the municipality, when shown


@dataclass(frozen=True)
class StandingOut:
    """On the municipality's page: a named theme and the wijken where it is raised clearly more or less often than
    in the rest of the municipality, by name."""

    name: str
    higher: list[str]
    lower: list[str]


@dataclass(frozen=True)
class QuestionThemes:
    question: str
    text: str
    instrument: str
    answers: Figure | None  # the area's answers to the question, every language
    themes: list[ThemeFigure]
    compared: bool = False  # a wijk: each theme is compared with the rest of the municipality
    standing_out: list[StandingOut] = field(default_factory=list)  # the municipality: where themes stand out


def themes(profile: WaveProfile, area: Area, locale: str) -> list[QuestionThemes]:
    """The named themes of every question an analyst marked ready, with their answers in the area, ranked by number;
    and the quotes an analyst approved for this area. Unreviewed and hidden themes, and proposed and rejected
    quotes, are never read."""
    shown = shown_themes(profile.run)
    quotes = approved_quotes(profile.run, area.code, shown)
    wijk_names = {wijk.code: wijk.name for wijk in areas_of(profile.wave.municipality) if not wijk.is_municipality}
    result = []
    for question in shown.questions:
        items = [
            ThemeFigure(
                item.named.name_in(locale),
                [language_name(code, locale) for code in item.languages],
                item.count,
                item.share,
                quotes.get(item.named.id, []),
                item.contrast,
            )
            for item in shown.ranked(question, area.code)
        ]
        if items:
            slug = question.split(".", 1)[0] if "." in question else ""
            result.append(
                QuestionThemes(
                    question,
                    question_text(question, locale),
                    instrument_label(slug, locale),
                    shown.answers.get((question, area.code)),
                    items,
                    compared=area.code in wijk_names,
                    standing_out=standing_out(shown.named.get(question, []), shown.contrasts, wijk_names, locale)
                    if area.is_municipality
                    else [],
                )
            )
    return result


def standing_out(
    named: Sequence[NamedTheme],
    contrasts: dict[tuple[int, str], ThemeContrast],
    wijk_names: dict[str, str],
    locale: str,
) -> list[StandingOut]:
    """Per named theme (in the question's order) the wijken where it is raised clearly more or less often than in
    the rest of the municipality; themes that stand out nowhere are left out."""
    result = []
    for group in named:
        found: dict[str, list[str]] = {HIGHER: [], LOWER: []}
        for code, name in sorted(wijk_names.items(), key=lambda item: item[1].casefold()):
            contrast = contrasts.get((group.id, code))
            if contrast is not None and contrast.direction in found:
                found[contrast.direction].append(name)
        if found[HIGHER] or found[LOWER]:
            result.append(StandingOut(group.name_in(locale), found[HIGHER], found[LOWER]))
    return result
