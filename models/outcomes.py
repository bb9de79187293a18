"""The council's outcome framework: maatschappelijke resultaten, their indicators and target values (streefwaarden).

Changes are recorded in the audit log (target types "outcome", "indicator", "target") with the values before and
after, which is the framework's history.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.geography import Municipality
from models.types import value_enum

if TYPE_CHECKING:
    from models.outputs import OutputMeasure


class Outcome(Model):
    """A maatschappelijk resultaat, e.g. "Inwoners voelen zich verbonden"."""

    __tablename__ = "outcome"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name", name="uq_outcome_municipality_name"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # what the municipality will do about it, in a few plain sentences for residents (the public results pages)
    action: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    municipality: Mapped[Municipality] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="Indicator.position"
    )
    # the output measures meant to serve this outcome, shown beside its indicators (models.outputs)
    outputs: Mapped[list[OutputMeasure]] = relationship(secondary="outcome_output", order_by="OutputMeasure.code")

    def __repr__(self) -> str:
        return f"<Outcome {self.id} {self.name!r}>"


class IndicatorKind(enum.Enum):
    scale_mean = "scale_mean"  # the mean of a scale score, e.g. cohesion on 0..10
    band_share = "band_share"  # the share of respondents in a band, e.g. djg:not_lonely
    improved_share = "improved"  # the share of interviewed residents who improved since intake

    @property
    def is_share(self) -> bool:
        """A share is stored as a fraction 0..1 (and shown as a percentage); a mean in its scale's own range."""
        return self is not IndicatorKind.scale_mean


class Direction(enum.Enum):
    higher_is_better = "higher"
    lower_is_better = "lower"


class Indicator(Model):
    """A measured quantity that tells whether an outcome comes closer, read from the analysis's profile snapshots.

    `measure` names what it reads: a scale ("cohesion": its mean), a band ("djg:not_lonely": the share in it) or a
    change domain of wijkteam clients ("overall": the share improved since intake).
    """

    __tablename__ = "indicator"
    __table_args__ = (CheckConstraint("name <> ''", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[IndicatorKind] = mapped_column(value_enum(IndicatorKind, "indicator_kind"))
    instrument: Mapped[str] = mapped_column(String(40))
    # the analysis measure it reads: a scale id ("cohesion"), a band ("djg:not_lonely") or a change ("overall")
    measure: Mapped[str] = mapped_column(String(120))
    direction: Mapped[Direction] = mapped_column(value_enum(Direction, "direction"))
    population: Mapped[str | None] = mapped_column(String(200))  # in words: "inwoners van 18 jaar en ouder"
    position: Mapped[int] = mapped_column(Integer, default=0)

    outcome: Mapped[Outcome] = relationship(back_populates="indicators")
    targets: Mapped[list[Target]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="Target.year"
    )

    def __repr__(self) -> str:
        return f"<Indicator {self.id} {self.instrument}:{self.measure}>"


class Target(Model):
    """A streefwaarde: the value to reach in a year, for the whole municipality or one wijk.

    `value` is in the unit of the snapshot it is compared with: a scale's own range for a mean, a fraction 0..1 for
    a share (pages show shares as percentages).
    """

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("indicator_id", "year", "area_code", name="uq_target_indicator_year_area"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    area_code: Mapped[str] = mapped_column(String(10))  # a GM code for the whole municipality, or a WK code
    value: Mapped[float] = mapped_column(Float)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")

    def __repr__(self) -> str:
        return f"<Target {self.indicator_id} {self.year} {self.area_code}={self.value}>"
