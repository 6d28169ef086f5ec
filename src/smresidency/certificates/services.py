"""Issuing and revoking certificates. Issuing happens the moment the last requirement is met,
whoever met it, exactly once; revocation keeps the record and says why."""

import base64
import secrets
import smtplib
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smresidency.catalog.models import Course
from smresidency.certificates import stored
from smresidency.certificates.ce import snapshot as ce_snapshot
from smresidency.certificates.models import Certificate
from smresidency.certificates.rules import Eligibility, eligibility  # noqa: F401 (re-exported)
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.text import printable


class CertificateError(Exception):
    """A certificate request that cannot be honoured; the message is safe to show."""


def new_code() -> str:
    """80 random bits as 16 base32 characters (no 0/1/8/9 look-alikes to mistype)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def issue_if_eligible(enrolment_id: int) -> Certificate | None:
    """Issue now if this enrolment has just met every requirement; otherwise do nothing.

    The requirements are checked against the facts (certificates.rules): a plan item ticked
    by hand, without an accepted plan, does not count.

    The enrolment row is locked first, so two actions completing the last two requirements
    at once cannot both miss each other; the unique constraint makes a second issue impossible.
    """
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.id == enrolment_id).with_for_update()
    )
    if enrolment is None or enrolment.status != "active":
        return None
    existing = db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == enrolment.user_id, Certificate.course_id == enrolment.course_id
        )
    )
    if existing is not None:
        return None
    course = db.session.get(Course, enrolment.course_id)
    if not eligibility(enrolment, course).eligible:
        return None
    return _issue(enrolment, course)


def _issue(enrolment: Enrolment, course: Course) -> Certificate | None:
    from smresidency.admin.settings import issuing_organisation
    from smresidency.auth.models import User

    cohort = db.session.get(Cohort, enrolment.cohort_id)
    user = db.session.get(User, enrolment.user_id)
    now = utcnow()
    months = (course.certificate or {}).get("expires_months")
    cert = Certificate(
        user_id=user.id,
        course_id=course.id,
        enrolment_id=enrolment.id,
        cohort_id=cohort.id,
        code=new_code(),
        recipient_name=printable(user.name),
        course_title=course.title,
        organisation=issuing_organisation(course.organisation),
        hours=course.hours,
        immersion_date=cohort.immersion_date,
        place=cohort.place or cohort.online_link or "",
        issued_at=now,
        expires_at=now + timedelta(days=round(30.44 * months)) if months else None,
        **ce_snapshot(course.hours),
    )
    try:
        with db.session.begin_nested():
            db.session.add(cert)
            db.session.flush()
            cert.serial = f"SMR-{now.year}-{cert.id:06d}"
    except IntegrityError:
        return None  # issued by a concurrent request: exactly once
    _announce(cert, user)
    stored.prepare(cert)  # the PDFs are made by a job once this commits
    return cert


def _announce(cert: Certificate, user) -> None:
    """Tell the learner by e-mail, with the public verification link.

    A mail server that fails must not undo the tick or pass that completed the residency:
    the failure is logged and the certificate stands (it is on the learner's page anyway).
    """
    try:
        _send_announcement(cert, user)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not mail certificate %s to %s", cert.serial, user.email)


def _send_announcement(cert: Certificate, user) -> None:
    from smresidency.mail.services import send_mail

    base = current_app.config.get("BASE_URL")
    try:  # BASE_URL first, as on the certificate itself (links.verify_url)
        link = url_for("certificates.verify_code", code=cert.code, _external=not base)
    except RuntimeError:  # outside a request, without SERVER_NAME
        link = f"/verify/{cert.code}"
    if base:
        link = base.rstrip("/") + link
    send_mail(
        user.email,
        f"Your certificate: {cert.course_title}",
        f"Hello {printable(user.name)},\n\nCongratulations: you have completed "
        f"{cert.course_title}. "
        f"Your certificate {cert.serial} is ready in your account.\n\n"
        f"Anyone can check it at {link} (code {cert.display_code}).\n",
    )


def revoke(cert: Certificate, by_id: int, reason: str, audited: bool = True) -> None:
    """Mark as revoked with who, when and why; the record stays. Audited unless the caller
    records the larger action it is part of (a re-issue)."""
    from smresidency.admin.audit import record

    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Say why the certificate is revoked.")
    if cert.revoked_at is not None:
        raise CertificateError("This certificate is already revoked.")
    cert.revoked_at = utcnow()
    cert.revoked_by_id = by_id
    cert.revoke_reason = reason
    db.session.flush()
    if audited:
        record(
            by_id, "certificate.revoked", cert.user_id, after={"serial": cert.serial}, detail=reason
        )
