"""Scrub quotes of personal data: names, e-mail addresses, phone numbers, addresses and BSNs become tags.

Layers: regular expressions for e-mail addresses, Dutch phone numbers (06, landline, 0800/0900, +31/0031),
postcodes and street names with house numbers, and 9-digit numbers that pass the BSN eleven-test; for Dutch, the
`deduce` de-identifier (names and addresses, with Dutch name and street lookup lists); for other languages, or
when deduce is unavailable, names after a title or a self-introduction plus a capitalised-word heuristic that
prefers removing a place name to leaving a person's name. Quotes are approved by an analyst before anyone else
sees them, so over-scrubbing costs little and under-scrubbing a lot.

deduce builds lookup tables on first use (a minute on a fresh install, seconds after): it is built once per
process, lazily, and only quotes proposed for analysts are scrubbed, never every answer. Warm it after installing
with `python -m analysis.scrub --warm`.
"""
from __future__ import annotations

import gc
import logging
import re
import sys
from dataclasses import dataclass
from functools import cache

from analysis.textnorm import stop_words

NAME, EMAIL, PHONE, ADDRESS, BSN = "[naam]", "[e-mail]", "[telefoon]", "[adres]", "[BSN]"
_PRIORITY = {EMAIL: 5, BSN: 4, PHONE: 4, ADDRESS: 3, NAME: 2}
log = logging.getLogger(__name__)

_SEP = r"[\s.\-]*"
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_PHONE_PATTERNS = (
    re.compile(rf"(?:\+|\b00)31{_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{8}}(?!\d)"),      # +31 6 1234 5678
    re.compile(rf"(?<![\d+])\(?0[1-9](?:\)?{_SEP}\d){{8}}(?!\d)"),                      # 06-12345678, (020) 1234567
    re.compile(rf"(?<!\d)0[89]0[09]{_SEP}\d(?:{_SEP}\d){{3,6}}(?!\d)"),                  # 0800 1234, 0900 555 0101
)
_NINE_DIGITS = re.compile(r"(?<!\d)(?<!\d[ .\-])\d(?:[ .\-]?\d){8}(?![ .\-]?\d)")
# the house number's letter is optional as a whole, so the match never ends on the space after a bare number
_POSTCODE = re.compile(r"\b[1-9]\d{3}(?:\s?(?!SA\b|SD\b|SS\b)[A-Z]{2}|[a-z]{2})\b(?:[\s,]+\d{1,5}(?:\s?[a-zA-Z]\b)?)?")
_STREET = re.compile(
    r"\b[\w'\-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|hof|pad|steeg|markt|plantsoen|ring|baan|"
    r"allee|erf|wal|dam|haven|park|veld|hout|oord|street|road|lane|avenue|sokak|sokağı|caddesi|ulica|ul\.)"
    r"\s+\d{1,5}(?:\s?[a-zA-Z]\b|\s?-\s?\d{1,4}\b)?",
    re.IGNORECASE,
)
# English puts the house number first: "12 Baker Street", "7a high road"
_NUMBER_FIRST_STREET = re.compile(r"\b\d{1,5}[a-zA-Z]?,?\s+(?:[\w'\-]+\s+){0,2}(?:street|road|lane|avenue)\b",
                                  re.IGNORECASE)
# a house number without its street: "van nummer 12", "op nr. 14", "at number 7a", "12 numarada", "будинок 5",
# "رقم 12"; a bus line or a page number is scrubbed too, which costs an analyst one look
_HOUSE_NUMBER = re.compile(
    r"(?:\b(?i:huis\s*nummer|huisnr\.?|nummer|nr\.?|no\.?|number|numara(?:s[ıi])?|numer(?:u|ze|em)?|"
    r"номер[іа]?|будин(?:ок|ку)|квартир[аиіу])|№|رقم)\s*\d{1,5}(?:\s?[a-zA-Z]\b)?"
    r"|\b\d{1,5}[a-zA-Z]?\s+(?i:numara(?:da|dan|l[ıi]|ya)?)\b"
)
_UPPER = r"[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЄІЇҐ]"
_NAME_WORD = rf"{_UPPER}[\w'\-]+"
_PARTICLE = r"(?:van|de|der|den|ten|ter|te|el|al|bin|ibn)"
_FULL_NAME = (rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD})*"
              rf"|{_UPPER}\.(?:\s*{_UPPER}\.)*\s*(?:{_PARTICLE}\s+)*{_NAME_WORD}")
_TITLES = (r"meneer|mevrouw|mevr\.?|mw\.?|dhr\.?|juf|juffrouw|meester|dokter|buurman|buurvrouw|mr\.?|mrs\.?|ms\.?|"
           r"miss|dr\.?|bay|bayan|pan|pani|pana|panią|panem|пан|пані|пана")
