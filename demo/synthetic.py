"""Synthetic respondents of realistic shape, with planted differences that the analysis must find."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from surveys.instruments import Instrument, Item, Scale

INSTRUMENT_MIX = {"adult": 0.75, "parent": 0.15, "youth": 0.10}
ITEM_MISSING = 0.03
OPEN_ANSWER_RATE = 0.6
# Planted structure, by wijk position in the demo municipality (0-based): lower cohesion in the third wijk,
# more loneliness in the fifth, and traffic safety as the dominant theme of open answers in the first.
SCALE_EFFECTS = {("cohesion", 2): -0.25, ("djg", 4): +0.25}
# Scales whose higher score is worse (loneliness): a resident who is doing well scores low on them.
WORSE_WHEN_HIGHER = frozenset({"djg"})
PLANTED_THEME = {0: "traffic"}
# Background answers as a survey gets them: more women than men answer, and fewer people who live alone than the
# buurt has (about 30% of adults in the demo's figures), so that weighting to the population has work to do.
BACKGROUND_MIX = {
    "gender": {"woman": 0.55, "man": 0.43, "other": 0.02},
    "lives_alone": {"yes": 0.22, "no": 0.78},
}
LOCALE_MIX = {"nl": 0.82, "en": 0.04, "tr": 0.05, "ar": 0.04, "pl": 0.03, "uk": 0.02}

OPEN_ANSWERS = {
    "nl": {
        "traffic": [
            "Er wordt veel te hard gereden in onze straat",
            "Meer drempels, auto's rijden te snel",
            "De oversteek bij de school is gevaarlijk voor kinderen",
            "Minder verkeer en veiliger fietsen",
        ],
        "green": [
            "Meer groen en bomen in de buurt",
            "Een mooi park om te wandelen",
            "Betere speeltuinen voor de kinderen",
            "Meer bankjes en groen op het plein",
        ],
        "contact": [
            "Een plek om buren te ontmoeten",
            "Ik voel me vaak alleen, meer activiteiten voor ouderen",
            "Een buurthuis waar je koffie kunt drinken",
            "Meer contact tussen buren",
        ],
        "litter": [
            "Minder zwerfvuil op straat",
            "De containers zijn altijd vol",
            "Meer prullenbakken en schoner",
            "Hondenpoep op de stoep ruimt niemand op",
        ],
    },
    "en": {
        "traffic": ["Cars drive far too fast in our street", "Safer crossing near the school"],
        "green": ["More trees and green space", "A better playground for children"],
        "contact": ["A place to meet the neighbours", "I often feel lonely, more activities please"],
        "litter": ["Less litter in the street", "The bins are always full"],
    },
    "tr": {
        "traffic": ["Sokağımızda arabalar çok hızlı gidiyor", "Okulun yanında daha güvenli geçit"],
        "green": ["Daha fazla ağaç ve yeşil alan", "Çocuklar için daha iyi bir oyun parkı"],
        "contact": ["Komşularla buluşacak bir yer", "Kendimi sık sık yalnız hissediyorum"],
        "litter": ["Sokakta daha az çöp", "Çöp konteynerleri hep dolu"],
    },
    "ar": {
        "traffic": ["السيارات تسير بسرعة كبيرة في شارعنا", "معبر أكثر أمانا قرب المدرسة"],
        "green": ["المزيد من الأشجار والمساحات الخضراء", "ملعب أفضل للأطفال"],
        "contact": ["مكان للقاء الجيران", "أشعر بالوحدة كثيرا"],
        "litter": ["قمامة أقل في الشارع", "الحاويات ممتلئة دائما"],
    },
    "pl": {
        "traffic": ["Samochody jeżdżą za szybko na naszej ulicy", "Bezpieczniejsze przejście przy szkole"],
        "green": ["Więcej drzew i zieleni", "Lepszy plac zabaw dla dzieci"],
        "contact": ["Miejsce do spotkań z sąsiadami", "Często czuję się samotny"],
        "litter": ["Mniej śmieci na ulicy", "Kontenery są zawsze pełne"],
    },
    "uk": {
        "traffic": ["Машини їздять занадто швидко на нашій вулиці", "Безпечніший перехід біля школи"],
        "green": ["Більше дерев і зелені", "Кращий дитячий майданчик"],
        "contact": ["Місце для зустрічей із сусідами", "Я часто почуваюся самотньо"],
        "litter": ["Менше сміття на вулиці", "Контейнери завжди повні"],
    },
}


@dataclass(frozen=True)
class SyntheticResponse:
    instrument: str
    buurt_code: str
    wijk_index: int
    locale: str
    answers: dict[str, Any]


def _towards(scale_id: str, wellbeing):
    """The level (0..1 of the scale's range) that a resident's well-being gives on a scale."""
    return 1.0 - wellbeing if scale_id in WORSE_WHEN_HIGHER else wellbeing


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _scale_item_value(rng: random.Random, scale: Scale, item: Item, level: float) -> Any:
    """The answer code whose contribution to the scale is nearest to `level` (0 = lowest, 1 = highest score)."""
    mapping = scale.item_value_map.get(item.id) or scale.value_map
    contributions = {}
    for code in item.codes:
        value = mapping[code] if mapping else Fraction(code)
        contributions[code] = value
    low, high = min(contributions.values()), max(contributions.values())
    if item.id in scale.reverse:
        contributions = {code: low + high - value for code, value in contributions.items()}
    target = float(low) + level * float(high - low)
    return min(contributions, key=lambda code: (abs(float(contributions[code]) - target), rng.random()))


def generate(
    instruments: dict[str, Instrument], buurten: list[tuple[str, int, int]], count: int, seed: int
) -> list[SyntheticResponse]:
    """`buurten` holds (buurt code, wijk index, population); respondents are drawn in proportion to population."""
    rng = random.Random(seed)
    mix = {slug: share for slug, share in INSTRUMENT_MIX.items() if slug in instruments}
    weights = [population or 1 for _, _, population in buurten]
    responses = []
    for _ in range(count):
        slug = _weighted(rng, mix)
        instrument = instruments[slug]
        code, wijk, _pop = rng.choices(buurten, weights=weights)[0]
        locale = _weighted(rng, LOCALE_MIX)
        wellbeing = rng.gauss(0.62, 0.15)
        scale_of = {item_id: scale for scale in instrument.scales for item_id in scale.items}
        levels = {
            scale.id: min(
                1.0,
                max(0.0, _towards(scale.id, wellbeing) + SCALE_EFFECTS.get((scale.id, wijk), 0.0) + rng.gauss(0, 0.12)),
            )
            for scale in instrument.scales
        }
        answers: dict[str, Any] = {}
        for item in instrument.items:
            if not item.is_visible(answers) or rng.random() < ITEM_MISSING:
                continue
            if item.id in scale_of:
                scale = scale_of[item.id]
                answers[item.id] = _scale_item_value(
                    rng, scale, item, min(1.0, max(0.0, levels[scale.id] + rng.gauss(0, 0.1)))
                )
            elif item.type in ("scale_0_10",):
                answers[item.id] = min(10, max(0, round(rng.gauss(10 * wellbeing, 1.5))))
            elif item.id in BACKGROUND_MIX:
                answers[item.id] = _weighted(rng, BACKGROUND_MIX[item.id])
            elif item.type in ("likert", "single", "yesno"):
                answers[item.id] = rng.choice(item.codes)
            elif item.type == "multiple":
                answers[item.id] = sorted(
                    rng.sample(list(item.codes), rng.randint(1, min(3, len(item.codes)))), key=list(item.codes).index
                )
            elif item.type == "number":
                low, high = item.bounds
                answers[item.id] = rng.randint(low, min(high, low + 10))
            elif item.open_question and rng.random() < OPEN_ANSWER_RATE:
                themes = OPEN_ANSWERS[locale]
                theme = PLANTED_THEME.get(wijk) if rng.random() < 0.6 and wijk in PLANTED_THEME else None
                theme = theme or rng.choice(sorted(themes))
                answers[item.id] = rng.choice(themes[theme])
        responses.append(SyntheticResponse(slug, code, wijk, locale, answers))
    return responses


# --- vectorised generation ----------------------------------------------------------------------------------------
# generate() draws one respondent at a time, as the demo command stores them. generate_frame() draws the same kind of
# wave a whole column at a time with numpy, straight into the table analysis.frames.respondents_frame() builds, so a
# million respondents take seconds (benchmarks/analysis.py, tests/analysis/test_planted.py). Its random stream differs
# from generate(): the same seed gives other respondents with the same distributions and planted structure.

# With `varied_text`, open answers are composed from the phrases above plus openers, second clauses, details,
# endings, filler answers, the odd phone number and typos, so that most answers are distinct and vary in length like
# real ones; the planted theme stays in the main phrase.
TEXT_PARTS: dict[str, dict[str, Any]] = {
    "nl": {
        "openers": [
            "Vooral: ",
            "Eigenlijk: ",
            "Wat mij betreft: ",
            "Belangrijk: ",
            "Ik denk ",
            "Graag: ",
            "Heel simpel: ",
            "Om eerlijk te zijn: ",
        ],
        "joins": [". ", ". Ook: ", ", en ", ". Verder: ", " - "],
        "details": [
            "vooral 's avonds",
            "in het weekend",
            "bij de school",
            "hier in de straat",
            "al heel lang",
            "voor jong en oud",
            "sinds de nieuwbouw",
            "rond het winkelcentrum",
            "bij het station",
            "na de verbouwing",
            "in de zomer",
            "op de hoek bij de bakker",
            "voor de ouderen hier",
            "in de hele wijk",
            "bij het speelveld",
        ],
        "years": "al {} jaar",
        "street": " in de ",
        "streets": (
            [
                "Esdoorn",
                "Linden",
                "Kastanje",
                "Beuken",
                "Eiken",
                "Wilgen",
                "Populier",
                "Berken",
                "Meidoorn",
                "Vlier",
                "Hazel",
                "Iepen",
                "Merel",
                "Spreeuwen",
                "Lijster",
                "Zwaluw",
                "Reiger",
                "Mussen",
                "Vinken",
                "Koekoek",
                "Rembrandt",
                "Vermeer",
                "Mondriaan",
                "Escher",
                "Breitner",
                "Israëls",
                "Molen",
                "Koren",
                "Tulpen",
                "Rozen",
            ],
            ["laan", "straat", "weg", "hof", "plein", "kade", "singel", "pad"],
        ),
        "fillers": [
            "Niets",
            "Geen idee",
            "nvt",
            "Weet ik niet",
            "Het is goed zo",
            "-",
            "Niks, ik woon hier fijn",
            "Geen mening",
        ],
        "personal": ["Bel mij gerust op 06-{}", "Mijn buurman Piet de Vries weet er alles van, 06-{}"],
    },
    "en": {
        "openers": ["Mostly: ", "Honestly, ", "I think: ", "Simple: "],
        "joins": [". ", ". Also: ", ", and ", " - "],
        "details": [
            "in the evenings",
            "near the school",
            "for young and old",
            "at the weekend",
            "since the new houses",
            "around the shops",
        ],
        "years": "for {} years now",
        "fillers": ["Nothing", "No idea", "n/a", "It is fine"],
        "personal": ["Call me on 06-{}"],
    },
    "tr": {
        "openers": ["Bence ", "Özellikle ", "Açıkçası "],
        "joins": [". ", ", ve ", " - "],
        "details": ["akşamları", "okulun yakınında", "hafta sonları", "gençler ve yaşlılar için", "çarşının etrafında"],
        "years": "{} yıldır",
        "fillers": ["Hiçbir şey", "Bilmiyorum", "Her şey iyi"],
        "personal": ["Beni arayın 06-{}"],
    },
    "ar": {
        "openers": ["برأيي ", "خاصة ", "بصراحة "],
        "joins": [". ", " و", " - "],
        "details": ["في المساء", "قرب المدرسة", "في عطلة نهاية الأسبوع", "للصغار والكبار", "حول المحلات"],
        "years": "منذ {} سنوات",
        "fillers": ["لا شيء", "لا أعرف", "كل شيء جيد"],
        "personal": ["اتصلوا بي 06-{}"],
    },
    "pl": {
        "openers": ["Moim zdaniem ", "Przede wszystkim ", "Szczerze mówiąc "],
        "joins": [". ", ", i ", " - "],
        "details": ["wieczorami", "przy szkole", "w weekendy", "dla młodych i starszych", "koło sklepów"],
        "years": "od {} lat",
        "fillers": ["Nic", "Nie wiem", "Jest dobrze"],
        "personal": ["Proszę dzwonić 06-{}"],
    },
    "uk": {
        "openers": ["На мою думку, ", "Особливо ", "Чесно кажучи, "],
        "joins": [". ", ", і ", " - "],
        "details": ["увечері", "біля школи", "у вихідні", "для молодих і старших", "біля магазинів"],
        "years": "вже {} років",
        "fillers": ["Нічого", "Не знаю", "Усе добре"],
        "personal": ["Телефонуйте мені 06-{}"],
    },
}
# Who writes in another language than the survey's locale: residents with a non-Dutch locale often answer in Dutch.
WRITES_DUTCH_WITH_OTHER_LOCALE = 0.25


def _choice(rng: np.random.Generator, options: list[Any], size: int) -> np.ndarray:
    """`size` draws from `options` as an object array (each option a Python object, a list stays one value)."""
    table = np.empty(len(options), dtype=object)
    for position, option in enumerate(options):
        table[position] = option
    return table[rng.integers(0, len(options), size)]


def _scale_contributions(scale: Scale, item: Item) -> np.ndarray:
    """Per code of the item, its contribution to the scale as in _scale_item_value (reversed where the scale says)."""
    mapping = scale.item_value_map.get(item.id) or scale.value_map
    values = [float(mapping[code] if mapping else Fraction(code)) for code in item.codes]
    low, high = min(values), max(values)
    if item.id in scale.reverse:
        values = [low + high - value for value in values]
    return np.array(values)


def _nearest_code(rng: np.random.Generator, contributions: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Index of the code whose contribution is nearest to each level (0..1 over its range), as _scale_item_value
    chooses; among codes with the same contribution (djg: "yes" and "more_or_less") one at random."""
    values, group = np.unique(contributions, return_inverse=True)
    target = values[0] + level * (values[-1] - values[0])
    nearest = np.searchsorted((values[1:] + values[:-1]) / 2, target)  # an exact midpoint goes to the lower value
    by_value = np.argsort(group, kind="stable")  # codes ordered by their contribution
    sizes = np.bincount(group, minlength=len(values))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    offset = (rng.random(len(level)) * sizes[nearest]).astype(np.int64)
    return by_value[starts[nearest] + offset]


def _compose_answers(
    rng: np.random.Generator, language: str, wijk: np.ndarray, planted_theme: dict[int, str], varied: bool
) -> np.ndarray:
    """Open answers in one language for respondents in the given wijken, as an object array of str."""
    size = len(wijk)
    themes = OPEN_ANSWERS[language]
    names = sorted(themes)
    theme = rng.integers(0, len(names), size)
    wijken = int(wijk.max(initial=0)) + 1
    planted = np.array(
        [names.index(planted_theme[position]) if position in planted_theme else -1 for position in range(wijken)],
        dtype=np.int64,
    )
    chosen = planted[wijk]
    use_planted = (chosen >= 0) & (rng.random(size) < 0.6)
    theme = np.where(use_planted, chosen, theme)
    per_theme = len(themes[names[0]])
    phrases = np.array([phrase for name in names for phrase in themes[name]], dtype=object)
    text = phrases[theme * per_theme + rng.integers(0, per_theme, size)]
    if not varied:
        return text
    parts = TEXT_PARTS[language]
    lowered = np.array([phrase[0].lower() + phrase[1:] for phrase in phrases], dtype=object)

    def append(share: float, options: list[str]) -> None:
        """One of `options` appended to each answer with probability `share`; only those rows are concatenated."""
        rows = np.flatnonzero(rng.random(size) < share)
        text[rows] = text[rows] + _choice(rng, options, len(rows))

    rows = np.flatnonzero(rng.random(size) < 0.35)  # a second clause, a new sentence or joined to the first
    joins = np.array(parts["joins"], dtype=object)
    starts_sentence = np.array([part.endswith((". ", ": ")) for part in parts["joins"]])
    join = rng.integers(0, len(joins), len(rows))
    clause = rng.integers(0, len(phrases), len(rows))
    text[rows] = text[rows] + joins[join] + np.where(starts_sentence[join], phrases[clause], lowered[clause])
    append(0.45, [" " + detail for detail in parts["details"]])
    if "streets" in parts:
        append(
            0.25,
            [f"{parts['street']}{first}{second}" for first in parts["streets"][0] for second in parts["streets"][1]],
        )
    append(0.12, [", " + parts["years"].format(years) for years in range(1, 41)])
    opener = np.flatnonzero(rng.random(size) < 0.25)
    text[opener] = _choice(rng, parts["openers"], len(opener)) + text[opener]
    append(0.6, [".", ".", "!", "!!", " :)"])
    personal = np.flatnonzero(rng.random(size) < 0.003)
    numbers = rng.integers(10_000_000, 100_000_000, len(personal))
    templates = _choice(rng, parts["personal"], len(personal))
    text[personal] = [
        text[row] + ". " + template.format(number)
        for row, template, number in zip(personal.tolist(), templates, numbers.tolist(), strict=True)
    ]
    lower = np.flatnonzero(rng.random(size) < 0.05)
    text[lower] = [text[row].lower() for row in lower.tolist()]
    typo = np.flatnonzero(rng.random(size) < 0.15)
    cut = rng.random(len(typo))
    text[typo] = [
        text[row][: int(fraction * len(text[row]))] + text[row][int(fraction * len(text[row])) + 1 :]
        for row, fraction in zip(typo.tolist(), cut.tolist(), strict=True)
    ]
    filler = np.flatnonzero(rng.random(size) < 0.05)
    text[filler] = _choice(rng, parts["fillers"], len(filler))
    return text


def _open_answer_column(
    rng: np.random.Generator,
    locale: np.ndarray,
    wijk: np.ndarray,
    planted_theme: dict[int, str],
    open_rate: float,
    varied: bool,
) -> np.ndarray:
    size = len(locale)
    language = locale.copy()
    if varied:
        switch = rng.random(size)
        language = np.where((locale != "nl") & (switch < WRITES_DUTCH_WITH_OTHER_LOCALE), "nl", language)
        language = np.where((locale == "nl") & (switch < 0.02), "en", language)
    column = np.full(size, None, dtype=object)
    answered = rng.random(size) < open_rate
    for code in sorted(OPEN_ANSWERS):
        rows = np.flatnonzero(answered & (language == code))
        column[rows] = _compose_answers(rng, code, wijk[rows], planted_theme, varied)
    return column


def _instrument_answers(
    rng: np.random.Generator,
    instrument: Instrument,
    wijk: np.ndarray,
    locale: np.ndarray,
    scale_effects: dict[tuple[str, int], float],
    planted_theme: dict[int, str],
    open_rate: float,
    item_missing: float,
    varied: bool,
) -> dict[str, tuple[str, Any]]:
    """Answers of one instrument's respondents per item: ("codes", index into item.codes, -1 missing),
    ("number", float), or ("object", object array)."""
    size = len(wijk)
    wellbeing = rng.normal(0.62, 0.15, size)
    scale_of = {item_id: scale for scale in instrument.scales for item_id in scale.items}
    levels = {}
    for scale in instrument.scales:
        effect = np.zeros(int(wijk.max(initial=0)) + 1)
        for (scale_id, position), shift in scale_effects.items():
            if scale_id == scale.id and position < len(effect):
                effect[position] = shift
        levels[scale.id] = np.clip(_towards(scale.id, wellbeing) + effect[wijk] + rng.normal(0, 0.12, size), 0.0, 1.0)
    answers: dict[str, tuple[str, Any]] = {}
    for item in instrument.items:
        shown = rng.random(size) >= item_missing
        if item.show_if is not None:
            kind, values = answers.get(item.show_if.item, ("codes", np.full(size, -1)))
            controlling = instrument.item(item.show_if.item)
            allowed = np.array([code in item.show_if.values for code in controlling.codes] + [False])
            shown &= allowed[values] if kind == "codes" else False
        if item.id in scale_of:
            scale = scale_of[item.id]
            level = np.clip(levels[scale.id] + rng.normal(0, 0.1, size), 0.0, 1.0)
            codes = _nearest_code(rng, _scale_contributions(scale, item), level)
            answers[item.id] = ("codes", np.where(shown, codes, -1))
        elif item.type == "scale_0_10":
            value = np.clip(np.round(rng.normal(10 * wellbeing, 1.5)), 0, 10).astype(np.int64)
            answers[item.id] = ("codes", np.where(shown, value, -1))  # codes 0..10 are their own index
        elif item.id in BACKGROUND_MIX:
            mix = BACKGROUND_MIX[item.id]
            shares = np.array([mix.get(code, 0.0) for code in item.codes])
            answers[item.id] = ("codes", np.where(shown, rng.choice(len(shares), size, p=shares / shares.sum()), -1))
        elif item.type in ("likert", "single", "yesno"):
            answers[item.id] = ("codes", np.where(shown, rng.integers(0, len(item.codes), size), -1))
        elif item.type == "multiple":
            options = list(item.codes)
            subsets = [
                list(chosen)
                for count in range(1, min(3, len(options)) + 1)
                for chosen in itertools.combinations(options, count)
            ]
            by_size = [[subset for subset in subsets if len(subset) == count] for count in range(1, 4)]
            count = rng.integers(0, min(3, len(options)), size)
            pick = np.empty(size, dtype=object)
            for position, group in enumerate(by_size):
                rows = np.flatnonzero(count == position)
                pick[rows] = _choice(rng, group, len(rows)) if group else None
            pick[~shown] = None
            answers[item.id] = ("object", pick)
        elif item.type == "number":
            low, high = item.bounds
            value = rng.integers(low, min(high, low + 10) + 1, size).astype(float)
            answers[item.id] = ("number", np.where(shown, value, np.nan))
        elif item.open_question:
            text = _open_answer_column(rng, locale, wijk, planted_theme, open_rate, varied)
            text[~shown] = None
            answers[item.id] = ("object", text)
    return answers


def generate_frame(
    instruments: dict[str, Instrument],
    buurten: list[tuple[str, int, int]],
    count: int,
    seed: int,
    *,
    scale_effects: dict[tuple[str, int], float] | None = None,
    planted_theme: dict[int, str] | None = None,
    open_rate: float = OPEN_ANSWER_RATE,
    item_missing: float = ITEM_MISSING,
    varied_text: bool = False,
) -> pd.DataFrame:
    """`count` synthetic respondents as the respondents table of analysis.frames.respondents_frame: meta columns
    (response_id 0..count-1, instrument, buurt_code, wijk_code, age_band, locale, mode) and one column per item
    (integer codes as float with NaN, text codes as Categorical, multiple choice as lists, open answers as str).

    `buurten` as for generate(). The instrument mix, locales, item missingness, open answer rate and planted effects
    default to those of generate(); pass `scale_effects={}` and `planted_theme={}` for a wave without any.
    """
    scale_effects = SCALE_EFFECTS if scale_effects is None else scale_effects
    planted_theme = PLANTED_THEME if planted_theme is None else planted_theme
    rng = np.random.default_rng(seed)
    slugs = [slug for slug in INSTRUMENT_MIX if slug in instruments]
    mix = np.array([INSTRUMENT_MIX[slug] for slug in slugs])
    population = np.array([population or 1 for _, _, population in buurten], dtype=float)
    instrument = rng.choice(len(slugs), size=count, p=mix / mix.sum())
    buurt = rng.choice(len(buurten), size=count, p=population / population.sum())
    buurt_codes = [code for code, _, _ in buurten]
    wijk_of_buurt = np.array([wijk for _, wijk, _ in buurten], dtype=np.int64)
    wijk = wijk_of_buurt[buurt]
    locales = list(LOCALE_MIX)
    shares = np.array(list(LOCALE_MIX.values()))
    locale_index = rng.choice(len(locales), size=count, p=shares / shares.sum())
    locale = np.array(locales, dtype=object)[locale_index]
    columns: dict[str, dict[str, Any]] = {}  # item id -> {"kind", "rows", "values", "codes" per instrument}
    for position, slug in enumerate(slugs):
        rows = np.flatnonzero(instrument == position)
        answers = _instrument_answers(
            rng,
            instruments[slug],
            wijk[rows],
            locale[rows],
            scale_effects,
            planted_theme,
            open_rate,
            item_missing,
            varied_text,
        )
        for item_id, (kind, values) in answers.items():
            item = instruments[slug].item(item_id)
            if kind == "codes" and all(isinstance(code, int) and not isinstance(code, bool) for code in item.codes):
                kind, values = "number", np.where(values >= 0, np.array((*item.codes, 0))[values], np.nan)
            columns.setdefault(item_id, {"kind": kind, "parts": []})["parts"].append((rows, values, item.codes))
    data: dict[str, Any] = {
        "response_id": np.arange(count, dtype=np.int64),
        "instrument": pd.Categorical.from_codes(instrument, categories=pd.Index(slugs)),
        "buurt_code": pd.Categorical.from_codes(buurt, categories=pd.Index(buurt_codes)),
        "wijk_code": pd.Categorical(["WK" + code[2:8] for code in buurt_codes])[buurt],
        "age_band": None,
        "locale": pd.Categorical.from_codes(locale_index, categories=pd.Index(locales)),
        "mode": pd.Categorical.from_codes(np.zeros(count, dtype=np.int64), categories=pd.Index(["online"])),
    }
    for item_id, column in columns.items():
        if column["kind"] == "number":
            filled = np.full(count, np.nan)
            for rows, values, _ in column["parts"]:
                filled[rows] = values
            data[item_id] = filled
        elif column["kind"] == "codes":
            categories = sorted({str(code) for _, _, codes in column["parts"] for code in codes})
            filled = np.full(count, -1, dtype=np.int64)
            for rows, values, codes in column["parts"]:
                to_category = np.array([categories.index(str(code)) for code in codes] + [-1])
                filled[rows] = to_category[values]
            data[item_id] = pd.Categorical.from_codes(filled, categories=pd.Index(categories))
        else:
            filled = np.full(count, None, dtype=object)
            for rows, values, _ in column["parts"]:
                filled[rows] = values
            data[item_id] = filled
    if data["age_band"] is None:
        data["age_band"] = pd.Categorical.from_codes(np.full(count, -1), categories=pd.Index([]))
    return pd.DataFrame(data, index=pd.RangeIndex(count))
