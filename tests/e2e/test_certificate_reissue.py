"""Issue 13 in Chromium: a coordinator re-issues a certificate under the holder's corrected
name, through the confirmation page; the old code's page sends verifiers to the new one."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import new_page
from tests.e2e.test_operators_self_service import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_coordinator_reissues_a_certificate_under_the_corrected_name(
    app, live_server, browser, check_a11y, make_user, make_cohort, synced_course
):
    from smresidency.auth.models import User
    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.extensions import db
    from tests.access.world import _certificate

    coordinator = make_user("coordinator", email="reissue@example.test", name="Rae Issuer")
    learner = make_user("learner", email="holder@example.test", name="Jon Smyth")
    cohort_id, _ = make_cohort(synced_course, coordinators=[coordinator], learners=[learner])
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == learner.id))
        cert_id, old_code = _certificate(learner.id, enrolment, cohort_id)
        db.session.get(Certificate, cert_id).recipient_name = "Jon Smyth"
        db.session.get(User, learner.id).name = "Jon Smith"  # corrected on the account page
        db.session.commit()

    page = new_page(browser, 1280, 900)
    sign_in(page, live_server, "reissue@example.test")
    page.goto(f"{live_server}/cohorts/{cohort_id}/certificates")
    page.get_by_role("link", name="re-issue SMR-2026-999999 under this name").click()
    expect(page.get_by_role("heading", name="Re-issue certificate SMR-2026-999999")).to_be_visible()
    expect(page.get_by_text("Jon Smith", exact=True)).to_be_visible()
    page.get_by_role("button", name="Re-issue as Jon Smith").click()
    expect(page.get_by_text("Say why the certificate is re-issued.").first).to_be_visible()
    check_a11y(page)
    page.goto(f"{live_server}/cohorts/{cohort_id}/certificates/{cert_id}/reissue")
    page.get_by_label("Reason").fill("Surname misspelt; the holder asked")
    DOCS_IMG.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "certificate-reissue.png"))
    page.get_by_role("button", name="Re-issue as Jon Smith").click()
    expect(page.get_by_text("is replaced by")).to_be_visible()
    check_a11y(page)

    page.goto(f"{live_server}/verify/{old_code}")
    expect(page.get_by_text("re-issued under a corrected name").first).to_be_visible()
    page.get_by_role("link", name="SMR-").click()
    expect(page.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    expect(page.get_by_text("Jon Smith")).to_be_visible()
    check_a11y(page)
    page.context.close()
