"""A person's own name change and a confirmed e-mail change are in the audit log, with the
value before and after and the client address; a save that changes neither records nothing."""

import re

from sqlalchemy import select

from smresidency.admin.models import AuditEntry
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.conftest import PASSWORD

ADDRESS = {"REMOTE_ADDR": "198.51.100.7"}


def entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        db.session.expunge_all()
        return rows


def test_a_name_change_is_audited_with_before_after_and_address(app, client, login_as):
    user = login_as("learner")
    client.post(
        "/account/profile",
        data={"name": "Dr Ada Lovelace", "timezone": ""},
        environ_base=ADDRESS,
    )
    (entry,) = entries(app, "account.name")
    assert (entry.actor_id, entry.target_user_id) == (user.id, user.id)
    assert entry.before == {"name": user.name} and entry.after == {"name": "Dr Ada Lovelace"}
    assert entry.address == "198.51.100.7"
    # the zone alone changes: no name entry
    client.post("/account/profile", data={"name": "Dr Ada Lovelace", "timezone": "UTC"})
    assert len(entries(app, "account.name")) == 1


def test_a_confirmed_email_change_is_audited_and_a_request_alone_is_not(app, client, login_as):
    user = login_as("learner")
    client.post("/account/email", data={"new_email": "ada@example.test", "password": PASSWORD})
    assert entries(app, "account.email") == []  # asked, not confirmed
    with app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.recipient == "ada@example.test")
        )
    link = re.search(r"http://localhost(/account/email/confirm/[\w.-]+)", body).group(1)
    assert client.post(link, environ_base=ADDRESS).status_code == 302
    (entry,) = entries(app, "account.email")
    assert entry.before == {"email": user.email} and entry.after == {"email": "ada@example.test"}
    assert (entry.target_user_id, entry.address) == (user.id, "198.51.100.7")


def test_the_audit_page_names_the_new_actions(app, client, login_as):
    login_as("learner")
    client.post("/account/profile", data={"name": "Renamed Person", "timezone": ""})
    login_as("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Name changed" in page and "Renamed Person" in page
