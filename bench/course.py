"""The course the benchmark seeds and measures, read back after `sync_content`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

COURSE_SLUG = "social-media-residency"


def summaries(db, course_id: int, user_ids: list[int] | None = None) -> None:
    """Bulk inserts bypass the session, so bring the progress summaries up to date as the app
    would have (learning.summary), in one pass: every enrolment in the course, or only these
    learners' (recomputing all of them takes half a minute on PostgreSQL here)."""
    from sqlalchemy import text

    from smresidency.learning.summary import recompute

    if db.session.connection().dialect.name == "postgresql":
        # bulk inserts leave the planner's statistics empty until autovacuum comes round;
        # without them each summary's subqueries scan whole tables (half a minute here)
        db.session.execute(text("ANALYZE"))
    if user_ids is None:
        recompute(db.session.connection(), course_ids=[course_id])
    elif user_ids:
        recompute(db.session.connection(), user_ids=user_ids)
    db.session.commit()


def course_id(db) -> int:
    """The id sync_content gave the course."""
    from smresidency.catalog.models import Course

    return db.session.scalar(select(Course.id).where(Course.slug == COURSE_SLUG))


def course_modules(db) -> list[tuple[int, int]]:
    """(module id, current version id) of the course's live modules, in course order."""
    from smresidency.catalog.models import Course, Module, ModuleVersion

    rows = db.session.execute(
        select(Module.id, ModuleVersion.id)
        .join(Course, Course.id == Module.course_id)
        .join(
            ModuleVersion,
            (ModuleVersion.module_id == Module.id)
            & (ModuleVersion.content_hash == Module.current_hash),
        )
        .where(Course.slug == COURSE_SLUG, Module.retired.is_(False))
        .order_by(Module.position)
    ).all()
    if not rows:
        raise SystemExit(f"course {COURSE_SLUG!r} has no modules after sync")
    return [tuple(r) for r in rows]


@dataclass
class LiveModule:
    """A live module of the course, its current version and its quiz settings and bank."""

    id: int
    slug: str
    version_id: int
    requires: list[str]
    quiz: dict | None  # None when completing the module needs no quiz


def module_quizzes(db) -> list[LiveModule]:
    """The course's live modules in order, with their current version's quiz (as stored)."""
    from smresidency.catalog.models import Course, Module, ModuleVersion

    rows = db.session.execute(
        select(
            Module.id,
            Module.slug,
            ModuleVersion.id,
            ModuleVersion.requires,
            ModuleVersion.quiz,
            ModuleVersion.question_count,
        )
        .join(Course, Course.id == Module.course_id)
        .join(
            ModuleVersion,
            (ModuleVersion.module_id == Module.id)
            & (ModuleVersion.content_hash == Module.current_hash),
        )
        .where(Course.slug == COURSE_SLUG, Module.retired.is_(False))
        .order_by(Module.position)
    ).all()
    return [
        LiveModule(mid, slug, vid, list(requires or []), quiz if count else None)
        for mid, slug, vid, requires, quiz, count in rows
    ]
