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


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX file we can read; the message says why (translated)."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (row number as a spreadsheet shows it, cells)


def format_of(filename: str) -> str | None:
    suffix = Path(filename).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV (separated by semicolons)" in this code page rather than UTF-8
        return data.decode("cp1252", errors="replace")


def _csv_table(data: bytes) -> Table:
    text = _decode(data)
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
    return Table(header, rows())


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

    return Table(header, rows())


def read_table(source: Path | BinaryIO | bytes, filename: str | None = None) -> Table:
    """The header and rows of a .csv or .xlsx file (the name's suffix decides); raises UnreadableFile."""
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
    return _csv_table(data)
