"""A reminder's subject line refuses hidden control characters; nothing is previewed or sent."""

from sqlalchemy import func, select

from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.cohorts import test_reminders as reminder_tests
from tests.test_control_characters import REFUSED, field_error

course, world, _post = reminder_tests.course, reminder_tests.world, reminder_tests._post


def test_a_subject_with_a_bidi_override_is_refused(app, client, login_as, world):
    login_as(user=world.coordinator)
    for send in (False, True):
        response = _post(client, world, [world.a], send=send, subject="Finish \u202e{course}")
        assert response.status_code == 422
        assert REFUSED in field_error(response.get_data(as_text=True), "subject")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
