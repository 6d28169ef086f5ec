"""Residents rate themselves on the course's competencies before and after the programme."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow

PHASES = ("pre", "post")


class SelfRating(Base):
    """One phase's ratings (competency id -> 1..5) for one enrolment."""

    __tablename__ = "self_rating"
    __table_args__ = (UniqueConstraint("enrolment_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(10))
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
