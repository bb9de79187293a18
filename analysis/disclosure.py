"""Disclosure control: suppress small groups and whatever would let someone compute them back."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from analysis.records import INDICATIVE, SUPPRESSED, ProfileRecord

DEFAULT_MIN_N = 10
DEFAULT_INDICATIVE_N = 30
RESPONDENTS = "respondents"

_Cell = tuple[str, str, str]  # (instrument, measure, area code)


@dataclass
class _Cells:
    """Size of every cell and whether it is suppressed; a cell is one measure of one instrument in one area."""

    size: dict[_Cell, int]
    denominator: dict[_Cell, int]
    suppressed: set[_Cell]


def _cells(records: Sequence[ProfileRecord]) -> _Cells:
    size: dict[_Cell, int] = {}
    denominator: dict[_Cell, int] = {}
    for record in records:
        cell = (record.instrument, record.measure, record.area_code)
        n = record.n or 0
        denominator[cell] = max(denominator.get(cell, 0), n)
        if record.family is not None:
            if record.statistic == "share" and record.value is not None:
                size[cell] = round(record.value * n)  # the number in this band/type, which must not be small
        else:
            size[cell] = max(size.get(cell, 0), n)
    for cell, n in denominator.items():
        size.setdefault(cell, n)
    return _Cells(size, denominator, set())


def _children(areas: pd.DataFrame) -> dict[str, list[str]]:
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent in areas["parent"].items():
        if isinstance(parent, str):
            children[parent].append(code)
    return children


def _protect_siblings(cells: _Cells, instrument: str, measure: str, children: dict[str, list[str]],
                      threshold: int) -> bool:
    """Hierarchy rule for one measure: a published parent must not give away a suppressed child.

    If a parent is published and exactly one of its children with anyone in it is suppressed (or the suppressed ones
    add up to fewer than `threshold`), the smallest published sibling is suppressed too; with no sibling left, the
    parent is. A suppressed parent whose children are all published would be their sum, so its smallest child goes.
    """
    changed = False
    for parent, kids in children.items():
        parent_cell = (instrument, measure, parent)
        if parent_cell not in cells.size:
            continue

        def size(code: str) -> int:
            return cells.size.get((instrument, measure, code), 0)

        def hidden(code: str) -> bool:
            return (instrument, measure, code) in cells.suppressed

        if parent_cell not in cells.suppressed:
            while True:
                secret = [kid for kid in kids if hidden(kid) and size(kid) > 0]
                if not secret or (len(secret) > 1 and sum(size(kid) for kid in secret) >= threshold):
                    break
                shown = sorted((kid for kid in kids if not hidden(kid) and size(kid) > 0),
                               key=lambda kid: (size(kid), kid))
                if not shown:
                    cells.suppressed.add(parent_cell)
                    changed = True
                    break
                cells.suppressed.add((instrument, measure, shown[0]))
                changed = True
        else:
            present = [kid for kid in kids if size(kid) > 0]
            if present and not any(hidden(kid) for kid in present):
                smallest = min(present, key=lambda kid: (size(kid), kid))
                cells.suppressed.add((instrument, measure, smallest))
                changed = True
    return changed


def _protect_partition(cells: _Cells, members: list[_Cell], threshold: int) -> bool:
    """Partition rule: bands (or types) add up to n, so one suppressed band needs a second one suppressed."""
    changed = False
    while True:
        secret = [cell for cell in members if cell in cells.suppressed and cells.size.get(cell, 0) > 0]
        if not secret or (len(secret) > 1 and sum(cells.size[cell] for cell in secret) >= threshold):
            return changed
        shown = sorted((cell for cell in members if cell not in cells.suppressed and cells.size.get(cell, 0) > 0),
                       key=lambda cell: (cells.size[cell], cell))
        if not shown:
            return changed
        cells.suppressed.add(shown[0])
        changed = True


def apply_disclosure(records: Sequence[ProfileRecord], areas: pd.DataFrame, *, min_n: int = DEFAULT_MIN_N,
                     indicative_n: int = DEFAULT_INDICATIVE_N, min_count: int | None = None
                     ) -> list[ProfileRecord]:
    """The records with small groups suppressed (value, interval and n set to None, flag "suppressed") and
    estimates from fewer than `indicative_n` flagged "indicative".

    Primary suppression: an area with fewer than `min_n` respondents for an instrument loses all its figures for
    that instrument; a measure with fewer than `min_n` answers loses its figures; a band, type or change category
    with from 1 to `min_count` - 1 people in it (default `min_count` = `min_n`) loses its share. Complementary
    suppression, repeated until nothing changes: the hierarchy rule (_protect_siblings) between a municipality and
    its wijken and between a wijk and its buurten, per measure; the partition rule (_protect_partition) between the
    bands of one scale in one area. Zero counts are shown: an empty cell describes nobody.
    """
    min_count = min_n if min_count is None else min_count
    cells = _cells(records)
    children = _children(areas)
    families: dict[tuple[str, str, str], list[_Cell]] = defaultdict(list)
    measures: dict[str, set[str]] = defaultdict(set)
    for cell in cells.size:
        instrument, measure, area = cell
        measures[instrument].add(measure)
        if ":" in measure:
            families[(instrument, measure.split(":", 1)[0], area)].append(cell)
    for cell, size in cells.size.items():
        instrument, measure, area = cell
        partition = ":" in measure
        small = (cells.denominator[cell] < min_n or 0 < size < min_count) if partition else size < min_n
        respondents = cells.size.get((instrument, RESPONDENTS, area))
        if small or (respondents is not None and respondents < min_n):
            cells.suppressed.add(cell)
    changed = True
    while changed:
        changed = False
        for instrument, names in measures.items():
            for measure in sorted(names):
                threshold = min_count if ":" in measure else min_n
                changed |= _protect_siblings(cells, instrument, measure, children, threshold)
        for members in families.values():
            changed |= _protect_partition(cells, sorted(members), min_count)
        for cell in list(cells.suppressed):
            instrument, measure, area = cell
            if measure == RESPONDENTS:
                # an area hidden for an instrument is hidden for all its measures
                for other in measures[instrument]:
                    if (instrument, other, area) in cells.size and (instrument, other, area) not in cells.suppressed:
                        cells.suppressed.add((instrument, other, area))
                        changed = True
    result = []
    for record in records:
        if (record.instrument, record.measure, record.area_code) in cells.suppressed:
            result.append(replace(record, value=None, lower=None, upper=None, n=None, flags=(SUPPRESSED,)))
        elif record.n is not None and record.n < indicative_n:
            result.append(record.with_flags(INDICATIVE))
        else:
            result.append(record)
    return result
