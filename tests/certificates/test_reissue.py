"""Staff re-issue a certificate under the holder's corrected name: the old one is revoked and
sends verifiers to the new one, which has its own serial, code and signed credential."""

import pytest
from sqlalchemy import select

from smresidency.admin.models import AuditEntry
from smresidency.certificates.models import Certificate
from smresidency.certificates.reissue import REISSUE_REASON
from smresidency.extensions import db
from smresidency.immersion.services import set_checked
from smresidency.mail.models import OutboxMessage
from tests.test_access_matrix import current_token


@pytest.fixture
def issued(app, nearly_done):
    """The learner's certificate issued, then their name corrected on the account page."""
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    learner = nearly_done["client"]
    learner.post("/courses/test-course/modules/02-finish/read")
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
    response = learner.post(
        "/account/profile", data={"name": "Zoë Papadopoulou-Smith", "timezone": ""}
    )
    assert response.status_code == 302
    return {**nearly_done, "cert": cert}


def signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = current_token(app, user.id)
    return client


def reissue_url(issued) -> str:
    return f"/cohorts/{issued['cohort_id']}/certificates/{issued['cert'].id}/reissue"


def all_certificates(app) -> list[Certificate]:
    with app.app_context():
        return db.session.scalars(select(Certificate).order_by(Certificate.id)).all()


def test_the_cohort_page_offers_a_reissue_when_the_name_changed(app, issued):
    coordinator = signed_in(app, issued["coordinator"])
    page = coordinator.get(f"/cohorts/{issued['cohort_id']}/certificates").get_data(as_text=True)
    assert "Account name now “Zoë Papadopoulou-Smith”" in page
    assert reissue_url(issued) in page


def test_the_learner_record_points_to_the_reissue(app, issued):
    coordinator = signed_in(app, issued["coordinator"])
    url = f"/cohorts/{issued['cohort_id']}/learners/{issued['learner'].id}"
    page = coordinator.get(url).get_data(as_text=True)
    assert "Re-issue it from the" in page
    assert f'href="/cohorts/{issued["cohort_id"]}/certificates"' in page


def test_the_confirmation_shows_old_and_new_name_and_asks_why(app, issued):
    coordinator = signed_in(app, issued["coordinator"])
    page = coordinator.get(reissue_url(issued)).get_data(as_text=True)
    assert "Zoë Παπαδοπούλου" in page and "Zoë Papadopoulou-Smith" in page
    response = coordinator.post(reissue_url(issued), data={"reason": "  "})
    assert response.status_code == 422
    assert "Say why the certificate is re-issued." in response.get_data(as_text=True)
    assert len(all_certificates(app)) == 1


def test_reissue_revokes_the_old_and_issues_a_new_one_in_the_new_name(app, issued):
    coordinator = signed_in(app, issued["coordinator"])
    response = coordinator.post(reissue_url(issued), data={"reason": "surname misspelt"})
    assert response.status_code == 302
    old, new = all_certificates(app)
    assert old.revoked_at is not None and old.revoke_reason == REISSUE_REASON
    assert old.replaced_by_id == new.id and old.recipient_name == "Zoë Παπαδοπούλου"
    assert new.recipient_name == "Zoë Papadopoulou-Smith" and new.revoked_at is None
    assert new.serial != old.serial and new.code != old.code and new.edition == 2
    assert (new.course_title, new.hours, new.expires_at, new.enrolment_id) == (
        old.course_title,
        old.hours,
        old.expires_at,
        old.enrolment_id,
    )
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "certificate.reissued")
        )
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.subject.like("Your certificate was re-%"))
        )
    assert entry.before == {"serial": old.serial, "name": "Zoë Παπαδοπούλου"}
    assert entry.after == {"serial": new.serial, "name": "Zoë Papadopoulou-Smith"}
    assert entry.detail == "surname misspelt" and entry.target_user_id == issued["learner"].id
    assert mail.recipient == issued["learner"].email and new.serial in mail.body


