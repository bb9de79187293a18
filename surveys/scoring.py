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
        if not isinstance(answer, int) or not item.bounds[0] <= answer <= item.bounds[1]:
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
        codes = [mapping[c] for c in item.codes] if mapping else [Fraction(c) for c in item.bounds]
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
        present = [value for value in sub_values if value is not None]
        subscales[name] = float(_combine(present, scale.method)) if len(present) == len(sub_values) else None
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


# --- vectorised scoring -------------------------------------------------------------------------------------------
# score_frame() applies the rules above to a whole table of responses at once. It never re-implements how one answer
# becomes a number: every distinct answer value goes through _item_value() once, and every distinct (number answered,
# sum) combination through the same Fraction arithmetic as score_scale(), so both give bit-identical floats.

# Imported here rather than at the top, so that the functions above stay untouched by this vectorised section.
import math  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

_DENSE_TABLE_LIMIT = 4_000_000


@dataclass(frozen=True)
class _ItemColumn:
    """One item of one scale over all rows: which rows hold a usable answer, and its value times a denominator."""

    valid: np.ndarray  # bool
    scaled: np.ndarray  # int64: value * denominator, 0 where not valid


def _lcm(numbers: list[int]) -> int:
    return math.lcm(*numbers) if numbers else 1


def _possible_codes(item: Item) -> tuple[Any, ...]:
    if item.type == "number":
        low, high = item.bounds
        return tuple(range(low, high + 1))
    return item.codes


