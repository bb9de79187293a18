"""Cells of the CSV files the platform writes, made safe to open in a spreadsheet (no CSV formula injection)."""

from __future__ import annotations

import re
from typing import Any

# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection"): =, +, - and @, and a tab or a
# carriage return, which some programs skip before looking at the next character.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-3", "-0.5", "+2", "-1e-05") is read as that number, never as a formula: it stays as it is, so
# numeric columns (scores, negative codes, confidence bounds) stay numeric for R, pandas and Excel.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """The cell as a CSV file should hold it: text that a spreadsheet would run as a formula gets a single quote
    in front (the spreadsheet shows it as text); everything else, numbers included, is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def from_csv_cell(text: str) -> str:
    """Undo csv_cell for text read back from a CSV file, so that an export imports again as it was typed."""
    if text.startswith("'") and csv_cell(text[1:]) == text:
        return text[1:]
    return text


def csv_row(values: Any) -> list[Any]:
    """Every cell of a row through csv_cell."""
    return [csv_cell(value) for value in values]
