"""What the admin's jobs page says of the xAPI outbox."""

from sqlalchemy import func, select

from smresidency.extensions import db
from smresidency.xapi.capture import enabled
from smresidency.xapi.models import XapiOutbox


def outbox_counts() -> dict[str, int] | None:
    """Statements by status (pending, sent, rejected, gone); None with no LRS configured."""
    if not enabled():
        return None
    rows = db.session.execute(
        select(XapiOutbox.status, func.count()).group_by(XapiOutbox.status)
    ).all()
    return {"pending": 0, "rejected": 0, **{status: n for status, n in rows}}
