"""Registration by e-mail link: the answer never says whether an address already has an
account; the address's owner learns by mail, and an account exists only once its link opens."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from smresidency import ratelimit
from smresidency.auth.models import PendingRegistration, User, UserRole
from smresidency.auth.passwords import hash_password
from smresidency.auth.services import AccountError, find_user, normalise_email
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.mail.services import send_mail

INVALID = "This link is invalid, expired or already used."


def address_allowed(address: str) -> bool:
    """Registrations are limited per client address (counted only when one goes ahead)."""
    cfg = current_app.config
    return ratelimit.limit(
        "register-address", address, cfg["REGISTER_MAX_PER_ADDRESS"], cfg["REGISTER_WINDOW_SECONDS"]
    )


def address_retry_after(address: str) -> int:
    """Seconds until the client address may register again."""
    cfg = current_app.config
    return ratelimit.retry_after(
        "register-address", address, cfg["REGISTER_MAX_PER_ADDRESS"], cfg["REGISTER_WINDOW_SECONDS"]
    )


def _mail_allowed(email: str) -> bool:
    """Nobody can make us flood one mailbox: a few registration mails per address per window."""
    cfg = current_app.config
    return ratelimit.limit(
        "register-account",
        email,
        cfg["REGISTER_MAX_MAIL_PER_ACCOUNT"],
        cfg["REGISTER_WINDOW_SECONDS"],
    )


@dataclass
class Invitation:
    """Registering through a cohort's invitation link: the cohort joins when the link opens."""

    cohort_id: int
    cohort_name: str
    token: str  # the invitation's own token, for the links mailed
    profession: str = ""
    department: str = ""

    def stored(self) -> dict:
        return {
            "cohort_id": self.cohort_id,
            "profession": self.profession,
            "department": self.department,
        }


def request_registration(
    email: str, name: str, password: str, invitation: Invitation | None = None
) -> None:
    """Mail a confirmation link to a new address, or a notice to an existing account's owner;
    the same work is done either way, so neither the answer nor its timing tells them apart.
    Through an invitation, the link also joins the cohort."""
    email = normalise_email(email)
    password_hash = hash_password(password)
    if not _mail_allowed(email):
        return
    site = current_app.config["SITE_NAME"]
    user = find_user(email)
    if user is not None:
        _tell_owner(user, site, invitation)
        return
    max_age = current_app.config["REGISTER_CONFIRM_MAX_AGE"]
    token = secrets.token_urlsafe(32)
    db.session.add(
        PendingRegistration(
            email=email,
            name=name.strip(),
            password_hash=password_hash,
            token_hash=_hash(token),
            expires_at=utcnow() + timedelta(seconds=max_age),
            invitation=invitation.stored() if invitation else None,
        )
    )
    db.session.flush()
    if invitation is None:
        link = url_for("auth.confirm_registration", token=token, _external=True)
        joining = ""
    else:
        link = url_for("cohorts.confirm_join", token=invitation.token, reg=token, _external=True)
        joining = f" and join {invitation.cohort_name}"
    # The name is not repeated: the address has not been shown to belong to whoever typed it.
    send_mail(
        email,
        f"Finish creating your {site} account",
        f"Hello,\n\nSomeone, hopefully you, asked to create a {site} account with this "
        f"e-mail address{joining}. To finish, open this link within {max_age // 3600} "
        f"hours:\n\n{link}\n\nIf it was not you, ignore this message: no account is made "
        "without it.\n",
    )


def _tell_owner(user: User, site: str, invitation: Invitation | None) -> None:
    """The address has an account: its owner learns of the attempt, and nothing changes."""
    if invitation is None:
        asked, again = "create a new", f"sign in here:\n\n{url_for('auth.login', _external=True)}"
    else:
        join = url_for("cohorts.join", token=invitation.token, _external=True)
        asked = f"join {invitation.cohort_name} with a new"
        again = f"sign in and open the invitation again:\n\n{join}"
    send_mail(
        user.email,
        f"Someone tried to register at {site} with your address",
        f"Hello {user.name},\n\nSomeone asked to {asked} {site} account with this "
        "e-mail address, which already has an account. No new account was made.\n\n"
        f"If it was you, {again}\n\n"
        "If you have forgotten your password, ask for a new one here:\n\n"
        f"{url_for('auth.forgot_password', _external=True)}\n\n"
        "If it was not you, ignore this message; nothing about your account has changed.\n",
    )


def _hash(token: str) -> str:
    from smresidency.auth.devices import token_hash

    return token_hash(token)


def pending(token: str) -> PendingRegistration | None:
    """The unexpired registration a link belongs to, while its address is still free."""
    row = db.session.scalar(
        select(PendingRegistration).where(PendingRegistration.token_hash == _hash(token))
    )
    if row is None or as_utc(row.expires_at) < utcnow() or find_user(row.email):
        return None
    return row


def confirm(token: str) -> User:
    """Open a registration link once: the learner account is made and every other pending
    registration of the address is forgotten."""
    row = pending(token)
    if row is None:
        raise AccountError(INVALID)
    claimed = db.session.execute(
        delete(PendingRegistration).where(PendingRegistration.email == row.email)
    )
    if claimed.rowcount < 1:
        raise AccountError(INVALID)
    user = User(email=row.email, name=row.name, password_hash=row.password_hash)
    user.role_rows = [UserRole(role="learner")]
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as err:  # the same address confirmed at the same moment elsewhere
        raise AccountError(INVALID) from err
    return user


def prune_expired() -> int:
    """Forget registrations whose link has expired."""
    result = db.session.execute(
        delete(PendingRegistration).where(PendingRegistration.expires_at < utcnow())
    )
    return result.rowcount
