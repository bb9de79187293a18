"""Language of each open answer, from its script and an offline detector, with the response locale as a hint."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

LANGUAGES = ("nl", "en", "tr", "ar", "pl", "uk")
UNDETERMINED = "und"
_LATIN = ("nl", "en", "tr", "pl")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")
# In ASCII text the letters are A-Z and a-z: bytes.translate deletes the rest far faster than a regex finds them.
_ASCII_NON_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())
# Below this many letters a detector mostly guesses ("park", "ok"); a locale hint of the right script wins there.
SHORT_TEXT = 12


@cache
def _detector():  # a lingua detector; lingua is imported only when text is analysed
    """Built once: lingua's models for the four Latin-script languages ship inside the wheel (nothing downloaded).

    Low-accuracy mode (trigrams only) is 2.5 times faster; on 20,000 distinct synthetic answers it agreed with the
    full models on 99.985%, and answers too short for trigrams to tell are decided by the locale hint anyway."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.DUTCH, Language.ENGLISH, Language.TURKISH, Language.POLISH]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_preloaded_language_models()
        .with_low_accuracy_mode()
        .build()
    )


def load_models() -> None:
    """Build the detector and the function-word votes now rather than at the first answer (see
    analysis.themes.load_language_resources)."""
    _detector()
    _function_words()


_ISO = {"DUTCH": "nl", "ENGLISH": "en", "TURKISH": "tr", "POLISH": "pl"}
# The page's language is the resident's own choice: lingua's confidence in it counts this many times over. A short
# English answer on the English page ("My card is broken", Dutch 0.85 and English 0.12 by lingua's trigrams) stays
# English; a Dutch sentence on that page (Dutch above 0.99) stays Dutch.
_HINT_PRIOR = 10.0


def _prior(hint: str) -> np.ndarray:
    return np.array([_HINT_PRIOR if language == hint else 1.0 for language in _LATIN])


# A text is decided by its function words when at least this many belong to one language and that language has at
# least this many times the votes of any other (see _function_word_votes).
_MIN_VOTES, _VOTE_RATIO = 2, 3


# a word as scikit-learn's CountVectorizer finds one (its token_pattern), which counted these words before
_WORD = re.compile(r"(?u)\b\w+\b")


@cache
def _function_words() -> dict[str, int]:
    """The function words that belong to exactly one of nl, en, tr and pl (stopwords-iso), each with the position of
    its language in _LATIN."""
    import stopwordsiso

    # words of two letters or more: the lists also hold single letters and numbers ("s" of "auto's", "10")
    lists = {
        language: {word for word in stopwordsiso.stopwords(language) if len(word) > 1 and word.isalpha()}
        for language in _LATIN
    }
    owner: dict[str, str | None] = {}
    for language, words in lists.items():
        for word in words:
            owner[word] = None if word in owner else language
    return {word: _LATIN.index(language) for word, language in sorted(owner.items()) if language is not None}


def _function_word_votes(texts: Sequence[str]) -> np.ndarray:
    """The language of each Latin-script text by its function words, or None where they do not clearly tell.

    Function words are what a language uses most and shares least: at least two of one language's and three times
    as many as of any other decide. On the benchmark's answers (1M respondents, 1.0M answers to two questions) they
    decided 84% of the distinct Latin-script texts, language detection went from 39 s to 13 s, and the result
    changed for 0.04% of the answers, every one a correction on inspection: short Dutch answers under another
    locale ("Weet ik niet") that the hint had decided, English and Polish answers lingua had taken for Dutch or
    Turkish. The rest goes to lingua.

    Each text's words (lower case) are looked up in one dictionary; the same counts as scikit-learn's CountVectorizer
    with these words as its vocabulary gave, at less than half its time (it raised and caught a KeyError for every
    word that is not a function word: most words).
    """
    find, language_of, width = _WORD.findall, _function_words().get, len(_LATIN)
    cells: list[int] = []
    for row, text in enumerate(texts):
        offset = row * width
        cells.extend(offset + column for column in map(language_of, find(text.lower())) if column is not None)
    counts = np.bincount(np.asarray(cells, dtype=np.int64), minlength=len(texts) * width).reshape(-1, width)
    order = np.argsort(-counts, axis=1, kind="stable")
    rows = np.arange(len(texts))
    top, second = counts[rows, order[:, 0]], counts[rows, order[:, 1]]
    clear = (top >= _MIN_VOTES) & (top >= _VOTE_RATIO * second)
    # numpy's stubs take no None here, which np.where makes an object array's None
    return np.where(clear, np.array(_LATIN, dtype=object)[order[:, 0]], None)  # type: ignore[call-overload]


