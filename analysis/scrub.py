"""Scrub quotes of personal data: names, e-mail addresses, phone numbers, addresses and BSNs become tags.

Layers: regular expressions for e-mail addresses (also "(at)"), phone numbers (Dutch, international, and read out
in words in any of the six languages), postcodes, streets with and without a number, house numbers in every form
("nummer 12", "op 14b", flat, portiek and block numbers, floors such as "3-hoog"; in all six languages), Dutch
licence plates, dates next to a word about birth (month names from Babel's CLDR data), names with an age ("Anna (8)"),
schools and employers next to a person, and 9-digit numbers that pass the BSN eleven-test; for Dutch, the `deduce`
de-identifier (names and addresses, with Dutch name and street lookup lists); for other languages, or when deduce is
unavailable, names after a title, a self-introduction or (Arabic, which has no capitals) a word for a relative, plus
a capitalised-word heuristic that prefers removing a place name to leaving a person's name. Quotes are approved by
an analyst before anyone else sees them, so over-scrubbing costs little and under-scrubbing a lot. Recall and
precision on the PII battery (tests/analysis/pii_battery.py): `.venv/bin/python benchmarks/scrub.py`.

deduce builds lookup tables on first use (a minute on a fresh install, seconds after): it is built once per
process, lazily, and only quotes proposed for analysts are scrubbed, never every answer. Warm it after installing
with `python -m analysis.scrub --warm`.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import pickle
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from analysis.textnorm import lemmatize, stop_words

NAME, EMAIL, PHONE, ADDRESS, BSN = "[naam]", "[e-mail]", "[telefoon]", "[adres]", "[BSN]"
PLATE, DATE_OF_BIRTH = "[kenteken]", "[geboortedatum]"
_PRIORITY = {EMAIL: 5, BSN: 4, PHONE: 4, PLATE: 4, DATE_OF_BIRTH: 4, ADDRESS: 3, NAME: 2}
log = logging.getLogger(__name__)

_SEP = r"[\s.\-]*"
_UPPER = r"[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЄІЇҐ]"
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_PHONE_PATTERNS = (
    re.compile(rf"(?:\+|\b00)31{_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{8}}(?!\d)"),  # +31 6 1234 5678
    re.compile(rf"(?<![\d+])\(?0[1-9](?:\)?{_SEP}\d){{8}}(?!\d)"),  # 06-12345678, (020) 1234567
    re.compile(rf"(?<!\d)0[89]0[09]{_SEP}\d(?:{_SEP}\d){{3,6}}(?!\d)"),  # 0800 1234, 0900 555 0101
)
_NINE_DIGITS = re.compile(r"(?<!\d)(?<!\d[ .\-])\d(?:[ .\-]?\d){8}(?![ .\-]?\d)")
# the house number's letter is optional as a whole, so the match never ends on the space after a bare number
_POSTCODE = re.compile(r"\b[1-9]\d{3}(?:\s?(?!SA\b|SD\b|SS\b)[A-Z]{2}|[a-z]{2})\b(?:[\s,]+\d{1,5}(?:\s?[a-zA-Z]\b)?)?")
_STREET = re.compile(
    r"\b[\w'\-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|hof|pad|steeg|markt|plantsoen|ring|baan|"
    r"allee|erf|wal|dam|haven|park|veld|hout|oord|street|road|lane|avenue|sokak|sokağı|caddesi|ulica|ul\.)"
    r"\s+\d{1,5}(?:\s?[A-Z]\b|[a-z]\b|\s?-\s?\d{1,4}\b)?",
    re.IGNORECASE,
)
# English puts the house number first: "12 Baker Street", "7a high road"
_NUMBER_FIRST_STREET = re.compile(
    r"\b\d{1,5}[a-zA-Z]?,?\s+(?:[\w'\-]+\s+){0,2}(?:street|road|lane|avenue)\b", re.IGNORECASE
)
# a house number without its street: "van nummer 12", "op nr. 14", "at number 7a", "12 numarada", "будинок 5",
# "رقم 12", and the numbers and letters of a flat, portiek, block or apartment ("flat C", "portiek 23", "daire 5",
# "mieszkaniu 12", "під'їзді 3", "الشقة 5"); a bus line or a page number is scrubbed too, costing an analyst a look
_HOUSE_NUMBER = re.compile(
    r"(?:\b(?i:house\s+number|huis\s*nummer|huisnr\.?|nummer|nr\.?|no\.?|number|numara(?:s[ıi])?|numer(?:u|ze|em)?|"
    r"номер[іа]?|будин(?:ок|ку)|квартир[аиіу]|flat|portiek|appartement|apt\.?|woning|blok|block|daire(?:si)?|"
    r"mieszkani[eua]|klatk[aię]|klatce|lokal[u]?|під'їзд[іу]?|корпус[і]?)|№|رقم|(?:ال)?شق[ةه])"
    r"\s*\d{1,5}+(?:\s?[A-Z]\b|[a-z]\b)?(?!\s*(?i:floors?|pi[ęe]t\w*|поверх\w*|kat\w*))"
    # a letter names a flat, portiek or block too ("flat C"); after "no" it would be "No I think ..."
    r"|\b(?i:flat|portiek|blok|block|daire(?:si)?|klatk[aię]|klatce|під'їзд[іу]?|корпус[і]?)\s+[A-Z]\b"
    r"|\b\d{1,5}[a-zA-Z]?\s+(?i:numara(?:da|dan|l[ıi]|ya)?)\b"
    r"|\b[A-Z]\s?-?\s?(?i:blok|block)\b"
)
# "ik woon op 14b", "op 3" after a verb of living: the number alone, its preposition stays
_BARE_HOUSE_NUMBER = re.compile(
    r"\b(?i:op|at|aan)\s+(\d{1,4}[a-df-z])\b"
    r"|\b(?i:woon|woont|wonen|woonde)\s+op\s+(\d{1,4})\b"
)
# which floor one lives on: "3-hoog", "driehoog", "4th floor", "3. katta", "3. piętrze", "третьому поверсі",
# "الطابق الثالث"
_ORDINAL_WORDS = (
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|top|"
    r"birinci|ikinci|üçüncü|dördüncü|beşinci|pierwsz\w*|drugi\w*|trzeci\w*|czwart\w*|piąt\w*|"
    r"перш\w*|друг\w*|трет\w*|четверт\w*|п'ят\w*|шост\w*|сьом\w*|восьм\w*|дев'ят\w*|десят\w*"
)
_FLOOR = re.compile(
    r"\b(?:\d{1,2}\s?-?\s?hoog|(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf)hoog)\b"
    rf"|\b(?i:{_ORDINAL_WORDS})\s+(?i:floor|kat\w*|pi[ęe]tr\w*|поверс\w*|поверх\w*)\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)\s+(?i:floor)\b"
    r"|\b\d{1,2}\.\s?(?i:kat\w*|pi[ęe]tr\w*)\b"
    r"|\b\d{1,2}(?:-?(?:му|ому|й|ий))?\s+(?i:поверс\w*)"
    r"|(?:ال)?طابق\s+(?:\d+|[\u0600-\u06FF]+)"
)
# a street without its number: a capitalised word that ends like a street ("Kerkstraat", "Van Goghstraat",
# "Station Road", "Çiçek Sokak"), or a word that says street before its name ("ulicy Kwiatowej", "вул. Франка, 7",
# "شارع الورد"); a number after it goes with it
# ("Noord", "Vondelpark" or "Oosterhout" end like some streets, but are areas and places)
_STREET_END = r"straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|plantsoen|steeg|hof"
_NAMED_STREET = re.compile(
    rf"(?:(?:{_UPPER}[\w'\-.]*|de|der|den|van|ten|ter)\s+){{0,3}}\b{_UPPER}[\w'\-]*(?:{_STREET_END})\b"
    rf"|(?:{_UPPER}[\w'\-]*\s+){{1,2}}(?:Street|Road|Lane|Avenue|Close|Drive|Crescent|Sokak|Sokağı|Caddesi|"
    r"Bulvarı)\b"
    r"|\b(?i:ul\.|ulic[aąyęi]|al\.|alej[ai]|aleja|plac[u]?|os\.|osiedl[ue]|вул\.|вулиц[яіюи]|просп\.|проспект\w*|"
    rf"пров\.|провул\w*|площ[аіу])\s*{_UPPER}[\w'\-]*(?:\s+{_UPPER}[\w'\-]*)*"
    r"|(?<![\u0600-\u06FF])(?:شارع|زنقة|ساحة)\s+[\u0600-\u06FF]+"
)
_AFTER_STREET_NUMBER = re.compile(r"\s*,?\s*\d{1,5}(?:\s?[A-Z]\b|[a-z]\b|\s?-\s?\d{1,4}\b)?")
# Dutch licence plates have three groups of letters or digits, six characters in all: "12-ABC-3", "VK-123-B"
_PLATE = re.compile(r"(?<![\w\-])((?:[A-Z]{1,3}|\d{1,3})-(?:[A-Z]{1,3}|\d{1,3})-(?:[A-Z]{1,3}|\d{1,3}))(?![\w\-])")
# a foreign number: "+48 601 234 567", "+90 532 123 45 67", "+380 67 123 4567"
_INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])\+[1-9]\d{0,2}(?:[\s.\-]?\(?\d\)?){6,12}(?!\d)")
# a phone number written in words: six or more digit words (or digits) in a row, any of the six languages
_DIGIT_WORDS = frozenset(
    " ".join(
        (
            "nul een één twee drie vier vijf zes zeven acht negen",
            "zero oh one two three four five six seven eight nine",
            "sıfır bir iki üç dört beş altı yedi sekiz dokuz",
            "jeden dwa trzy cztery pięć sześć siedem osiem dziewięć",
            "нуль один два три чотири п'ять шість сім вісім дев'ять",
            "صفر واحد اثنان اثنين ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة",
        )
    ).split()
)
_DIGIT_TOKEN = re.compile(r"[\w']+")
_DIGITS_IN_WORDS_MIN = 6
_EMAIL_SPELLED = re.compile(
    r"[\w.+\-]+\s?(?:\(at\)|\[at\]|\(a\))\s?[\w\-]+(?:\s?(?:\.|\(dot\)|\[dot\]|\(punt\))\s?"
    r"[\w\-]+)+",
    re.IGNORECASE,
)
_NAME_WORD = rf"{_UPPER}[\w'\-]+"
_PARTICLE = r"(?:van|de|der|den|ten|ter|te|el|al|bin|ibn)"
_FULL_NAME = (
    rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD})*"
    rf"|{_UPPER}\.(?:\s*{_UPPER}\.)*\s*(?:{_PARTICLE}\s+)*{_NAME_WORD}"
)
_TITLES = (
    r"meneer|mevrouw|mevr\.?|mw\.?|dhr\.?|juf|juffrouw|meester|dokter|buurman|buurvrouw|mr\.?|mrs\.?|ms\.?|"
    r"miss|dr\.?|bay|bayan|pan|pani|pana|panią|panem|пан|пані|пана"
)
# only the title ignores case: the name after it must be capitalised
_TITLED = re.compile(rf"\b(?i:{_TITLES})\s+({_FULL_NAME})")
# after a self-introduction the first word is a name even in lower case; further words only when capitalised
_INTRODUCTION = re.compile(
    r"\b(?i:ik\s+heet|mijn\s+naam\s+is|my\s+name\s+is|i\s+am\s+called|benim\s+ad[ıi]m|ad[ıi]m|nazywam\s+si[ęe]|"
    rf"mam\s+na\s+imi[ęe]|мене\s+звати|моє\s+ім'я)\s+([\w'\-]+(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD})*)",
)
_ARABIC_NAME = re.compile(r"(?:اسمي|السيد|السيدة|الأستاذ|الأستاذة)\s+([\u0600-\u06FF]+)")
_WORD = re.compile(r"[^\W\d_][\w'\-]*")

# a date is personal data next to a word about birth ("geboren op 12 maart 1954", "15 Mart 1960 doğumluyum");
# month names per language come from Babel's CLDR data, in the forms a date takes
_BIRTH = re.compile(
    r"(?i:geboren|geb\.|geboortedatum|born|birth|d\.?o\.?b\.?|doğ(?:um|du|muş)\w*|urodz\w*|"
    r"народ(?:ж|и)\w*)"
    r"|ولد\w*|ولدت|مولود\w*|ميلاد\w*|مواليد"
)
_BIRTH_BEFORE, _BIRTH_AFTER = 40, 20  # how far (characters) the word about birth may be from the date
_NUMERIC_DATE = r"\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)?\d{2}"
# a name with an age in brackets: "Anna (8)", "Daan (11 jaar)"; Arabic has no capitals, its word is taken as is
_AGE_UNITS = r"jaar|j\.?|years?|yrs?|ans?|yaş\w*|lat\w*|rok\w*|рок\w*|років|سنوات|سنة|عاما"
_NAME_WITH_AGE = re.compile(rf"(?:{_UPPER}[\w'\-]+|[\u0600-\u06FF]+)\s?\(\d{{1,2}}(?:\s?(?:{_AGE_UNITS}))?\)")
# a school or an employer next to a person: the capitalised name after a word for school or a verb of working, or
# before a word for school ("De Regenboog school", "Albert Heijn'de" before a Turkish verb of working)
_ORGANISATION_NAME = rf"(?:(?:de|het|'t|De|Het|St\.?|Sint)\s+)?{_UPPER}[\w'\-&]*(?:\s+{_UPPER}[\w'\-&]*){{0,3}}"
_ORGANISATION = re.compile(
    r"\b(?i:basisschool|school|obs|cbs|rkbs|kbs|lyceum|college|kinderopvang|kdv|bso|peuterspeelzaal|okul\w*|"
    r"ilkokul\w*|szkoł\w*|szkole|przedszkol\w*|школ\w*|садоч?к\w*|ліце\w*|гімназі\w*)\s+"
    rf"({_ORGANISATION_NAME})"
    r"|(?:مدرسة|المدرسة|روضة)\s+"
    rf"({_ORGANISATION_NAME})"
    r"|\b(?i:werk(?:t|en|te)?\s+(?:bij|voor)|works?\s+(?:at|for)|working\s+(?:at|for)|"
    r"pracuj\w*\s+(?:w|u|dla|przy)|працю\w*\s+(?:в|у|на))(?:\s+(?i:de|het|the|firmie|fabryce|фірмі|компанії))?\s+"
    rf"({_ORGANISATION_NAME})"
    r"|(?:يعمل|تعمل|أعمل|أشتغل|يشتغل|تشتغل)\s+(?:في|ف|عند)\s+(?:شركة\s+)?"
    rf"({_ORGANISATION_NAME})"
    rf"|({_UPPER}[\w\-]*(?:\s+{_UPPER}[\w\-]*){{0,3}})(?:\s+(?i:school|okul\w*)\b|'(?:de|da|te|ta)\s+çalış)"
    rf"|\b((?:{_UPPER}[\w'\-]*\s+){{1,3}}(?:Lyceum|College|Gymnasium|School|Primary|Academy|Academie))\b"
)
# Arabic writes no capitals: a name is the word after a word for a relative, a neighbour or a title, or after the
# kunya "أم"/"أبو" (mother/father of), which is a name with it
_ARABIC_CUED_NAME = re.compile(
    r"(?<![\u0600-\u06FF])(?:و?(?:جاري|جارتي|جارنا|ابني|ابنتي|بنتي|حفيدي|حفيدتي|زوجي|زوجتي|صديقي|صديقتي|أخي|أختي|"
    r"الممرضة|الممرض|الطبيب|الطبيبة|الدكتور|الدكتورة|الحاج|الحاجة))\s+((?:(?:أم|أبو|ابو)\s+)?[\u0600-\u06FF]+)"
    r"|(?<![\u0600-\u06FF])((?:أم|أبو|ابو)\s+[\u0600-\u06FF]+)"
)
# titles and forms of address are no name, though capitalised: "Pani Nowak", and the Turkish titles after a name
_TITLE_WORDS = frozenset(
    {
        "Hanım",
        "Bey",
        "Teyze",
        "Amca",
        "Abla",
        "Hoca",
        "Pani",
        "Pan",
        "Pana",
        "Panią",
        "Panem",
        "Пан",
        "Пані",
        "Mevrouw",
        "Meneer",
        "Mr",
        "Mrs",
        "Ms",
        "Dhr",
        "Mevr",
        "Bay",
        "Bayan",
    }
)
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")
_ALWAYS_CAPITALISED = {"I", "I'm", "I've", "I'd", "I'll"}
_SIMPLEMMA_LANGUAGES = frozenset({"nl", "en", "tr", "ar", "pl", "uk"})


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tag: str


def elfproef(digits: str) -> bool:
    """The BSN eleven-test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


