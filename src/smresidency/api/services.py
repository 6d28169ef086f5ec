"""Issuing, revoking and checking personal access tokens (writes; the request commits)."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from smresidency.api.models import SCOPES, ApiToken
from smresidency.db import utcnow
from smresidency.extensions import db

PREFIX = "smr_"


def digest(secret: str) -> str:
    """What is stored: a leaked table holds no usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is shown once and never stored."""
    if not set(scopes) <= set(SCOPES) or not scopes:
        raise ValueError("unknown scope")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_hash=digest(secret),
        prefix=secret[:10],
        scopes=sorted(scopes),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    from smresidency.admin.audit import record

    record(
        user,
        "api.token_created",
        after={"token": token.id, "name": token.name, "scopes": token.scopes},
    )
    return token, secret


def revoke_token(user, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when they hold no such token."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        from smresidency.admin.audit import record

        record(user, "api.token_revoked", before={"token": token.id, "name": token.name})
    return True


def authenticate(secret: str) -> ApiToken | None:
    """The usable token with this secret, its last use stamped; None otherwise."""
    if not secret.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not token.usable():
        return None
    token.last_used_at = utcnow()
    db.session.flush()
    return token
