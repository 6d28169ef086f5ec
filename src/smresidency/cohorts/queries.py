"""Reads for cohort administration pages; each a fixed number of statements."""

from sqlalchemy import func, select

from smresidency.auth.models import User, UserRole
from smresidency.catalog.models import Course
from smresidency.cohorts.access import visible_cohorts
from smresidency.cohorts.models import Cohort, CohortStaff, Enrolment
from smresidency.extensions import db


def cohort_list(user) -> list[tuple[Cohort, Course, int]]:
    """Cohorts this user may see, with their course and active learner count, soonest first."""
    active = (
        select(Enrolment.cohort_id, func.count().label("n"))
        .where(Enrolment.status == "active")
        .group_by(Enrolment.cohort_id)
        .subquery()
    )
    visible = visible_cohorts(user).subquery()
    rows = db.session.execute(
        select(Cohort, Course, func.coalesce(active.c.n, 0))
        .join(visible, visible.c.id == Cohort.id)
        .join(Course, Course.id == Cohort.course_id)
        .outerjoin(active, active.c.cohort_id == Cohort.id)
        .order_by(Cohort.immersion_date, Cohort.name)
    ).all()
    return [tuple(r) for r in rows]


def people(cohort_id: int) -> list[tuple[Enrolment, User]]:
    """Everyone ever enrolled in the cohort, active first, by name."""
    rows = db.session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.cohort_id == cohort_id)
        .order_by(Enrolment.status, User.name)
    ).all()
    return [tuple(r) for r in rows]


def users_with_role(role: str) -> list[User]:
    """Candidates for a staff list (instructors for faculty, coordinators)."""
    return db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.name)
    ).all()


def staff_ids(cohort_id: int) -> dict[str, list[int]]:
    """The cohort's faculty and coordinator user ids."""
    rows = db.session.execute(
        select(CohortStaff.role, CohortStaff.user_id).where(CohortStaff.cohort_id == cohort_id)
    ).all()
    out: dict[str, list[int]] = {"faculty": [], "coordinator": []}
    for role, user_id in rows:
        out[role].append(user_id)
    return out


def sibling_cohorts(cohort: Cohort, user) -> list[Cohort]:
    """Other cohorts of the same course this user manages: where a learner can be moved."""
    from smresidency.cohorts.access import managed_cohorts

    return db.session.scalars(
        managed_cohorts(user)
        .where(Cohort.course_id == cohort.course_id, Cohort.id != cohort.id)
        .order_by(Cohort.immersion_date)
    ).all()


def active_enrolment(user_id: int, course_id: int) -> Enrolment | None:
    """The learner's own active enrolment in a course, with its cohort loaded; the one way
    learner pages (immersion day, plan, ratings) find their record, so none reads another's."""
    from sqlalchemy.orm import contains_eager

    return db.session.scalar(
        select(Enrolment)
        .join(Enrolment.cohort)
        .options(contains_eager(Enrolment.cohort))
        .where(
            Enrolment.user_id == user_id,
            Enrolment.course_id == course_id,
            Enrolment.status == "active",
        )
    )


def courses() -> list[Course]:
    """Courses a cohort can be created for."""
    return db.session.scalars(select(Course).order_by(Course.title)).all()