_LEADING_TITLE = re.compile(
    r"(?i:mevrouw|meneer|mevr\.?|mw\.?|dhr\.?|de heer|juf|meester|dokter|wijkagent|"
    r"buurman|buurvrouw)\s+"
)


@cache
def _deduce():  # a deduce.Deduce, or None when it cannot be loaded here
    try:
        from deduce import Deduce

        # deduce builds its lookup tables once and keeps them in a file in its package: processes starting at the
        # same moment (a gunicorn's workers, two job workers) take turns, so none reads the file half-written
        # Its lookup tables are millions of long-lived objects. Read with the cyclic garbage collector paused (each
        # collection that the reading would set off walks everything read so far: 6.5 -> 1.7 s of CPU), then kept
        # out of its reach, so the process no longer walks them in later collections and at exit (17.3 -> 7.8 s).
        collecting = gc.isenabled()
        gc.disable()
        try:
            with open(Path(tempfile.gettempdir()) / "leefwereld-deduce.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    deidentifier = Deduce()
                except (EOFError, pickle.UnpicklingError) as error:
                    # a file left half-written by a process killed while it was being built: build it again
                    log.warning("deduce's lookup tables could not be read (%s); building them again", error)
                    deidentifier = Deduce(build_lookup_structs=True)
            gc.freeze()
        finally:
            if collecting:
                gc.enable()
        return deidentifier
    except Exception as error:  # whatever fails, the heuristics below still run
        log.warning("deduce could not be loaded (%s); Dutch names are found by heuristics only", error)
        return None


def deduce_available() -> bool:
    """Whether the deduce de-identifier loads here (builds it on first call)."""
    return _deduce() is not None


@cache
def _function_words() -> frozenset[str]:
    return frozenset().union(*(stop_words(language) for language in ("nl", "en", "tr", "pl", "uk")))


@cache
def _date_pattern() -> re.Pattern[str]:
    """Numeric dates and dates with a month name in any of the six languages ("12 maart 1954", "1 stycznia 1947")."""
    from babel.dates import get_month_names

    months: set[str] = set()
    for locale in ("nl", "en", "tr", "pl", "uk", "ar"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                months.update(name.rstrip(".") for name in get_month_names(width, context, locale).values())
    names = "|".join(re.escape(name) for name in sorted(months, key=len, reverse=True))
    return re.compile(
        rf"(?<!\d){_NUMERIC_DATE}(?!\d)|(?<!\d)\d{{1,2}}\.?\s+(?i:{names})\.?(?:\s+(?:19|20)?\d{{2}})?"
        r"(?!\d)",
        re.IGNORECASE,
    )


def _birth_dates(text: str) -> list[Span]:
    spans = []
    for match in _date_pattern().finditer(text):
        before = text[max(0, match.start() - _BIRTH_BEFORE) : match.start()]
        after = text[match.end() : match.end() + _BIRTH_AFTER]
        if _BIRTH.search(before) or _BIRTH.search(after):
            spans.append(Span(match.start(), match.end(), DATE_OF_BIRTH))
    return spans


def _digits_in_words(text: str) -> list[Span]:
    """Runs of at least six digit words or digits: a phone number read out ("nul zes een twee ...")."""
    spans, run = [], []
    for token in _DIGIT_TOKEN.finditer(text):
        word = token.group().lower()
        if word in _DIGIT_WORDS or word.isdigit() or (word[:1] == "و" and word[1:] in _DIGIT_WORDS):
            run.append(token)
            continue
        if len(run) >= _DIGITS_IN_WORDS_MIN:
            spans.append(Span(run[0].start(), run[-1].end(), PHONE))
        run = []
    if len(run) >= _DIGITS_IN_WORDS_MIN:
        spans.append(Span(run[0].start(), run[-1].end(), PHONE))
    return spans


_STREET_PARTICLES = frozenset({"de", "der", "den", "van", "ten", "ter"})


def _named_streets(text: str, keep: frozenset[str]) -> list[Span]:
    """Streets by name, without the words before them that are no part of it ("In de Van Goghstraat")."""
    stops = stop_words("nl") | stop_words("en")
    spans = []
    for match in _NAMED_STREET.finditer(text):
        start, words = match.start(), list(re.finditer(r"\S+", match.group()))
        # leading lower-case particles and capitalised function words ("In", "Op") are no part of a street's name;
        # "Van" and "De" are ("Van Goghstraat", "De Ruijterkade")
        while len(words) > 1 and (
            words[0].group() in _STREET_PARTICLES
            or (words[0].group().lower() in stops and words[0].group() not in {"Van", "De", "Den", "Der", "Ten", "Ter"})
        ):
            words.pop(0)
        start = match.start() + words[0].start()
        end = match.end()
        first_word = not text[:start].strip() or _SENTENCE_END.search(text[:start]) is not None
        number = _AFTER_STREET_NUMBER.match(text, end)
        if number:
            end = number.end()
        elif first_word and len(words) == 1:
            continue  # "Speelplein is vies": a sentence's first word alone may be a common noun
        if text[start : match.end()] in keep:
            continue
        spans.append(Span(start, end, ADDRESS))
    return spans


def _regex_spans(text: str, keep: frozenset[str] = frozenset()) -> list[Span]:
    spans = [Span(m.start(), m.end(), EMAIL) for pattern in (_EMAIL, _EMAIL_SPELLED) for m in pattern.finditer(text)]
    for pattern in (*_PHONE_PATTERNS, _INTERNATIONAL_PHONE):
        spans.extend(Span(m.start(), m.end(), PHONE) for m in pattern.finditer(text))
    spans.extend(_digits_in_words(text))
    for match in _NINE_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if elfproef(digits):
            spans.append(Span(match.start(), match.end(), BSN))
        elif digits.startswith("6"):
            spans.append(Span(match.start(), match.end(), PHONE))  # a mobile number without its leading 0
    spans.extend(Span(m.start(), m.end(), ADDRESS) for m in _POSTCODE.finditer(text))
    for pattern in (_STREET, _NUMBER_FIRST_STREET, _HOUSE_NUMBER, _FLOOR):
        spans.extend(Span(m.start(), m.end(), ADDRESS) for m in pattern.finditer(text))
    spans.extend(_named_streets(text, keep))
    for match in _BARE_HOUSE_NUMBER.finditer(text):
        group = 1 if match.group(1) else 2
        spans.append(Span(match.start(group), match.end(group), ADDRESS))
    for match in _PLATE.finditer(text):
        plate = match.group(1)
        if len(re.sub(r"\W", "", plate)) == 6 and any(c.isdigit() for c in plate) and any(c.isalpha() for c in plate):
            spans.append(Span(match.start(1), match.end(1), PLATE))
    spans.extend(_birth_dates(text))
    spans.extend(Span(m.start(), m.end(), NAME) for m in _NAME_WITH_AGE.finditer(text))
    for pattern in (_TITLED, _INTRODUCTION, _ARABIC_NAME, _ORGANISATION, _ARABIC_CUED_NAME):
        for match in pattern.finditer(text):
            group = next(index for index in range(1, (pattern.groups or 0) + 1) if match.group(index) is not None)
            # "De school is ver", "Mijn school": a capitalised function word before "school" is no school's name
            words = match.group(group).split()
            if pattern is _ORGANISATION and all(word.lower() in _function_words() for word in words):
                continue
            spans.append(Span(match.start(group), match.end(group), NAME))
    return spans


def _deduce_spans(text: str) -> list[Span] | None:
    deidentifier = _deduce()
    if deidentifier is None:
        return None
    spans = []
    for annotation in deidentifier.deidentify(text).annotations:
        if annotation.tag in ("persoon", "patient"):
            # deduce takes a title into the name ("Mevrouw Jansen"); the title identifies no one and reads better kept
            title = _LEADING_TITLE.match(annotation.text)
            offset = title.end() if title and title.end() < len(annotation.text) else 0
            spans.append(Span(annotation.start_char + offset, annotation.end_char, NAME))
        elif annotation.tag == "locatie" and any(character.isdigit() for character in annotation.text):
            spans.append(Span(annotation.start_char, annotation.end_char, ADDRESS))
    return spans


def _capitalised_spans(text: str, language: str, keep: frozenset[str], use_deduce: bool = True) -> list[Span]:
    """Capitalised words that are no sentence start, stop word or kept name (an area, the municipality)."""
    stops = stop_words(language)
    words = list(_WORD.finditer(text))
    spans = []
    for position, match in enumerate(words):
        word = match.group()
        if (
            not word[0].isupper()
            or word.isupper()
            or word in _ALWAYS_CAPITALISED
            or word in _TITLE_WORDS
            or word in keep
        ):
            continue
        if word.lower() in stops or word in _calendar_words(language):
            continue
        sentence_start = position == 0 or _SENTENCE_END.search(text[: match.start()]) is not None
        if sentence_start:
            following = words[position + 1] if position + 1 < len(words) else None
            # "Jan Jansen woont ..." starts with a name; "Meer groen ..." does not, nor does "Kizim Elif ..." (my
            # daughter Elif) or "Syn Bartek ...": before a name, the first word must itself look like one
            if (
                following is None
                or not following.group()[0].isupper()
                or following.group() in keep
                or not _known_name(word, language, use_deduce)
            ):
                continue
        spans.append(Span(match.start(), match.end(), NAME))
    return spans


@cache
def _calendar_words(language: str) -> frozenset[str]:
    """Names of days and months, capitalised in English and Polish sentences but nobody's name (Babel's CLDR)."""
    from babel.dates import get_day_names, get_month_names

    words: set[str] = set()
    for names in (get_day_names, get_month_names):
        for context in ("format", "stand-alone"):
            words.update(names("wide", context, language).values())
    return frozenset(word for name in words for word in (name, name.capitalize(), name.capitalize() + "s"))


def _known_name(word: str, language: str, use_deduce: bool) -> bool:
    """Whether a capitalised word is a known first name or surname (deduce's lists, which hold many Turkish, Arabic and
    Polish names) or a proper noun to simplemma's lexicon (its lemma keeps the capital: "Kasia", "Оксана")."""
    deidentifier = _deduce() if use_deduce else None
    if deidentifier is not None:
        lists = deidentifier.lookup_structs
        if [word] in lists["first_name"] or [word] in lists["surname"]:
            return True
    lemma = lemmatize(word.lower(), language) if language in _SIMPLEMMA_LANGUAGES else word.lower()
    return lemma[:1].isupper()


@cache
def _kept_pattern(keep: frozenset[str]) -> re.Pattern[str] | None:
    names = sorted((name for name in keep if name.strip()), key=len, reverse=True)
    if not names:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(name) for name in names)})(?!\w)", re.IGNORECASE)


