"""The nightly prune forgets statements the LRS has had for a month, never pending ones."""

from datetime import timedelta

from sqlalchemy import select

from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.xapi.models import GONE, PENDING, SENT, XapiOutbox


def _row(n: int, status: str, age_days: int) -> XapiOutbox:
    when = utcnow() - timedelta(days=age_days)
    return XapiOutbox(
        statement_id=f"00000000-0000-0000-0000-{n:012d}",
        kind="experienced",
        ref_id=n,
        endpoint="https://lrs.example.org/xAPI",
        status=status,
        created_at=when,
        sent_at=when if status == SENT else None,
    )


def test_prune_keeps_pending_and_recent_rows(app, runner):
    with app.app_context():
        db.session.add_all(
            [
                _row(1, SENT, 40),  # had by the LRS long ago: forgotten
                _row(2, GONE, 40),  # its record erased long ago: forgotten
                _row(3, SENT, 5),  # recent: kept
                _row(4, PENDING, 40),  # never sent (LRS down for weeks): kept
            ]
        )
        db.session.commit()

    result = runner.invoke(args=["jobs", "run", "prune"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        left = db.session.scalars(select(XapiOutbox.ref_id).order_by(XapiOutbox.ref_id)).all()
    assert left == [3, 4]
