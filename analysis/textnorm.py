"""Per-language normalisation of open answers: case, script variants, tokens, stop words and stems."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import snowballstemmer
import stopwordsiso

_SNOWBALL = {"nl": "dutch", "en": "english", "tr": "turkish", "ar": "arabic", "pl": "polish"}
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
# Snowball has no Ukrainian stemmer. A light stemmer strips the commonest inflectional endings (case, number,
# adjective and verb endings), longest first, keeping at least three letters; character n-grams in the features
# absorb what it misses.
_UKRAINIAN_ENDINGS = tuple(sorted((
    "ами", "ями", "ові", "еві", "ого", "ому", "ими", "іми", "ій", "ий", "ої", "ою", "ею", "єю", "ах", "ях",
    "ів", "їв", "ам", "ям", "ом", "ем", "ти", "ть", "ся", "сь", "ує", "ють", "ать", "ять", "ить", "іть", "ла", "ло",
    "ли", "ні", "ня", "а", "я", "о", "е", "є", "у", "ю", "і", "ї", "и", "й", "ь",
), key=len, reverse=True))
# Words every answer to "what would make your neighbourhood better" uses; as theme terms they say nothing.
_DOMAIN_STOP_WORDS = {
    "nl": {"buurt", "wijk", "graag", "beter", "meer", "minder", "vind", "zou", "zouden", "willen"},
    "en": {"neighbourhood", "neighborhood", "area", "better", "please", "would", "like"},
    # stopwords-iso's Ukrainian list (73 words) lacks the commonest prepositions, particles and pronouns
    "uk": {"на", "в", "у", "і", "по", "не", "ні", "я", "мене", "мені", "мій", "моя", "наш", "наша", "наше", "наші",
           "нашій", "нашому", "нашої", "дуже", "більше", "менше", "біля", "щоб", "бо", "або", "тут", "там", "цьому",
           "ця"},
}


def normalise(text: str, language: str) -> str:
    """Unicode NFKC, lower case with the Turkish dotted/dotless i, Arabic diacritics and letter variants unified."""
    text = unicodedata.normalize("NFKC", text or "")
    if language == "tr":
        text = text.replace("I", "ı").replace("İ", "i")
    text = text.lower()
    if language == "ar":
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    return text.replace("’", "'")


@cache
def stop_words(language: str) -> frozenset[str]:
    """stopwords-iso for the language, normalised like the text, plus a few survey-domain words."""
    words = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else set()
    extra = _DOMAIN_STOP_WORDS.get(language, set())
    return frozenset(normalise(word, language) for word in set(words) | extra)


def _ukrainian_stem(word: str) -> str:
    for ending in _UKRAINIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@cache
def stemmer(language: str) -> Callable[[str], str]:
    """Snowball's stemmer for nl, en, tr, ar and pl; the light stemmer above for uk; identity otherwise."""
    if language in _SNOWBALL:
        stem = snowballstemmer.stemmer(_SNOWBALL[language]).stemWord
        return cache(stem)
    if language == "uk":
        return cache(_ukrainian_stem)
    return lambda word: word


def tokens(text: str, language: str) -> list[str]:
    """Content words of a text: normalised, letters only, no stop words, at least two letters."""
    stops = stop_words(language)
    return [token for token in _TOKEN.findall(normalise(text, language)) if len(token) > 1 and token not in stops]


def analyse(texts: Sequence[str], language: str) -> tuple[list[list[str]], list[list[str]]]:
    """Tokens and their stems for each text, stemming each distinct token once."""
    stem = stemmer(language)
    token_lists = [tokens(text, language) for text in texts]
    stem_of: dict[str, str] = {}
    stem_lists = []
    for token_list in token_lists:
        stems = []
        for token in token_list:
            value = stem_of.get(token)
            if value is None:
                value = stem_of[token] = stem(token)
            stems.append(value)
        stem_lists.append(stems)
    return token_lists, stem_lists


def analyse_each(texts: Sequence[str], languages: Sequence[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Tokens and stems of each text in its own language (texts of several languages in one list)."""
    token_lists: list[list[str]] = [[] for _ in texts]
    stem_lists: list[list[str]] = [[] for _ in texts]
    languages = np.asarray(languages, dtype=object)
    for language in sorted(set(languages)):
        positions = np.flatnonzero(languages == language)
        tokens_found, stems_found = analyse([texts[p] for p in positions], language)
        for position, token_list, stem_list in zip(positions, tokens_found, stems_found, strict=True):
            token_lists[position], stem_lists[position] = token_list, stem_list
    return token_lists, stem_lists
