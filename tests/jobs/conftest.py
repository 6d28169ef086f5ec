"""The real queue (Huey on SQLite, or on the local Redis) and a real SMTP server (aiosmtpd)."""

import os
import uuid

import pytest

from tests.oidc.harness import free_port

REDIS_URL = os.environ.get("SMRESIDENCY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a fixed port that a test can stop and start again."""

    def __init__(self, port: int):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list:
        return self.inbox.messages


@pytest.fixture
def smtp():
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def queue_config(smtp_port: int, tmp_path, redis: bool = False) -> dict:
    """Mail over SMTP through the real queue: no eager jobs."""
    config = {
        "JOBS_EAGER": False,
        "JOBS_SQLITE_PATH": str(tmp_path / "queue.sqlite3"),
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "SMTP_STARTTLS": False,
        "SMTP_TIMEOUT": 5,
    }
    if redis:
        config["REDIS_URL"] = REDIS_URL
        config["REDIS_KEY_PREFIX"] = f"smresidency-test-jobs-{uuid.uuid4().hex[:8]}"
    return config


def require_redis() -> None:
    """Skip without Redis, except under SMRESIDENCY_REQUIRE_SERVICES (CI), where it fails."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as err:
        message = f"Redis not reachable at {REDIS_URL}: {err}"
        if os.environ.get("SMRESIDENCY_REQUIRE_SERVICES"):
            pytest.fail(message + " (SMRESIDENCY_REQUIRE_SERVICES is set)")
        pytest.skip(message)


def drain(app, later_seconds: int = 0) -> int:
    """Run what the queue holds now (and what is scheduled within later_seconds), as the
    worker's consumer would; returns how many tasks ran."""
    import datetime

    from smresidency.jobs.queue import get_huey

    huey = get_huey(app)
    ran = 0
    moment = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(
        seconds=later_seconds
    )
    for task in huey.read_schedule(moment):
        huey.enqueue(task)
    while (task := huey.dequeue()) is not None:
        huey.execute(task, moment)
        ran += 1
    return ran
