"""The audit log: one record() for every feature, append-only, filtered and exported."""

import csv
import io
from datetime import timedelta

import pytest

from smresidency.admin import audit
from smresidency.admin.models import AppendOnly, AuditEntry
from smresidency.db import utcnow
from smresidency.extensions import db
from tests.admin.conftest import text_of


def test_record_takes_the_client_address_from_the_request(app, make_user):
    admin, ann = make_user("admin"), make_user("learner")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        entry = audit.record(
            admin, "override", ann, before={"attempts": 3}, after={"attempts": 4}, detail="why"
        )
        db.session.commit()
        assert (entry.actor_id, entry.target_user_id, entry.address) == (
            admin.id,
            ann.id,
            "203.0.113.9",
        )
    with app.app_context():  # a CLI command or a job: no request, no address
        entry = audit.record(None, "certificate.revoked", ann.id)
        assert (entry.actor_id, entry.address) == (None, "")


def test_entries_cannot_be_changed_or_deleted_through_the_orm(app, make_user):
    admin = make_user("admin")
    with app.app_context():
        entry = audit.record(admin, "settings.changed", after={"x": 1})
        db.session.commit()
        entry.detail = "rewritten"
        with pytest.raises(AppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEntry, entry.id))
        with pytest.raises(AppendOnly):
            db.session.flush()


def _entries(app, admin, people):
    with app.app_context():
        for n, person in enumerate(people):
            audit.record(admin, "account.roles", person, {"roles": []}, {"roles": [f"r{n}"]})
        # a month old from the start: the log refuses to change an entry afterwards
        old = AuditEntry(
            actor_id=admin.id,
            action="account.disabled",
            target_user_id=people[0].id,
            detail="=HYPERLINK(1)",
            created_at=utcnow() - timedelta(days=30),
        )
        db.session.add(old)
        db.session.commit()


def test_audit_page_filters_by_action_person_and_date(app, client, login_as, make_user):
    admin = login_as("admin", user=make_user("admin", name="Ada Admin"))
    ann, bob = make_user("learner", name="Ann Archer"), make_user("learner", name="Bob Brook")
    _entries(app, admin, [ann, bob])

    page = text_of(client.get("/admin/audit").get_data(as_text=True))
    assert "Entries 1–3 of 3" in page  # noqa: RUF001
    page = text_of(client.get("/admin/audit?action=account.disabled").get_data(as_text=True))
    assert "Ada Admin Account disabled" in page and "Entries 1–1 of 1" in page  # noqa: RUF001
    page = text_of(client.get("/admin/audit?person=brook").get_data(as_text=True))
    assert "Bob Brook" in page and "Ann Archer" not in page
    since = (utcnow() - timedelta(days=1)).date().isoformat()
    page = text_of(client.get(f"/admin/audit?since={since}").get_data(as_text=True))
    assert "Entries 1–2 of 2" in page and "Ada Admin Account disabled" not in page  # noqa: RUF001


def test_bad_dates_are_field_errors(client, login_as):
    login_as("admin")
    response = client.get("/admin/audit?since=2026-02-30&until=2026-01-01")
    assert response.status_code == 200
    assert "Not a valid date value." in response.get_data(as_text=True)
    response = client.get("/admin/audit?since=2026-02-01&until=2026-01-01")
    assert "The end date is before the start date." in response.get_data(as_text=True)


def test_csv_export_holds_the_filtered_entries_with_formulas_defused(
    app, client, login_as, make_user
):
    admin = login_as("admin", user=make_user("admin", name="Ada Admin"))
    ann = make_user("learner", name="Ann Archer", email="ann@example.test")
    _entries(app, admin, [ann])
    response = client.get("/admin/audit.csv?action=account.disabled")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["When (UTC)", "Who", "Action", "Whom"]
    [row] = rows[1:]
    assert row[1].startswith("Ada Admin <") and row[2] == "Account disabled"
    assert row[3] == "Ann Archer <ann@example.test>"
    assert row[4] == "" and row[6] == "'=HYPERLINK(1)" and row[7] == ""


# statement counts with 50 and 500 accounts: tests/admin/test_statement_counts.py


def test_record_is_importable_without_the_views():
    """Other features call record(); importing it must not pull in the admin views."""
    import subprocess
    import sys

    code = (
        "import sys, smresidency.admin.audit, smresidency.admin.settings; "
        "assert 'smresidency.admin.views' not in sys.modules, 'views imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
