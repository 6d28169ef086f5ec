"""`flask worker` as its own process runs what a request queued (SQLite queue, real SMTP)."""

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.jobs.conftest import queue_config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def app_config(smtp, tmp_path):
    return queue_config(smtp.port, tmp_path)


def test_the_worker_process_delivers_queued_mail(
    app, client, make_user, smtp, tmp_path, database_url
):
    user = make_user(email="ann@example.test")
    client.post("/forgot-password", data={"email": user.email})
    env = {
        **os.environ,
        "FLASK_APP": "smresidency",
        "SMRESIDENCY_ENV": "testing",
        "SMRESIDENCY_SECRET_KEY": "worker-test-secret-key-long-enough-for-the-check",
        "SMRESIDENCY_DATABASE_URL": database_url,
        "SMRESIDENCY_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "SMRESIDENCY_JOBS_SQLITE_PATH": app.config["JOBS_SQLITE_PATH"],
        "SMRESIDENCY_MAIL_BACKEND": "smtp",
        "SMRESIDENCY_SMTP_HOST": "127.0.0.1",
        "SMRESIDENCY_SMTP_PORT": str(smtp.port),
        "SMRESIDENCY_SMTP_STARTTLS": "false",
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60  # a generous wait: a busy machine starts it slowly
        while not smtp.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        log.close()
    assert len(smtp.received) == 1, (tmp_path / "worker.log").read_text()
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == "sent"
