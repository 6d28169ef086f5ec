"""The admin's list of waiting and failed jobs; a retry sends the mail once SMTP is back."""

import pytest
from sqlalchemy import select

from smresidency.extensions import db
from smresidency.jobs.models import Job
from smresidency.mail.services import send_mail
from tests.jobs.conftest import drain, queue_config


@pytest.fixture
def app_config(smtp, tmp_path):
    return queue_config(smtp.port, tmp_path) | {"JOBS_MAX_ATTEMPTS": 1}


def test_a_failed_mail_is_listed_and_an_admin_retries_it(app, client, login_as, smtp):
    smtp.stop()
    with app.app_context():
        send_mail("ann@example.test", "Your certificate", "Body")
        db.session.commit()
    drain(app)
    login_as("admin")
    assert 'href="/admin/jobs/"' in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "Mail to ann@example.test: Your certificate" in page
    assert "failed" in page
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
    smtp.start()
    answer = client.post(f"/admin/jobs/{job_id}/retry")
    assert answer.status_code == 302
    drain(app)
    assert [m.rcpt_tos for m in smtp.received] == [["ann@example.test"]]
    assert "Nothing is waiting" in client.get("/admin/jobs/").get_data(as_text=True)


def test_a_finished_job_cannot_be_retried(app, client, login_as, smtp):
    with app.app_context():
        send_mail("ann@example.test", "Hello", "Body")
        db.session.commit()
        job_id = db.session.scalar(select(Job.id))
    drain(app)
    login_as("admin")
    assert client.post(f"/admin/jobs/{job_id}/retry").status_code == 404
    assert len(smtp.received) == 1


@pytest.mark.parametrize("role", ["learner", "coordinator", "instructor"])
def test_only_admins_see_the_jobs(client, login_as, role):
    login_as(role)
    assert client.get("/admin/jobs/").status_code == 403
    assert client.post("/admin/jobs/1/retry").status_code == 403
