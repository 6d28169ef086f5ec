"""`flask jobs run NAME`: cron can still run each scheduled job."""

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.jobs.models import Job
from smresidency.mail.services import send_mail


def test_each_scheduled_job_runs_from_the_command_line(runner):
    for name in ("sweep", "reminders-due", "certificate-expiry", "prune"):
        result = runner.invoke(args=["jobs", "run", name])
        assert result.exit_code == 0, result.output
        assert f"{name}: done." in result.output


def test_the_sweep_runs_a_job_the_queue_lost(app, runner):
    app.config["JOBS_EAGER"] = False  # the commit hands the job to a queue nobody reads
    with app.app_context():
        send_mail("ann@example.test", "Hello", "Body")
        db.session.commit()
        job = db.session.scalar(select(Job))
        job.updated_at = job.updated_at.replace(year=job.updated_at.year - 1)
        db.session.commit()
    app.config["JOBS_EAGER"] = True  # the sweep's hand-over now runs it here
    assert runner.invoke(args=["jobs", "run", "sweep"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Job.status)) == "done"
