"""Waves, the instrument versions responses were given on, responses and their answers."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.geography import Municipality, Neighbourhood
from models.types import UTCDateTime, utcnow, value_enum


class ResponseMode(enum.Enum):
    self_completed = "self"
    interview = "interview"
    imported = "import"


class ResponseStatus(enum.Enum):
    in_progress = "in_progress"
    submitted = "submitted"


def is_open_between(opens_on: date, closes_on: date | None, today: date) -> bool:
    """Whether a wave with these dates takes answers on `today` (Wave.is_open; a resident's question pages read the
    dates without the Wave object)."""
    return opens_on <= today and (closes_on is None or today <= closes_on)


class Wave(Model):
    """A survey period of one municipality, with the instruments it offers."""

    __tablename__ = "wave"
    __table_args__ = (CheckConstraint("closes_on IS NULL OR closes_on >= opens_on", name="closes_after_opens"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    instruments: Mapped[list[WaveInstrument]] = relationship(
        back_populates="wave", cascade="all, delete-orphan", order_by="WaveInstrument.position"
    )

    @property
    def instrument_slugs(self) -> list[str]:
        return [entry.instrument_slug for entry in self.instruments]

    def is_open(self, today: date) -> bool:
        return is_open_between(self.opens_on, self.closes_on, today)

    def __repr__(self) -> str:
        return f"<Wave {self.name} {self.opens_on}..{self.closes_on}>"


class WaveInstrument(Model):
    __tablename__ = "wave_instrument"

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    instrument_slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    wave: Mapped[Wave] = relationship(back_populates="instruments")

    def __repr__(self) -> str:
        return f"<WaveInstrument {self.wave_id} {self.instrument_slug}>"


class InstrumentVersion(Model):
    """The exact instrument definition a response was given on (the file's content, frozen)."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # about 100 KB of JSON: loaded only when read (an instrument whose file changed since), not with every response
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<InstrumentVersion {self.slug} v{self.version}>"


class Response(Model):
    """One resident's answers to one instrument in one wave: tied to a buurt and an age band, never to a person."""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"),
        CheckConstraint("page_index >= 0", name="page_index_not_negative"),
        # an imported row is found again by its id in the source file, or else by the hash of its content
        UniqueConstraint("wave_id", "external_id", name="uq_response_wave_external_id"),
        UniqueConstraint("wave_id", "import_hash", name="uq_response_wave_import_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A random handle kept in the resident's session cookie; never shown, never derived from the id.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="RESTRICT"), index=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id", ondelete="RESTRICT"))
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="RESTRICT"), index=True
    )
    # The resident said they do not know their neighbourhood: the response counts for the municipality only.
    area_unknown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    locale: Mapped[str] = mapped_column(String(5))
    mode: Mapped[ResponseMode] = mapped_column(value_enum(ResponseMode, "response_mode"))
    status: Mapped[ResponseStatus] = mapped_column(value_enum(ResponseStatus, "response_status"))
    age_band: Mapped[str | None] = mapped_column(String(20))
    page_index: Mapped[int] = mapped_column(Integer, default=0)
    # HMAC of the resume code; the code itself is shown once to the resident and never stored.
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Imported responses only: the respondent number of the source (a paper form, an earlier system), and a hash
    # of the imported row, so that importing the same file again adds nothing.
    external_id: Mapped[str | None] = mapped_column(String(80))
    import_hash: Mapped[str | None] = mapped_column(String(64))

    wave: Mapped[Wave] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def area_given(self) -> bool:
        """The resident chose a buurt, or said they do not know it."""
        return self.neighbourhood_id is not None or self.area_unknown

    def answer_values(self) -> dict[str, Any]:  # JSON values
        return {answer.item_id: answer.value for answer in self.answers}

    def __repr__(self) -> str:
        return f"<Response {self.id} {self.status.value} wave={self.wave_id}>"


class Answer(Model):
    __tablename__ = "answer"

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # int for scales and numbers, an option code for choices, a list of codes for multiple choice, text for texts
    value: Mapped[object] = mapped_column(JSON)

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer {self.response_id}:{self.item_id}={self.value!r}>"


class SubmissionKey(Model):
    """A processed page submit: the same key again (a double click, a resend) repeats the outcome, not the write."""

    __tablename__ = "submission_key"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SubmissionKey {self.key} -> {self.outcome}>"
