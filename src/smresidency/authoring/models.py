"""Unpublished drafts of course files, edited in the browser studio."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smresidency.db import Base, utcnow


class Draft(Base):
    """One instructor-edited text not yet published; `revision` guards against lost updates.

    `file` is the path inside the course directory (`modules/03-facebook.md`, `plan.md`);
    `base_hash` is the published text the draft started from ('' for a new module).
    """

    __tablename__ = "content_draft"
    __table_args__ = (UniqueConstraint("course_id", "file"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    base_hash: Mapped[str] = mapped_column(String(64), default="")
    revision: Mapped[int] = mapped_column(default=1)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
