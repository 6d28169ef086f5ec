"""Which cohorts a person may see or run, enforced in the queries themselves."""

from sqlalchemy import Select, exists, select

from smresidency.cohorts.models import Cohort, CohortStaff


def _staff_of(user, roles: tuple[str, ...] | None) -> Select:
    """Cohorts where the user holds one of these staff roles (any role when None); admins all."""
    query = select(Cohort)
    if user.has_role("admin"):
        return query
    clause = exists().where(CohortStaff.cohort_id == Cohort.id, CohortStaff.user_id == user.id)
    if roles is not None:
        clause = clause.where(CohortStaff.role.in_(roles))
    return query.where(clause)


def visible_cohorts(user) -> Select:
    """Cohorts this user may look at: admins all; coordinators and faculty their own."""
    return _staff_of(user, None)


def managed_cohorts(user) -> Select:
    """Cohorts this user may change (enrol, upload, remind): admins all; their coordinators."""
    return _staff_of(user, ("coordinator",))


def taught_cohorts(user) -> Select:
    """Cohorts this user teaches (faculty), where they run the immersion day; admins all."""
    return _staff_of(user, ("faculty",))


def with_course(query: Select) -> Select:
    """A cohort query that also loads each cohort's course, in the same statement."""
    from sqlalchemy.orm import contains_eager

    return query.join(Cohort.course).options(contains_eager(Cohort.course))


def scoped_cohort(query: Select, cohort_id: int) -> Cohort | None:
    """One cohort of a scoping query (visible, managed, taught) with its course, or None."""
    from smresidency.extensions import db

    return db.session.scalar(with_course(query).where(Cohort.id == cohort_id))


def cohort_or_none(user, cohort_id: int, manage: bool = False) -> Cohort | None:
    """One cohort if this user may see it (or manage it); None hides its existence."""
    from smresidency.extensions import db

    query = managed_cohorts(user) if manage else visible_cohorts(user)
    return db.session.scalar(query.where(Cohort.id == cohort_id))


def taught_cohort_or_none(user, cohort_id: int) -> Cohort | None:
    """One cohort this user teaches, or None (the view answers 404)."""
    from smresidency.extensions import db

    return db.session.scalar(taught_cohorts(user).where(Cohort.id == cohort_id))
