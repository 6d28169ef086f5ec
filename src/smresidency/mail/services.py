"""Send mail through the configured backend and record it in the outbox."""

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app

from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from smresidency.text import printable


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Deliver one plain-text message; the outbox row is written in the caller's transaction."""
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    subject, body = printable(subject), printable(body, multiline=True)
    if backend == "smtp":
        _send_smtp(cfg, recipient, subject, body)
    else:
        print(
            f"--- mail to {recipient} ---\nSubject: {subject}\n\n{body}\n--- end of mail ---",
            file=sys.stderr,
            flush=True,
        )
    # Outside development the body (which may hold a reset link) is not kept.
    kept = body if backend == "console" else "(body not stored: delivered by SMTP)"
    message = OutboxMessage(recipient=recipient, subject=subject, body=kept, backend=backend)
    db.session.add(message)
    db.session.flush()
    return message


def _send_smtp(cfg, recipient: str, subject: str, body: str) -> None:
    """Plain SMTP with STARTTLS and optional authentication."""
    msg = EmailMessage()
    msg["From"] = _sender(cfg["MAIL_SENDER"])
    msg["To"] = recipient
    msg["Subject"] = subject
    msg.set_content(body)
    implicit_tls = cfg.get("SMTP_SSL") or int(cfg["SMTP_PORT"]) == 465
    connect = smtplib.SMTP_SSL if implicit_tls else smtplib.SMTP
    with connect(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=20) as smtp:
        if cfg["SMTP_STARTTLS"] and not implicit_tls:
            smtp.starttls()
        if cfg["SMTP_USERNAME"]:
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)


def _sender(address: str) -> str:
    """The organisation's name from the site settings shows as the sender's name."""
    from smresidency.admin.settings import mail_sender

    return mail_sender(address)
