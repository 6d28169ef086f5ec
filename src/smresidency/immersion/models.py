"""The immersion-day checklist: the state of each item per enrolment, and every change to it."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow

EVIDENCE_STATES = ("", "submitted", "confirmed", "returned")


class CheckOff(Base):
    """One checklist item for one enrolment: ticked or not, and any workshop evidence."""

    __tablename__ = "check_off"
    __table_args__ = (UniqueConstraint("enrolment_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(64))
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_url: Mapped[str] = mapped_column(String(1000), default="")
    evidence_state: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # why faculty ticked it by hand (attendance without the QR code); who and when are below
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CheckOffEvent(Base):
    """Every tick, untick, check-in and evidence step, with who and when; never erased."""

    __tablename__ = "check_off_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
