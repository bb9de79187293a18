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
# Languages whose stopwords-iso list is cut down to its frequent words for theme features (see theme_stop_words).
_FUNCTION_WORDS_AMONG = {"en": 200}
LEMMATISED = frozenset({"nl", "en", "tr", "ar", "pl", "uk"})  # simplemma ships lexicons for all six
# Words every answer to "what would make your neighbourhood better" uses; as theme terms they say nothing.
_DOMAIN_STOP_WORDS = {
    "nl": {"buurt", "wijk", "graag", "beter", "meer", "minder", "vind", "zou", "zouden", "willen"},
    "en": {"neighbourhood", "neighborhood", "area", "better", "please", "would", "like"},
    # stopwords-iso's Ukrainian list (73 words) lacks the commonest prepositions, particles and pronouns
    "uk": {
        "на",
        "в",
        "у",
        "і",
        "по",
        "не",
        "ні",
        "я",
        "мене",
        "мені",
        "мій",
        "моя",
        "наш",
        "наша",
        "наше",
        "наші",
        "нашій",
        "нашому",
        "нашої",
        "дуже",
        "більше",
        "менше",
        "біля",
        "щоб",
        "бо",
        "або",
        "тут",
        "там",
        "цьому",
        "ця",
    },
}


# Dutch writes compounds as one word ("radarontwikkelingen", "bergstations"): a rare compound shares no lemma with
# its parts, and only some character n-grams. Its parts are added beside it (see compound_parts).
_COMPOUNDING = frozenset({"nl"})
_RARE_COMPOUND = 1e-5  # only words rarer than ten in a million (wordfreq) are split: common ones are lexicalised
_KNOWN_PART = 1e-6  # each part a word of at least one in a million
_MIN_PART = 4  # letters per part ("ong" + "zien" is not a split of "ongezien")
_LINKS = ("", "s", "e", "en")  # Dutch linking sounds: "verkeer-s-drempel", "zonn-e-stelsel", "boek-en-kast"


@cache
def _frequencies(language: str) -> dict[str, float]:
    return wordfreq.get_frequency_dict(language, wordlist="best")


def compound_parts(word: str, language: str) -> tuple[str, ...]:
    """The two known words a rare compound is made of, by the frequency method of Koehn and Knight (2003): of all
    cuts into two words of wordfreq's list (with a Dutch linking s, e or en after the first), the one whose rarer
    part is most frequent; () for a word that is not rare or has no such cut ("radarontwikkelingen" -> "radar",
    "ontwikkelingen"; "verkeersdrempels" -> "verkeer", "drempels"). Only for languages in _COMPOUNDING.

    On the labelled development texts (benchmarks/theme_dev.py, SIB-200 Dutch, 7 topics) adding the parts raised
    NMI at the true k from 0.186 to 0.247 on all 800 sentences and from 0.154 to 0.183 on random halves (mean of six
    halves, three splits); splitting words up to 1e-6 instead gave 0.221 / 0.166, up to 1e-4 0.187 / 0.166, and
    splitting every word whose parts are more frequent than it (Koehn and Knight's own rule) 0.175 / 0.157: common
    compounds ("wetenschappers" -> "wetenschap" + "pers") are better left whole."""
    if language not in _COMPOUNDING or len(word) < 2 * _MIN_PART:
        return ()
    frequency = _frequencies(language)
    if frequency.get(word, 0.0) >= _RARE_COMPOUND:
        return ()
    best = 0.0
    parts: tuple[str, ...] = ()
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            first = head[: len(head) - len(link)]
            if len(first) < _MIN_PART:
                continue
            score = min(frequency.get(first, 0.0), frequency.get(tail, 0.0))
            if score >= _KNOWN_PART and score > best:
                best, parts = score, (first, tail)
    return parts


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
def theme_stop_words(language: str) -> frozenset[str]:
    """The stop words left out of theme features: stop_words(language), except where stopwords-iso's list is a long
    search-engine list that holds content words. English (1,298 words) drops "top", "amount", "sent", "order", "ago"
    and "today" ("How do I top up my account?" -> "account"); there only its words among the language's
    _FUNCTION_WORDS_AMONG most frequent in wordfreq count (191 words with the survey-domain ones): function words,
    negations and question words, which stay stop words.

    Measured on Banking77 (benchmarks/theme_dev.py, NMI at 77 themes; 0.644 with the whole list): the words of
    stopwords-iso among wordfreq's top 200 give 0.654 on seeds 0 and 1 (top 500: 0.643, top 1000: 0.642). Not kept,
    seed 0: scikit-learn's ENGLISH_STOP_WORDS (318 words) 0.646, that list without negations and question words
    0.639, stopwords-iso's top-200 words without them 0.641, stopwords-iso without negations 0.636, without negations
    and question words 0.630: "not", "how" and "why" in every kind of question link unlike answers in the neighbour
    graph. SIB-200 English at 7 topics: NMI 0.228 -> 0.234, texts with a theme 91% -> 95%.

    The scrubber keeps the whole list (stop_words): there a capitalised function word must not pass for a name."""
    words = stop_words(language)
    if language not in _FUNCTION_WORDS_AMONG:
        return words
    frequent = {normalise(word, language) for word in wordfreq.top_n_list(language, _FUNCTION_WORDS_AMONG[language])}
    extra = {normalise(word, language) for word in _DOMAIN_STOP_WORDS.get(language, set())}
    return frozenset((words & frequent) | extra)


