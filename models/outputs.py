"""Output figures per area and year (what the municipality delivered: youth care, Wmo clients, trajectories, hours,
spending), and which output measures are meant to serve an outcome of the framework."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Column, Float, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model, db
from models.geography import Municipality
from models.types import value_enum


class OutputUnit(enum.Enum):
    count = "count"  # a number of people, trajectories or cases
    percent = "percent"  # a percentage 0..100, as CBS publishes "percentage jongeren met jeugdzorg"
    per_1000 = "per_1000"  # per 1,000 residents, as CBS publishes "Wmo-cliënten relatief"
    hours = "hours"
    euro = "euro"


# an outcome names the output measures that are meant to serve it (the council's framework)
outcome_output = Table(
    "outcome_output",
    db.metadata,
    Column("outcome_id", ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True),
    Column("output_measure_id", ForeignKey("output_measure.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class OutputMeasure(Model):
    """A kind of output figure of a municipality, e.g. "jeugdzorg": young people with youth care, in percent."""

    __tablename__ = "output_measure"
    __table_args__ = (
        UniqueConstraint("municipality_id", "code", name="uq_output_measure_municipality_code"),
        CheckConstraint("code <> ''", name="code_not_empty"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60))  # stable, in files and open data: "jeugdzorg", "wmo_per_1000"
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[OutputUnit] = mapped_column(value_enum(OutputUnit, "output_unit"))
    source: Mapped[str | None] = mapped_column(String(200))  # where the figures come from, in words

    municipality: Mapped[Municipality] = relationship()
    figures: Mapped[list[OutputFigure]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="(OutputFigure.area_code, OutputFigure.year)"
    )

    def __repr__(self) -> str:
        return f"<OutputMeasure {self.id} {self.code}>"


class OutputFigure(Model):
    """The value of an output measure in one area (GM, WK or BU code) and year."""

    __tablename__ = "output_figure"
    __table_args__ = (
        UniqueConstraint("measure_id", "area_code", "year", name="uq_output_figure_measure_area_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("output_measure.id", ondelete="CASCADE"), index=True)
    area_code: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)

    measure: Mapped[OutputMeasure] = relationship(back_populates="figures")

    def __repr__(self) -> str:
        return f"<OutputFigure {self.measure_id} {self.area_code} {self.year}={self.value}>"
