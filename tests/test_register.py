"""One register per language and audience (translations/README.md): formal for adults, informal for young people.

Checks the markers that can be checked: pronouns and verb forms in the interface catalogues (the .po files) and in
the questionnaire texts (through the instrument loader), the questionnaire titles, and what the thank-you page says
to an adult and to a young person.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from surveys.instruments import load_instruments

TRANSLATIONS = Path(__file__).parents[1] / "translations"
YOUTH = "youth"  # the msgctxt of strings only young people see
ADULT_INSTRUMENTS = ("adult", "parent", "interview")

# Informal markers (forbidden for adults) and formal markers (forbidden for young people), per language.
INFORMAL = {
    "nl": r"\b(je|jij|jou|jouw|jezelf)\b",
    "pl": r"\b(twój|twoja|twoje|twojego|twojej|twoim|twoich|twoją|ci|cię|ciebie|tobie|ty|możesz|chcesz|masz|"
    r"potrzebujesz|wiesz|zaczniesz|oznaczysz|zamkniesz|usuniesz|otworzysz|pamiętasz|"
    r"byłeś|byłaś|oznaczyłeś|oznaczyłaś|należałeś|należałaś)\b|\(-aś\)",
    "uk": r"\b(ти|тебе|тобі|тобою|твій|твоя|твоє|твої|твого|твоєї|твоєму|твоїй|твоїм|твоїх|твою)\b",
    "tr": r"\b(sen|seni|sana|senin|sende|senden)\b",
}
FORMAL = {
    "nl": r"\b(u|uw|uzelf)\b",
    "pl": r"\b(pan|pani|pana|panu|państwo|państwa)\b",
    "uk": r"\b(ви|вас|вам|вами|ваш|ваша|ваше|ваші|вашого|вашої|вашій|вашим|вашому|вашу|ваших|вашими)\b",
    "tr": r"\b(siz|sizi|size|sizin|sizde|sizden)\b",
}
# Turkish drops the pronoun; the informal second-person verb ending shows the youth register.
TR_INFORMAL_VERB = r"\b\w+(sin|sın|sun|sün)\b"
# Young people are asked with the informal imperative, not with the forms the adult interface asks with: the Polish
# impersonal "Proszę …", the Ukrainian formal imperative ("Оберіть", "Перевірте", "Дайте"), the Turkish formal
# possessive and verb endings ("sizin evinizde", "edebilirsiniz").
YOUTH_NOT = {
    "pl": r"\bProszę\b",
    "uk": r"\b\w+(іть|іться|йте|ьте|йтеся|ьтеся)\b",
    "tr": r"\w(iniz|ınız|unuz|ünüz)",
}
# Sentences of the shared resident pages (start, area, question, review, pause, landing, resume, erase) that have a
# youth variant.
SHARED_PAGE_SENTENCES = (
    "Before you start",
    "You can skip any question you do not want to answer.",
    "Where do you live?",
    "Please check this",
    "Check your answers",
    "Your answers are saved.",
    "Did you start before?",
    "Delete your answers",
    "Do you want to delete these answers?",
    "Your answers have been deleted",
    "This page was open too long or was sent twice. Your answers are still here: check them and send the page again.",
)
# Ukrainian adults: "Ви" always capitalised, so a lower-case form is a slip.
UK_LOWER_FORMAL = re.compile(r"\b(ви|вас|вам|вами|ваш\w*)\b")
# Polish interface sentences ask impersonally ("Proszę wybrać"); a sentence opening with a second-person
# imperative ("Wybierz…", "Sprawdź…") is informal. Short button labels ("Zapisz", "Dalej") name an action and
# are not sentences.
PL_IMPERATIVE = re.compile(
    r"(^|[.?!:;] )(Wybierz|Wpisz|Sprawdź|Spróbuj|Poczekaj|Odczekaj|Usuń|Wyślij|Zapisz|Podaj|Nadaj|Wróć|Przejdź|"
    r"Zaloguj|Poproś|Zapytaj|Zostaw|Popraw|Użyj|Oznacz|Zakoduj|Przeczytaj|Naciśnij|Zadzwoń|Zmień|Dodaj|Połącz|"
    r"Ukryj|Zacznij|Zatwierdź)\b"
)


def catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def translations(lang: str, youth: bool) -> list[tuple[str, str]]:
    """(msgid, translation) for every form of every entry, for the youth context or for everything else."""
    found: list[tuple[str, str]] = []
    for message in catalogue(lang):
        if not message.id or (message.context == YOUTH) != youth:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found.extend((msgid, string) for string in strings)
    return found


def texts(definition, lang: str) -> list[str]:
    """Every text of an instrument in one language (the `translations` notes are not resident texts)."""
    if isinstance(definition, dict):
        if "nl" in definition and "en" in definition and all(isinstance(v, str) for v in definition.values()):
            return [definition[lang]] if lang in definition else []
        return [text for key, value in definition.items() if key != "translations" for text in texts(value, lang)]
    if isinstance(definition, list):
        return [text for value in definition for text in texts(value, lang)]
    return []


@pytest.fixture(scope="module")
def instruments():
    return load_instruments()


def hits(pattern: str, strings) -> list:
    regex = re.compile(pattern, re.IGNORECASE)
    return [string for string in strings if regex.search(string if isinstance(string, str) else string[1])]


@pytest.mark.parametrize("lang", sorted(INFORMAL))
def test_adult_interface_strings_use_no_informal_address(lang):
    assert hits(INFORMAL[lang], translations(lang, youth=False)) == []


@pytest.mark.parametrize("lang", sorted(FORMAL))
def test_youth_strings_use_the_informal_register(lang):
    youth = translations(lang, youth=True)
    assert len(youth) >= 60  # the thank-you page and the shared resident pages
    assert hits(FORMAL[lang], youth) == []
    informal = TR_INFORMAL_VERB if lang == "tr" else INFORMAL[lang]
    assert hits(informal, youth), "the youth page addresses the young person informally"


@pytest.mark.parametrize("lang", sorted(YOUTH_NOT))
def test_youth_strings_ask_informally_where_the_adult_twin_asks_formally(lang):
    entries = catalogue(lang)
    messages = [message for message in entries if message.context == YOUTH]
    assert hits(YOUTH_NOT[lang], [message.string for message in messages]) == []
    adult_twins = [adult.string for message in messages if (adult := entries.get(message.id))]
    assert len(hits(YOUTH_NOT[lang], adult_twins)) >= 20  # the marker is one the adult interface uses


@pytest.mark.parametrize("lang", ["nl", "en", "tr", "ar", "pl", "uk"])
def test_the_shared_resident_pages_have_youth_variants(lang):
    youth = {message.id: message.string for message in catalogue(lang) if message.context == YOUTH}
    assert [msgid for msgid in SHARED_PAGE_SENTENCES if not youth.get(msgid)] == []


def test_ukrainian_adult_interface_writes_formal_you_with_a_capital():
    strings = translations("uk", youth=False)
    assert [s for s in strings if UK_LOWER_FORMAL.search(s[1])] == []
    assert len([s for s in strings if re.search(r"\b(Ви|Вас|Вам|Ваш\w*)\b", s[1])]) >= 50


def test_polish_interface_sentences_ask_impersonally():
    strings = translations("pl", youth=False)
    assert [s for s in strings if re.search(r"[.?!]", s[1]) and PL_IMPERATIVE.search(s[1])] == []
    assert len([s for s in strings if "Proszę " in s[1]]) >= 50


@pytest.mark.parametrize("lang", sorted(INFORMAL))
@pytest.mark.parametrize("slug", ADULT_INSTRUMENTS)
def test_adult_questionnaires_are_formal(instruments, slug, lang):
    strings = texts(instruments[slug].definition, lang)
    assert strings and hits(INFORMAL[lang], strings) == []
    if lang == "uk":
        assert [s for s in strings if UK_LOWER_FORMAL.search(s)] == []


@pytest.mark.parametrize("lang", sorted(FORMAL))
def test_the_youth_questionnaire_is_informal(instruments, lang):
    strings = texts(instruments["youth"].definition, lang)
    assert strings and hits(FORMAL[lang], strings) == []
    assert hits(TR_INFORMAL_VERB if lang == "tr" else INFORMAL[lang], strings)


@pytest.mark.parametrize("lang", ["nl", "en", "tr", "ar", "pl", "uk"])
def test_every_questionnaire_has_its_own_title_in_every_language(instruments, lang):
    titles = {slug: instrument.title[lang] for slug, instrument in instruments.items()}
    assert len(set(titles.values())) == len(titles), titles


def complete(resident, slug: str, lang: str):
    from surveys.registry import get_instrument
    from tests.surveys.test_flow import answer_everything

    resident.start(slug, lang=lang)
    resident.choose_buurt()
    answer_everything(resident, get_instrument(slug))
    resident.submit(action=None)
    assert "/r/done" in resident.last.request.path
    main = re.search(r"<main.*?</main>", resident.html, re.S)
    assert main is not None
    return main.group(0)


def test_the_youth_thank_you_page_speaks_to_young_people_and_gives_their_help_line(resident):
    page = complete(resident, "youth", "nl")
    assert "Bedankt voor je antwoorden!" in page and "Hier vind je hulp" in page
    assert not re.search(FORMAL["nl"], re.sub(r"<[^>]+>", " ", page), re.IGNORECASE)
    assert "Kindertelefoon" in page and 'href="tel:08000432"' in page and "kindertelefoon.nl" in page
    assert "tot 18 jaar" in page and "anoniem" in page
    assert "112" in page  # and the emergency number stays


def test_the_adult_thank_you_page_stays_formal_without_the_childrens_line(resident):
    page = complete(resident, "adult", "nl")
    assert "Bedankt voor uw antwoorden!" in page and "Hier vindt u hulp" in page
    assert "Kindertelefoon" not in page


@pytest.mark.parametrize("lang", ["en", "tr", "ar", "pl", "uk"])
def test_the_childrens_help_line_is_shown_in_every_language(resident, lang):
    page = complete(resident, "youth", lang)
    assert "Kindertelefoon" in page and "0800-0432" in page
