"""Analysis runs and what they store for the council views: profile snapshots, types, themes and quotes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.accounts import User
from models.jobs import JobState
from models.survey import Response, Wave
from models.types import UTCDateTime, value_enum


class RunStatus(enum.Enum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class AnalysisRun(JobState, Model):
    """One reproducible analysis of a wave: its parameters, seed, instrument and code versions, and timings."""

    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    status: Mapped[RunStatus] = mapped_column(value_enum(RunStatus, "run_status"), default=RunStatus.queued)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    instrument_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    code_version: Mapped[str | None] = mapped_column(String(80))
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # resident profile types: {instrument: {"features": [...], "types": [{"id", "share", "profile": [...]}]}}
    types: Mapped[dict] = mapped_column(JSON, default=dict)
    # the parts that could not be done, each {"part", "subject", "reason", "detail"} (analysis.run.SkippedPart)
    notes: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # weights: per questionnaire the margins raked to and per buurt design effect, effective n, trimmed weights
    # {instrument: {"margins": [...], "areas": {code: {...}}}} (analysis.run.RunResult.weighting); {}: unweighted
    weighting: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    # when the council began to see it (None: not, or held back: see release_conflicts and analysis.releases)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # held back: the figures that changed by fewer residents than the threshold since an earlier release, each
    # {"area_code", "instrument", "measure", "statistic", "earlier_run", "change", "beyond_parts"}, at most 100
    release_conflicts: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # when an analyst published this released run to residents and as open data (public.results); None: not
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    wave: Mapped[Wave] = relationship()
    started_by: Mapped[User | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True, order_by="Theme.id"
    )

    def __repr__(self) -> str:
        return f"<AnalysisRun {self.id} wave={self.wave_id} {self.status.value}>"


class ProfileSnapshot(Model):
    """One aggregated figure of a run for one area, after disclosure control (analysis.records.ProfileRecord).

    The council views read only these rows: their number depends on areas and measures, not on respondents.
    """

    __tablename__ = "profile_snapshot"
    __table_args__ = (Index("ix_profile_snapshot_run_area", "run_id", "area_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"))
    area_code: Mapped[str] = mapped_column(String(10))
    area_level: Mapped[str] = mapped_column(String(12))
    instrument: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(120))
    statistic: Mapped[str] = mapped_column(String(40))
    value: Mapped[float | None] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[str] = mapped_column(String(120), default="")  # space-separated, e.g. "suppressed indicative"

    @property
    def flag_set(self) -> frozenset[str]:
        return frozenset(self.flags.split())

    def __repr__(self) -> str:
        return f"<ProfileSnapshot {self.area_code} {self.instrument}:{self.measure}.{self.statistic}={self.value}>"


class NamedTheme(Model):
    """A theme as the council reads it: one or more discovered themes of one question of a run (merged across
    languages by an analyst), with a short Dutch name and its translations. Hidden ones never reach the council,
    and none does before the question's ThemeReview is ready."""

    __tablename__ = "named_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(64))  # "<questionnaire>.<item id>" (surveys.questions)
    name: Mapped[str] = mapped_column(String(120), default="")  # Dutch; empty until an analyst names it
    translations: Mapped[dict] = mapped_column(JSON, default=dict)  # {"en": "...", "tr": "..."}
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    run: Mapped[AnalysisRun] = relationship()
    members: Mapped[list[Theme]] = relationship(back_populates="named", order_by="Theme.id")

    def name_in(self, locale: str) -> str:
        return (self.translations or {}).get(locale) or self.name

    def __repr__(self) -> str:
        return f"<NamedTheme {self.id} {self.question} {self.name!r}>"


class ThemeReview(Model):
    """An analyst's review of the themes of one question of a run: only once it is ready do its named themes reach
    the council. A rerun carries the review over to the themes it recognises (runs.themes.carry_over)."""

    __tablename__ = "theme_review"
    __table_args__ = (UniqueConstraint("run_id", "question", name="uq_theme_review_run_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(64))
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_run.id", ondelete="SET NULL"))

    reviewed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ThemeReview {self.run_id} {self.question} ready={self.ready}>"


class Theme(Model):
    """A theme discovered in the answers to one open question, in one language, labelled by its top terms for
    analysts; the council reads it only through its NamedTheme."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(64))  # "<questionnaire>.<item id>" (surveys.questions)
    key: Mapped[str] = mapped_column(String(40))  # e.g. "nl-3": the measure name after "question@"
    language: Mapped[str] = mapped_column(String(5))
    label: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    suggestion: Mapped[str] = mapped_column(String(200), default="")  # a typical short answer, scrubbed
    signature: Mapped[list] = mapped_column(JSON, default=list)  # min-hashes of its answers (analysis.themematch)
    named_id: Mapped[int | None] = mapped_column(ForeignKey("named_theme.id", ondelete="SET NULL"), index=True)

    run: Mapped[AnalysisRun] = relationship(back_populates="themes")
    named: Mapped[NamedTheme | None] = relationship(back_populates="members")
    quotes: Mapped[list[Quote]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", passive_deletes=True, order_by="Quote.id"
    )

    def __repr__(self) -> str:
        return f"<Theme {self.question}@{self.key} {self.label!r}>"


class ThemeCount(Model):
    """Answers to one question of a run in one area: all of them (theme_id NULL) or those with one theme as their
    main theme. Raw counts: they are shown only through disclosure control (council.themes)."""

    __tablename__ = "theme_count"
    __table_args__ = (
        Index("ix_theme_count_run_question", "run_id", "question"),
        CheckConstraint("answers >= 0", name="answers_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(64))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    area_code: Mapped[str] = mapped_column(String(10))
    answers: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<ThemeCount {self.question} theme={self.theme_id} {self.area_code}={self.answers}>"


class QuoteStatus(enum.Enum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"


class Quote(Model):
    """A scrubbed answer proposed as representative of a theme in an area; shown to the council only once approved.

    It goes with the answer it came from: erasing or expiring that response removes the quote too.
    """

    __tablename__ = "quote"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    area_code: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)  # scrubbed; the raw answer stays in the answer table
    status: Mapped[QuoteStatus] = mapped_column(value_enum(QuoteStatus, "quote_status"), default=QuoteStatus.proposed)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    theme: Mapped[Theme] = relationship(back_populates="quotes")
    response: Mapped[Response | None] = relationship()

    def __repr__(self) -> str:
        return f"<Quote {self.id} {self.status.value}>"
