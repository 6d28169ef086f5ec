"""The last line of defence: whatever a stored name holds, mail and CSV cells print it clean."""

import csv
import io

import pytest
from sqlalchemy import select, update

from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from smresidency.mail.services import send_mail
from tests.cohorts import test_dashboard as dashboard_tests
from tests.fixtures.control_characters import FORBIDDEN, FORBIDDEN_IN_BODY, NAMES

course, seeded, staff = dashboard_tests.course, dashboard_tests.seeded, dashboard_tests.staff


def last_mail(app) -> OutboxMessage:
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        db.session.expunge(message)
    return message


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_send_mail_cleans_subject_and_body(app, name):
    with app.app_context():
        send_mail("ann@example.test", f"About {name}", f"Hello {name},\r\n\r\nLine two.\n")
        db.session.commit()
    message = last_mail(app)
    assert not FORBIDDEN.search(message.subject)
    assert not FORBIDDEN_IN_BODY.search(message.body)
    assert message.body.endswith(",\n\nLine two.\n")


def test_the_password_reset_mail_greets_a_legacy_name_on_one_line(app, client, make_user):
    user = make_user(email="ann@example.com")
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == user.id).values(name=NAMES["header injection"])
        )
        db.session.commit()
    client.post("/forgot-password", data={"email": user.email})
    body = last_mail(app).body
    assert body.startswith("Hello Line One Bcc: victim@evil.example,\n")
    assert "\nBcc:" not in body and "\r" not in body


def test_the_csv_export_prints_a_legacy_name_in_one_clean_cell(app, client, login_as, seeded):
    ben = seeded["people"]["Ben Baker"]
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == ben.id).values(name="Ben\r\nBaker \u202eTXT.exe")
        )
        db.session.commit()
    login_as(user=seeded["coordinator"])
    response = client.get(f"/cohorts/{seeded['cohort_id']}/export.csv")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    assert not FORBIDDEN.search(text.replace("\r\n", ""))  # only the row ends remain
    names = [r[0] for r in csv.reader(io.StringIO(text[1:], newline=""))]
    assert "Ben Baker TXT.exe" in names