def test_the_old_code_says_replaced_and_links_the_new_one(app, issued, client):
    signed_in(app, issued["coordinator"]).post(reissue_url(issued), data={"reason": "typo"})
    old, new = all_certificates(app)
    page = client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "This certificate is revoked" in page
    assert "re-issued under a corrected name" in page and f"/verify/{new.code}" in page
    page = client.get(f"/verify/{new.code}").get_data(as_text=True)
    assert "This certificate is valid" in page and "Zoë Papadopoulou-Smith" in page


def test_the_learner_sees_the_new_certificate(app, issued):
    signed_in(app, issued["coordinator"]).post(reissue_url(issued), data={"reason": "typo"})
    old, new = all_certificates(app)
    learner = issued["client"]
    mine = learner.get("/certificates").get_data(as_text=True)
    assert new.serial in mine and "replaced by a re-issue" in mine
    assert f"/certificates/{new.id}" in learner.get("/courses/test-course").get_data(as_text=True)
    old_page = learner.get(f"/certificates/{old.id}").get_data(as_text=True)
    assert f'href="/certificates/{new.id}"' in old_page


def test_a_certificate_is_reissued_once(app, issued):
    coordinator = signed_in(app, issued["coordinator"])
    coordinator.post(reissue_url(issued), data={"reason": "typo"})
    again = coordinator.post(reissue_url(issued), data={"reason": "typo"})
    assert again.status_code == 409
    assert "already been re-issued" in again.get_data(as_text=True)
    assert len(all_certificates(app)) == 2


def test_an_unchanged_name_is_not_reissued(app, nearly_done):
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    (cert,) = all_certificates(app)
    coordinator = signed_in(app, nearly_done["coordinator"])
    url = f"/cohorts/{nearly_done['cohort_id']}/certificates/{cert.id}/reissue"
    page = coordinator.get(url).get_data(as_text=True)
    assert "already carries the holder" in page
    assert coordinator.post(url, data={"reason": "x"}).status_code == 409


def test_faculty_may_not_reissue(app, issued):
    faculty = signed_in(app, issued["faculty"])
    assert faculty.post(reissue_url(issued), data={"reason": "typo"}).status_code in (403, 404)
    assert len(all_certificates(app)) == 1


def test_the_new_certificate_keeps_the_summary_and_the_learner_record_issued(app, issued):
    from smresidency.learning.models import EnrolmentSummary

    signed_in(app, issued["coordinator"]).post(reissue_url(issued), data={"reason": "typo"})
    with app.app_context():
        summary = db.session.get(EnrolmentSummary, issued["enrolment_id"])
        assert summary.certificate_state == "issued"
    page = signed_in(app, issued["coordinator"]).get(f"/cohorts/{issued['cohort_id']}/export.csv")
    _, new = all_certificates(app)
    assert page.status_code == 200 and new.serial in page.get_data(as_text=True)


def test_the_old_credential_shows_revoked_and_the_new_one_is_signed_in_the_new_name(
    app, issued, served
):
    from smresidency.certificates import keys
    from tests.certificates.test_status_list import is_revoked

    keys.generate(app.instance_path)
    learner, cert = issued["client"], issued["cert"]
    old_token = learner.get(f"/certificates/{cert.id}/credential.jwt").get_data(True)
    signed_in(app, issued["coordinator"]).post(reissue_url(issued), data={"reason": "typo"})
    _, new = all_certificates(app)
    assert is_revoked(old_token) is True
    new_token = learner.get(f"/certificates/{new.id}/credential.jwt").get_data(True)
    assert is_revoked(new_token) is False
    claims = learner.get(f"/certificates/{new.id}/credential.json").get_json(force=True)
    assert claims["credentialSubject"]["name"] == "Zoë Papadopoulou-Smith"
    assert claims["id"].endswith(f"/verify/{new.code}")
