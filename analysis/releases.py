"""Whether a new analysis of a wave may replace what the council sees, without letting a few residents be worked out
by setting it beside an earlier release.

Two releases of one wave differ by the residents who answered (or were erased) in between. Where a figure rests on
n1 residents in one release and n2 in the next, n2·m2 - n1·m1 is the sum of the |n2 - n1| residents in between:
with one new resident it is that resident's score. So a new release is allowed only where, for every figure both
releases show, its number of residents is unchanged or changed by at least the suppression threshold; and the same
for what an area holds beyond its shown parts (an area's change minus its parts' changes is the change of a group
the attacker can name as well: the people without a buurt, or the hidden buurten together).

A release that fails is held back as a whole: the council keeps the earlier release, and the analyst is told which
figures changed by too few. Hiding only the failing figures would not do: the earlier release tells the attacker
the figures that would have to hide them.

Left open: a figure whose number of residents stays the same while one resident is erased and another added tells
the difference between two residents. Erasure in an open wave is rare; closing a wave stops additions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

Cell = tuple[str, str, str, str]  # area code, instrument, measure, statistic


@dataclass(frozen=True)
class ReleaseConflict:
    """A figure (or what an area holds beyond its shown parts) that changed by fewer residents than the threshold
    since an earlier release."""

    area_code: str
    instrument: str
    measure: str
    statistic: str
    earlier_run: int
    change: int  # residents in between (signed: fewer after erasure)
    beyond_parts: bool  # the change of the area beyond its shown parts, not of the figure itself


def release_conflicts(
    earlier: Mapping[int, Mapping[Cell, int]],
    current: Mapping[Cell, int],
    parents: Mapping[str, str | None],
    min_n: int,
) -> list[ReleaseConflict]:
    """Every conflict of `current` (shown figures with their n) against each earlier release (run id -> its shown
    figures with their n); `parents` maps an area code to its parent's (None at the top)."""
    children: dict[str, list[str]] = defaultdict(list)
    for code, parent in parents.items():
        if parent:
            children[parent].append(code)
    conflicts = []
    for run_id, before in sorted(earlier.items()):
        change = {cell: current[cell] - before[cell] for cell in current.keys() & before.keys()}

        def small(delta: int) -> bool:
            return 0 < abs(delta) < min_n

        for cell, delta in sorted(change.items()):
            if small(delta):
                conflicts.append(ReleaseConflict(*cell, earlier_run=run_id, change=delta, beyond_parts=False))
            area, instrument, measure, statistic = cell
            parts = [
                change[key]
                for key in ((kid, instrument, measure, statistic) for kid in children.get(area, ()))
                if key in change
            ]
            if parts and small(delta - sum(parts)):
                conflicts.append(
                    ReleaseConflict(*cell, earlier_run=run_id, change=delta - sum(parts), beyond_parts=True)
                )
    return conflicts
