"""Re-issuing a certificate under the holder's corrected name (coordinator of the cohort, admin).

A certificate is a snapshot, so a name change on the account does not change it. Re-issuing
revokes the old one (reason REISSUE_REASON) and issues the next edition of the same
enrolment's certificate with a new serial and verification code: the old code's verify page
says it was replaced and links the new one, the old signed credential shows as revoked in the
status list, and the new one is signed when first downloaded. Everything else (course, hours,
immersion date, place, issuer, expiry, CE record) is copied: only the name is corrected.
"""

import smtplib

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smresidency.admin.audit import record
from smresidency.auth.models import User
from smresidency.certificates import stored
from smresidency.certificates.models import Certificate
from smresidency.certificates.services import CertificateError, new_code, revoke
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.text import printable

REISSUE_REASON = "re-issued under a corrected name"
# what the new edition does not take from the old one; every other column is copied
NOT_COPIED = {
    "id",
    "edition",
    "serial",
    "code",
    "recipient_name",
    "issued_at",
    "revoked_at",
    "revoked_by_id",
    "revoke_reason",
    "status_index",
    "replaced_by_id",
}


def corrected_name(cert: Certificate) -> str:
    """The name a re-issue would print: the holder's current display name."""
    return printable(db.session.scalar(select(User.name).where(User.id == cert.user_id)) or "")


def check(cert: Certificate) -> str:
    """The corrected name, or CertificateError saying why this certificate cannot be re-issued."""
    if cert.replaced_by_id is not None:
        raise CertificateError("This certificate has already been re-issued.")
    if cert.revoked_at is not None:
        raise CertificateError("A revoked certificate cannot be re-issued.")
    name = corrected_name(cert)
    if not name.strip() or name == cert.recipient_name:
        raise CertificateError(
            "The certificate already carries the holder's current name. The holder changes "
            "their name on their account page first."
        )
    return name


def reissue(cert: Certificate, by: User, reason: str) -> Certificate:
    """Revoke `cert`, issue its next edition under the current name, and audit both names."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Say why the certificate is re-issued.")
    db.session.refresh(cert, with_for_update=True)  # a second re-issue at once waits, then sees it
    name = check(cert)
    now = utcnow()
    copied = {c.key: getattr(cert, c.key) for c in Certificate.__table__.columns}
    copied = {k: v for k, v in copied.items() if k not in NOT_COPIED}
    new = Certificate(
        **copied,
        edition=cert.edition + 1,
        code=new_code(),
        recipient_name=name,
        issued_at=now,
    )
    revoke(cert, by.id, REISSUE_REASON, audited=False)
    try:
        with db.session.begin_nested():
            db.session.add(new)
            db.session.flush()
    except IntegrityError as err:  # the same certificate re-issued at the same moment
        raise CertificateError("This certificate has already been re-issued.") from err
    new.serial = f"SMR-{now.year}-{new.id:06d}"
    cert.replaced_by_id = new.id
    db.session.flush()
    stored.prepare(new)  # its own PDFs, made by a job once this commits
    record(
        by,
        "certificate.reissued",
        target_user=cert.user_id,
        before={"serial": cert.serial, "name": cert.recipient_name},
        after={"serial": new.serial, "name": new.recipient_name},
        detail=reason,
    )
    _tell(new)
    return new


def _tell(cert: Certificate) -> None:
    """Mail the holder; a mail server that fails does not undo the re-issue (it is on their
    certificates page anyway)."""
    from smresidency.mail.services import send_mail

    user = db.session.get(User, cert.user_id)
    try:
        send_mail(
            user.email,
            f"Your certificate was re-issued: {cert.course_title}",
            f"Hello {printable(user.name)},\n\nYour certificate for {cert.course_title} was "
            f"re-issued under the name {cert.recipient_name}, as {cert.serial}. Download the "
            "new PDF and credential from your certificates page; the old certificate now says "
            "it was replaced.\n",
        )
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not mail re-issued certificate %s", cert.serial)
