"""Changing one's e-mail address: a link to the new address confirms it; the old one is told."""

from flask import current_app, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from smresidency.auth.forms import EmailAddress, _strip
from smresidency.auth.models import User
from smresidency.auth.passwords import verify_password
from smresidency.auth.services import find_user, normalise_email
from smresidency.extensions import db
from smresidency.mail.services import send_mail

MAX_AGE = 2 * 24 * 3600  # the link works for two days


class EmailChangeError(Exception):
    """The link is broken, expired, already used, or the address was taken meanwhile."""


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(
        "New e-mail address",
        description="We send a confirmation link there; your address changes when you open it.",
        filters=[_strip],
        validators=[DataRequired(), EmailAddress(), Length(max=320)],
    )
    password = PasswordField("Your current password", validators=[DataRequired()])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-change")


def request_change(user: User, new_email: str, password: str) -> str | None:
    """Mail the link to the new address; returns why not (for the form), or None when sent."""
    new_email = normalise_email(new_email)
    if not verify_password(user.password_hash, password):
        return "That is not your current password."
    if new_email == user.email:
        return "That is already your address."
    if find_user(new_email) is not None:
        return "Another account uses that address."
    # the token carries the old address too: once the address changes, old links stop working
    token = _serializer().dumps({"u": user.id, "new": new_email, "old": user.email})
    link = url_for("auth.confirm_email", token=token, _external=True)
    site = current_app.config["SITE_NAME"]
    send_mail(
        new_email,
        f"Confirm your new e-mail address at {site}",
        f"Hello {user.name},\n\nOpen this link within two days to make this your {site} "
        f"address:\n\n{link}\n\nIf you did not ask for this, ignore this message.\n",
    )
    send_mail(
        user.email,
        f"Your {site} e-mail address is about to change",
        f"Hello {user.name},\n\nSomeone signed in to your account asked to change its e-mail "
        f"address to {new_email}. It changes only when the link sent there is opened.\n\n"
        "If this was not you, change your password now and tell your coordinator.\n",
    )
    return None


def pending(token: str) -> tuple[User, str]:
    """The account and new address a link stands for, or EmailChangeError saying why not."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired as err:
        raise EmailChangeError(
            "This link has expired. Ask for a new one on your account page."
        ) from err
    except BadSignature as err:
        raise EmailChangeError("This link is not valid.") from err
    user = db.session.get(User, data.get("u"))
    if user is None or user.email != data.get("old"):
        raise EmailChangeError("This link has been used or replaced already.")
    return user, data["new"]


def confirm(token: str) -> User:
    """Apply the change; the address must still be free."""
    user, new_email = pending(token)
    from smresidency.admin.audit import record

    if find_user(new_email) is not None:
        raise EmailChangeError("Another account now uses that address.")
    before, user.email = user.email, new_email
    db.session.flush()
    record(user, "account.email", user, before={"email": before}, after={"email": new_email})
    return user