def lemmatize(word: str, language: str) -> str:
    """simplemma's lemma of a word, read from its lexicons as stored (front-coded, one index pass per language)
    rather than decoded into a dictionary of every form: loading the six shipped languages took 6.6 s of CPU and
    some hundreds of MB (Polish alone 3.7 million forms, 4.3 s), against 3.1 s this way; a word costs about 16 us
    more, so this is cheaper up to some 200,000 distinct words per run. The lemmas are the same."""
    return simplemma.lemmatize(word, lang=language, low_memory=True)


@cache
def stemmer(language: str) -> Callable[[str], str]:
    """Each word's dictionary form by simplemma's lexicons (all six shipped languages; "türkiye'nin" was already cut
    at its apostrophe, "будинками" -> "будинок", "huizen" -> "huis"); identity for a language simplemma lacks.

    Lemmas beat Snowball's stems on the labelled development texts (benchmarks/theme_dev.py) in Turkish, Arabic and
    Ukrainian, which had no Snowball stemmer at all, and matched them in the other three."""
    if language not in LEMMATISED:
        return lambda word: word

    def lemma(word: str) -> str:
        return normalise(lemmatize(word, language), language)

    return cache(lemma)


def _words(text: str, language: str) -> list[str]:
    """Every word of a text, normalised; Turkish suffixes after an apostrophe go ("türkiye'nin" -> "türkiye"): they
    inflect a proper name, which is the theme word."""
    found = _TOKEN.findall(normalise(text, language))
    if language == "tr":
        found = [token.split("'", 1)[0] for token in found]
    return found


def tokens(text: str, language: str) -> list[str]:
    """Content words of a text: normalised, letters only, no stop words, at least two letters."""
    stops = theme_stop_words(language)
    return [token for token in _words(text, language) if len(token) > 1 and token not in stops]


def analyse(texts: Sequence[str], language: str) -> tuple[list[list[str]], list[list[str]]]:
    """Tokens (as tokens() finds them) and their lemmas ("stems") for each text, each distinct word looked up once. A
    token whose lemma is a stop word ("was", lemma "zijn") is left out of both lists. A rare Dutch compound is
    followed by its parts, each with its lemma (see compound_parts)."""
    stem = stemmer(language)
    stops = theme_stop_words(language)
    # per word: the tokens and lemmas it adds to a text (none for a word tokens() leaves out)
    found_for: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    token_lists, stem_lists = [], []
    for text in texts:
        kept: list[str] = []
        stems: list[str] = []
        for word in _words(text, language):
            found = found_for.get(word)
            if found is None:
                candidates = (word, *compound_parts(word, language)) if len(word) > 1 and word not in stops else ()
                pairs = [(part, stem(part)) for part in candidates]
                pairs = [(part, lemma) for part, lemma in pairs if part not in stops and lemma not in stops]
                found = found_for[word] = (tuple(part for part, _ in pairs), tuple(lemma for _, lemma in pairs))
            kept.extend(found[0])
            stems.extend(found[1])
        token_lists.append(kept)
        stem_lists.append(stems)
    return token_lists, stem_lists


def analyse_each(
    texts: Sequence[str], languages: Sequence[str] | np.ndarray
) -> tuple[list[list[str]], list[list[str]]]:
    """Tokens and stems of each text in its own language (texts of several languages in one list)."""
    present = set(languages)
    if len(present) == 1:  # one language, as for each language's own model
        return analyse(texts, present.pop())
    token_lists: list[list[str]] = [[] for _ in texts]
    stem_lists: list[list[str]] = [[] for _ in texts]
    languages = np.asarray(languages, dtype=object)
    for language in sorted(present):
        positions = np.flatnonzero(languages == language)
        tokens_found, stems_found = analyse([texts[int(p)] for p in positions], language)
        for position, token_list, stem_list in zip(positions, tokens_found, stems_found, strict=True):
            token_lists[position], stem_lists[position] = token_list, stem_list
    return token_lists, stem_lists
