"""What the queue's scheduler runs instead of cron; cron may still run each (docs/deploy.md)."""

from flask import current_app

from smresidency.extensions import db


def sweep() -> None:
    """Every few minutes: hand lost or due pending jobs back to the queue."""
    from smresidency.jobs.services import sweep as sweep_jobs

    sweep_jobs()
    db.session.commit()


def reminders_due() -> None:
    """Daily: remind unfinished learners of cohorts whose immersion day is near."""
    from smresidency.cohorts import reminders
    from smresidency.cohorts.cli import _course_url

    if not current_app.config.get("BASE_URL") and not current_app.config.get("SERVER_NAME"):
        current_app.logger.warning("reminders not sent: set BASE_URL so mail can carry links")
        return
    for cohort in reminders.due_cohorts(current_app.config["REMINDER_DUE_DAYS"]):
        roster = reminders.roster(cohort)
        url = _course_url(roster.course.slug, None)
        subject, body = reminders.default_message(roster, current_app.config["SITE_NAME"], url)
        reminders.send(roster, roster.learners, subject, body, url, kind="due")
        db.session.commit()


def certificate_expiry() -> None:
    """Daily: queue the 60-, 30- and 7-day expiry reminders that are due (each only once)."""
    from smresidency.certificates.expiry import queue_due_reminders

    queue_due_reminders()
    db.session.commit()


def prune() -> None:
    """Nightly: what `flask db prune` removes, plus finished jobs and xAPI statements the
    LRS has had, older than a month."""
    from datetime import timedelta

    from sqlalchemy import delete

    from smresidency.auth.devices import prune_idle
    from smresidency.auth.registration import prune_expired
    from smresidency.db import utcnow
    from smresidency.jobs.models import DONE, Job
    from smresidency.ratelimit.store import prune as prune_hits
    from smresidency.xapi.services import prune as prune_statements

    prune_hits(86400)
    prune_statements(30)
    prune_idle()
    prune_expired()
    db.session.execute(
        # keyed jobs stay: their key is what keeps a once-only job (an expiry reminder) once
        delete(Job).where(
            Job.status == DONE,
            Job.key.is_(None),
            Job.finished_at < utcnow() - timedelta(days=30),
        )
    )
    db.session.commit()
