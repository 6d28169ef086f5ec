"""Expiry reminders to holders at 60, 30 and 7 days (each once), and who expires soon."""

from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.certificates.models import Certificate
from smresidency.cohorts.access import managed_cohorts
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.text import printable

THRESHOLDS = (7, 30, 60)  # days before expiry; ascending, the first one reached is due
SOON_DAYS = 90  # what coordinators see on the expiring page


def _live_until(now: datetime, days: int):
    """Unrevoked certificates that expire after now and no later than now + days."""
    return select(Certificate).where(
        Certificate.revoked_at.is_(None),
        Certificate.expires_at.is_not(None),
        Certificate.expires_at > now,
        Certificate.expires_at <= now + timedelta(days=days),
    )


def due_threshold(expires_at: datetime, now: datetime) -> int | None:
    """The reminder due now: the smallest threshold the days left have reached.

    A certificate found with 25 days left gets the 30-day reminder, not also the 60-day one.
    """
    left = (as_utc(expires_at) - now).total_seconds() / 86400
    return next((t for t in THRESHOLDS if left <= t), None)


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue each due reminder as a job whose key makes it happen once per enrolment, expiry
    date and threshold, however often this runs: a re-issued edition (a corrected name) has
    the same enrolment and expiry, so it is not reminded again. Returns how many were queued."""
    from smresidency.jobs.services import enqueue

    now = now or utcnow()
    queued = 0
    for cert in db.session.scalars(_live_until(now, max(THRESHOLDS))):
        days = due_threshold(cert.expires_at, now)
        expires = as_utc(cert.expires_at)
        key = f"certificate-expiry:enrolment-{cert.enrolment_id}:{expires:%Y-%m-%d}:{days}"
        if enqueue("certificates.expiry_reminder", key=key, certificate_id=cert.id, days=days):
            queued += 1
    return queued


def send_reminder(certificate_id: int, days: int) -> None:
    """The job: mail the holder, unless the certificate was revoked or expired meanwhile."""
    from smresidency.mail.services import send_mail

    cert = db.session.scalar(
        _live_until(utcnow(), max(THRESHOLDS)).where(Certificate.id == certificate_id)
    )
    if cert is None:  # revoked or expired since the reminder was queued
        return
    user = db.session.get(User, cert.user_id)
    site = current_app.config["SITE_NAME"]
    send_mail(
        user.email,
        f"Your {site} certificate expires on {cert.expires_at:%d %B %Y}",
        f"Hello {printable(user.name)},\n\nYour certificate {cert.serial} for "
        f"{cert.course_title} expires on {cert.expires_at:%d %B %Y}, in about {days} days.\n\n"
        f"To recertify, ask your coordinator for a place in a coming cohort, and review the "
        f"modules at {_course_link(cert)} before the immersion day. Your current "
        "certificate stays valid until it expires.\n",
    )


def _course_link(cert: Certificate) -> str:
    """The course page, absolute from BASE_URL (jobs run outside any request)."""
    from smresidency.catalog.models import Course

    slug = db.session.scalar(select(Course.slug).where(Course.id == cert.course_id))
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    with current_app.test_request_context(base_url=base or None):
        path = url_for("learning.course", course_slug=slug)
    return base + path


def expiring_soon(user, now: datetime | None = None) -> list[tuple[Certificate, str]]:
    """(certificate, cohort name) for the cohorts this person runs, expiring within SOON_DAYS,
    soonest first; one statement, scoped in the query (admins see every cohort)."""
    now = now or utcnow()
    cohorts = managed_cohorts(user).subquery()
    query = (
        _live_until(now, SOON_DAYS)
        .join(cohorts, cohorts.c.id == Certificate.cohort_id)
        .add_columns(cohorts.c.name)
        .order_by(Certificate.expires_at, Certificate.id)
    )
    return list(db.session.execute(query).all())
