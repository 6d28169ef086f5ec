"""Erasure appends to the audit log and leaves earlier entries as they were (the table is
append-only in the database); what those entries keep is documented in docs/privacy.md."""

from sqlalchemy import select

from smresidency.admin import audit
from smresidency.admin.models import AuditEntry
from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.privacy.erase import erase


def test_erasure_appends_an_entry_and_keeps_the_earlier_ones(app, make_user):
    admin, person = make_user("admin"), make_user("learner", name="Eve Example")
    with app.test_request_context(), app.app_context():
        audit.record(person.id, "account.name", person.id, {"name": "Eve Exampel"}, {"name": "x"})
        db.session.commit()
        before = [
            (e.id, e.action, e.before, e.after)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
        erase(db.session.get(User, person.id), db.session.get(User, admin.id), "by letter")
        db.session.commit()
        after = [
            (e.id, e.action, e.before, e.after)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert after[: len(before)] == before
    assert [a for _, a, _, _ in after[len(before) :]] == ["data.erased"]
