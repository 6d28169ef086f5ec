"""The development outbox, so a developer can follow password-reset links without SMTP."""

from flask import abort, current_app, render_template
from sqlalchemy import select

from smresidency.access import allow
from smresidency.extensions import db
from smresidency.mail import bp
from smresidency.mail.models import OutboxMessage


@bp.get("/outbox")
@allow("admin")
def outbox():
    """Latest messages, newest first; only when the console backend is in use."""
    if current_app.config["MAIL_BACKEND"] != "console":
        abort(404)
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
    ).all()
    return render_template("mail/outbox.html", messages=messages)
