"""Certificates: issued once per learner and course, verifiable, revocable but never deleted.

A name correction re-issues: the old certificate is revoked and points to its replacement,
the next edition of the same enrolment's certificate (certificates.reissue)."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow


class Certificate(Base):
    """What was certified, to whom, when; a snapshot, so later edits do not change it."""

    __tablename__ = "certificate"
    # one certificate per enrolment and edition: issuing twice at once still fails
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "edition"),
        UniqueConstraint("enrolment_id", "edition"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    edition: Mapped[int] = mapped_column(default=1, server_default="1")
    # set on a certificate re-issued under a corrected name: the one that replaced it
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"), unique=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    serial: Mapped[str | None] = mapped_column(String(30), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    hours: Mapped[float] = mapped_column(Float, default=0)
    immersion_date: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300), default="")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    # its bit in the revocation status list; given when the credential is first signed
    status_index: Mapped[int | None] = mapped_column(unique=True)
    # the CE/CPD record as the settings gave it at issue (certificates/ce.py)
    contact_hours: Mapped[float | None] = mapped_column(Float)
    accreditation: Mapped[str] = mapped_column(Text, default="", server_default="")
    provider_id: Mapped[str] = mapped_column(String(100), default="", server_default="")

    @property
    def display_code(self) -> str:
        """The verification code in groups of four, easy to read aloud and type."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    def status(self, now: datetime) -> str:
        """valid, expired or revoked."""
        from smresidency.db import as_utc

        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and as_utc(self.expires_at) <= now:
            return "expired"
        return "valid"
