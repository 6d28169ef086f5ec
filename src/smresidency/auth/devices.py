"""Device sessions: one row per signed-in browser, so each can be listed and ended alone."""

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import delete, update

from smresidency.auth.models import DEVICE_COOKIE_PREFIX, DeviceSession, User
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db

# last_seen_at is refreshed at most this often, so browsing does not write on every request
SEEN_EVERY = timedelta(minutes=5)

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def max_idle() -> timedelta:
    """A device unseen this long is signed out (and pruned by `flask db prune`)."""
    return timedelta(days=current_app.config["DEVICE_SESSION_MAX_IDLE_DAYS"])


def token_hash(token: str) -> str:
    """Only a hash is stored: a copy of the table cannot be replayed as cookies."""
    return hashlib.sha256(token.encode()).hexdigest()


def describe(user_agent: str) -> str:
    """'Firefox on Linux' from a User-Agent header, enough to recognise one's own devices."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    printable = re.sub(r"[^\x20-\x7e]", "", user_agent).strip()
    return printable[:60] or "Unknown browser"


def open_device(user: User) -> None:
    """Start a device session for this browser and put its token in the session cookie."""
    token = DEVICE_COOKIE_PREFIX + secrets.token_urlsafe(32)
    device = DeviceSession(
        user_id=user.id,
        token_hash=token_hash(token),
        user_agent=describe(request.headers.get("User-Agent", ""))[:120],
        address=(request.remote_addr or "")[:64],
    )
    db.session.add(device)
    db.session.flush()
    session["_user_id"] = token
    user.current_device = device


def load_device(token: str) -> User | None:
    """The active user a device token belongs to, with that device attached; one statement."""
    from smresidency.auth.session import attach, read, statements

    row = read(
        statements()[1], {"token_hash": token_hash(token), "seen_after": utcnow() - max_idle()}
    )
    if row is None:
        return None
    user, device = attach(row, with_device=True)
    user.current_device = device
    # not while a request reads before it writes (g.read_before_write): SQLite could not turn
    # that read into a write if another writer committed meanwhile; the next page refreshes it
    if as_utc(device.last_seen_at) < utcnow() - SEEN_EVERY and not g.get("read_before_write"):
        # a plain UPDATE: if this device is being signed out at the same moment, it matches
        # no row instead of failing the request
        db.session.execute(
            update(DeviceSession)
            .where(DeviceSession.id == device.id)
            .values(last_seen_at=utcnow(), address=(request.remote_addr or "")[:64])
            .execution_options(synchronize_session=False)
        )
    return user


def end_device(user: User, device_id: int) -> bool:
    """Sign one of the user's own devices out; False when no such device is theirs."""
    result = db.session.execute(
        delete(DeviceSession).where(DeviceSession.id == device_id, DeviceSession.user_id == user.id)
    )
    return result.rowcount == 1


def end_every_device(user: User) -> None:
    """Sign every device of the user out."""
    db.session.execute(delete(DeviceSession).where(DeviceSession.user_id == user.id))


def prune_idle() -> int:
    """Forget devices unseen for longer than the idle limit (their cookies already fail)."""
    result = db.session.execute(
        delete(DeviceSession).where(DeviceSession.last_seen_at < utcnow() - max_idle())
    )
    return result.rowcount
