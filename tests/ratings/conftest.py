"""Fixtures for the self-ratings tests: the real course, a cohort, and helpers to move its day."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from smresidency.catalog.models import Course
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.schedule import local_today
from smresidency.extensions import db as _db
from smresidency.immersion.models import CheckOff, CheckOffEvent
from smresidency.ratings.models import SelfRating

COURSE = "social-media-residency"


def rate_url(phase: str, course: str = COURSE) -> str:
    return f"/courses/{course}/ratings/{phase}"


def answers(competencies: list[str], *values: int) -> dict:
    """Form data rating every competency: one value for all, or one value per competency."""
    values = values * len(competencies) if len(values) == 1 else values
    return {f"c-{c}": str(v) for c, v in zip(competencies, values, strict=True)}


@pytest.fixture
def competencies(app, synced_course) -> list[str]:
    """The real course's competency ids, in order."""
    with app.app_context():
        course = _db.session.scalar(select(Course).where(Course.slug == synced_course))
        return [c["id"] for c in course.competencies]


@pytest.fixture
def residency(app, synced_course, make_user, make_cohort):
    """A cohort with a coordinator, a faculty member and two learners; its day is in a week."""
    staff = {"coordinator": make_user("coordinator"), "faculty": make_user("instructor")}
    cohort_id, learners = make_cohort(
        synced_course,
        coordinators=[staff["coordinator"]],
        faculty=[staff["faculty"]],
        learners=2,
        immersion_in_days=7,
    )
    return {"cohort_id": cohort_id, "learners": learners, **staff}


@pytest.fixture
def move_day(app):
    """Put a cohort's immersion day `days` from today, counted in the cohort's own zone."""

    def move(cohort_id: int, days: int) -> None:
        with app.app_context():
            cohort = _db.session.get(Cohort, cohort_id)
            cohort.immersion_date = local_today(cohort) + timedelta(days=days)
            _db.session.commit()

    return move


@pytest.fixture
def stored(app):
    """The SelfRating rows of a learner in this course: {phase: ratings}."""

    def read(user_id: int) -> dict:
        with app.app_context():
            rows = _db.session.execute(
                select(SelfRating.phase, SelfRating.ratings)
                .join(Enrolment, Enrolment.id == SelfRating.enrolment_id)
                .where(Enrolment.user_id == user_id)
            ).all()
            return {phase: ratings for phase, ratings in rows}

    return read


@pytest.fixture
def checklist(app):
    """A learner's self-rating item: (checked or None, [(action, by_id)])."""

    def read(user_id: int, item_id: str = "self-rating-after"):
        with app.app_context():
            enrolment = _db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user_id))
            checked = _db.session.scalar(
                select(CheckOff.checked).where(
                    CheckOff.enrolment_id == enrolment, CheckOff.item_id == item_id
                )
            )
            events = _db.session.execute(
                select(CheckOffEvent.action, CheckOffEvent.by_id).where(
                    CheckOffEvent.enrolment_id == enrolment, CheckOffEvent.item_id == item_id
                )
            ).all()
            return checked, [tuple(e) for e in events]

    return read


@pytest.fixture
def backdate(app):
    """Pretend a learner's phase was first given `days` ago."""

    def move(user_id: int, phase: str, days: int) -> None:
        with app.app_context():
            enrolment = select(Enrolment.id).where(Enrolment.user_id == user_id)
            row = _db.session.scalar(
                select(SelfRating).where(
                    SelfRating.enrolment_id == enrolment.scalar_subquery(),
                    SelfRating.phase == phase,
                )
            )
            row.created_at = row.created_at - timedelta(days=days)
            _db.session.commit()

    return move


def withdraw(app, user_id: int) -> None:
    with app.app_context():
        _db.session.execute(
            update(Enrolment).where(Enrolment.user_id == user_id).values(status="withdrawn")
        )
        _db.session.commit()
