"""Sending coordinator reminders: records, the interval at send time, outsiders, access."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from smresidency.cohorts.models import Reminder
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.cohorts import test_reminders as shared
from tests.cohorts.test_reminders import _post, _url, counts, enrolment_id, remind_at

course, world = shared.course, shared.world  # fixtures


# --- sending ----------------------------------------------------------------------------------


def test_send_mails_and_records_each_learner(client, login_as, world):
    login_as(user=world.coordinator)
    response = _post(client, world, [world.a, world.b], send=True)
    assert response.status_code == 200
    assert "2 sent · 0 skipped" in response.get_data(as_text=True)
    ids = {enrolment_id(client.application, u) for u in (world.a, world.b)}
    with client.application.app_context():
        rows = db.session.scalars(select(Reminder).order_by(Reminder.enrolment_id)).all()
        mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert {r.enrolment_id for r in rows} == ids
    assert {(r.kind, r.sent_by_id) for r in rows} == {("manual", world.coordinator.id)}
    assert set(mails) == {world.a.email, world.b.email}
    assert mails[world.b.email].body.startswith("Hello B Learner, you are at 75%.\n- Four\n")
    assert mails[world.b.email].subject == "Please finish Remind course"
    assert {r.body for r in rows} == {m.body for m in mails.values()}


def test_a_second_send_right_after_skips_everyone(client, login_as, world):
    login_as(user=world.coordinator)
    _post(client, world, [world.a, world.b], send=True)
    again = _post(client, world, [world.a, world.b], send=True).get_data(as_text=True)
    assert "0 sent · 2 skipped" in again
    assert "reminded on" in again
    assert counts(client.application) == (2, 2)


def test_the_interval_is_enforced_at_send_time(client, login_as, world):
    login_as(user=world.coordinator)
    remind_at(client.application, world.a, utcnow() - timedelta(hours=71), kind="due")
    remind_at(client.application, world.b, utcnow() - timedelta(hours=73))
    page = _post(client, world, [world.a, world.b], send=True).get_data(as_text=True)
    assert "1 sent · 1 skipped" in page
    with client.application.app_context():
        assert db.session.scalars(select(OutboxMessage.recipient)).all() == [world.b.email]


def test_everyone_at_risk(client, login_as, world):
    login_as(user=world.coordinator)
    response = _post(client, world, [], send=True, everyone_at_risk="y")
    assert "1 sent · 0 skipped" in response.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalars(select(OutboxMessage.recipient)).all() == [world.a.email]


def test_learners_outside_the_cohort_are_ignored(client, login_as, world):
    login_as(user=world.coordinator)
    outsiders = [world.c, world.d, world.e, world.coordinator]
    only_outsiders = _post(client, world, outsiders, send=True)
    assert only_outsiders.status_code == 422
    assert "None of the chosen learners" in only_outsiders.get_data(True)
    response = _post(client, world, [*outsiders, world.a], send=True)
    assert "1 sent · 0 skipped" in response.get_data(as_text=True)
    a_enrolment = enrolment_id(client.application, world.a)
    with client.application.app_context():
        assert db.session.scalars(select(OutboxMessage.recipient)).all() == [world.a.email]
        assert db.session.scalars(select(Reminder.enrolment_id)).all() == [a_enrolment]


# --- access -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, world):
    for response in (client.get(_url(world)), _post(client, world, [world.a], send=True)):
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_are_refused(client, login_as, world, role):
    login_as(user=world.faculty if role == "instructor" else world.a)
    assert client.get(_url(world)).status_code == 403
    assert _post(client, world, [world.a]).status_code == 403
    assert _post(client, world, [world.a], send=True).status_code == 403
    assert counts(client.application) == (0, 0)


def test_coordinator_of_another_cohort_gets_404(client, login_as, world):
    login_as(user=world.other_coordinator)
    assert client.get(_url(world)).status_code == 404
    assert _post(client, world, [world.a]).status_code == 404
    assert _post(client, world, [world.a], send=True).status_code == 404
    assert client.get("/cohorts/999999/remind").status_code == 404
    assert counts(client.application) == (0, 0)


def test_admin_may_remind_any_cohort(client, login_as, world):
    admin = login_as("admin")
    assert client.get(_url(world)).status_code == 200
    _post(client, world, [world.a], send=True)
    with client.application.app_context():
        assert db.session.scalars(select(Reminder.sent_by_id)).all() == [admin.id]


def test_send_does_not_answer_get(client, login_as, world):
    login_as(user=world.coordinator)
    assert client.get(_url(world, send=True)).status_code == 405
