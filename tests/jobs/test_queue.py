"""Jobs through the real queue: written with the request, queued after its commit, run once."""

import pytest
from sqlalchemy import select

from smresidency.extensions import db
from smresidency.jobs.models import Job
from smresidency.jobs.queue import get_huey
from smresidency.mail.models import OutboxMessage
from smresidency.mail.services import send_mail
from tests.jobs.conftest import drain, queue_config, require_redis


@pytest.fixture(params=["sqlite", "redis"])
def app_config(request, smtp, tmp_path):
    if request.param == "redis":
        require_redis()
    return queue_config(smtp.port, tmp_path, redis=request.param == "redis")


def test_the_queue_is_sqlite_by_default_and_redis_with_redis_url(app):
    storage = type(get_huey(app).storage).__name__
    assert storage == ("RedisStorage" if app.config.get("REDIS_URL") else "SqliteStorage")


def test_mail_is_queued_at_commit_and_sent_by_the_worker(app, client, make_user, smtp):
    user = make_user(email="ann@example.test")
    response = client.post("/forgot-password", data={"email": user.email})
    assert response.status_code == 302
    assert smtp.received == []  # nothing was sent inside the request
    assert get_huey(app).pending_count() == 1
    assert drain(app) == 1
    [message] = smtp.received
    assert message.rcpt_tos == ["ann@example.test"]
    assert b"/reset-password/" in message.content
    with app.app_context():
        sent = db.session.scalar(select(OutboxMessage))
        assert sent.status == "sent"
        assert "reset-password" not in sent.body  # the link is not kept once delivered
        assert db.session.scalar(select(Job.status)) == "done"


def test_a_rolled_back_transaction_queues_nothing(app, smtp):
    with app.app_context():
        send_mail("ann@example.test", "Hello", "Body")
        db.session.rollback()
        assert db.session.scalar(select(Job)) is None
    assert get_huey(app).pending_count() == 0
    assert drain(app) == 0
    assert smtp.received == []


def test_a_job_run_twice_sends_one_mail(app, smtp):
    with app.app_context():
        send_mail("ann@example.test", "Hello", "Body")
        db.session.commit()
        job_id = db.session.scalar(select(Job.id))
        get_huey(app).run_job_task(job_id)  # the same job handed to the queue a second time
    assert drain(app) == 2
    assert len(smtp.received) == 1


def test_a_failing_job_is_retried_with_growing_pauses(app, smtp):
    smtp.stop()
    with app.app_context():
        send_mail("ann@example.test", "Hello", "Body")
        db.session.commit()
    assert drain(app) == 1
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert (job.status, job.attempts) == ("pending", 1)
        assert "Connection refused" in job.last_error or "Errno" in job.last_error
    huey = get_huey(app)
    assert huey.scheduled_count() == 1  # the retry waits in the schedule, not in the queue
    assert drain(app) == 0  # not due yet
    assert drain(app, later_seconds=31) == 1  # second try after 30 s: fails again
    assert drain(app, later_seconds=45) == 0  # the next pause is 60 s
    smtp.start()
    assert drain(app, later_seconds=91) == 1
    assert len(smtp.received) == 1
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert (job.status, job.attempts, job.last_error) == ("done", 3, "")
