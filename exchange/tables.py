"""Reading a table of rows from a CSV or XLSX file: a header and cells, whatever program wrote it."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

FORMATS = ("csv", "xlsx")
# The encodings an analyst can choose for a CSV file (Python's codec name: what the import form shows). UTF-8 reads
# a file with or without a byte order mark; Excel on Windows saves "CSV (separated by semicolons)" as Windows-1252.
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1 (ISO-8859-1)"}


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX file we can read; the message says why (translated)."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (row number as a spreadsheet shows it, cells)
    estimated_rows: int = 0  # about how many rows follow the header (for progress only; a cell may hold a newline)


def format_of(filename: str) -> str | None:
    suffix = Path(filename).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def _decode(data: bytes, encoding: str) -> str:
    """The text of the file, decoded strictly: one byte that is not of the encoding refuses the whole file rather
    than storing garbled letters (guessing another encoding would turn Arabic or é into nonsense without a word)."""
    from flask_babel import gettext as _

    try:
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        raise UnreadableFile(
            _(
                "line %(line)s, byte %(position)s of that line (%(byte)s) is not %(encoding)s. Save the file as UTF-8, "
                "or choose the encoding the file has.",
                line=data.count(b"\n", 0, error.start) + 1,
                position=error.start - line_start + 1,
                byte=f"0x{data[error.start]:02X}",
                encoding=ENCODINGS[encoding],
            )
        ) from None


def _csv_table(data: bytes, encoding: str) -> Table:
    text = _decode(data, encoding)
    first_line = text.split("\n", 1)[0]
    # Dutch Excel separates with ";"; the header (ids only) tells which separator the file uses
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return Table([], iter(()))
    except csv.Error as error:
        raise UnreadableFile(str(error)) from error

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from enumerate(reader, start=2)
        except csv.Error as error:
            raise UnreadableFile(str(error)) from error

    header = [cell.strip() for cell in header]
    while header and not header[-1]:  # a separator at the end of the line
        header.pop()
    return Table(header, rows(), estimated_rows=text.count("\n"))


def _xlsx_table(data: bytes) -> Table:
    from openpyxl import load_workbook  # uses defusedxml when installed: no entity expansion from a hostile file

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableFile(str(error)) from error
    sheet = workbook.worksheets[0]  # an export keeps its column descriptions on the second sheet
    lines = sheet.iter_rows(values_only=True)
    first = next(lines, None)
    if first is None:
        workbook.close()
        return Table([], iter(()))
    header = ["" if cell is None else str(cell).strip() for cell in first]
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(lines, start=2):
                yield number, list(cells)
        finally:
            workbook.close()

    return Table(header, rows(), estimated_rows=max(0, (sheet.max_row or 1) - 1))


def read_table(source: Path | BinaryIO | bytes, filename: str | None = None, encoding: str = "utf-8") -> Table:
    """The header and rows of a .csv or .xlsx file (the name's suffix decides; `encoding`, one of ENCODINGS, is
    that of a CSV file); raises UnreadableFile."""
    from flask_babel import gettext as _

    if isinstance(source, Path):
        filename = filename or source.name
        data = source.read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    kind = format_of(filename or "")
    if kind is None:
        raise UnreadableFile(_("Use a .csv or .xlsx file."))
    if kind == "xlsx":
        if not data.startswith(b"PK"):
            raise UnreadableFile(_("This is not an Excel (.xlsx) file."))
        return _xlsx_table(data)
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}")
    return _csv_table(data, encoding)
