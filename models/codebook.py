"""Municipal codebooks for open answers: codes, the answers analysts labelled, and the classifier's coding per wave.

Labels and coded answers go with the response they belong to: erasing or expiring a response removes them too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.accounts import User
from models.geography import Municipality
from models.types import UTCDateTime, utcnow


class Codebook(Model):
    """An analysts' codebook for one open question (its key, such as adult.open_better), used for every wave."""

    __tablename__ = "codebook"
    __table_args__ = (
        UniqueConstraint("municipality_id", "question", "name", name="uq_codebook_municipality_question_name"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(64))  # "<questionnaire>.<item id>" (surveys.questions)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    created_by: Mapped[User | None] = relationship()
    codes: Mapped[list[CodebookCode]] = relationship(
        back_populates="codebook",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(CodebookCode.position, CodebookCode.id)",
    )

    def __repr__(self) -> str:
        return f"<Codebook {self.id} {self.question} {self.name!r}>"


class CodebookCode(Model):
    """One code: a name and a description (which also counts as an example answer when the classifier learns).

    `translations` holds the name and description in other languages, {"tr": {"name": ..., "description": ...}};
    a translated description is one more example in that language.
    """

    __tablename__ = "codebook_code"
    __table_args__ = (
        UniqueConstraint("codebook_id", "name", name="uq_codebook_code_codebook_name"),
        # the target of the composite keys below: a label or coding can only name a code of its own codebook
        UniqueConstraint("codebook_id", "id", name="uq_codebook_code_codebook_id_id"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebook.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)

    codebook: Mapped[Codebook] = relationship(back_populates="codes")

    def name_in(self, lang: str) -> str:
        return (self.translations or {}).get(lang, {}).get("name") or self.name

    def description_in(self, lang: str) -> str:
        return (self.translations or {}).get(lang, {}).get("description") or self.description

    def __repr__(self) -> str:
        return f"<CodebookCode {self.id} {self.name!r} codebook={self.codebook_id}>"


class CodeLabel(Model):
    """An analyst's decision that one answer belongs to a code: what the classifier learns from."""

    __tablename__ = "code_label"
    __table_args__ = (
        UniqueConstraint("codebook_id", "response_id", name="uq_code_label_codebook_response"),
        ForeignKeyConstraint(
            ["codebook_id", "code_id"],
            ["codebook_code.codebook_id", "codebook_code.id"],
            name="fk_code_label_code_codebook_code",
            ondelete="CASCADE",
        ),
        Index("ix_code_label_codebook_code", "codebook_id", "code_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebook.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(Integer)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    labelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    labelled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    code: Mapped[CodebookCode] = relationship(
        primaryjoin="CodeLabel.code_id == CodebookCode.id", foreign_keys=[code_id], viewonly=True
    )
    labelled_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CodeLabel response={self.response_id} code={self.code_id}>"


class CodedAnswer(Model):
    """The classifier's code for one answer of a wave, with its probability and its lead over the runner-up."""

    __tablename__ = "coded_answer"
    __table_args__ = (
        UniqueConstraint("codebook_id", "response_id", name="uq_coded_answer_codebook_response"),
        ForeignKeyConstraint(
            ["codebook_id", "code_id"],
            ["codebook_code.codebook_id", "codebook_code.id"],
            name="fk_coded_answer_code_codebook_code",
            ondelete="CASCADE",
        ),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_is_probability"),
        CheckConstraint("margin >= 0 AND margin <= 1", name="margin_is_probability"),
        # the review order of a wave: smallest margin first (analysis.codebook.most_uncertain_first)
        Index("ix_coded_answer_review", "codebook_id", "wave_id", "margin", "confidence"),
        Index("ix_coded_answer_codebook_code", "codebook_id", "code_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebook.id", ondelete="CASCADE"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    margin: Mapped[float] = mapped_column(Float)
    coded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    code: Mapped[CodebookCode] = relationship(
        primaryjoin="CodedAnswer.code_id == CodebookCode.id", foreign_keys=[code_id], viewonly=True
    )

    def __repr__(self) -> str:
        return f"<CodedAnswer response={self.response_id} code={self.code_id} {self.confidence:.2f}>"
