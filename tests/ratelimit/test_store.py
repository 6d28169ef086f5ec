"""The shared rate-limit store: database by default, Redis when REDIS_URL is set."""

import os
import uuid

import pytest

from smresidency import create_app, ratelimit
from smresidency.extensions import db

REDIS_URL = os.environ.get("SMRESIDENCY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        message = (
            f"Redis not reachable at {REDIS_URL}: start it with `redis-server --daemonize yes`"
        )
        if os.environ.get("SMRESIDENCY_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(params=["database", "redis"])
def store_app(request, app):
    """The same app, once counting in the database and once in Redis."""
    if request.param == "redis":
        _redis_or_skip()
        app.config["REDIS_URL"] = REDIS_URL
    return app


def test_limit_allows_up_to_the_maximum_then_refuses(store_app):
    bucket = f"test-{uuid.uuid4().hex[:8]}"
    with store_app.app_context():
        assert [ratelimit.limit(bucket, "k", 3, 60) for _ in range(5)] == [
            True,
            True,
            True,
            False,
            False,
        ]
        assert ratelimit.limit(bucket, "other-key", 3, 60) is True
        db.session.commit()


def test_keys_are_case_insensitive_and_clear_forgets(store_app):
    bucket = f"test-{uuid.uuid4().hex[:8]}"
    with store_app.app_context():
        ratelimit.hit(bucket, "Ana@Example.test", 60)
        assert ratelimit.count(bucket, "ana@example.test", 60) == 1
        ratelimit.clear(bucket, "ANA@example.test")
        assert ratelimit.count(bucket, "ana@example.test", 60) == 0
        db.session.commit()


def test_two_app_instances_share_one_count(store_app):
    """As two gunicorn workers would: the second sees the first one's hits."""
    bucket = f"test-{uuid.uuid4().hex[:8]}"
    with store_app.app_context():
        for _ in range(2):
            ratelimit.hit(bucket, "shared", 60)
        db.session.commit()
    other = create_app(dict(store_app.config))
    with other.app_context():
        assert ratelimit.count(bucket, "shared", 60) == 2
        assert ratelimit.limit(bucket, "shared", 2, 60) is False
        db.session.remove()
        db.engine.dispose()


def test_password_reset_requests_are_limited_per_account(store_app):
    client = store_app.test_client()
    email = f"{uuid.uuid4().hex[:8]}@example.test"
    codes = [client.post("/forgot-password", data={"email": email}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    refused = client.post("/forgot-password", data={"email": email})
    assert "Too many reset requests" in refused.get_data(as_text=True)
    window = store_app.config["RESET_WINDOW_SECONDS"]
    assert window - 60 <= int(refused.headers["Retry-After"]) <= window


def test_password_reset_requests_are_limited_per_address(store_app):
    store_app.config["RESET_MAX_PER_ADDRESS"] = 2
    client = store_app.test_client()
    address = {"REMOTE_ADDR": f"198.51.100.{uuid.uuid4().int % 250}"}
    codes = [
        client.post(
            "/forgot-password", data={"email": f"p{i}@example.test"}, environ_base=address
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]


def test_prune_command_removes_only_old_database_hits(app, runner):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from smresidency.db import utcnow
    from smresidency.ratelimit.models import RateLimitHit

    with app.app_context():
        ratelimit.hit("prune-test", "old", 60)
        ratelimit.hit("prune-test", "new", 60)
        db.session.execute(
            update(RateLimitHit)
            .where(RateLimitHit.key == "old")
            .values(created_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
    result = runner.invoke(args=["db", "prune"])
    assert result.exit_code == 0
    assert "Removed 1 rate-limit hit(s)" in result.output
    with app.app_context():
        keys = db.session.scalars(select(RateLimitHit.key)).all()
        assert keys == ["new"]
        assert db.session.scalar(select(func.count()).select_from(RateLimitHit)) == 1


def test_retry_after_is_when_the_oldest_counted_hit_leaves_the_window(store_app):
    bucket = f"test-{uuid.uuid4().hex[:8]}"
    with store_app.app_context():
        assert ratelimit.retry_after(bucket, "k", 2, 600) == 0
        for _ in range(3):
            ratelimit.hit(bucket, "k", 600)
        waits = [ratelimit.retry_after(bucket, "k", n, 600) for n in (4, 3, 2)]
        db.session.commit()
    assert waits[0] == 0
    assert 590 <= waits[1] <= 600
    assert 590 <= waits[2] <= 600


def test_retry_after_counts_from_the_hit_that_frees_a_place(app):
    from datetime import timedelta

    from sqlalchemy import update

    from smresidency.db import utcnow
    from smresidency.ratelimit.models import RateLimitHit

    with app.app_context():
        ratelimit.hit("aged", "k", 600)
        db.session.execute(
            update(RateLimitHit).values(created_at=utcnow() - timedelta(seconds=500))
        )
        ratelimit.hit("aged", "k", 600)
        # at most 2 allowed: the old hit frees a place in about 100 s
        assert 95 <= ratelimit.retry_after("aged", "k", 2, 600) <= 100
        # at most 1 allowed: both must leave; the newer one goes in about 600 s
        assert 595 <= ratelimit.retry_after("aged", "k", 1, 600) <= 600
        db.session.commit()
