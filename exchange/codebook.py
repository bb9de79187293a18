"""What every column of an export holds: the Dutch label, the kind of value and the answer codes with their texts."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from flask_babel import force_locale
from flask_babel import gettext as _

from config import DEFAULT_LANGUAGE
from exchange.csv_cells import csv_row
from surveys.forms import YES_NO_LABELS
from surveys.instruments import Instrument, Item, localise
from surveys.scoring import score_columns

# Codes and texts in files are in the municipality's language, as the questionnaire's source text is.
FILE_LANGUAGE = DEFAULT_LANGUAGE
# An item with this id is also kept on the response itself (for weighting by age); it is exported once.
AGE_BAND = "age_band"
META_COLUMNS = (
    "response_id",
    "external_id",
    "wave",
    "instrument",
    "instrument_version",
    "buurt_code",
    "wijk_code",
    "mode",
    "locale",
    AGE_BAND,
    "submitted_at",
)
TEXT_TYPES = ("short_text", "long_text")

# value kinds: integer (a whole number), number (a decimal), code (one stored code), codes (codes separated by ";"),
# text (free text), datetime (UTC)
NUMERIC_KINDS = ("integer", "number")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str
    role: str  # "meta", "item", "score" or "band"
    values: tuple[tuple[Any, str], ...] = ()
    note: str = ""
    free_text: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def values_text(self) -> str:
        return "; ".join(f"{code} = {label}" for code, label in self.values)


def _meta_columns() -> list[Column]:
    labels = {
        "response_id": _("Number of the response in Leefwereld"),
        "external_id": _("Number of the response in the source of an import"),
        "wave": _("Wave"),
        "instrument": _("Questionnaire"),
        "instrument_version": _("Version of the questionnaire"),
        "buurt_code": _("Neighbourhood (CBS buurt code)"),
        "wijk_code": _("District (CBS wijk code)"),
        "mode": _("How the answers were given"),
        "locale": _("Language of the questionnaire"),
        AGE_BAND: _("Age band"),
        "submitted_at": _("Time the answers were sent (UTC)"),
    }
    kinds = {"response_id": "integer", "instrument_version": "integer", "submitted_at": "datetime"}
    values = {
        "mode": (
            ("self", _("Filled in by the resident")),
            ("interview", _("Interview by a wijkteam worker")),
            ("import", _("Imported from a file")),
        ),
    }
    return [
        Column(name, labels[name], kinds.get(name, "code" if name in values else "text"), "meta", values.get(name, ()))
        for name in META_COLUMNS
    ]


def _item_kind(item: Item) -> str:
    if item.type in ("scale_0_10", "number"):
        return "integer"
    if item.type == "multiple":
        return "codes"
    if item.type in TEXT_TYPES:
        return "text"
    if item.numeric_range() is not None:  # likert and single questions with whole-number codes
        return "integer"
    return "code"


def _item_values(item: Item) -> tuple[tuple[Any, str], ...]:
    if item.type == "scale_0_10" and item.anchors is not None:  # the loader gives every 0-10 scale its anchors
        return ((0, localise(item.anchors["low"], FILE_LANGUAGE)), (10, localise(item.anchors["high"], FILE_LANGUAGE)))
    if item.type == "yesno":
        return tuple((code, str(YES_NO_LABELS[code])) for code in item.codes)
    return tuple((option.code, localise(option.label, FILE_LANGUAGE)) for option in item.options)


def _item_note(item: Item, instrument: Instrument) -> str:
    notes = []
    if item.type == "number":
        notes.append(_("whole number from %(min)s to %(max)s", min=item.min, max=item.max))
    if item.type == "multiple":
        notes.append(_("more than one answer possible, codes separated by ;"))
    if item.type in TEXT_TYPES:
        notes.append(_("free text, at most %(max)s characters", max=item.max_length))
        notes.append(
            _(
                "in a CSV file, a text that starts with =, +, -, @ or a tab has an apostrophe (') in front, "
                "so that no spreadsheet runs it as a formula; the stored answer has no apostrophe"
            )
        )
    if item.show_if is not None:
        notes.append(
            _(
                "only asked when %(item)s is %(values)s",
                item=item.show_if.item,
                values=" / ".join(map(str, item.show_if.values)),
            )
        )
    for scale in instrument.scales:
        if item.id in scale.items:
            notes.append(
                _("in scale %(scale)s (reversed)", scale=scale.id)
                if item.id in scale.reverse
                else _("in scale %(scale)s", scale=scale.id)
            )
    return "; ".join(notes)


def _score_columns(instrument: Instrument) -> list[Column]:
    """The score columns, named and ordered by scoring.py (this module only describes them)."""
    described: dict[str, Column] = {}
    for scale in instrument.scales:
        name = localise(scale.name, FILE_LANGUAGE)
        low, high = scale.value_range
        method = _("mean") if scale.method == "mean" else _("sum")
        note = _(
            "%(method)s of %(items)s, from %(low)s to %(high)s; missing when fewer than %(min)s items were "
            "answered; %(citation)s",
            method=method,
            items=", ".join(scale.items),
            low=f"{float(low):g}",
            high=f"{float(high):g}",
            min=scale.min_answered,
            citation=scale.citation,
        )
        described[f"{scale.id}_score"] = Column(
            f"{scale.id}_score", _("%(scale)s: score", scale=name), "number", "score", note=note
        )
        for subscale, items in scale.subscales.items():
            described[f"{scale.id}_{subscale}"] = Column(
                f"{scale.id}_{subscale}",
                _("%(scale)s: subscale %(subscale)s", scale=name, subscale=subscale),
                "number",
                "score",
                note=_("%(method)s of %(items)s", method=method, items=", ".join(items)),
            )
        if scale.bands:
            values = tuple(
                (band.code, localise(band.label, FILE_LANGUAGE) if band.label else band.code) for band in scale.bands
            )
            described[f"{scale.id}_band"] = Column(
                f"{scale.id}_band", _("%(scale)s: band", scale=name), "code", "band", values
            )
    return [described.get(name) or Column(name, name, "number", "score") for name in score_columns(instrument)]


def export_columns(instruments: Iterable[Instrument], include_free_text: bool = True) -> list[Column]:
    """The columns of an export of responses to these instruments (versions): meta data, items, then scores.

    Items and scores that several instruments share (who5_1 in adult and youth) are one column, described as the
    first instrument has them.
    """
    instruments = list(instruments)
    with force_locale(FILE_LANGUAGE):
        columns = _meta_columns()
        seen = {column.name for column in columns}
        for instrument in instruments:
            for item in instrument.items:
                if item.id in seen or (item.type in TEXT_TYPES and not include_free_text):
                    continue
                seen.add(item.id)
                columns.append(
                    Column(
                        item.id,
                        localise(item.text, FILE_LANGUAGE),
                        _item_kind(item),
                        "item",
                        _item_values(item),
                        _item_note(item, instrument),
                        free_text=item.type in TEXT_TYPES,
                    )
                )
        for instrument in instruments:
            for column in _score_columns(instrument):
                if column.name not in seen:
                    seen.add(column.name)
                    columns.append(column)
    return columns


def codebook_columns(instrument: Instrument) -> list[Column]:
    """Every column an analyst's export of this instrument version has."""
    return export_columns([instrument], include_free_text=True)


def write_codebook_csv(columns: Iterable[Column], stream: TextIO) -> None:
    with force_locale(FILE_LANGUAGE):
        header = ["variable", _("Label"), _("Kind of value"), _("Values"), _("Notes")]
    writer = csv.writer(stream)
    writer.writerow(csv_row(header))
    for column in columns:
        writer.writerow(csv_row([column.name, column.label, column.kind, column.values_text(), column.note]))
