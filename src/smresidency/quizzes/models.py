"""Attempts and their responses; an attempt keeps the version it was drawn from."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smresidency.catalog.models import ModuleVersion
from smresidency.db import Base, utcnow


class QuizAttempt(Base):
    """One sitting of a quiz: its draw and choice order, then its grade once submitted."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        # at most one unsubmitted attempt per learner and module, even under a race
        Index(
            "uq_quiz_attempt_open",
            "user_id",
            "module_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
        Index("ix_quiz_attempt_user_module", "user_id", "module_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    questions: Mapped[list] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answers: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    version: Mapped[ModuleVersion] = relationship(lazy="raise_on_sql")


class QuizResponse(Base):
    """What an attempt answered to one question: one row per ticked choice, for item analysis."""

    __tablename__ = "quiz_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(20))
    choice_index: Mapped[int | None] = mapped_column()
    text_answer: Mapped[str | None] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)


class QuizOverride(Base):
    """A staff decision that loosens one learner's quiz limits: one more attempt, or no cooldown."""

    __tablename__ = "quiz_override"
    __table_args__ = (Index("ix_quiz_override_user_module", "user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "extra_attempt" or "clear_cooldown"
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
