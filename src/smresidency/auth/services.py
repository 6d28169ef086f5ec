"""Account writes: registration, sign-in, passwords, roles. Services flush; requests commit."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select, update

from smresidency import ratelimit
from smresidency.access import ROLES
from smresidency.auth import devices, throttle
from smresidency.auth.models import PasswordResetToken, User, UserRole, new_session_token
from smresidency.auth.passwords import hash_password, needs_rehash, verify_password
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.mail.services import send_mail
from smresidency.text import printable

# A valid hash of a random password: verifying against it costs the same as a real account.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


class AccountError(Exception):
    """A request about an account that cannot be honoured; the message is safe to show."""


def normalise_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The user with this e-mail address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str, roles=("learner",)) -> User:
    """A new active account with the given roles; refuses a taken address."""
    email = normalise_email(email)
    if find_user(email):
        raise AccountError("An account with this e-mail address already exists.")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"Unknown role(s): {', '.join(sorted(unknown))}.")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class SignInResult:
    """What a sign-in attempt came to; `message` never says whether the account exists."""

    user: User | None
    message: str | None = None
    retry_after: int = 0  # seconds, when the attempt was refused unchecked by the throttle


GENERIC_FAILURE = "That e-mail address and password do not match an active account."
THROTTLED = "Too many failed sign-in attempts. Please wait a few minutes and try again."


def authenticate(email: str, password: str, address: str) -> SignInResult:
    """Check a password unless this address has failed too often for this account or at all."""
    email = normalise_email(email)
    wait = throttle.retry_after(email, address)
    if wait:
        return SignInResult(None, THROTTLED, wait)
    user = find_user(email)
    if user is None:
        verify_password(_dummy_hash(), password)
    ok = user is not None and verify_password(user.password_hash, password) and user.active
    if not ok:
        throttle.record_failure(email, address)
        return SignInResult(None, GENERIC_FAILURE)
    throttle.clear_pair(email, address)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    db.session.flush()
    return SignInResult(user)


def _dummy_hash() -> str:
    """Computed lazily so the cost parameters of the running app apply."""
    cache = current_app.extensions.setdefault("smresidency_dummy_hash", {})
    if "hash" not in cache:
        cache["hash"] = hash_password(_DUMMY_PASSWORD)
    return cache["hash"]


def end_all_sessions(user: User) -> None:
    """End every device session and rotate the per-user token: every browser is signed out."""
    devices.end_every_device(user)
    user.session_token = new_session_token()
    db.session.flush()


def sign_out(user: User) -> None:
    """End this browser's session server-side, so a copy of its cookie stops working too."""
    device = user.current_device
    if device is not None:
        devices.end_device(user, device.id)
    else:
        # a session from before device sessions carries the per-user token: rotate it
        user.session_token = new_session_token()
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; other sessions end."""
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not correct.")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    """Store a new hash, end every session and void outstanding reset links."""
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    _void_reset_tokens(user)


def _void_reset_tokens(user: User) -> None:
    """Only the newest link works: older unused ones are marked used."""
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


RESET_THROTTLED = "Too many reset requests. Please wait an hour, or check your spam folder."


def reset_allowed(email: str, address: str) -> bool:
    """Reset mail is limited per address and per account, whether the account exists or not."""
    cfg = current_app.config
    window = cfg["RESET_WINDOW_SECONDS"]
    by_address = ratelimit.limit("reset-address", address, cfg["RESET_MAX_PER_ADDRESS"], window)
    by_account = by_address and ratelimit.limit(
        "reset-account", normalise_email(email), cfg["RESET_MAX_PER_ACCOUNT"], window
    )
    return by_account


def reset_retry_after(email: str, address: str) -> int:
    """Seconds until a refused reset request may be made again (for Retry-After)."""
    cfg = current_app.config
    window = cfg["RESET_WINDOW_SECONDS"]
    return max(
        ratelimit.retry_after("reset-address", address, cfg["RESET_MAX_PER_ADDRESS"], window),
        ratelimit.retry_after(
            "reset-account", normalise_email(email), cfg["RESET_MAX_PER_ACCOUNT"], window
        ),
    )


def issue_reset_link(user: User, max_age_seconds: int) -> str:
    """A single-use link to set a new password, valid for max_age_seconds; older links die."""
    _void_reset_tokens(user)
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            expires_at=utcnow() + timedelta(seconds=max_age_seconds),
        )
    )
    return url_for("auth.reset_password", token=token, _external=True)


def request_password_reset(email: str) -> None:
    """Mail a single-use link to an active account; says nothing about unknown addresses."""
    user = find_user(email)
    if user is None or not user.active:
        return
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    link = issue_reset_link(user, max_age)
    minutes = max_age // 60
    send_mail(
        user.email,
        f"Reset your {current_app.config['SITE_NAME']} password",
        f"Hello {printable(user.name)},\n\nSomeone asked to reset the password of your account. "
        f"If it was you, open this link within {minutes} minutes:\n\n{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message; "
        "your password stays as it is.\n",
    )


def valid_reset_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired token row for a link, or None."""
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if row is None or row.used_at is not None or as_utc(row.expires_at) < utcnow():
        return None
    if not row.user.active:
        return None
    return row


def reset_password(token: str, new: str) -> User:
    """Use a reset link once: set the password and void the link and every session."""
    row = valid_reset_token(token)
    if row is None:
        raise AccountError("This reset link is invalid, expired or already used.")
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise AccountError("This reset link is invalid, expired or already used.")
    set_password(row.user, new)
    return row.user


def set_roles(user: User, roles) -> None:
    """Replace the user's roles with exactly these."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"Unknown role(s): {', '.join(sorted(unknown))}.")
    current = {r.role: r for r in user.role_rows}
    for role, row in current.items():
        if role not in roles:
            user.role_rows.remove(row)
    for role in sorted(set(roles) - set(current)):
        user.role_rows.append(UserRole(role=role))
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    """Disable (ending every session) or re-enable an account."""
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()
