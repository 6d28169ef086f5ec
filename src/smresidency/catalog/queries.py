"""Reads for catalog pages, each a fixed number of statements."""

from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from smresidency.catalog.models import Course, CourseAsset, Module, ModuleVersion, current_version
from smresidency.extensions import db


def course_cards() -> list[tuple[Course, int, int]]:
    """Every course with its number of active modules and their total minutes, in one query."""
    rows = db.session.execute(
        select(Course, func.count(Module.id), func.coalesce(func.sum(ModuleVersion.minutes), 0))
        .outerjoin(Module, (Module.course_id == Course.id) & Module.retired.is_(False))
        .outerjoin(
            ModuleVersion,
            current_version(),
        )
        .group_by(Course.id)
        .order_by(Course.title)
    ).all()
    return [(course, count, minutes) for course, count, minutes in rows]


def course_by_slug(slug: str) -> Course | None:
    """One course, or None."""
    return db.session.scalar(select(Course).where(Course.slug == slug))


def asset(course_slug: str, path: str) -> CourseAsset | None:
    """One stored image of a course, bytes included (removed ones too: old versions show them)."""
    return db.session.scalar(
        select(CourseAsset)
        .join(Course, Course.id == CourseAsset.course_id)
        .where(Course.slug == course_slug, CourseAsset.path == path)
        .options(undefer(CourseAsset.data))
    )
