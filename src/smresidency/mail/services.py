"""Send mail through the configured backend and record it in the outbox."""

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app

from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from smresidency.text import printable


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Queue one plain-text message: the outbox row and its delivery job are written in the
    caller's transaction, and the worker sends it only after that transaction commits."""
    from smresidency.jobs.services import enqueue

    backend = current_app.config["MAIL_BACKEND"]
    subject, body = printable(subject), printable(body, multiline=True)
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, backend=backend, status="pending"
    )
    db.session.add(message)
    db.session.flush()
    enqueue("mail.deliver", message_id=message.id)
    return message


def deliver(message_id: int) -> None:
    """The job: send a queued message once; one already sent is not sent again."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status == "sent":
        return
    cfg = current_app.config
    if message.backend == "smtp":
        _send_smtp(cfg, message.recipient, message.subject, message.body)
        # outside development the body (which may hold a reset link) is not kept once sent
        message.body = "(body not stored: delivered by SMTP)"
    else:
        print(
            f"--- mail to {message.recipient} ---\nSubject: {message.subject}\n\n"
            f"{message.body}\n--- end of mail ---",
            file=sys.stderr,
            flush=True,
        )
    message.status, message.sent_at = "sent", utcnow()
    db.session.flush()


def _send_smtp(cfg, recipient: str, subject: str, body: str) -> None:
    """Plain SMTP with STARTTLS and optional authentication."""
    msg = EmailMessage()
    msg["From"] = _sender(cfg["MAIL_SENDER"])
    msg["To"] = recipient
    msg["Subject"] = subject
    msg.set_content(body)
    implicit_tls = cfg.get("SMTP_SSL") or int(cfg["SMTP_PORT"]) == 465
    connect = smtplib.SMTP_SSL if implicit_tls else smtplib.SMTP
    with connect(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg.get("SMTP_TIMEOUT", 20)) as smtp:
        if cfg["SMTP_STARTTLS"] and not implicit_tls:
            smtp.starttls()
        if cfg["SMTP_USERNAME"]:
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)


def _sender(address: str) -> str:
    """The organisation's name from the site settings shows as the sender's name."""
    from smresidency.admin.settings import mail_sender

    return mail_sender(address)
