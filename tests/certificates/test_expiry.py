"""Expiry reminders at 60, 30 and 7 days, each sent once, and the coordinators' 90-day list."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from smresidency.catalog.models import Course
from smresidency.certificates.expiry import queue_due_reminders
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.jobs import periodic
from smresidency.mail.models import OutboxMessage


@pytest.fixture
def certify(app):
    """certify(enrolment_id, expires_in_days, revoked=False) -> certificate id."""
    counter = iter(range(1, 1000))

    def build(enrolment_id, expires_in_days, revoked=False):
        n = next(counter)
        with app.app_context():
            enrolment = db.session.get(Enrolment, enrolment_id)
            course = db.session.scalar(select(Course))
            cert = Certificate(
                user_id=enrolment.user_id,
                course_id=course.id,
                enrolment_id=enrolment.id,
                cohort_id=enrolment.cohort_id,
                serial=f"SMR-TEST-{n:04d}",
                code=f"CODE{n:012d}",
                recipient_name=f"Holder {n}",
                course_title=course.title,
                immersion_date=utcnow().date(),
                expires_at=utcnow() + timedelta(days=expires_in_days),
                revoked_at=utcnow() if revoked else None,
            )
            db.session.add(cert)
            db.session.commit()
            return cert.id

    return build


def _enrolments(app, cohort_id):
    with app.app_context():
        return db.session.scalars(
            select(Enrolment.id).where(Enrolment.cohort_id == cohort_id).order_by(Enrolment.id)
        ).all()


def _mail(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _tick(app, days_later=0):
    """The daily scheduled job, as if run days_later days from now."""
    with app.app_context():
        queue_due_reminders(utcnow() + timedelta(days=days_later))
        db.session.commit()


def test_a_holder_is_reminded_at_60_30_and_7_days_once_each(
    app, synced_course, make_cohort, certify
):
    cohort_id, [learner] = make_cohort(synced_course, learners=1)
    certify(_enrolments(app, cohort_id)[0], expires_in_days=59.5)
    with app.app_context():
        periodic.certificate_expiry()  # what the worker's scheduler runs each morning
    _tick(app)  # and again the same day: nothing more
    [first] = _mail(app)
    assert first.recipient == learner.email
    assert "expires on" in first.subject
    assert "in about 60 days" in first.body
    assert "To recertify, ask your coordinator for a place in a coming cohort" in first.body
    assert f"/courses/{synced_course}" in first.body
    for day in range(1, 60):
        _tick(app, days_later=day)
    bodies = [m.body for m in _mail(app)]
    assert len(bodies) == 3
    assert "in about 30 days" in bodies[1]
    assert "in about 7 days" in bodies[2]


def test_a_certificate_found_late_gets_only_the_nearest_reminder(
    app, synced_course, make_cohort, certify
):
    cohort_id, _ = make_cohort(synced_course, learners=1)
    certify(_enrolments(app, cohort_id)[0], expires_in_days=25)
    _tick(app)
    [only] = _mail(app)
    assert "in about 30 days" in only.body


def test_revoked_far_off_and_unlimited_certificates_get_no_reminder(
    app, synced_course, make_cohort, certify
):
    cohort_id, _ = make_cohort(synced_course, learners=2)
    first, second = _enrolments(app, cohort_id)
    certify(first, expires_in_days=20, revoked=True)
    certify(second, expires_in_days=200)
    _tick(app)
    assert _mail(app) == []


def test_coordinators_see_their_own_cohorts_expiring_within_90_days(
    app, client, synced_course, make_user, make_cohort, certify, login_as
):
    coordinator = make_user("coordinator")
    other = make_user("coordinator")
    mine, _ = make_cohort(synced_course, name="Mine", coordinators=[coordinator], learners=2)
    theirs, _ = make_cohort(synced_course, name="Theirs", coordinators=[other], learners=1)
    soon, later = _enrolments(app, mine)
    certify(soon, expires_in_days=80)
    certify(later, expires_in_days=120)
    certify(_enrolments(app, theirs)[0], expires_in_days=10)
    login_as(user=coordinator)
    page = client.get("/certificates/expiring").get_data(as_text=True)
    assert "SMR-TEST-0001" in page
    assert "SMR-TEST-0002" not in page  # 120 days away
    assert "SMR-TEST-0003" not in page  # another coordinator's cohort
    assert "1 certificate(s), soonest first" in page


def test_learners_cannot_see_the_expiring_list(client, login_as):
    login_as("learner")
    assert client.get("/certificates/expiring").status_code == 403
