"""Courses, modules, module versions keyed by content hash, and the files beside them."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from smresidency.db import Base, utcnow


class Course(Base):
    """A course as last synced; course-level files are stored parsed, as JSON."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[float] = mapped_column(Float, default=0)
    organisation: Mapped[str] = mapped_column(String(300), default="")
    competencies: Mapped[list] = mapped_column(JSON, default=list)
    certificate: Mapped[dict] = mapped_column(JSON, default=dict)
    immersion: Mapped[dict | None] = mapped_column(JSON)
    plan: Mapped[dict | None] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    course_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    immersion_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    plan_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    disk_hash: Mapped[str | None] = mapped_column(String(64))
    rendered_with: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position", lazy="raise_on_sql"
    )


class Module(Base):
    """A module's identity in its course; its content lives in versions."""

    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    current_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="modules", lazy="raise_on_sql")
    current: Mapped["ModuleVersion"] = relationship(
        primaryjoin=lambda: and_(
            foreign(ModuleVersion.module_id) == Module.id,
            foreign(ModuleVersion.content_hash) == Module.current_hash,
        ),
        viewonly=True,
        uselist=False,
        lazy="raise_on_sql",
    )


class ModuleVersion(Base):
    """An immutable snapshot of one module file; records point here, so they keep their meaning."""

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column(default=0)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    requires: Mapped[list] = mapped_column(JSON, default=list)
    lesson_html: Mapped[str] = mapped_column(Text)
    quiz: Mapped[dict | None] = mapped_column(JSON)
    question_count: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(Text)
    rendered_with: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def has_quiz(self) -> bool:
        """Whether completing this version needs a passed quiz (a column: no JSON to load)."""
        return self.question_count > 0


def current_version():
    """The join from a Module to its current ModuleVersion, for select(...).join(...)."""
    return (ModuleVersion.module_id == Module.id) & (
        ModuleVersion.content_hash == Module.current_hash
    )


class CourseFileVersion(Base):
    """Every text of course.md, immersion.md and plan.md ever published, with who did it."""

    __tablename__ = "course_file_version"
    __table_args__ = (UniqueConstraint("course_id", "file", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    file: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class CourseAsset(Base):
    """An image of a course, stored in the database so every worker on every host serves it."""

    __tablename__ = "course_asset"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    alt: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ContentState(Base):
    """One row whose version every publish bumps: per-process caches compare against it."""

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
