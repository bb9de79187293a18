"""The one place where scale scores, subscales and bands are computed from stored answers."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from surveys.instruments import Instrument, Item, Scale


@dataclass(frozen=True)
class ScaleScore:
    scale_id: str
    score: float | None
    band: str | None
    subscales: dict[str, float | None]
    answered: int


def _item_value(scale: Scale, item: Item, answer: Any) -> Fraction | None:
    if answer is None or answer == "" or isinstance(answer, (list, bool)):
        return None
    if item.type == "number":
        if not isinstance(answer, int) or not item.min <= answer <= item.max:
            return None
    elif answer not in item.codes:
        return None  # a value no option has (a hand-edited import, a changed file) is no answer
    mapping = scale.item_value_map.get(item.id) or scale.value_map
    if mapping:
        value = mapping.get(answer)
        if value is None:
            return None
    elif isinstance(answer, int):
        value = Fraction(answer)
    else:
        return None
    if item.id in scale.reverse:
        # reverse within the item's own range: 1..5 becomes 5..1, 0..10 becomes 10..0
        codes = [mapping[c] for c in item.codes] if mapping else [Fraction(c) for c in item.numeric_range()]
        value = min(codes) + max(codes) - value
    return value


def _combine(values: list[Fraction], method: str) -> Fraction:
    total = sum(values, Fraction(0))
    return total / len(values) if method == "mean" else total


def score_scale(scale: Scale, items: Mapping[str, Item], answers: Mapping[str, Any]) -> ScaleScore:
    values = {item_id: _item_value(scale, items[item_id], answers.get(item_id)) for item_id in scale.items}
    answered = [value for value in values.values() if value is not None]
    if len(answered) < scale.min_answered:
        return ScaleScore(scale.id, None, None, {name: None for name in scale.subscales}, len(answered))
    if len(answered) < len(scale.items) and scale.method == "sum":
        # prorate a sum over the answered items, so a score stays on the scale's range
        raw = _combine(answered, "mean") * len(scale.items)
    else:
        raw = _combine(answered, scale.method)
    score = raw
    if scale.rescale:
        (a, b), (c, d) = scale.rescale
        score = c + (raw - a) * (d - c) / (b - a)
    band = next((band.code for band in scale.bands if band.contains(score)), None)
    subscales = {}
    for name, sub_items in scale.subscales.items():
        sub_values = [values[item_id] for item_id in sub_items]
        subscales[name] = None if None in sub_values else float(_combine(sub_values, scale.method))
    return ScaleScore(scale.id, float(score), band, subscales, len(answered))


def score_response(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, ScaleScore]:
    """Every scale of the instrument scored on one response's answers (missing where too few were answered)."""
    items = {item.id: item for item in instrument.items}
    return {scale.id: score_scale(scale, items, answers) for scale in instrument.scales}


def score_columns(instrument: Instrument) -> list[str]:
    """Export column names for the scores, in scale order: <scale>_score, <scale>_<subscale>, <scale>_band."""
    columns = []
    for scale in instrument.scales:
        columns.append(f"{scale.id}_score")
        columns.extend(f"{scale.id}_{name}" for name in scale.subscales)
        if scale.bands:
            columns.append(f"{scale.id}_band")
    return columns


def score_row(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The score columns of score_columns() for one response."""
    row: dict[str, Any] = {}
    for scale_id, result in score_response(instrument, answers).items():
        scale = instrument.scale(scale_id)
        row[f"{scale_id}_score"] = result.score
        for name, value in result.subscales.items():
            row[f"{scale_id}_{name}"] = value
        if scale.bands:
            row[f"{scale_id}_band"] = result.band
    return row
