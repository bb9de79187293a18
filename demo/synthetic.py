"""Synthetic respondents of realistic shape, with planted differences that the analysis must find."""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from surveys.instruments import Instrument, Item, Scale

INSTRUMENT_MIX = {"adult": 0.75, "parent": 0.15, "youth": 0.10}
ITEM_MISSING = 0.03
OPEN_ANSWER_RATE = 0.6
# Planted structure, by wijk position in the demo municipality (0-based): lower cohesion in the third wijk,
# more loneliness in the fifth, and traffic safety as the dominant theme of open answers in the first.
SCALE_EFFECTS = {("cohesion", 2): -0.25, ("djg", 4): +0.25}
PLANTED_THEME = {0: "traffic"}
LOCALE_MIX = {"nl": 0.82, "en": 0.04, "tr": 0.05, "ar": 0.04, "pl": 0.03, "uk": 0.02}

OPEN_ANSWERS = {
    "nl": {
        "traffic": ["Er wordt veel te hard gereden in onze straat", "Meer drempels, auto's rijden te snel",
                    "De oversteek bij de school is gevaarlijk voor kinderen", "Minder verkeer en veiliger fietsen"],
        "green": ["Meer groen en bomen in de buurt", "Een mooi park om te wandelen",
                  "Betere speeltuinen voor de kinderen", "Meer bankjes en groen op het plein"],
        "contact": ["Een plek om buren te ontmoeten", "Ik voel me vaak alleen, meer activiteiten voor ouderen",
                    "Een buurthuis waar je koffie kunt drinken", "Meer contact tussen buren"],
        "litter": ["Minder zwerfvuil op straat", "De containers zijn altijd vol", "Meer prullenbakken en schoner",
                   "Hondenpoep op de stoep ruimt niemand op"],
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


def generate(instruments: dict[str, Instrument], buurten: list[tuple[str, int, int]], count: int,
             seed: int) -> list[SyntheticResponse]:
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
        levels = {scale.id: min(1.0, max(0.0, wellbeing + SCALE_EFFECTS.get((scale.id, wijk), 0.0)
                                          + rng.gauss(0, 0.12))) for scale in instrument.scales}
        answers: dict[str, Any] = {}
        for item in instrument.items:
            if not item.is_visible(answers) or rng.random() < ITEM_MISSING:
                continue
            if item.id in scale_of:
                scale = scale_of[item.id]
                answers[item.id] = _scale_item_value(rng, scale, item, min(1.0, max(0.0, levels[scale.id]
                                                                                    + rng.gauss(0, 0.1))))
            elif item.type in ("scale_0_10",):
                answers[item.id] = min(10, max(0, round(rng.gauss(10 * wellbeing, 1.5))))
            elif item.type in ("likert", "single", "yesno"):
                answers[item.id] = rng.choice(item.codes)
            elif item.type == "multiple":
                answers[item.id] = sorted(rng.sample(list(item.codes), rng.randint(1, min(3, len(item.codes)))),
                                          key=list(item.codes).index)
            elif item.type == "number":
                answers[item.id] = rng.randint(item.min, min(item.max, item.min + 10))
            elif item.open_question and rng.random() < OPEN_ANSWER_RATE:
                themes = OPEN_ANSWERS[locale]
                theme = PLANTED_THEME.get(wijk) if rng.random() < 0.6 and wijk in PLANTED_THEME else None
                theme = theme or rng.choice(sorted(themes))
                answers[item.id] = rng.choice(themes[theme])
        responses.append(SyntheticResponse(slug, code, wijk, locale, answers))
    return responses
