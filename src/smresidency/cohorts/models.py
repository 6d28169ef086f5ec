"""Cohorts, who runs them, who is enrolled, and the reminders sent to them."""

import secrets
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smresidency.auth.models import User
from smresidency.catalog.models import Course
from smresidency.cohorts.posting import posting_mode_label
from smresidency.db import Base, utcnow

PROFESSIONS = ("clinician", "education", "management", "communications", "support")
STAFF_ROLES = ("faculty", "coordinator")


def new_invite_nonce() -> str:
    """Part of every invitation link; replacing it revokes all links issued before."""
    return secrets.token_urlsafe(12)


class Cohort(Base):
    """About twenty people taking one course together, with one immersion day."""

    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    immersion_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    place: Mapped[str] = mapped_column(String(300), default="")
    online_link: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(default=20)
    # issue 18: the approved alternative to public posts on the day (cohorts/posting.py)
    posting_mode: Mapped[str] = mapped_column(
        String(20), default="sandbox", server_default="sandbox"
    )
    invite_nonce: Mapped[str] = mapped_column(String(32), default=new_invite_nonce)
    join_code: Mapped[str | None] = mapped_column(String(7), unique=True)  # e.g. "K7Q-4PM"
    # the .ics invite's SEQUENCE: calendars replace the event only when it goes up
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship(lazy="raise_on_sql")

    @property
    def posting_mode_label(self) -> str:
        """The approved alternative to public posts, in the words learners see."""
        return posting_mode_label(self.posting_mode)


class CohortStaff(Base):
    """A faculty member or coordinator assigned to a cohort."""

    __tablename__ = "cohort_staff"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(lazy="raise_on_sql")


class Enrolment(Base):
    """A learner in a cohort; one per learner and course, so moving keeps their progress."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    profession: Mapped[str] = mapped_column(String(20), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | withdrawn
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    cohort: Mapped[Cohort] = relationship(lazy="raise_on_sql")


class Reminder(Base):
    """A reminder mailed to an enrolled learner, by a coordinator or by the daily job."""

    __tablename__ = "reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # manual | due
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
