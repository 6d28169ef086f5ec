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

PER_PAIR = 3
PER_ADDRESS = 5
PER_ACCOUNT = 6


@pytest.fixture
def app_config():
    return {
        "LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS": PER_PAIR,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": PER_ADDRESS,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": PER_ACCOUNT,
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
        assert response.status_code == 200
        assert GENERIC_FAILURE in error_box(response)


def assert_throttled(response, window=900):
    """Refused unchecked: 429, the throttle message, and when to come back."""
    assert response.status_code == 429
    assert THROTTLED in error_box(response)
    assert 0 < int(response.headers["Retry-After"]) <= window


def failures(app, scope=None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(RateLimitHit)
        if scope:
            query = query.where(RateLimitHit.bucket == f"signin-{scope}")
        return db.session.scalar(query)


def test_an_address_that_keeps_failing_is_refused_even_the_right_password(client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR)
    assert_throttled(sign_in(client, user.email))
    assert client.get("/account").status_code == 302


def test_below_the_limit_the_right_password_works(client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR - 1)
    assert sign_in(client, user.email).status_code == 302


def test_someone_hammering_an_account_does_not_lock_its_owner_out(client, make_user):
    """Issue 12.2: failures from one address used to lock the account for everyone."""
    user = make_user()
    fail(client, user.email, PER_PAIR, address="203.0.113.66")
    assert_throttled(sign_in(client, user.email, address="203.0.113.66"))
    owner = sign_in(client, user.email, address="192.0.2.10")
    assert owner.status_code == 302
    assert client.get("/account").status_code == 200


def test_signing_in_does_not_forgive_the_attacker(client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR, address="203.0.113.66")
    assert sign_in(client, user.email, address="192.0.2.10").status_code == 302
    client.post("/logout")
    assert_throttled(sign_in(client, user.email, address="203.0.113.66"))


def test_a_distributed_guess_stops_addresses_that_failed_but_not_the_owner(client, make_user):
    user = make_user()
    for n in range(PER_ACCOUNT):
        fail(client, user.email, 1, address=f"198.51.100.{n}")
    # each of those addresses is below its own limit, but the account is under attack
    assert_throttled(sign_in(client, user.email, address="198.51.100.0"))
    assert sign_in(client, user.email, address="203.0.113.9").status_code == 302


def test_unknown_account_is_throttled_the_same_way(client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR, address="192.0.2.1")
    fail(client, "nobody@example.test", PER_PAIR, address="192.0.2.2")

    known = sign_in(client, user.email, address="192.0.2.1")
    unknown = sign_in(client, "nobody@example.test", address="192.0.2.2")
    assert_throttled(known)
    assert_throttled(unknown)
    assert error_box(known) == error_box(unknown)


def test_account_names_are_counted_case_insensitively(client, make_user):
    make_user(email="ann@example.test")
    fail(client, "ANN@example.test", PER_PAIR)
    assert_throttled(sign_in(client, "ann@example.test"))


def test_address_limit_trips_across_accounts(client, make_user):
    users = [make_user() for _ in range(3)]
    fail(client, users[0].email, 2)
    fail(client, users[1].email, 2)
    fail(client, users[2].email, 1)
    assert failures(client.application, "address") == PER_ADDRESS

    fresh = make_user()
    assert_throttled(sign_in(client, fresh.email))
    # The accounts themselves are not locked: the same user from another address signs in.
    assert sign_in(client, fresh.email, address="192.0.2.77").status_code == 302


def test_retry_after_says_when_the_oldest_failure_leaves_the_window(app, client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR)
    with app.app_context():
        window = app.config["LOGIN_WINDOW_SECONDS"]
        db.session.execute(
            update(RateLimitHit).values(created_at=utcnow() - timedelta(seconds=window - 120))
        )
        db.session.commit()
    response = sign_in(client, user.email)
    assert_throttled(response)
    assert 110 <= int(response.headers["Retry-After"]) <= 120


def test_success_clears_the_addresses_failures(client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR - 1)
    assert sign_in(client, user.email).status_code == 302
    assert failures(client.application, "pair") == 0
    client.post("/logout")

    fail(client, user.email, PER_PAIR - 1)
    assert sign_in(client, user.email).status_code == 302


def test_failures_outside_the_window_do_not_count(app, client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR)
    with app.app_context():
        window = app.config["LOGIN_WINDOW_SECONDS"]
        db.session.execute(
            update(RateLimitHit).values(created_at=utcnow() - timedelta(seconds=window + 60))
        )
        db.session.commit()
    assert sign_in(client, user.email).status_code == 302


def test_counts_live_in_the_database_and_every_app_instance_sees_them(app, client, make_user):
    user = make_user()
    fail(client, user.email, PER_PAIR)
    assert failures(app, "pair") == PER_PAIR
    assert failures(app, "address") == PER_PAIR

    other_worker = create_app(dict(app.config))
    try:
        assert other_worker is not app
        other_client = other_worker.test_client()
        assert_throttled(sign_in(other_client, user.email))
        assert other_client.get("/account").status_code == 302
    finally:
        with other_worker.app_context():
            db.session.remove()
            db.engine.dispose()
