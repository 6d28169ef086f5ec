"""A resident's social media strategy plan, its versions and the faculty reviews."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow

PLAN_STATES = ("draft", "submitted", "returned", "accepted")


class StrategyPlan(Base):
    """One plan per enrolment; its text lives in versions, the newest being the working copy."""

    __tablename__ = "strategy_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(20), default="draft")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanVersion(Base):
    """The plan's sections as text; a new version starts after each submission."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("strategy_plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PlanReview(Base):
    """A faculty member's decision on one submitted version, with rubric levels and comments."""

    __tablename__ = "plan_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("strategy_plan.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(20))  # accepted | returned
    levels: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion id -> level index
    comments: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
