"""Password reset by e-mail: one mail, a single-use expiring link, every session ended."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from smresidency.auth.models import PasswordResetToken
from smresidency.auth.services import GENERIC_FAILURE
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.conftest import PASSWORD

CONFIRMATION = "If an account uses that address, we have e-mailed it a link to reset the password."
NEW_PASSWORD = "a freshly chosen passphrase"


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return messages


def request_reset(client, email):
    return client.post("/forgot-password", data={"email": email}, follow_redirects=True)


def link_in(message: OutboxMessage) -> str:
    """The path of the reset link in a mail."""
    match = re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", message.body)
    assert match, message.body
    return match.group(1)


def reset(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def is_signed_in(client) -> bool:
    response = client.get("/account")
    return response.status_code == 200


def test_request_sends_one_mail_with_a_link(app, client, make_user):
    user = make_user(email="ann@example.com", name="Ann Example")
    response = request_reset(client, "ann@example.com")
    assert response.request.path == "/login"
    assert CONFIRMATION in response.get_data(as_text=True)

    [message] = outbox(app)
    assert message.recipient == user.email
    assert message.subject == "Reset your Social Media Residency password"
    assert "Hello Ann Example" in message.body
    assert "within 60 minutes" in message.body
    page = client.get(link_in(message))
    assert page.status_code == 200
    assert "Choose a new password" in page.get_data(as_text=True)


def test_request_matches_the_address_case_insensitively(app, client, make_user):
    make_user(email="ann@example.com")
    request_reset(client, "Ann@Example.COM")
    assert [m.recipient for m in outbox(app)] == ["ann@example.com"]


def test_request_works_for_accounts_on_reserved_domains(app, client, make_user):
    """Demo accounts (and CLI-made ones) use example.test; they must be able to reset too."""
    make_user(email="admin@example.test")
    response = request_reset(client, "admin@example.test")
    assert CONFIRMATION in response.get_data(as_text=True)
    assert [m.recipient for m in outbox(app)] == ["admin@example.test"]


def test_unknown_address_gets_the_same_message_and_no_mail(app, client, make_user):
    make_user(email="ann@example.com")
    response = request_reset(client, "nobody@example.com")
    assert response.request.path == "/login"
    assert CONFIRMATION in response.get_data(as_text=True)
    assert outbox(app) == []


def test_disabled_account_gets_no_mail(app, client, make_user):
    make_user(email="ann@example.com", active=False)
    response = request_reset(client, "ann@example.com")
    assert CONFIRMATION in response.get_data(as_text=True)
    assert outbox(app) == []


def test_link_sets_a_new_password(app, client, make_user):
    user = make_user(email="ann@example.com")
    request_reset(client, user.email)
    [message] = outbox(app)

    response = reset(client, link_in(message))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "Your password is reset." in client.get("/login").get_data(as_text=True)

    assert GENERIC_FAILURE in sign_in(client, user.email).get_data(as_text=True)
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_new_password_must_meet_the_policy_and_the_link_survives(app, client, make_user):
    user = make_user(email="ann@example.com")
    request_reset(client, user.email)
    path = link_in(outbox(app)[0])

    page = reset(client, path, "too short").get_data(as_text=True)
    assert "Use at least 12 characters." in page
    assert reset(client, path).status_code == 302
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_link_works_once(app, client, make_user):
    user = make_user(email="ann@example.com")
    request_reset(client, user.email)
    path = link_in(outbox(app)[0])
    assert reset(client, path).status_code == 302

    for response in (client.get(path), reset(client, path, "yet another passphrase")):
        assert response.status_code == 404
        assert "This reset link cannot be used" in response.get_data(as_text=True)
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_made_up_link_is_refused(client):
    response = client.get("/reset-password/not-a-real-token")
    assert response.status_code == 404
    assert "This reset link cannot be used" in response.get_data(as_text=True)


def test_expired_link_is_refused(app, client, make_user):
    user = make_user(email="ann@example.com")
    request_reset(client, user.email)
    path = link_in(outbox(app)[0])
    with app.app_context():
        db.session.execute(
            update(PasswordResetToken).values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()

    assert client.get(path).status_code == 404
    response = reset(client, path)
    assert response.status_code == 404
    assert "This reset link cannot be used" in response.get_data(as_text=True)
    assert sign_in(client, user.email).status_code == 302  # the old password still works


def test_reset_ends_existing_sessions(app, client, make_user):
    user = make_user(email="ann@example.com")
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)
    assert is_signed_in(elsewhere)

    request_reset(client, user.email)
    reset(client, link_in(outbox(app)[0]))

    response = elsewhere.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_setting_a_password_voids_every_outstanding_link(app, client, make_user):
    user = make_user(email="ann@example.com")
    request_reset(client, user.email)
    request_reset(client, user.email)
    older, newer = (link_in(m) for m in outbox(app))
    assert older != newer

    assert reset(client, newer).status_code == 302
    response = reset(client, older, "yet another passphrase")
    assert response.status_code == 404
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_voids_outstanding_links(app, client, make_user):
    user = make_user(email="ann@example.com")
    request_reset(client, user.email)
    path = link_in(outbox(app)[0])

    sign_in(client, user.email)
    client.post(
        "/account", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert client.get(path).status_code == 404
