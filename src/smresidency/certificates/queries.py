"""Reads for certificate pages; an owner sees their own, staff the cohorts they may see."""

from sqlalchemy import select

from smresidency.catalog.models import Course
from smresidency.certificates.models import Certificate
from smresidency.cohorts.access import visible_cohorts
from smresidency.extensions import db


def own(user_id: int) -> list[tuple[Certificate, Course]]:
    """The learner's certificates, newest first."""
    return [
        tuple(r)
        for r in db.session.execute(
            select(Certificate, Course)
            .join(Course, Course.id == Certificate.course_id)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc())
        )
    ]


def own_one(user_id: int, cert_id: int) -> tuple[Certificate, Course] | None:
    """One of the learner's certificates with its course, or None."""
    row = db.session.execute(
        select(Certificate, Course)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.id == cert_id, Certificate.user_id == user_id)
    ).first()
    return tuple(row) if row else None


def by_code(code: str) -> Certificate | None:
    """The certificate a verification code names; codes are compared without spaces or dashes."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return db.session.scalar(select(Certificate).where(Certificate.code == cleaned))


def of_cohort(user, cohort_id: int) -> list[Certificate]:
    """A cohort's certificates, for its coordinators, faculty and admins."""
    visible = visible_cohorts(user).subquery()
    return db.session.scalars(
        select(Certificate)
        .join(visible, visible.c.id == Certificate.cohort_id)
        .where(Certificate.cohort_id == cohort_id)
        .order_by(Certificate.recipient_name)
    ).all()


def for_staff(user, cert_id: int) -> Certificate | None:
    """One certificate of a cohort this user may see."""
    visible = visible_cohorts(user).subquery()
    return db.session.scalar(
        select(Certificate)
        .join(visible, visible.c.id == Certificate.cohort_id)
        .where(Certificate.id == cert_id)
    )


def holder_names(cohort_id: int) -> dict[int, str]:
    """The current account names of a cohort's certificate holders, to offer re-issues."""
    from smresidency.auth.models import User

    return dict(
        db.session.execute(
            select(User.id, User.name)
            .join(Certificate, Certificate.user_id == User.id)
            .where(Certificate.cohort_id == cohort_id)
            .distinct()
        ).all()
    )


def replacement(cert: Certificate) -> Certificate | None:
    """The certificate that replaced this one (re-issued under a corrected name), or None."""
    return db.session.get(Certificate, cert.replaced_by_id) if cert.replaced_by_id else None
