"""The one next thing a signed-in learner should do in each course they have begun."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select, union

from smresidency.catalog.models import Course, Module
from smresidency.extensions import db
from smresidency.learning import queries
from smresidency.learning.models import ModuleProgress


@dataclass(frozen=True)
class NextStep:
    """A course the learner has begun, where to go next, and how far they are."""

    course_title: str
    label: str
    url: str
    completed: int
    total: int


def _begun_course_slugs(user_id: int) -> list[str]:
    """Courses with an active enrolment or any reading mark, in one statement."""
    from smresidency.cohorts.models import Enrolment

    enrolled = select(Enrolment.course_id.label("cid")).where(
        Enrolment.user_id == user_id, Enrolment.status == "active"
    )
    read = (
        select(Module.course_id.label("cid"))
        .join(ModuleProgress, ModuleProgress.module_id == Module.id)
        .where(ModuleProgress.user_id == user_id)
    )
    ids = union(enrolled, read).subquery()
    return list(
        db.session.scalars(
            select(Course.slug).where(Course.id.in_(select(ids.c.cid))).order_by(Course.title)
        )
    )


def _step(outline: queries.Outline, user_id: int) -> tuple[str, str]:
    """The label and address of the next thing: a module, its quiz, the day or the certificate."""
    slug = outline.course.slug
    up = outline.next_up
    if up is not None:
        if up.status == "read":
            return (
                f"Continue: the quiz of “{up.version.title}”",
                url_for(
                    "learning.module", course_slug=slug, module_slug=up.module.slug, _anchor="quiz"
                ),
            )
        verb = "Continue" if outline.started else "Start"
        return (
            f"{verb}: {up.version.title}",
            url_for("learning.module", course_slug=slug, module_slug=up.module.slug),
        )
    if outline.finished:
        certificate = queries.certificate_for(user_id, outline.course.id)
        if certificate is not None and certificate.revoked_at is None:
            return "View your certificate", url_for("certificates.show", cert_id=certificate.id)
        return "Continue: your immersion day", url_for("immersion.my_day", course_slug=slug)
    return "Open the course", url_for("learning.course", course_slug=slug)


def next_steps(user_id: int) -> list[NextStep]:
    """One step per begun course; a handful of statements per course, never per module."""
    steps = []
    for slug in _begun_course_slugs(user_id):
        outline = queries.course_outline(slug, user_id)
        if outline is None:
            continue
        label, url = _step(outline, user_id)
        steps.append(
            NextStep(outline.course.title, label, url, outline.completed, len(outline.modules))
        )
    return steps
