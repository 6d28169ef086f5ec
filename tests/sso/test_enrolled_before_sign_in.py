"""SSO_ONLY with a provider whose addresses are trusted (Entra ID sends no email_verified):
a learner enrolled from a spreadsheet is told to sign in with the hospital account, and that
first sign-in links the account made for them; an account someone already uses is not."""

import io
import re

import pytest
from sqlalchemy import select

from smresidency.admin.models import AuditEntry
from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.oidc import harness

ADDRESS = "victim@hospital.test"  # the provider's "mallory" login: email_verified false


@pytest.fixture
def app_config(oidc_provider):
    return harness.sso_settings(oidc_provider.issuer, SSO_ONLY=True, SSO_TRUST_EMAIL=True)


def _import(client, cohort_id: int) -> None:
    upload = client.post(
        f"/cohorts/{cohort_id}/import",
        data={
            "file": (
                io.BytesIO(f"email,name,profession\n{ADDRESS},Vic Tim,clinician\n".encode()),
                "p.csv",
            )
        },
        content_type="multipart/form-data",
    )
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', upload.text)[1]
    done = client.post(f"/cohorts/{cohort_id}/import/confirm", data={"payload": payload})
    assert done.status_code in (200, 302)


def test_a_learner_enrolled_from_a_spreadsheet_signs_in_with_the_hospital_account(
    app, client, synced_course, make_cohort, login_as, sso_sign_in
):
    coordinator = login_as("coordinator")
    cohort_id, _ = make_cohort(synced_course, coordinators=[coordinator])
    _import(client, cohort_id)
    with app.app_context():
        made = db.session.scalar(select(User).where(User.email == ADDRESS))
        welcome = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == ADDRESS))
        assert welcome.subject.startswith("Welcome to") and "password" not in welcome.subject
        assert "Sign in with your hospital account on this page:" in welcome.body
        assert "http://localhost/login" in welcome.body and "reset-password" not in welcome.body
    client.post("/logout")
    answer = sso_sign_in("mallory")
    assert answer.status_code == 302, answer.text
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == ADDRESS)) == made.id
        linked = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.target_user_id == made.id, AuditEntry.action == "account.sso_linked"
            )
        )
        assert linked is not None


def test_an_account_with_a_password_is_still_not_linked_on_a_trusted_address(
    app, client, make_user, sso_sign_in
):
    make_user("instructor", email=ADDRESS)
    answer = sso_sign_in("mallory")
    assert answer.status_code == 403
    assert "has not confirmed that victim@hospital.test is yours" in answer.text
