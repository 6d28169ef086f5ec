"""Joining through a cohort invitation without an account answers like /register: the page
never says whether the address has an account; the owner of a taken address is mailed, and a
new address gets a link that makes the account and joins the cohort."""

import re

import pytest
from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.cohorts import services
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage

PASSPHRASE = "a calm blue morning sea"


@pytest.fixture
def app_config():
    return {"REGISTER_MAX_PER_ADDRESS": 2}


def mails_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return found


def join_link(app, address: str) -> str:
    """The confirmation link in the last mail to this address."""
    body = mails_to(app, address)[-1].body
    match = re.search(r"http://localhost(/join/[^/\s]+/confirm/[A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


@pytest.fixture
def invitation(app, synced_course, make_cohort):
    cohort_id, _ = make_cohort(synced_course, name="Autumn")
    with app.test_request_context(), app.app_context():
        return cohort_id, services.invite_token(db.session.get(Cohort, cohort_id))


def join(client, token, email, name="Nia Okafor"):
    return client.post(
        f"/join/{token}",
        data={
            "name": name,
            "email": email,
            "password": PASSPHRASE,
            "confirm": PASSPHRASE,
            "profession": "clinician",
        },
    )


def visible(response) -> str:
    """The page as a person sees it, without the form's per-request token and the address."""
    text = response.get_data(as_text=True)
    text = re.sub(r'name="csrf_token"[^>]*>', "", text)
    return text.replace("taken@example.test", "ADDRESS").replace("new@example.test", "ADDRESS")


def test_a_taken_address_gets_the_same_page_as_a_new_one(app, client, invitation, make_user):
    _, token = invitation
    owner = make_user("learner", email="taken@example.test", name="Tam Owner")
    taken = join(client, token, "taken@example.test", name="Someone Else")
    fresh = join(client, token, "new@example.test")
    assert taken.status_code == fresh.status_code == 200
    assert "already" not in taken.get_data(as_text=True)
    assert visible(taken) == visible(fresh)
    (notice,) = mails_to(app, "taken@example.test")
    assert "No new account was made" in notice.body and "join Autumn" in notice.body
    assert f"/join/{token}" in notice.body
    with app.app_context():
        assert db.session.get(User, owner.id).name == "Tam Owner"
        assert db.session.scalar(select(Enrolment)) is None


def test_the_mailed_link_makes_the_account_and_joins(app, client, invitation):
    cohort_id, token = invitation
    join(client, token, "new@example.test")
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "new@example.test")) is None
    link = join_link(app, "new@example.test")
    assert client.get(link).status_code == 200  # a mail scanner's fetch makes nothing
    response = client.post(link)
    assert response.status_code == 302 and "/courses/" in response.headers["Location"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.test"))
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
        assert (enrolment.cohort_id, enrolment.profession) == (cohort_id, "clinician")
    assert client.post(link).status_code == 404  # once


def test_a_withdrawn_invitation_makes_the_link_fail(app, client, invitation):
    cohort_id, token = invitation
    join(client, token, "new@example.test")
    link = join_link(app, "new@example.test")
    with app.app_context():
        services.revoke_invites(db.session.get(Cohort, cohort_id))
        db.session.commit()
    assert client.post(link).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "new@example.test")) is None


def test_a_link_for_another_cohort_is_refused(app, client, invitation, make_cohort):
    _, token = invitation
    other_id, _ = make_cohort("social-media-residency", name="Winter")
    with app.test_request_context(), app.app_context():
        other = services.invite_token(db.session.get(Cohort, other_id))
    join(client, token, "new@example.test")
    reg = join_link(app, "new@example.test").rsplit("/", 1)[1]
    assert client.post(f"/join/{other}/confirm/{reg}").status_code == 404


def test_registrations_from_one_address_are_limited_as_on_register(app, client, invitation):
    _, token = invitation
    for n in range(2):
        assert join(client, token, f"new{n}@example.test").status_code == 200
    refused = join(client, token, "new9@example.test")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "Too many registrations from your address" in refused.get_data(as_text=True)
    assert mails_to(app, "new9@example.test") == []
