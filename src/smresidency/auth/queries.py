"""Account reads."""

from sqlalchemy import select

from smresidency.auth.models import DeviceSession, User
from smresidency.extensions import db


def devices_of(user: User) -> list[DeviceSession]:
    """The user's signed-in devices, most recently seen first."""
    return list(
        db.session.scalars(
            select(DeviceSession)
            .where(DeviceSession.user_id == user.id)
            .order_by(DeviceSession.last_seen_at.desc(), DeviceSession.id.desc())
        )
    )
