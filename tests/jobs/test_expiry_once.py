"""Expiry reminders stay once-only across a re-issued edition (a corrected name), and a
reminder whose certificate was revoked after it was queued is not sent."""

from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.certificates.models import Certificate
from smresidency.certificates.reissue import reissue
from smresidency.extensions import db
from tests.certificates.test_expiry import _enrolments, _tick
from tests.certificates.test_expiry import certify as certify  # the fixture


def _reminders(app) -> list[str]:
    from smresidency.mail.models import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [m.body for m in rows if "expires on" in m.subject]


def test_a_re_issued_edition_is_not_reminded_again(
    app, synced_course, make_user, make_cohort, certify
):
    admin = make_user("admin")
    cohort_id, _ = make_cohort(synced_course, learners=1)
    first = certify(_enrolments(app, cohort_id)[0], expires_in_days=25)
    _tick(app)
    assert len(_reminders(app)) == 1  # the 30-day one
    with app.app_context():  # the holder's name was corrected: a new edition, same expiry
        new = reissue(db.session.get(Certificate, first), db.session.get(User, admin.id), "name")
        db.session.commit()
        assert new.id != first and new.expires_at is not None
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
