"""Issue 13 in Chromium: a coordinator's override on a learner's record, and a self-registered
learner who joins a cohort by code and sets their own details on the account page."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def test_coordinator_grants_an_extra_attempt_with_a_reason(
    live_server, browser, check_a11y, make_user, make_cohort, synced_course
):
    coordinator = make_user("coordinator", email="over@example.test", name="Olive Override")
    learner = make_user("learner", email="overlearner@example.test", name="Lee Learner")
    cohort_id, _ = make_cohort(synced_course, coordinators=[coordinator], learners=[learner])
    page = new_page(browser, 1280, 900)
    sign_in(page, live_server, "over@example.test")
    page.goto(f"{live_server}/cohorts/{cohort_id}/learners/{learner.id}")
    expect(page.get_by_role("heading", name="Staff overrides")).to_be_visible()
    page.get_by_label("Override").select_option(index=1)  # one more attempt, first quiz module
    page.get_by_role("button", name="Apply the override").click()
    expect(page.get_by_text("Give a reason; it is kept in the audit log.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Override").select_option(index=1)
    page.get_by_label("Reason").fill("Missed the session through illness")
    page.get_by_role("button", name="Apply the override").click()
    expect(page.get_by_text("The learner sees it.")).to_be_visible()
    shots = ARTIFACTS / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "learner-override.png"), full_page=True)
    page.context.close()


def test_learner_joins_by_code_and_sets_their_details(
    app, live_server, browser, check_a11y, make_user, make_cohort, synced_course
):
    from smresidency.cohorts import codes
    from smresidency.cohorts.models import Cohort
    from smresidency.extensions import db

    cohort_id, _ = make_cohort(synced_course, name="Code cohort")
    with app.app_context():
        code = codes.rotate(db.session.get(Cohort, cohort_id))
        db.session.commit()
    make_user("learner", email="selfreg@example.test", name="Sam Self")
    page = new_page(browser, 1280, 900)
    sign_in(page, live_server, "selfreg@example.test")
    page.goto(f"{live_server}/courses/{synced_course}")
    expect(page.get_by_role("heading", name="Join your cohort")).to_be_visible()
    page.get_by_role("link", name="Join your cohort").first.click()
    expect(page.get_by_label("Cohort code")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Cohort code").fill(code.lower().replace("-", ""))
    page.get_by_role("button", name="Join the cohort").click()
    expect(page.get_by_text("Welcome to your cohort!")).to_be_visible()
    expect(page.get_by_role("heading", name="Your cohort")).to_be_visible()

    page.goto(f"{live_server}/account")
    expect(page.get_by_text("Printed on your certificate.")).to_be_visible()
    page.get_by_label("Full name").fill("Dr Sam Self")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_label("Send me reminder e-mails about my progress").uncheck()
    page.get_by_role("button", name="Save your details").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    expect(page.get_by_label("Send me reminder e-mails about my progress")).not_to_be_checked()
    check_a11y(page)
    page.context.close()


def test_download_my_data_and_erasure_by_an_admin(
    app, live_server, browser, check_a11y, make_user, make_cohort, synced_course
):
    import json
    import zipfile

    learner = make_user("learner", email="gdpr@example.test", name="Gina Gdpr")
    make_cohort(synced_course, learners=[learner])
    make_user("admin", email="gdpradmin@example.test", name="Ada Admin")

    page = new_page(browser, 1280, 900)
    sign_in(page, live_server, "gdpr@example.test")
    page.goto(f"{live_server}/account")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my data").click()
    path = info.value.path()
    with zipfile.ZipFile(path) as archive:
        assert "progress.csv" in archive.namelist()
        profile = json.loads(archive.read("data.json"))["profile"][0]
    assert profile["email"] == "gdpr@example.test"
    page.context.close()

    page = new_page(browser, 1280, 900)
    sign_in(page, live_server, "gdpradmin@example.test")
    page.goto(f"{live_server}/admin/people/{learner.id}")
    page.get_by_role("link", name="Erase this person on their request").click()
    expect(page.get_by_label("The request")).to_be_visible()
    check_a11y(page)
    page.get_by_label("The request").fill("E-mail of 4 December")
    page.get_by_label("Type the person's e-mail address to confirm").fill("gdpr@example.test")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("The person is erased")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Erased person {learner.id}")
    check_a11y(page)
    page.context.close()