def _python_value(value: Any) -> Any:
    """A numpy scalar from a pandas column as the plain JSON value it was stored as."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _judge_objects(scale: Scale, item: Item, values: Any) -> tuple[Any, Any]:
    """Values (object array) judged one distinct value at a time, exactly as score_row() judges an answer."""
    cache: dict[tuple[type, Any], Fraction | None] = {}
    result: list[Fraction | None] = []
    for value in values:
        if isinstance(value, list) or value is pd.NA or (isinstance(value, float) and value != value):
            result.append(None)
            continue
        value = _python_value(value)
        key = (type(value), value)
        try:
            judged = cache[key]
        except KeyError:
            judged = cache[key] = _item_value(scale, item, value)
        except TypeError:  # an unhashable value other than a list (a dict from a broken import)
            judged = None
        result.append(judged)
    valid = np.fromiter((value is not None for value in result), dtype=bool, count=len(result))
    return valid, result


def _item_column(scale: Scale, item: Item, column: pd.Series | None, denominator: int, size: int) -> _ItemColumn:
    if column is None:
        return _ItemColumn(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.int64))
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = [_python_value(value) for value in column.cat.categories]
        judged = [_item_value(scale, item, value) for value in categories]
        category_valid = np.array([value is not None for value in judged] + [False], dtype=bool)
        category_scaled = np.array(
            [int(value * denominator) if value is not None else 0 for value in judged] + [0], dtype=np.int64
        )
        codes = column.cat.codes.to_numpy()  # -1 for a missing value picks the appended False/0 entry
        return _ItemColumn(category_valid[codes], category_scaled[codes])
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_bool_dtype(dtype):
            return _ItemColumn(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.int64))
        valid, values = _judge_objects(scale, item, column.to_numpy(dtype=object))
        scaled = np.fromiter(
            (int(value * denominator) if value is not None else 0 for value in values), dtype=np.int64, count=size
        )
        return _ItemColumn(valid, scaled)
    # a numeric column holds integer codes; pandas keeps an integer column with gaps as float, so 3.0 means 3
    whole = [code for code in _possible_codes(item) if isinstance(code, int) and not isinstance(code, bool)]
    if not whole:
        return _ItemColumn(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.int64))
    low, high = min(whole), max(whole)
    table_valid = np.zeros(high - low + 1, dtype=bool)
    table_scaled = np.zeros(high - low + 1, dtype=np.int64)
    for code in whole:
        value = _item_value(scale, item, code)
        if value is not None:
            table_valid[code - low] = True
            table_scaled[code - low] = int(value * denominator)
    numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers >= low) & (numbers <= high)
    index = np.where(usable, numbers - low, 0).astype(np.int64)
    valid = usable & table_valid[index]
    return _ItemColumn(valid, np.where(valid, table_scaled[index], 0))


def _scale_denominator(scale: Scale, items: Mapping[str, Item]) -> int:
    """The least common denominator of every value an answer can contribute, so sums stay exact integers."""
    denominators = []
    for item_id in scale.items:
        for code in _possible_codes(items[item_id]):
            value = _item_value(scale, items[item_id], code)
            if value is not None:
                denominators.append(value.denominator)
    return _lcm(denominators)


def _value_bounds(
    scale: Scale, items: Mapping[str, Item], item_ids: tuple[str, ...], denominator: int
) -> tuple[int, int]:
    """Lowest and highest scaled sum any subset of these items can reach."""
    low = high = 0
    for item_id in item_ids:
        values = [_item_value(scale, items[item_id], code) for code in _possible_codes(items[item_id])]
        scaled = [int(value * denominator) for value in values if value is not None] or [0]
        low += min(0, min(scaled))
        high += max(0, max(scaled))
    return low, high


def _per_key(keys: Any, table_size: int, compute: Any) -> tuple[Any, list[Any]]:
    """Evaluate `compute(key)` once per distinct key; return an index into the list of results for every row."""
    if table_size <= _DENSE_TABLE_LIMIT:
        present = np.flatnonzero(np.bincount(keys, minlength=table_size))
        position = np.zeros(table_size, dtype=np.int64)
        position[present] = np.arange(len(present))
        return position[keys], [compute(int(key)) for key in present]
    present, inverse = np.unique(keys, return_inverse=True)
    return inverse, [compute(int(key)) for key in present]


def _scale_frame(scale: Scale, items: Mapping[str, Item], answers: pd.DataFrame) -> dict[str, Any]:
    denominator = _scale_denominator(scale, items)
    columns = {
        item_id: _item_column(scale, items[item_id], answers.get(item_id), denominator, len(answers))
        for item_id in scale.items
    }
    size = len(answers)
    count = len(scale.items)
    answered = np.zeros(size, dtype=np.int64)
    total = np.zeros(size, dtype=np.int64)
    for column in columns.values():
        answered += column.valid
        total += column.scaled
    low, high = _value_bounds(scale, items, scale.items, denominator)
    width = high - low + 1
    band_codes = [band.code for band in scale.bands]

    def score_of(key: int) -> tuple[float, int]:
        number, scaled_sum = divmod(key, width)
        if number < scale.min_answered:
            return (np.nan, -1)
        summed = Fraction(scaled_sum + low, denominator)
        if number < count and scale.method == "sum":
            raw = summed / number * count
        else:
            raw = summed / number if scale.method == "mean" else summed
        score = raw
        if scale.rescale:
            (a, b), (c, d) = scale.rescale
            score = c + (raw - a) * (d - c) / (b - a)
        band = next((index for index, band in enumerate(scale.bands) if band.contains(score)), -1)
        return (float(score), band)

    index, results = _per_key(answered * width + (total - low), (count + 1) * width, score_of)
    scores = np.array([result[0] for result in results], dtype=np.float64)
    bands = np.array([result[1] for result in results], dtype=np.int64)
    out: dict[str, Any] = {f"{scale.id}_score": scores[index] if len(results) else np.full(size, np.nan)}
    for name, sub_items in scale.subscales.items():
        # as in score_scale(): no subscale where the scale itself has too few answers
        complete = answered >= scale.min_answered
        sub_total = np.zeros(size, dtype=np.int64)
        for item_id in sub_items:
            complete &= columns[item_id].valid
            sub_total += columns[item_id].scaled
        sub_low, sub_high = _value_bounds(scale, items, sub_items, denominator)

        def subscale_of(key: int, sub_low: int = sub_low, length: int = len(sub_items)) -> float:
            summed = Fraction(key + sub_low, denominator)
            return float(summed / length if scale.method == "mean" else summed)

        keys = np.where(complete, sub_total - sub_low, 0)
        sub_index, sub_results = _per_key(keys, sub_high - sub_low + 1, subscale_of)
        values = np.array(sub_results, dtype=np.float64)[sub_index] if sub_results else np.full(size, np.nan)
        out[f"{scale.id}_{name}"] = np.where(complete, values, np.nan)
    if scale.bands:
        codes = bands[index] if len(results) else np.full(size, -1)
        out[f"{scale.id}_band"] = pd.Categorical.from_codes(codes, categories=pd.Index(band_codes))
    return out


def score_frame(instrument: Instrument, answers: pd.DataFrame) -> pd.DataFrame:
    """score_row() for every row of a pandas DataFrame of answers (one column per item id), as one DataFrame.

    Columns follow score_columns(): scores and subscales as float (NaN where score_row gives None), bands as a
    pandas Categorical in the scale's band order. The index is the index of `answers`. Numeric columns hold integer
    codes (an integral float is that integer, since pandas stores an integer column with gaps as float); object and
    categorical columns hold the stored JSON values and are judged exactly as score_row() judges them.
    """
    items = {item.id: item for item in instrument.items}
    data: dict[str, Any] = {}
    for scale in instrument.scales:
        data.update(_scale_frame(scale, items, answers))
    return pd.DataFrame({column: data[column] for column in score_columns(instrument)}, index=answers.index)


def item_value_frame(instrument: Instrument, scale_id: str, answers: pd.DataFrame) -> pd.DataFrame:
    """The value each answer contributes to a scale (after value maps and reversal) as floats, NaN where missing.

    For reliability statistics such as Cronbach's alpha, which need item values rather than scale scores.
    """
    items = {item.id: item for item in instrument.items}
    scale = instrument.scale(scale_id)
    denominator = _scale_denominator(scale, items)
    data = {}
    for item_id in scale.items:
        column = _item_column(scale, items[item_id], answers.get(item_id), denominator, len(answers))
        data[item_id] = np.where(column.valid, column.scaled / denominator, np.nan)
    return pd.DataFrame(data, index=answers.index)