def detect_languages(texts: Sequence[str], hints: Sequence[str | None] | None = None) -> np.ndarray:
    """ISO code per text (nl, en, tr, ar, pl, uk or "und").

    Arabic script means Arabic and Cyrillic means Ukrainian (the only ones of our languages in those scripts).
    Latin-script text is decided by its function words where they clearly tell, else by lingua restricted to
    nl/en/tr/pl, where the hint (usually the response locale) counts as a prior (_HINT_PRIOR). The hint decides when
    the text is too short to tell, or when lingua declines; a hint that contradicts the script is ignored. Each
    distinct (text, hint) is detected once, so repeated answers cost nothing.
    """
    texts = ["" if text is None or (isinstance(text, float) and text != text) else str(text) for text in texts]
    hints = [None] * len(texts) if hints is None else [hint if isinstance(hint, str) else None for hint in hints]
    keys = pd.Series([f"{hint}\x00{text}" for text, hint in zip(texts, hints, strict=True)], dtype=object)
    codes, uniques = pd.factorize(keys)
    results = np.empty(len(uniques), dtype=object)
    latin_positions, latin_texts, hint_decides = [], [], []
    for position, key in enumerate(uniques):
        hint, _, text = key.partition("\x00")
        hint = None if hint == "None" else hint
        ascii_text = text.isascii()
        letters = len(text.encode().translate(None, _ASCII_NON_LETTERS)) if ascii_text else len(_LETTER.findall(text))
        if letters == 0:
            results[position] = UNDETERMINED
        elif not ascii_text and len(_ARABIC.findall(text)) * 2 >= letters:
            results[position] = "ar"
        elif not ascii_text and len(_CYRILLIC.findall(text)) * 2 >= letters:
            results[position] = "uk"
        else:
            latin_positions.append(position)
            latin_texts.append(text)
            # too short for lingua to tell: the hint decides, unless the function words clearly say otherwise
            hint_decides.append(letters < SHORT_TEXT and hint in _LATIN)
            results[position] = hint if hint in _LATIN else UNDETERMINED
    if latin_texts:
        # the same text under several hints is looked at once
        text_codes, distinct = pd.factorize(pd.Series(latin_texts, dtype=object))
        voted = _function_word_votes(list(distinct))
        hint_mask = np.asarray(hint_decides, dtype=bool)
        for_lingua = np.zeros(len(distinct), dtype=bool)
        for_lingua[text_codes[~hint_mask]] = True
        ask = np.flatnonzero(for_lingua & pd.isna(voted))
        detected = np.full(len(distinct), None, dtype=object)
        if len(ask):
            found = _detector().detect_languages_in_parallel_of([distinct[int(i)] for i in ask])
            detected[ask] = [None if language is None else _ISO[language.name] for language in found]
        # where lingua contradicts the page's language, weigh its confidence against the hint (few texts)
        hint_of = np.array([results[position] for position in latin_positions], dtype=object)
        contradicted = np.zeros(len(distinct), dtype=bool)
        lingua_decides = ~hint_mask & pd.isna(voted[text_codes])
        contradicted[text_codes[lingua_decides & np.isin(hint_of, _LATIN) & (detected[text_codes] != hint_of)]] = True
        confidence = np.zeros((len(distinct), len(_LATIN)))
        doubtful = np.flatnonzero(contradicted)
        if len(doubtful):
            for row, values in zip(
                doubtful,
                _detector().compute_language_confidence_values_in_parallel([distinct[int(i)] for i in doubtful]),
                strict=True,
            ):
                for value in values:
                    confidence[row, _LATIN.index(_ISO[value.language.name])] = value.value
        for position, code, hinted, hint in zip(latin_positions, text_codes, hint_mask, hint_of, strict=True):
            if voted[code] is not None or hinted:
                decided = voted[code]
            elif hint in _LATIN and confidence[code].any():
                decided = _LATIN[int(np.argmax(confidence[code] * _prior(hint)))]
            else:
                decided = detected[code]
            if decided is not None:
                results[position] = decided
    return results[codes] if len(texts) else np.empty(0, dtype=object)
