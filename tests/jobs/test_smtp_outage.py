"""With the SMTP server stopped, forgot-password and CSV enrolment answer as usual; the mail
goes out through the real queue once the server (aiosmtpd) is back."""

import io
import re

import pytest
from sqlalchemy import func, select

from smresidency.auth.models import User
from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.jobs.conftest import drain, queue_config


@pytest.fixture
def app_config(smtp, tmp_path):
    smtp.stop()  # the hospital's mail server is down from the start
    return queue_config(smtp.port, tmp_path)


def _answer(client, email):
    return client.post("/forgot-password", data={"email": email}, follow_redirects=True)


def _flash(response) -> str:
    return re.search(r"If an account uses that address[^<]*", response.get_data(as_text=True))[0]


def test_forgot_password_answers_the_same_for_known_and_unknown(app, client, make_user, smtp):
    user = make_user(email="known@example.test")
    known = _answer(client, user.email)
    unknown = _answer(client, "nobody@example.test")
    assert known.status_code == unknown.status_code == 200
    assert known.request.path == unknown.request.path == "/login"
    assert _flash(known) == _flash(unknown)
    # the request only queued the mail (no SMTP in the request, so no wait on a slow relay);
    # how fast it answers is measured by `make bench`, not asserted here
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.status)).all() == ["pending"]
    smtp.start()
    drain(app)
    [message] = smtp.received
    assert message.rcpt_tos == ["known@example.test"]


def test_csv_enrolment_applies_and_the_welcome_follows_smtp(
    app, client, synced_course, make_cohort, login_as, smtp
):
    coordinator = login_as("coordinator")
    cohort_id, _ = make_cohort(synced_course, coordinators=[coordinator])
    upload = client.post(
        f"/cohorts/{cohort_id}/import",
        data={
            "file": (
                io.BytesIO(b"email,name,profession\nnew@example.test,New Person,clinician\n"),
                "p.csv",
            )
        },
        content_type="multipart/form-data",
    )
    payload = re.search(
        r'name="payload" type="hidden" value="([^"]+)"', upload.get_data(as_text=True)
    )
    done = client.post(f"/cohorts/{cohort_id}/import/confirm", data={"payload": payload[1]})
    assert done.status_code in (200, 302)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
        assert db.session.scalar(select(User.id).where(User.email == "new@example.test"))
        assert db.session.scalar(select(OutboxMessage.status)) == "pending"
    drain(app)  # the worker tries while SMTP is still down: nothing is lost
    assert smtp.received == []
    smtp.start()
    drain(app, later_seconds=31)
    [welcome] = smtp.received
    assert welcome.rcpt_tos == ["new@example.test"]
    assert b"set your password" in welcome.content
