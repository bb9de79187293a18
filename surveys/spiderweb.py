"""The resident's own spider web of the six Positive Health dimension ratings, as SVG geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

DIMENSIONS = (
    ("ph_body", _l("Body")),
    ("ph_mind", _l("Mind and feelings")),
    ("ph_meaning", _l("Meaning")),
    ("ph_quality", _l("Quality of life")),
    ("ph_participation", _l("Taking part")),
    ("ph_daily", _l("Daily life")),
)
SIZE = 320
CENTRE = SIZE / 2
RADIUS = 110
# Room beside the web for the spokes' numbers; their names stand in the table below the web, numbered alike: text
# inside an SVG shrinks with it, and a name in any language would be too small on a phone or cut off.
LABEL_MARGIN = 30


@dataclass(frozen=True)
class Spoke:
    item_id: str
    label: str
    value: int | None
    axis_end: tuple[float, float]
    label_at: tuple[float, float]
    anchor: str


@dataclass(frozen=True)
class SpiderWeb:
    spokes: list[Spoke]
    rings: list[str]  # polygon points for 2, 4, 6, 8, 10
    shape: str  # polygon points of the resident's ratings (unanswered as 0)
    size: int
    complete: bool
    margin: int = LABEL_MARGIN


def _point(index: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + index * 2 * math.pi / len(DIMENSIONS)
    return (
        round(CENTRE + fraction * RADIUS * math.cos(angle), 1),
        round(CENTRE + fraction * RADIUS * math.sin(angle), 1),
    )


def _points(fractions: list[float]) -> str:
    return " ".join(f"{x},{y}" for x, y in (_point(i, f) for i, f in enumerate(fractions)))


def spider_web(answers: dict[str, Any], locale: str) -> SpiderWeb | None:
    """None when the instrument has no dimension ratings or none was answered."""
    values = [answers.get(item_id) if isinstance(answers.get(item_id), int) else None for item_id, _ in DIMENSIONS]
    if all(value is None for value in values):
        return None
    spokes = []
    for index, ((item_id, label), value) in enumerate(zip(DIMENSIONS, values, strict=True)):
        x, y = _point(index, 1.16)
        anchor = "middle"
        spokes.append(Spoke(item_id, str(label), value, _point(index, 1.0), (x, y), anchor))
    return SpiderWeb(
        spokes=spokes,
        rings=[_points([level / 10] * len(DIMENSIONS)) for level in (2, 4, 6, 8, 10)],
        shape=_points([(value or 0) / 10 for value in values]),
        size=SIZE,
        complete=None not in values,
    )
