"""The audit log is append-only in the database itself: raw SQL cannot change or delete an
entry, on SQLite and on PostgreSQL (triggers from migration 0022)."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from smresidency.admin import audit
from smresidency.admin.models import AuditEntry
from smresidency.extensions import db


@pytest.fixture
def entry_id(app, make_user):
    admin = make_user("admin")
    with app.app_context():
        entry = audit.record(admin, "settings.changed", after={"organisation": "A"})
        db.session.commit()
        return entry.id


def _refused(app, statement) -> None:
    with app.app_context(), db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(statement)
        conn.rollback()


def test_a_raw_update_is_refused(app, entry_id):
    table = AuditEntry.__table__
    _refused(app, update(table).where(table.c.id == entry_id).values(detail="rewritten"))
    _refused(app, text("UPDATE audit_entry SET actor_id = NULL"))
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.detail)) == ""


def test_a_raw_delete_is_refused(app, entry_id):
    _refused(app, delete(AuditEntry.__table__))
    _refused(app, text("DELETE FROM audit_entry WHERE id = :id").bindparams(id=entry_id))
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id)) == entry_id


def test_truncate_is_refused_on_postgresql(app, entry_id):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE (its DELETE is refused above)")
    _refused(app, text("TRUNCATE audit_entry CASCADE"))


def test_appending_still_works(app, entry_id, make_user):
    with app.app_context():
        audit.record(None, "settings.changed", after={"organisation": "B"})
        db.session.commit()
        assert len(db.session.scalars(select(AuditEntry)).all()) == 2
