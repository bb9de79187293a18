"""Per-language normalisation of open answers: case, script variants, tokens, stop words and lemmas."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import simplemma
import stopwordsiso
import wordfreq

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
# stopwords-iso's lists are thin for some languages (Ukrainian 73 words, against 413 for Dutch): there the most
# frequent words of the language in wordfreq complete them. The top 80 are function words and auxiliaries in every
# shipped language; further down come words that can carry a theme ("school", "geld", "дітей").
_THIN_LIST, _FREQUENT_WORDS = 200, 80
_LEMMATISED = frozenset({"nl", "en", "tr", "ar", "pl", "uk"})  # simplemma ships lexicons for all six
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
    """stopwords-iso for the language (completed from wordfreq where it is thin), normalised like the text, plus a
    few survey-domain words."""
    words = set(stopwordsiso.stopwords(language)) if stopwordsiso.has_lang(language) else set()
    if len(words) < _THIN_LIST and language in wordfreq.available_languages():
        words |= set(wordfreq.top_n_list(language, _FREQUENT_WORDS))
    extra = _DOMAIN_STOP_WORDS.get(language, set())
    return frozenset(normalise(word, language) for word in set(words) | extra)


@cache
def stemmer(language: str) -> Callable[[str], str]:
    """Each word's dictionary form by simplemma's lexicons (all six shipped languages; "türkiye'nin" was already cut
    at its apostrophe, "будинками" -> "будинок", "huizen" -> "huis"); identity for a language simplemma lacks.

    Lemmas beat Snowball's stems on the labelled development texts (benchmarks/theme_dev.py) in Turkish, Arabic and
    Ukrainian, which had no Snowball stemmer at all, and matched them in the other three."""
    if language not in _LEMMATISED:
        return lambda word: word

    def lemma(word: str) -> str:
        return normalise(simplemma.lemmatize(word, lang=language), language)

    return cache(lemma)


def tokens(text: str, language: str) -> list[str]:
    """Content words of a text: normalised, letters only, no stop words, at least two letters. Turkish suffixes
    after an apostrophe go ("türkiye'nin" -> "türkiye"): they inflect a proper name, which is the theme word."""
    stops = stop_words(language)
    found = _TOKEN.findall(normalise(text, language))
    if language == "tr":
        found = [token.split("'", 1)[0] for token in found]
    return [token for token in found if len(token) > 1 and token not in stops]


def analyse(texts: Sequence[str], language: str) -> tuple[list[list[str]], list[list[str]]]:
    """Tokens and their lemmas ("stems") for each text, each distinct token looked up once. A token whose lemma is a
    stop word ("was", lemma "zijn") is left out of both lists."""
    stem = stemmer(language)
    stops = stop_words(language)
    stem_of: dict[str, str | None] = {}
    token_lists, stem_lists = [], []
    for text in texts:
        kept, stems = [], []
        for token in tokens(text, language):
            value = stem_of.get(token, "")
            if value == "":
                value = stem(token)
                value = stem_of[token] = None if value in stops else value
            if value is not None:
                kept.append(token)
                stems.append(value)
        token_lists.append(kept)
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
