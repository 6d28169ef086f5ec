"""Registration by e-mail link: the page never tells whether an address has an account,
the owner of a taken address is told by mail, and /register is throttled per address."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from smresidency.auth.models import PendingRegistration, User
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.conftest import PASSWORD

PASSPHRASE = "a long enough passphrase"
REGISTER_LIMIT = 3


@pytest.fixture
def app_config():
    return {"REGISTER_MAX_PER_ADDRESS": REGISTER_LIMIT}


def register(client, email="ann@example.com", name="Ann Example", address="192.0.2.1"):
    data = {"name": name, "email": email, "password": PASSPHRASE, "confirm": PASSPHRASE}
    return client.post("/register", data=data, environ_base={"REMOTE_ADDR": address})


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return messages


def link_in(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/register/confirm/[A-Za-z0-9_-]+)", message.body)
    assert match, message.body
    return match.group(1)


def users(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(User.email).order_by(User.id)))


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def main_content(response) -> str:
    """The page without the CSRF token and the e-mail address typed, which always differ."""
    page = response.get_data(as_text=True)
    page = re.sub(r'name="csrf_token"[^>]*>', "", page)
    return re.sub(r"[\w.+-]+@example\.(com|test)", "EMAIL", page)


def test_a_taken_address_gets_the_same_page_as_a_new_one(app, client, make_user):
    """Issue 12.4: a taken address used to be answered 'An account with this e-mail
    address already exists', so anyone could test which people have accounts."""
    make_user(email="taken@example.com")
    taken = register(client, email="taken@example.com")
    fresh = register(client, email="fresh@example.com")
    assert taken.status_code == fresh.status_code == 200
    assert "already exists" not in taken.get_data(as_text=True)
    assert main_content(taken) == main_content(fresh)
    assert "Check your e-mail" in fresh.get_data(as_text=True)
    assert not signed_in(client)


def test_the_owner_of_a_taken_address_is_told_by_mail(app, client, make_user):
    owner = make_user(email="taken@example.com", name="Tara Owner")
    register(client, email="TAKEN@example.com", name="Mallory")
    [message] = outbox(app)
    assert message.recipient == owner.email
    assert "Someone tried to register" in message.subject
    assert "Hello Tara Owner" in message.body
    assert "http://localhost/login" in message.body
    assert "http://localhost/forgot-password" in message.body
    assert "/register/confirm/" not in message.body
    assert users(app) == [owner.email]
    # the owner's password is unchanged
    assert (
        client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 302
    )


def test_a_new_address_gets_a_link_that_creates_the_account(app, client):
    register(client, email="Ann@Example.COM")
    [message] = outbox(app)
    assert message.recipient == "ann@example.com"
    assert "within 24 hours" in message.body
    assert "Ann Example" not in message.body  # whoever typed the name has not proved the address
    assert users(app) == []

    path = link_in(message)
    page = client.get(path)
    assert page.status_code == 200
    assert "Create my account" in page.get_data(as_text=True)
    assert users(app) == []  # opening the link (as a mail scanner would) creates nothing

    response = client.post(path, data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your account is ready" in client.get("/").get_data(as_text=True)
    assert signed_in(client)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.name, user.roles) == (
            "ann@example.com",
            "Ann Example",
            {"learner"},
        )
        assert user.password_hash.startswith("$argon2id$") and PASSPHRASE not in user.password_hash
        assert db.session.scalar(select(PendingRegistration)) is None

    client.post("/logout")
    assert (
        client.post("/login", data={"email": "ANN@example.com", "password": PASSPHRASE}).status_code
        == 302
    )


def test_a_link_works_once(app, client):
    register(client)
    path = link_in(outbox(app)[0])
    assert client.post(path, data={"confirm": "y"}).status_code == 302
    client.post("/logout")
    again = client.post(path, data={"confirm": "y"})
    assert again.status_code == 404
    assert "This link cannot be used" in again.get_data(as_text=True)
    assert client.get(path).status_code == 404
    assert users(app) == ["ann@example.com"]


def test_the_first_link_opened_wins_and_later_ones_die(app, client):
    register(client)
    register(client, name="Someone Else")
    first, second = (link_in(m) for m in outbox(app))
    assert client.post(second, data={"confirm": "y"}).status_code == 302
    client.post("/logout")
    assert client.post(first, data={"confirm": "y"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(User.name)) == "Someone Else"


def test_an_expired_link_creates_nothing(app, client):
    register(client)
    path = link_in(outbox(app)[0])
    with app.app_context():
        db.session.execute(
            update(PendingRegistration).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert client.post(path, data={"confirm": "y"}).status_code == 404
    assert users(app) == []


def test_a_made_up_link_is_not_found(client):
    assert client.get("/register/confirm/not-a-real-token").status_code == 404


def test_register_is_throttled_per_address_with_retry_after(app, client, make_user):
    make_user(email="taken@example.com")
    codes = [
        register(client, email=f"p{i}@example.test").status_code for i in range(REGISTER_LIMIT)
    ]
    assert codes == [200] * REGISTER_LIMIT
    refused = register(client, email="taken@example.com")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= app.config["REGISTER_WINDOW_SECONDS"]
    assert "Too many registrations from your address" in refused.get_data(as_text=True)
    # the same answer for a new address, and another address is not affected
    assert register(client, email="new@example.test").status_code == 429
    assert register(client, email="new@example.test", address="192.0.2.2").status_code == 200
    assert len(outbox(app)) == REGISTER_LIMIT + 1


def test_one_mailbox_gets_only_a_few_registration_mails(app, client, make_user):
    make_user(email="taken@example.com")
    limit = app.config["REGISTER_MAX_MAIL_PER_ACCOUNT"]
    for n in range(limit + 2):
        response = register(client, email="taken@example.com", address=f"198.51.100.{n}")
        assert response.status_code == 200
        assert "Check your e-mail" in response.get_data(as_text=True)
    assert len(outbox(app)) == limit


def test_the_confirm_page_is_protected_by_csrf(app, client):
    register(client)
    path = link_in(outbox(app)[0])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(path, data={"confirm": "y"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert users(app) == []
