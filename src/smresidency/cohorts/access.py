"""Which cohorts a person may see or run, enforced in the queries themselves."""

from sqlalchemy import Select, exists, select

from smresidency.cohorts.models import Cohort, CohortStaff


def visible_cohorts(user) -> Select:
    """Cohorts this user may look at: admins all; coordinators and faculty their own."""
    query = select(Cohort)
    if user.has_role("admin"):
        return query
    return query.where(
        exists().where(CohortStaff.cohort_id == Cohort.id, CohortStaff.user_id == user.id)
    )


def managed_cohorts(user) -> Select:
    """Cohorts this user may change (enrol, upload, remind): admins all; their coordinators."""
    query = select(Cohort)
    if user.has_role("admin"):
        return query
    return query.where(
        exists().where(
            CohortStaff.cohort_id == Cohort.id,
            CohortStaff.user_id == user.id,
            CohortStaff.role == "coordinator",
        )
    )


def cohort_or_none(user, cohort_id: int, manage: bool = False) -> Cohort | None:
    """One cohort if this user may see it (or manage it); None hides its existence."""
    from smresidency.extensions import db

    query = managed_cohorts(user) if manage else visible_cohorts(user)
    return db.session.scalar(query.where(Cohort.id == cohort_id))


def taught_cohorts(user) -> Select:
    """Cohorts this user teaches (faculty), where they run the immersion day; admins all."""
    query = select(Cohort)
    if user.has_role("admin"):
        return query
    return query.where(
        exists().where(
            CohortStaff.cohort_id == Cohort.id,
            CohortStaff.user_id == user.id,
            CohortStaff.role == "faculty",
        )
    )


def taught_cohort_or_none(user, cohort_id: int) -> Cohort | None:
    """One cohort this user teaches, or None (the view answers 404)."""
    from smresidency.extensions import db

    return db.session.scalar(taught_cohorts(user).where(Cohort.id == cohort_id))
