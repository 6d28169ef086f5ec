"""Sign-in throttling per account and per address, counted in the shared store."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from smresidency import create_app
from smresidency.auth.services import GENERIC_FAILURE, THROTTLED
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.ratelimit.models import RateLimitHit
from tests.conftest import PASSWORD

PER_ACCOUNT = 3
PER_ADDRESS = 5


@pytest.fixture
def app_config():
    return {
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": PER_ACCOUNT,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": PER_ADDRESS,
    }


def sign_in(client, email, password=PASSWORD, address="192.0.2.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def error_box(response) -> str:
    match = re.search(r'<div class="form-errors".*?</div>', response.get_data(as_text=True), re.S)
    return match.group(0) if match else ""


def fail(client, email, times, address="192.0.2.1"):
    for _ in range(times):
        response = sign_in(client, email, "not the password at all", address)
        assert GENERIC_FAILURE in error_box(response)


def failures(app, scope=None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(RateLimitHit)
        if scope:
            query = query.where(RateLimitHit.bucket == f"signin-{scope}")
        return db.session.scalar(query)


def test_account_limit_refuses_even_the_right_password(client, make_user):
    user = make_user()
    fail(client, user.email, PER_ACCOUNT)
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert THROTTLED in error_box(response)
    assert client.get("/account").status_code == 302


def test_below_the_account_limit_the_right_password_works(client, make_user):
    user = make_user()
    fail(client, user.email, PER_ACCOUNT - 1)
    assert sign_in(client, user.email).status_code == 302


def test_account_limit_counts_failures_from_every_address(client, make_user):
    user = make_user()
    for n in range(PER_ACCOUNT):
        fail(client, user.email, 1, address=f"198.51.100.{n}")
    response = sign_in(client, user.email, address="203.0.113.9")
    assert THROTTLED in error_box(response)


def test_unknown_account_is_throttled_the_same_way(client, make_user):
    user = make_user()
    fail(client, user.email, PER_ACCOUNT, address="192.0.2.1")
    fail(client, "nobody@example.test", PER_ACCOUNT, address="192.0.2.2")

    known = sign_in(client, user.email, address="192.0.2.1")
    unknown = sign_in(client, "nobody@example.test", address="192.0.2.2")
    assert THROTTLED in error_box(known)
    assert error_box(known) == error_box(unknown)


def test_account_names_are_counted_case_insensitively(client, make_user):
    make_user(email="ann@example.test")
    fail(client, "ANN@example.test", PER_ACCOUNT)
    assert THROTTLED in error_box(sign_in(client, "ann@example.test"))


def test_address_limit_trips_across_accounts(client, make_user):
    users = [make_user() for _ in range(3)]
    fail(client, users[0].email, 2)
    fail(client, users[1].email, 2)
    fail(client, users[2].email, 1)
    assert failures(client.application, "address") == PER_ADDRESS

    fresh = make_user()
    response = sign_in(client, fresh.email)
    assert THROTTLED in error_box(response)
    # The accounts themselves are not locked: the same user from another address signs in.
    assert sign_in(client, fresh.email, address="192.0.2.77").status_code == 302


def test_success_clears_the_accounts_failures(client, make_user):
    user = make_user()
    fail(client, user.email, PER_ACCOUNT - 1)
    assert sign_in(client, user.email).status_code == 302
    assert failures(client.application, "account") == 0
    client.post("/logout")

    fail(client, user.email, PER_ACCOUNT - 1)
    assert sign_in(client, user.email).status_code == 302


def test_failures_outside_the_window_do_not_count(app, client, make_user):
    user = make_user()
    fail(client, user.email, PER_ACCOUNT)
    with app.app_context():
        window = app.config["LOGIN_WINDOW_SECONDS"]
        db.session.execute(
            update(RateLimitHit).values(created_at=utcnow() - timedelta(seconds=window + 60))
        )
        db.session.commit()
    assert sign_in(client, user.email).status_code == 302


def test_counts_live_in_the_database_and_every_app_instance_sees_them(app, client, make_user):
    user = make_user()
    fail(client, user.email, PER_ACCOUNT)
    assert failures(app, "account") == PER_ACCOUNT
    assert failures(app, "address") == PER_ACCOUNT

    other_worker = create_app(dict(app.config))
    try:
        assert other_worker is not app
        other_client = other_worker.test_client()
        response = sign_in(other_client, user.email)
        assert THROTTLED in error_box(response)
        assert other_client.get("/account").status_code == 302
    finally:
        with other_worker.app_context():
            db.session.remove()
            db.engine.dispose()
