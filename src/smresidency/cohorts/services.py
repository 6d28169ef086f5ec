"""Cohort writes: create and edit, staff, enrolment, moves, invitations. Services flush only."""

from datetime import date

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from smresidency.auth.models import User
from smresidency.cohorts.models import (
    PROFESSIONS,
    Cohort,
    CohortStaff,
    Enrolment,
    new_invite_nonce,
)
from smresidency.db import utcnow
from smresidency.extensions import db

# a change to any of these sends calendars a new version of the immersion-day invite
CALENDAR_FIELDS = ("immersion_date", "timezone", "place", "online_link")


class CohortError(Exception):
    """A cohort request that cannot be honoured; the message is safe to show."""


def save_cohort(cohort: Cohort | None, **fields) -> Cohort:
    """Create a cohort or update its fields; names are unique within a course."""
    cohort = cohort or Cohort()
    clash = db.session.scalar(
        select(Cohort.id).where(
            Cohort.course_id == fields["course_id"],
            Cohort.name == fields["name"],
            Cohort.id != (cohort.id or 0),
        )
    )
    if clash:
        raise CohortError("Another cohort of this course already has that name.")
    if cohort.id and fields["capacity"] < active_count(cohort.id):
        raise CohortError("The capacity cannot be below the number of learners enrolled.")
    if cohort.id and any(
        key in fields and fields[key] != getattr(cohort, key) for key in CALENDAR_FIELDS
    ):
        cohort.calendar_sequence = (cohort.calendar_sequence or 0) + 1
    for key, value in fields.items():
        setattr(cohort, key, value)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def set_staff(cohort: Cohort, faculty: list[User], coordinators: list[User]) -> None:
    """Replace the cohort's faculty (instructors) and coordinators."""
    for person in faculty:
        if not person.has_any_role(("instructor", "admin")):
            raise CohortError(f"{person.name} is not an instructor, so cannot be faculty.")
    for person in coordinators:
        if not person.has_any_role(("coordinator", "admin")):
            raise CohortError(f"{person.name} is not a coordinator.")
    db.session.execute(CohortStaff.__table__.delete().where(CohortStaff.cohort_id == cohort.id))
    db.session.add_all(
        [CohortStaff(cohort_id=cohort.id, user_id=u.id, role="faculty") for u in faculty]
        + [CohortStaff(cohort_id=cohort.id, user_id=u.id, role="coordinator") for u in coordinators]
    )
    db.session.flush()


def active_count(cohort_id: int) -> int:
    """Active enrolments of a cohort."""
    return db.session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
    )


def _lock(cohort: Cohort) -> None:
    """Serialise capacity checks on PostgreSQL (SQLite already holds the write lock)."""
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())


def _check_room(cohort: Cohort) -> None:
    _lock(cohort)
    if active_count(cohort.id) >= cohort.capacity:
        raise CohortError(f"{cohort.name} is full ({cohort.capacity} places).")


def enrolment_of(user_id: int, course_id: int) -> Enrolment | None:
    """The learner's enrolment in a course, in whichever cohort."""
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def enrol(
    cohort: Cohort, user: User, profession: str = "", department: str = "", by: User | None = None
) -> Enrolment:
    """Add a learner to a cohort within its capacity; refuses a second cohort of one course."""
    if profession and profession not in PROFESSIONS:
        raise CohortError(f"Unknown profession “{profession}”.")
    existing = enrolment_of(user.id, cohort.course_id)
    if existing and existing.cohort_id == cohort.id and existing.status == "active":
        raise CohortError(f"{user.name} is already enrolled in {cohort.name}.")
    if existing and existing.cohort_id != cohort.id and existing.status == "active":
        raise CohortError(
            f"{user.name} is enrolled in another cohort of this course; move them instead."
        )
    _check_room(cohort)
    if existing:
        existing.cohort_id = cohort.id
        existing.status = "active"
        existing.withdrawn_at = None
        enrolment = existing
    else:
        enrolment = Enrolment(cohort_id=cohort.id, user_id=user.id, course_id=cohort.course_id)
        db.session.add(enrolment)
    enrolment.profession = profession or enrolment.profession or ""
    enrolment.department = department or enrolment.department or ""
    enrolment.updated_by_id = by.id if by else None
    if not user.has_role("learner"):
        from smresidency.auth.services import set_roles

        set_roles(user, {*user.roles, "learner"})
    db.session.flush()
    return enrolment


def withdraw(enrolment: Enrolment, by: User) -> None:
    """Take a learner out of the cohort; their progress stays."""
    if enrolment.status == "withdrawn":
        raise CohortError("This learner is already withdrawn.")
    enrolment.status = "withdrawn"
    enrolment.withdrawn_at = utcnow()
    enrolment.updated_by_id = by.id
    db.session.flush()


def readmit(enrolment: Enrolment, cohort: Cohort, by: User) -> None:
    """Bring a withdrawn learner back, if there is room."""
    if enrolment.status == "active":
        raise CohortError("This learner is already active.")
    _check_room(cohort)
    enrolment.status = "active"
    enrolment.withdrawn_at = None
    enrolment.updated_by_id = by.id
    db.session.flush()


def move(enrolment: Enrolment, target: Cohort, by: User) -> None:
    """Move a learner to another cohort of the same course; progress is per learner, so it stays."""
    if target.course_id != enrolment.course_id:
        raise CohortError("A learner can only move to a cohort of the same course.")
    if target.id == enrolment.cohort_id:
        raise CohortError("The learner is already in that cohort.")
    _check_room(target)
    enrolment.cohort_id = target.id
    enrolment.status = "active"
    enrolment.withdrawn_at = None
    enrolment.updated_by_id = by.id
    db.session.flush()


# --- invitation links -------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="cohort-invite")


def invite_token(cohort: Cohort) -> str:
    """A signed link token naming the cohort and its current nonce."""
    return _serializer().dumps({"c": cohort.id, "n": cohort.invite_nonce})


def cohort_for_invite(token: str) -> Cohort:
    """The cohort an invitation is for, or CohortError saying why the link does not work."""
    max_age = current_app.config["INVITE_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise CohortError(
            "This invitation link has expired. Ask your coordinator for a new one."
        ) from err
    except BadSignature as err:
        raise CohortError("This invitation link is not valid.") from err
    cohort = db.session.get(Cohort, data.get("c"))
    if cohort is None or cohort.invite_nonce != data.get("n"):
        raise CohortError(
            "This invitation link has been withdrawn. Ask your coordinator for a new one."
        )
    return cohort


def revoke_invites(cohort: Cohort) -> None:
    """Every invitation link issued so far stops working."""
    cohort.invite_nonce = new_invite_nonce()
    db.session.flush()


def days_left(cohort: Cohort, today: date | None = None) -> int:
    """Days from today until the immersion day (negative once it has passed)."""
    return (cohort.immersion_date - (today or utcnow().date())).days
