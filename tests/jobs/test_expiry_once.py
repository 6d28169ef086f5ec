"""Expiry reminders stay once-only across a re-issued edition (a corrected name), and a
reminder whose certificate was revoked after it was queued is not sent."""

from sqlalchemy import select

from smresidency.certificates.models import Certificate
from smresidency.extensions import db
from tests.certificates.test_expiry import _enrolments, _tick
from tests.certificates.test_expiry import certify as certify  # the fixture


def _reminders(app) -> list[str]:
    from smresidency.mail.models import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [m.body for m in rows if "expires on" in m.subject]


def _new_edition(app, cert_id: int) -> int:
    """What a re-issue (a corrected name) leaves: another certificate row for the same
    enrolment and expiry date; the old row is gone here, so this runs with or without editions."""
    with app.app_context():
        old = db.session.get(Certificate, cert_id)
        copied = {
            c.key: getattr(old, c.key)
            for c in Certificate.__table__.columns
            if c.key not in ("id", "serial", "code", "recipient_name")
        }
        db.session.delete(old)
        db.session.flush()
        new = Certificate(**copied, serial="SMR-TEST-NEW", code="NEWCODE0001", recipient_name="New")
        db.session.add(new)
        db.session.commit()
        return new.id


def test_a_re_issued_edition_is_not_reminded_again(app, synced_course, make_cohort, certify):
    cohort_id, _ = make_cohort(synced_course, learners=2)
    holder, other = _enrolments(app, cohort_id)
    first = certify(holder, expires_in_days=25)
    certify(other, expires_in_days=400)  # so the new row cannot take the old row's id
    _tick(app)
    assert len(_reminders(app)) == 1  # the 30-day one
    assert _new_edition(app, first) != first
    _tick(app)
    _tick(app, days_later=1)
    assert len(_reminders(app)) == 1
    _tick(app, days_later=19)  # 6 days left: the 7-day reminder, once
    _tick(app, days_later=20)
    reminders = _reminders(app)
    assert len(reminders) == 2 and "in about 7 days" in reminders[1]


def test_a_reminder_queued_before_a_revocation_is_not_sent(
    app, synced_course, make_cohort, certify
):
    from smresidency.certificates.expiry import send_reminder

    cohort_id, _ = make_cohort(synced_course, learners=1)
    cert_id = certify(_enrolments(app, cohort_id)[0], expires_in_days=20, revoked=True)
    with app.app_context():  # the job runs after the certificate was revoked
        send_reminder(cert_id, 30)
        db.session.commit()
    assert _reminders(app) == []
