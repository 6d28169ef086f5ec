"""A learner's progress through a module, tied to the version they read."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow


class ModuleProgress(Base):
    """Read and completed marks for one learner and one module."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class EnrolmentSummary(Base):
    """An enrolment's progress figures, kept up to date in the same flush (learning.summary)."""

    __tablename__ = "enrolment_summary"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True
    )
    modules_read: Mapped[int] = mapped_column(default=0)
    modules_complete: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    items_checked: Mapped[int] = mapped_column(default=0)
    plan_state: Mapped[str] = mapped_column(String(20), default="")
    certificate_state: Mapped[str] = mapped_column(String(20), default="")
    # random on every recompute: a cached dashboard row keyed on it is stale once it moves
    version: Mapped[int] = mapped_column(default=0, server_default="0")
