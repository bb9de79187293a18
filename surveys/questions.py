"""Open questions by key: "<instrument slug>.<item id>", one question of one questionnaire (e.g. adult.open_better).

Questionnaires reuse item ids (the adult, parent and youth questionnaires all ask `open_better`, each in its own
words), so an item id alone does not name a question. Themes, quotes, codebooks and their pages carry the key;
pages show the question's text in the reader's language, never the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.instruments import Instrument, Text, localise

SEPARATOR = "."


@dataclass(frozen=True)
class OpenQuestion:
    key: str  # "adult.open_better"
    instrument: str  # "adult"
    item: str  # "open_better"
    text: Text  # the item's text in every language of the questionnaire


def question_key(instrument: str, item: str) -> str:
    return f"{instrument}{SEPARATOR}{item}"


def split_key(key: str) -> tuple[str | None, str]:
    """(instrument slug, item id) of a key; (None, item id) for a bare item id as older runs stored it."""
    if SEPARATOR in key:
        instrument, item = key.split(SEPARATOR, 1)
        return instrument, item
    return None, key


def instrument_open_questions(slug: str, instrument: Instrument) -> list[OpenQuestion]:
    return [
        OpenQuestion(question_key(slug, item.id), slug, item.id, item.text)
        for item in instrument.items
        if item.open_question
    ]


def open_questions() -> dict[str, OpenQuestion]:
    """The open questions of the current questionnaires by key, questionnaire by questionnaire."""
    from surveys.registry import current_instruments  # the application's; the helpers above need no Flask

    instruments = current_instruments()
    return {
        question.key: question
        for slug in sorted(instruments)
        for question in instrument_open_questions(slug, instruments[slug])
    }


def question_text(key: str, locale: str) -> str:
    """The question as residents read it, in `locale`. A bare item id (runs from before questions had keys) reads
    as the first questionnaire words it; an unknown key stays as it is."""
    from surveys.registry import current_instruments

    instrument_slug, item_id = split_key(key)
    instruments = current_instruments()
    candidates = (
        [instruments[instrument_slug]]
        if instrument_slug in instruments
        else ([] if instrument_slug is not None else [instruments[slug] for slug in sorted(instruments)])
    )
    for instrument in candidates:
        item = instrument.items_by_id.get(item_id)
        if item is not None:
            return localise(item.text, locale)
    return key
