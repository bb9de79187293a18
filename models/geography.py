"""Municipality, districts (wijken) and neighbourhoods (buurten) with CBS codes and population margins (age band, sex,
households) for weighting."""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model

# The CBS age bands of "Kerncijfers wijken en buurten"; survey age bands map onto these for weighting.
AGE_BANDS = ("0_14", "15_24", "25_44", "45_64", "65_plus")
# The other population margins a buurt may have (geography.cbs.MARGIN_COLUMNS names their CBS columns): inhabitants
# by sex, and households by composition. Each may be unknown (CBS keeps small buurten's figures secret).
MARGINS = (
    "men",
    "women",
    "households",
    "households_single",
    "households_without_children",
    "households_with_children",
)


class Municipality(Model):
    __tablename__ = "municipality"
    __table_args__ = (
        UniqueConstraint("code", "reference_year"),
        CheckConstraint("code LIKE 'GM____'", name="code_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(120))
    reference_year: Mapped[int] = mapped_column(Integer)
    inhabitants: Mapped[int | None] = mapped_column(Integer)
    help_name: Mapped[str | None] = mapped_column(String(120))
    help_phone: Mapped[str | None] = mapped_column(String(40))
    help_url: Mapped[str | None] = mapped_column(String(300))

    districts: Mapped[list[District]] = relationship(
        back_populates="municipality", order_by="District.code", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name} ({self.reference_year})>"


class District(Model):
    __tablename__ = "district"
    __table_args__ = (
        UniqueConstraint("municipality_id", "code"),
        CheckConstraint("code LIKE 'WK______'", name="code_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))
    inhabitants: Mapped[int | None] = mapped_column(Integer)
    boundary: Mapped[dict | None] = mapped_column(JSON)  # a GeoJSON geometry (WGS84), for the council's map

    municipality: Mapped[Municipality] = relationship(back_populates="districts")
    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="district", order_by="Neighbourhood.code", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<District {self.code} {self.name}>"


class Neighbourhood(Model):
    __tablename__ = "neighbourhood"
    __table_args__ = (
        UniqueConstraint("district_id", "code"),
        CheckConstraint("code LIKE 'BU________'", name="code_format"),
        CheckConstraint(
            "inhabitants >= 0 AND age_0_14 >= 0 AND age_15_24 >= 0 AND age_25_44 >= 0"
            " AND age_45_64 >= 0 AND age_65_plus >= 0",
            name="population_not_negative",
        ),
        CheckConstraint(
            "men >= 0 AND women >= 0 AND households >= 0 AND households_single >= 0"
            " AND households_without_children >= 0 AND households_with_children >= 0",
            name="margins_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    inhabitants: Mapped[int | None] = mapped_column(Integer)
    age_0_14: Mapped[int | None] = mapped_column(Integer)
    age_15_24: Mapped[int | None] = mapped_column(Integer)
    age_25_44: Mapped[int | None] = mapped_column(Integer)
    age_45_64: Mapped[int | None] = mapped_column(Integer)
    age_65_plus: Mapped[int | None] = mapped_column(Integer)
    men: Mapped[int | None] = mapped_column(Integer)
    women: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    households_single: Mapped[int | None] = mapped_column(Integer)  # one-person households: adults living alone
    households_without_children: Mapped[int | None] = mapped_column(Integer)  # of several people, no children
    households_with_children: Mapped[int | None] = mapped_column(Integer)
    boundary: Mapped[dict | None] = mapped_column(JSON)  # a GeoJSON geometry (WGS84), for the council's map

    district: Mapped[District] = relationship(back_populates="neighbourhoods")

    def population_by_age_band(self) -> dict[str, int | None]:
        return {band: getattr(self, f"age_{band}") for band in AGE_BANDS}

    def margins(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in MARGINS}

    def __repr__(self) -> str:
        return f"<Neighbourhood {self.code} {self.name}>"


class PostcodeArea(Model):
    """A six-character postcode (PC6) and the buurt it lies in, so a resident may type a postcode."""

    __tablename__ = "postcode_area"
    __table_args__ = (CheckConstraint("length(postcode) = 6", name="postcode_format"),)

    postcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    neighbourhood: Mapped[Neighbourhood] = relationship()

    def __repr__(self) -> str:
        return f"<PostcodeArea {self.postcode}>"
