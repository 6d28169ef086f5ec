"""Accounts: registration, sign-in and sign-out, sessions, passwords and their policy."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.auth.services import GENERIC_FAILURE
from tests.conftest import PASSWORD

COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "src/smresidency/auth/common_passwords.txt"

PASSPHRASE = "a long enough passphrase"


def sign_in(client, email, password=PASSWORD, **kwargs):
    """Submit the sign-in form the way a browser does."""
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def register(client, email="ann@example.com", password=PASSPHRASE, **extra):
    data = {"name": "Ann Example", "email": email, "password": password, "confirm": password}
    data.update(extra)
    return client.post("/register", data=data)


def is_signed_in(client) -> bool:
    """The account page opens only for a live session; otherwise it redirects to sign-in."""
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    return False


def form_errors(page: str) -> str:
    """The form-level error box of a page."""
    match = re.search(r'<div class="form-errors".*?</div>', page, re.S)
    return match.group(0) if match else ""


def field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def outbox_count(app) -> int:
    """Mails sent so far (a registration that goes ahead sends exactly one)."""
    from sqlalchemy import func

    from smresidency.extensions import db
    from smresidency.mail.models import OutboxMessage

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def stored_user(app, email):
    with app.app_context():
        from smresidency.extensions import db

        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


# --- registration (the e-mail link itself: test_registration.py) -----------------------------

SENT = "Check your e-mail"


def test_register_requires_matching_confirmation(client, app):
    page = register(client, confirm="something else entirely").get_data(as_text=True)
    assert "The passwords do not match." in field_error(page, "confirm")
    assert stored_user(app, "ann@example.com") is None
    assert outbox_count(app) == 0


# --- password policy at registration --------------------------------------------------------


def test_eleven_characters_are_refused(client, app):
    password = "elevenchars"
    assert len(password) == 11
    page = register(client, password=password).get_data(as_text=True)
    assert "Use at least 12 characters." in field_error(page, "password")
    assert stored_user(app, "ann@example.com") is None
    assert outbox_count(app) == 0


@pytest.mark.parametrize("password", ["tulip-harbor", "pass phrase " * 5 + "four"])
def test_twelve_and_sixty_four_characters_are_accepted(client, app, password):
    assert len(password) in (12, 64)
    response = register(client, password=password)
    assert SENT in response.get_data(as_text=True)
    assert outbox_count(app) == 1


def test_common_password_is_refused_in_any_case(client, app):
    entries = COMMON_PASSWORDS.read_text().splitlines()
    assert "iloveyou1234" in entries
    for password in ("iloveyou1234", "ILoveYou1234"):
        page = register(client, password=password).get_data(as_text=True)
        assert "commonly used passwords" in field_error(page, "password")
    assert stored_user(app, "ann@example.com") is None
    assert outbox_count(app) == 0


def test_password_equal_to_the_email_is_refused(client, app):
    email = "sam.smith@example.com"
    page = register(client, email=email, password=email).get_data(as_text=True)
    assert "Do not use your name or e-mail address" in field_error(page, "password")
    assert stored_user(app, email) is None
    assert outbox_count(app) == 0


def test_no_composition_rules_lowercase_passphrase_accepted(client, app):
    response = register(client, password="the quick brown otter swims at dawn")
    assert SENT in response.get_data(as_text=True)
    assert outbox_count(app) == 1


# --- sign in and out ------------------------------------------------------------------------


def test_sign_in_and_sign_out(client, make_user):
    user = make_user()
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert f"Welcome back, {user.name}." in client.get("/").get_data(as_text=True)
    assert is_signed_in(client)

    response = client.post("/logout", follow_redirects=True)
    assert "You are signed out." in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_sign_in_is_case_insensitive_for_the_email(client, make_user):
    user = make_user(email="ann@example.com")
    assert sign_in(client, "Ann@EXAMPLE.com").status_code == 302
    assert is_signed_in(client)
    assert user.name in client.get("/account").get_data(as_text=True)


def test_sign_in_starts_a_fresh_session(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "from before sign-in"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith("d.")  # a device session, see test_devices.py


def test_wrong_password_and_unknown_account_get_the_same_message(client, make_user):
    user = make_user(email="ann@example.com")
    wrong = sign_in(client, user.email, "not the right password")
    unknown = sign_in(client, "nobody@example.test", "not the right password")
    assert wrong.status_code == unknown.status_code == 200
    wrong_box = form_errors(wrong.get_data(as_text=True))
    unknown_box = form_errors(unknown.get_data(as_text=True))
    assert GENERIC_FAILURE in wrong_box
    assert wrong_box == unknown_box
    assert not is_signed_in(client)


def test_disabled_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert GENERIC_FAILURE in form_errors(response.get_data(as_text=True))
    assert not is_signed_in(client)


def test_protected_page_sends_to_sign_in_and_back(client, make_user):
    user = make_user()
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    response = sign_in(client, user.email, query_string={"next": "/account"})
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/login",
        "https://evil.example",
        "https://evil.example/account",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(client, make_user, target):
    user = make_user()
    response = sign_in(client, user.email, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_next_with_a_backslash_does_not_become_another_host(client, make_user):
    """Browsers read `/\\evil.example` as `//evil.example`; the Location must not allow that."""
    user = make_user()
    response = sign_in(client, user.email, query_string={"next": "/\\evil.example"})
    location = response.headers["Location"]
    assert not location.startswith(("//", "/\\"))
    assert "\\" not in location


# --- changing the password and ending sessions ---------------------------------------------


def change_password(client, current, new):
    return client.post("/account", data={"current": current, "password": new, "confirm": new})


def test_change_password_with_wrong_current_password_is_a_field_error(client, app, make_user):
    user = make_user()
    sign_in(client, user.email)
    response = change_password(client, "not my password at all", "a brand new passphrase")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your current password is not correct." in field_error(page, "current")
    client.post("/logout")
    assert sign_in(client, user.email).status_code == 302  # the old password still works


def test_change_password_applies_the_policy(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    page = change_password(client, PASSWORD, "too short").get_data(as_text=True)
    assert "Use at least 12 characters." in field_error(page, "password")


def test_change_password_ends_other_sessions_but_keeps_this_one(app, client, make_user):
    user = make_user()
    other = app.test_client()
    sign_in(client, user.email)
    sign_in(other, user.email)
    assert is_signed_in(other)

    response = change_password(client, PASSWORD, "a brand new passphrase")
    assert response.status_code == 302
    assert "Your password is changed." in client.get("/account").get_data(as_text=True)

    assert is_signed_in(client)
    assert not is_signed_in(other)
    assert stored_user(app, user.email).password_hash.startswith("$argon2id$")

    client.post("/logout")
    assert GENERIC_FAILURE in sign_in(client, user.email).get_data(as_text=True)
    assert sign_in(client, user.email, "a brand new passphrase").status_code == 302


def test_sign_out_everywhere_ends_every_session(app, client, make_user):
    user = make_user()
    other = app.test_client()
    sign_in(client, user.email)
    sign_in(other, user.email)

    response = client.post("/account/sign-out-everywhere", follow_redirects=True)
    assert "You are signed out on every device." in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert not is_signed_in(other)

    # The password is unchanged: signing in again works.
    assert sign_in(other, user.email).status_code == 302
    assert is_signed_in(other)


def test_sign_out_everywhere_needs_a_session(client):
    response = client.post("/account/sign-out-everywhere")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