# only the title ignores case: the name after it must be capitalised
_TITLED = re.compile(rf"\b(?i:{_TITLES})\s+({_FULL_NAME})")
# after a self-introduction the first word is a name even in lower case; further words only when capitalised
_INTRODUCTION = re.compile(
    r"\b(?i:ik\s+heet|mijn\s+naam\s+is|my\s+name\s+is|i\s+am\s+called|benim\s+ad[ıi]m|ad[ıi]m|nazywam\s+si[ęe]|"
    rf"mam\s+na\s+imi[ęe]|мене\s+звати|моє\s+ім'я)\s+([\w'\-]+(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD})*)",
)
_ARABIC_NAME = re.compile(r"(?:اسمي|السيد|السيدة|الأستاذ|الأستاذة)\s+([\u0600-\u06FF]+)")
_WORD = re.compile(r"[^\W\d_][\w'\-]*")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")
_ALWAYS_CAPITALISED = {"I", "I'm", "I've", "I'd", "I'll"}


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


@cache
def _deduce():  # a deduce.Deduce, or None when it cannot be loaded here
    try:
        from deduce import Deduce

        deidentifier = Deduce()
        # Its lookup tables are millions of long-lived objects: kept out of the cyclic garbage collector, the
        # process no longer spends ~10 s walking them in later collections and at exit (measured: 17.3 -> 7.8 s).
        gc.freeze()
        return deidentifier
    except Exception as error:  # whatever fails, the heuristics below still run
        log.warning("deduce could not be loaded (%s); Dutch names are found by heuristics only", error)
        return None


def deduce_available() -> bool:
    """Whether the deduce de-identifier loads here (builds it on first call)."""
    return _deduce() is not None


def _regex_spans(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
    for pattern in _PHONE_PATTERNS:
        spans.extend(Span(m.start(), m.end(), PHONE) for m in pattern.finditer(text))
    for match in _NINE_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if elfproef(digits):
            spans.append(Span(match.start(), match.end(), BSN))
        elif digits.startswith("6"):
            spans.append(Span(match.start(), match.end(), PHONE))  # a mobile number without its leading 0
    spans.extend(Span(m.start(), m.end(), ADDRESS) for m in _POSTCODE.finditer(text))
    for pattern in (_STREET, _NUMBER_FIRST_STREET, _HOUSE_NUMBER):
        spans.extend(Span(m.start(), m.end(), ADDRESS) for m in pattern.finditer(text))
    for pattern in (_TITLED, _INTRODUCTION, _ARABIC_NAME):
        spans.extend(Span(m.start(1), m.end(1), NAME) for m in pattern.finditer(text))
    return spans


def _deduce_spans(text: str) -> list[Span] | None:
    deidentifier = _deduce()
    if deidentifier is None:
        return None
    spans = []
    for annotation in deidentifier.deidentify(text).annotations:
        if annotation.tag in ("persoon", "patient"):
            spans.append(Span(annotation.start_char, annotation.end_char, NAME))
        elif annotation.tag == "locatie" and any(character.isdigit() for character in annotation.text):
            spans.append(Span(annotation.start_char, annotation.end_char, ADDRESS))
    return spans


def _capitalised_spans(text: str, language: str, keep: frozenset[str]) -> list[Span]:
    """Capitalised words that are no sentence start, stop word or kept name (an area, the municipality)."""
    stops = stop_words(language)
    words = list(_WORD.finditer(text))
    spans = []
    for position, match in enumerate(words):
        word = match.group()
        if not word[0].isupper() or word.isupper() or word in _ALWAYS_CAPITALISED or word in keep:
            continue
        if word.lower() in stops:
            continue
        sentence_start = position == 0 or _SENTENCE_END.search(text[: match.start()]) is not None
        if sentence_start:
            following = words[position + 1] if position + 1 < len(words) else None
            # "Jan Jansen woont ..." starts with a name; "Meer groen ..." does not
            if following is None or not following.group()[0].isupper() or following.group() in keep:
                continue
        spans.append(Span(match.start(), match.end(), NAME))
    return spans


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
    return [span for span in spans
            if span.tag != NAME or not any(start <= span.start and span.end <= end for start, end in kept)]


def find_personal_data(text: str, language: str = "nl", *, use_deduce: bool = True,
                       keep: frozenset[str] = frozenset()) -> list[Span]:
    """Non-overlapping spans of personal data in the text, in order; on overlap the more specific tag wins.
    Names in `keep` (areas, the municipality) are never tagged as a person's name."""
    spans = _regex_spans(text)
    found_by_deduce = _deduce_spans(text) if use_deduce and language == "nl" else None
    guessed = found_by_deduce if found_by_deduce is not None else _capitalised_spans(text, language, keep)
    spans.extend(_outside_kept_names(guessed, text, keep))
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-_PRIORITY[s.tag], -(s.end - s.start), s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def scrub(text: str, language: str = "nl", *, use_deduce: bool = True, keep: frozenset[str] = frozenset()) -> str:
    """The text with every span of personal data replaced by its tag ([naam], [e-mail], [telefoon], [adres],
    [BSN]); adjacent name tags merge into one."""
    result = text
    for span in reversed(find_personal_data(text, language, use_deduce=use_deduce, keep=keep)):
        result = result[: span.start] + span.tag + result[span.end:]
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
