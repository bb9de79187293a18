"""Which pages a resident sees (show-if rules), in what order, and the summary on the review page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from surveys.forms import YES_NO_LABELS
from surveys.instruments import Instrument, Item, localise

NOT_ANSWERED = _l("Not answered")


@dataclass(frozen=True)
class SummaryLine:
    question: str
    answer: str
    answered: bool


@dataclass(frozen=True)
class SummaryPage:
    index: int
    title: str
    lines: list[SummaryLine]


def answer_label(item: Item, value: Any, locale: str) -> str:
    if item.type == "yesno":
        return str(YES_NO_LABELS.get(value, value))
    if item.type in ("likert", "single", "multiple"):
        labels = {option.code: localise(option.label, locale) for option in item.options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    return str(value)


class Navigator:
    def __init__(self, instrument: Instrument, answers: dict[str, Any]):
        self.instrument = instrument
        self.answers = answers
        # the questions each page shows: the question page asks this navigator for its own
        self.shown = [instrument.visible_items(page, answers) for page in instrument.pages]
        self.visible = [bool(items) for items in self.shown]
        # pages that can still come: shown now, or with a question that waits on one not answered yet
        self.possible = [
            shown
            or any(item.show_if is not None and answers.get(item.show_if.item) in (None, "", []) for item in page.items)
            for shown, page in zip(self.visible, instrument.pages, strict=True)
        ]

    def first_index(self) -> int:
        return self.visible.index(True)

    def next_index(self, index: int) -> int | None:
        return next((i for i in range(index + 1, len(self.visible)) if self.visible[i]), None)

    def next_opened_index(self, index: int, before: dict[str, Any]) -> int | None:
        """The next page with a question that the answers `before` kept hidden and these answers show (after a
        change made from the review page, the questions it opened), or None."""
        for i in range(index + 1, len(self.visible)):
            page = self.instrument.pages[i]
            shown_before = {item.id for item in self.instrument.visible_items(page, before)}
            if any(item.id not in shown_before for item in self.instrument.visible_items(page, self.answers)):
                return i
        return None

    def previous_index(self, index: int) -> int | None:
        return next((i for i in range(index - 1, -1, -1) if self.visible[i]), None)

    def progress(self, index: int) -> tuple[int, int]:
        """Position of this page among the pages the resident sees (1-based), and their number. A page that waits
        on a question not answered yet is counted until that answer rules it out: the number of pages can only go
        down as the resident answers, and the position goes up by one page at a time."""
        return sum(self.possible[: index + 1]), sum(self.possible)

    def summary(self, locale: str) -> list[SummaryPage]:
        pages = []
        for index, page in enumerate(self.instrument.pages):
            items = self.instrument.visible_items(page, self.answers)
            if not items:
                continue
            lines = []
            for item in items:
                value = self.answers.get(item.id)
                answered = value not in (None, "", [])
                lines.append(
                    SummaryLine(
                        question=localise(item.text, locale),
                        answer=answer_label(item, value, locale) if answered else str(NOT_ANSWERED),
                        answered=answered,
                    )
                )
            pages.append(SummaryPage(index=index, title=localise(page.title, locale), lines=lines))
        return pages
