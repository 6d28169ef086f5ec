"""Failed sign-in counting in the database, so every worker process sees the same count."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from smresidency.auth.models import LoginFailure
from smresidency.db import utcnow
from smresidency.extensions import db


def _recent(scope: str, key: str) -> int:
    """How many failures this key has had in the current window."""
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.scope == scope, LoginFailure.key == key)
        .where(LoginFailure.created_at >= since)
    )


def is_throttled(email: str, address: str) -> bool:
    """True when the account or the address has failed too often recently."""
    cfg = current_app.config
    return (
        _recent("account", email) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent("address", address) >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def record_failure(email: str, address: str) -> None:
    """Count one failure against the account name and the address, existing or not."""
    db.session.add_all(
        [LoginFailure(scope="account", key=email), LoginFailure(scope="address", key=address)]
    )
    db.session.flush()


def clear_account(email: str) -> None:
    """A successful sign-in forgives the account's earlier failures."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.scope == "account", LoginFailure.key == email)
    )


def prune(older_than: timedelta) -> int:
    """Forget failures older than the window; called from the CLI or cron."""
    result = db.session.execute(
        delete(LoginFailure).where(LoginFailure.created_at < utcnow() - older_than)
    )
    return result.rowcount