def _outside_kept_names(spans: list[Span], text: str, keep: frozenset[str]) -> list[Span]:
    """Spans minus name tags that lie wholly inside a kept name. Kept names are whole phrases ("De Polder",
    "Oud-West"), which neither deduce (it takes "Bolwerk" or "Oud" for a surname) nor a word-by-word check sees.
    Only for guessed names: a name after a title ("mevrouw Bolwerk") is a person's whatever it shares with an area."""
    pattern = _kept_pattern(keep)
    if pattern is None:
        return spans
    kept = [(match.start(), match.end()) for match in pattern.finditer(text)]
    return [
        span
        for span in spans
        if span.tag != NAME or not any(start <= span.start and span.end <= end for start, end in kept)
    ]


def find_personal_data(
    text: str, language: str = "nl", *, use_deduce: bool = True, keep: frozenset[str] = frozenset()
) -> list[Span]:
    """Non-overlapping spans of personal data in the text, in order; on overlap the more specific tag wins.
    Names in `keep` (areas, the municipality) are never tagged as a person's name."""
    spans = _regex_spans(text, keep)
    found_by_deduce = _deduce_spans(text) if use_deduce and language == "nl" else None
    guessed = found_by_deduce if found_by_deduce is not None else _capitalised_spans(text, language, keep, use_deduce)
    spans.extend(_outside_kept_names(guessed, text, keep))
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-_PRIORITY[s.tag], -(s.end - s.start), s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def scrub(text: str, language: str = "nl", *, use_deduce: bool = True, keep: frozenset[str] = frozenset()) -> str:
    """The text with every span of personal data replaced by its tag ([naam], [e-mail], [telefoon], [adres],
    [kenteken], [geboortedatum], [BSN]); adjacent name tags merge into one."""
    result = text
    for span in reversed(find_personal_data(text, language, use_deduce=use_deduce, keep=keep)):
        result = result[: span.start] + span.tag + result[span.end :]
    return re.sub(r"\[naam\](?:\s+\[naam\])+", NAME, result)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--warm"]:
        print("deduce loaded" if deduce_available() else "deduce unavailable: heuristics only")
        return 0
    for line in sys.stdin:
        print(scrub(line.rstrip("\n")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
