"""Disclosure control: suppress small groups and, at the least loss, whatever would let someone compute them back."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from analysis.records import (
    INDICATIVE,
    SUPPRESSED,
    SUPPRESSED_COMPLEMENTARY,
    SUPPRESSED_SMALL,
    WEIGHTED,
    ProfileRecord,
)

DEFAULT_MIN_N = 10
DEFAULT_INDICATIVE_N = 30
RESPONDENTS = "respondents"

_Cell = tuple[str, str, str]  # (instrument, measure, area code)

# Cost of hiding a cell on top of log(1 + its size): hiding a wijk's figure costs more than hiding any buurt's, and
# the municipality's more than any wijk's, so a small sibling goes before a parent and a second buurt before a wijk.
_LEVEL_COST = {"buurt": 0.0, "wijk": 20.0, "municipality": 400.0}
_TOTAL_COST = 3.0  # a partition's total is a scale mean with its n: dearer than one band's share
_CONSISTENT = 0.5  # factor on the cost of an area the respondents table hides anyway (keeps tables aligned)
_AUDIT_ROUNDS = 20
_VIRTUAL = ":"  # measure suffix of a partition's total that has no record of its own (types)


@dataclass
class _Cells:
    """Size of every cell (a count of people) and its partition's denominator; a cell is one measure of one
    instrument in one area."""

    size: dict[_Cell, int]
    denominator: dict[_Cell, int]


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
    return _Cells(size, denominator)


@dataclass
class _Table:
    """One table of linked cells: every relation says cell `total` = sum of cells `parts` (+ a constant for people
    counted in the total but in no part, such as respondents without a buurt)."""

    threshold: dict[int, int] = field(default_factory=dict)
    cells: list[_Cell] = field(default_factory=list)
    size: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    relations: list[tuple[int, list[int]]] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)  # fixed hidden: primary suppression
    shown: set[int] = field(default_factory=set)  # fixed shown (known to everyone)
    at_most: list[tuple[int, int]] = field(default_factory=list)  # (i, j): i hidden only if j hidden
    index: dict[_Cell, int] = field(default_factory=dict)

    def add(self, cell: _Cell, size: int, cost: float, threshold: int) -> int:
        self.index[cell] = len(self.cells)
        self.cells.append(cell)
        self.size.append(size)
        self.cost.append(cost)
        self.threshold[self.index[cell]] = threshold
        return self.index[cell]


def _relations(
    table: _Table,
    columns: dict[str, dict[str, int]],
    children: dict[str, list[str]],
    partitions: dict[str, tuple[int, list[int]]],
) -> None:
    """Hierarchy relations per column (parent = sum of its children with a cell) and the partition relations."""
    for by_area in columns.values():
        for parent, kids in children.items():
            if parent in by_area:
                parts = [by_area[kid] for kid in kids if kid in by_area]
                if parts:
                    table.relations.append((by_area[parent], parts))
    table.relations.extend(partitions.values())


def _protection(table: _Table) -> tuple[list[np.ndarray], list[float]]:
    """Rows (coefficients over the cells) with lower bounds: the classic conditions of protection. They rule out
    the plain differencing attacks but do not prove protection in a table of two dimensions (bands by areas), so
    _solve audits every solution with the attacker's linear programmes.

    In every relation, a hidden cell with people in it has a hidden partner with people in it (else it is the total
    minus the shown parts); and where a primary cell is a part, the hidden parts hold at least the threshold of
    people together, unless the total is hidden too (then the total's own relations protect it).
    """
    rows: list[np.ndarray] = []
    lows: list[float] = []
    count = len(table.cells)
    for total, parts in table.relations:
        members = [cell for cell in [total, *parts] if table.size[cell] > 0]
        for cell in members:
            row = np.zeros(count)
            for other in members:
                row[other] += 1.0
            row[cell] -= 2.0  # sum of the others - s_cell >= 0
            rows.append(row)
            lows.append(0.0)
        for cell in parts:
            if cell in table.hidden and table.size[cell] > 0:
                need = table.threshold[cell]
                if table.size[cell] >= need:
                    continue
                row = np.zeros(count)
                for part in parts:
                    row[part] += table.size[part]
                row[total] += need
                rows.append(row)
                lows.append(float(need))
    for i, j in table.at_most:
        row = np.zeros(count)
        row[j] += 1.0
        row[i] -= 1.0
        rows.append(row)
        lows.append(0.0)
    return rows, lows


def _system(
    table_sizes: Sequence[int], relations: Sequence[tuple[int, Sequence[int]]], order: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """The equations an attacker has on the hidden cells `order`: each relation with the shown cells moved to the
    right-hand side, so what remains is the hidden cells' true combination. A relation's total is its parts plus a
    constant the attacker is assumed to know (people in the total but in no part), the cautious assumption."""
    position = {cell: i for i, cell in enumerate(order)}
    rows, rhs = [], []
    for total, parts in relations:
        members = [(total, 1.0)] + [(part, -1.0) for part in parts]
        if not any(cell in position for cell, _ in members):
            continue
        row = np.zeros(len(order))
        for cell, sign in members:
            if cell in position:
                row[position[cell]] += sign
        rows.append(row)
        rhs.append(sum(sign * table_sizes[cell] for cell, sign in members if cell in position))
    return np.array(rows).reshape(len(rows), len(order)), np.array(rhs)


def _extreme(rows: np.ndarray, rhs: np.ndarray, objective: np.ndarray) -> tuple[float, np.ndarray | None]:
    """The least value of `objective` over the attacker's solutions (counts relaxed to non-negative reals), with the
    solution; -inf when unbounded, nan when the solver fails."""
    result = linprog(objective, A_eq=rows, b_eq=rhs, bounds=(0, None), method="highs")
    if result.status == 0 and result.fun is not None:  # status 0: solved, with its value
        return float(result.fun), result.x
    return (-math.inf if result.status == 3 else math.nan), None


def attacker_bounds(
    table_sizes: Sequence[int], relations: Sequence[tuple[int, Sequence[int]]], hidden: set[int]
) -> dict[int, tuple[float, float]]:
    """The tightest bounds by linear programming on every hidden cell from the shown ones and the relations (counts
    relaxed to non-negative reals). Where the solver fails, the bounds are the true value (so it counts as weak)."""
    order = sorted(hidden)
    rows, rhs = _system(table_sizes, relations, order)
    bounds = {}
    for i, cell in enumerate(order):
        if not len(rows):
            bounds[cell] = (0.0, math.inf)
            continue
        objective = np.zeros(len(order))
        objective[i] = 1.0
        low, _ = _extreme(rows, rhs, objective)
        high, _ = _extreme(rows, rhs, -objective)
        truth = float(table_sizes[cell])
        bounds[cell] = (truth if math.isnan(low) else low, truth if math.isnan(high) else -high)
    return bounds


def _weak(table: _Table, hidden: set[int]) -> list[int]:
    """Hidden cells with people in them whose attacker bounds lie closer together than their threshold.

    The same answer as attacker_bounds, with fewer linear programmes: two solutions of the attacker's equations
    that differ by the threshold in a cell prove the cell safe. The true counts are one solution; the extremes of
    the sum of all hidden cells, either way, give two more; only cells not yet proven safe get their own two
    programmes, whose solutions then serve the other cells as well.
    """
    order = sorted(hidden)
    candidates = [i for i, cell in enumerate(order) if table.size[cell] > 0]
    if not candidates:
        return []
    rows, rhs = _system(table.size, table.relations, order)
    if not len(rows):
        return []
    need = np.array([table.threshold[cell] for cell in order], dtype=float)
    truth = np.array([table.size[cell] for cell in order], dtype=float)
    low, high = truth.copy(), truth.copy()
    for objective in (np.ones(len(order)), -np.ones(len(order))):
        _, x = _extreme(rows, rhs, objective)
        if x is not None:
            low, high = np.minimum(low, x), np.maximum(high, x)
    weak = []
    for i in candidates:
        if high[i] - low[i] >= need[i]:
            continue
        objective = np.zeros(len(order))
        objective[i] = 1.0
        for sign in (-1.0, 1.0):  # the largest value first: it proves most cells safe
            value, x = _extreme(rows, rhs, sign * objective)
            if x is not None:
                low, high = np.minimum(low, x), np.maximum(high, x)
            elif value == -math.inf:  # unbounded above
                high[i] = math.inf
            if high[i] - low[i] >= need[i]:
                break
        if high[i] - low[i] < need[i]:
            weak.append(order[i])
    return weak


def _neighbours(table: _Table, cell: int) -> set[int]:
    return {other for total, parts in table.relations if cell == total or cell in parts for other in [total, *parts]}


def _solve(table: _Table, zeros: bool = False) -> set[int] | None:
    """The hidden cells of least cost that satisfy the protection conditions and pass the attacker audit, by mixed
    integer programming (scipy's milp, HiGHS); None if the solver finds no solution. Empty cells stay shown unless
    `zeros`: a shown empty band shows its area's n, which some tables must hide to protect a small group."""
    count = len(table.cells)
    if not any(table.size[cell] > 0 for cell in table.hidden):
        return set(table.hidden)
    rows, lows = _protection(table)
    lower = np.array([1.0 if cell in table.hidden else 0.0 for cell in range(count)])
    upper = np.array(
        [
            1.0 if cell in table.hidden or not (cell in table.shown or (table.size[cell] == 0 and not zeros)) else 0.0
            for cell in range(count)
        ]
    )
    cost = np.array(table.cost) + np.array([5.0 if table.size[cell] == 0 else 0.0 for cell in range(count)])
    for _ in range(_AUDIT_ROUNDS):
        constraints = [LinearConstraint(np.array(rows), np.array(lows), np.inf)] if rows else []
        result = milp(
            cost,
            integrality=np.ones(count, dtype=np.int64),  # every count a whole number
            bounds=Bounds(lower, upper),
            constraints=constraints,
            options={"time_limit": 10.0},
        )
        if result.status != 0 or result.x is None:
            return None
        hidden = {cell for cell in range(count) if result.x[cell] > 0.5}
        weak = _weak(table, hidden)
        if not weak:
            return hidden
        for cell in weak:  # a cut: one more cell next to the weak one must go
            free = [other for other in _neighbours(table, cell) if other not in hidden and upper[other] > 0]
            if not free:
                free = [
                    other
                    for near in _neighbours(table, cell)
                    if near in hidden
                    for other in _neighbours(table, near)
                    if other not in hidden and upper[other] > 0
                ]
            if not free:
                return None
            row = np.zeros(count)
            row[sorted(set(free))] = 1.0
            rows.append(row)
            lows.append(1.0)
    return None


def _greedy(table: _Table) -> set[int]:
    """Fallback when milp fails: the old rules, per relation, until nothing changes. In a relation with a hidden
    cell that has people in it, hide the smallest shown part (or, with none left, the total) while fewer than two
    such cells are hidden or a primary part's hidden parts hold fewer than the threshold; then every cell that the
    attacker audit still finds weak takes all cells of its relations along, until none is weak."""
    hidden = set(table.hidden)
    changed = True
    while changed:
        changed = False
        for total, parts in table.relations:
            while True:
                secret = [cell for cell in [total, *parts] if cell in hidden and table.size[cell] > 0]
                if not secret:
                    break
                mass = sum(table.size[cell] for cell in parts if cell in hidden)
                need = max(
                    (table.threshold[cell] for cell in parts if cell in table.hidden and table.size[cell] > 0),
                    default=0,
                )
                if len(secret) > 1 and (total in hidden or mass >= need):
                    break
                shown = sorted(
                    (cell for cell in parts if cell not in hidden and table.size[cell] > 0),
                    key=lambda cell: (table.size[cell], table.cells[cell]),
                )
                choice = shown[0] if shown else (total if total not in hidden and table.size[total] > 0 else None)
                if choice is None:
                    break
                hidden.add(choice)
                changed = True
        for i, j in table.at_most:
            if i in hidden and j not in hidden:
                hidden.add(j)
                changed = True
        if not changed:
            # the audit as a safety net: whatever stays weak takes its neighbours along, or when they are all
            # hidden already, their neighbours (a cell can be pinned through a relation one step further away)
            for cell in _weak(table, hidden):
                reach = {cell}
                near: set[int] = set()
                while not near and len(reach) < len(table.cells):
                    wider = set().union(*(_neighbours(table, other) for other in reach))
                    if wider <= reach:
                        break
                    reach |= wider
                    near = {other for other in reach - hidden if other not in table.shown}
                hidden |= near
                changed |= bool(near)
    return hidden


def _effective_sizes(records: Sequence[ProfileRecord]) -> dict[_Cell, float]:
    """Kish's effective n per (instrument, measure, area) of a weighted run (analysis.profiles): per scale over its
    answers, and per area over all its respondents (measure "respondents")."""
    return {
        (record.instrument, record.measure, record.area_code): record.value
        for record in records
        if record.statistic == "effective_n" and record.value is not None
    }


def _precision_size(record: ProfileRecord, n: int, effective: dict[_Cell, float]) -> float:
    """How many answers a record's estimate is worth, for the indicative flag: its n, but for a weighted mean or
    share the effective n of its answers (of its scale for a band, else of the area's respondents). Weights make
    an estimate less certain: 35 answers with a design effect of 2 are worth 17.5. Suppression stays on the real n:
    it protects people, and the number of people does not change by weighting them."""
    if WEIGHTED not in record.flags or record.statistic not in ("mean_weighted", "share_weighted"):
        return n
    for measure in (record.family or record.measure, RESPONDENTS):
        found = effective.get((record.instrument, measure, record.area_code))
        if found is not None:
            return min(float(n), found)
    return n


def apply_disclosure(
    records: Sequence[ProfileRecord],
    areas: pd.DataFrame,
    *,
    min_n: int = DEFAULT_MIN_N,
    indicative_n: int = DEFAULT_INDICATIVE_N,
    min_count: int | None = None,
) -> list[ProfileRecord]:
    """The records with small groups suppressed (value, interval and n set to None, flags "suppressed" and the
    reason: "suppressed_small" or "suppressed_complementary") and estimates from fewer than `indicative_n` flagged
    "indicative": for a weighted mean or share, fewer than `indicative_n` effective answers (_precision_size).

    Primary suppression: an area with fewer than `min_n` respondents for an instrument loses all its figures for
    that instrument; a measure with fewer than `min_n` answers loses its figures; a band, type or change category
    with from 1 to `min_count` - 1 people in it (default `min_count` = `min_n`) loses its share. Zero counts are
    shown: an empty cell describes nobody.

    Complementary suppression, per table of linked cells: the respondents of an instrument; one measure of an
    instrument over all areas; a partition (a scale's bands, types, change categories) over all areas together with
    its total (the scale's mean and n). A table's relations are: a municipality is the sum of its wijken, a wijk of
    its buurten, an area's total the sum of its partition. The hidden cells are chosen by a small integer programme
    (scipy.optimize.milp) of least cost (log of the cell's size, plus much more for a wijk and far more for the
    municipality, so a small sibling goes before a parent) under the conditions of `_protection`, then audited: the
    tightest bounds an attacker can derive by linear programming on every hidden count must be at least the
    threshold apart, else a cut asks for one more hidden neighbour and the programme is solved again. Respondents
    come first, and the other tables prefer the areas hidden there. Only if milp finds no solution does a table fall
    back to the older greedy rules (`_greedy`), which hide the smallest sibling until each relation is safe.
    Means are protected through their n: a mean is hidden with its count.
    """
    min_count = min_n if min_count is None else min_count
    cells = _cells(records)
    level = {str(code): str(value) for code, value in areas["level"].items()}  # the index holds area codes
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent in areas["parent"].items():
        if isinstance(parent, str):
            children[parent].append(str(code))

    primary: set[_Cell] = set()
    measures: dict[str, set[str]] = defaultdict(set)
    small_areas: set[tuple[str, str]] = set()
    for (instrument, measure, area), size in cells.size.items():
        measures[instrument].add(measure)
        if measure == RESPONDENTS and size < min_n:
            small_areas.add((instrument, area))
    for cell, size in cells.size.items():
        instrument, measure, area = cell
        partition = ":" in measure
        small = (cells.denominator[cell] < min_n or 0 < size < min_count) if partition else size < min_n
        if small or (instrument, area) in small_areas:
            primary.add(cell)

    hidden: set[_Cell] = set(primary)
    respondents_hidden: set[tuple[str, str]] = set()

    def cost(cell: _Cell, size: int, extra: float = 0.0) -> float:
        instrument, _, area = cell
        value = 1.0 + extra + math.log1p(size) + _LEVEL_COST.get(level.get(area, "buurt"), 0.0) * (1 + extra / 3)
        return value * (_CONSISTENT if (instrument, area) in respondents_hidden else 1.0)

    def solve(table: _Table) -> None:
        chosen = _solve(table)
        if chosen is None:
            chosen = _solve(table, zeros=True)
        if chosen is None:
            chosen = _greedy(table)
        hidden.update(table.cells[cell] for cell in chosen if not table.cells[cell][1].endswith(_VIRTUAL))

    def measure_table(instrument: str, measure: str) -> _Table:
        table = _Table()
        column = {}
        for area in level:
            cell = (instrument, measure, area)
            if cell in cells.size:
                column[area] = table.add(cell, cells.size[cell], cost(cell, cells.size[cell]), min_n)
                if cell in primary:
                    table.hidden.add(column[area])
        _relations(table, {measure: column}, children, {})
        return table

    for instrument in sorted(measures):
        if RESPONDENTS in measures[instrument]:
            solve(measure_table(instrument, RESPONDENTS))
            respondents_hidden.update((instrument, area) for area in level if (instrument, RESPONDENTS, area) in hidden)
        names = measures[instrument]
        families: dict[str, list[str]] = defaultdict(list)
        for measure in sorted(names):
            if ":" in measure:
                families[measure.split(":", 1)[0]].append(measure)
        for family, members in sorted(families.items()):
            linked = family in names
            total_measure = family if linked else family + _VIRTUAL
            table = _Table()
            columns: dict[str, dict[str, int]] = defaultdict(dict)
            partitions = {}
            for area in level:
                present = [member for member in members if (instrument, member, area) in cells.size]
                if not present:
                    continue
                denominator = max(cells.denominator[(instrument, member, area)] for member in present)
                total = (instrument, total_measure, area)
                size = cells.size.get(total, denominator) if linked else denominator
                index = table.add(total, size, cost(total, size, _TOTAL_COST), min_n)
                columns[total_measure][area] = index
                if total in primary or denominator < min_n or (instrument, area) in small_areas:
                    table.hidden.add(index)
                elif not linked and (instrument, area) not in respondents_hidden:
                    table.shown.add(index)  # a type's n is (nearly) the shown number of respondents
                parts = []
                for member in present:
                    cell = (instrument, member, area)
                    part = table.add(cell, cells.size[cell], cost(cell, cells.size[cell]), min_count)
                    columns[member][area] = part
                    parts.append(part)
                    if cell in primary:
                        table.hidden.add(part)
                    table.at_most.append((index, part))  # a shown share shows its n, the total
                partitions[area] = (index, parts)
            _relations(table, columns, children, partitions)
            solve(table)
        for measure in sorted(names):
            if ":" in measure or measure == RESPONDENTS or measure in families:
                continue
            solve(measure_table(instrument, measure))

    effective = _effective_sizes(records)
    result = []
    for record in records:
        cell = (record.instrument, record.measure, record.area_code)
        if cell in hidden:
            reason = SUPPRESSED_SMALL if cell in primary else SUPPRESSED_COMPLEMENTARY
            result.append(replace(record, value=None, lower=None, upper=None, n=None, flags=(SUPPRESSED, reason)))
        elif record.n is not None and _precision_size(record, record.n, effective) < indicative_n:
            result.append(record.with_flags(INDICATIVE))
        else:
            result.append(record)
    return result
