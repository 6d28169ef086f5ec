"""In Chromium, with CSRF on: autosave keeps a draft, then faculty return the plan.

Chromium runs in a thread of its own: Playwright's sync API allows one instance per thread,
and the e2e package's session-wide browser may already hold the main one.
"""

import re

import pytest
from sqlalchemy import select

from smresidency.extensions import db as _db
from tests.conftest import PASSWORD
from tests.e2e import conftest as e2e
from tests.plans.conftest import COURSE, SECTION_IDS, plan_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# the e2e server and axe check (they hold no browser, so sharing them is safe)
live_server, axe_source, check_a11y = e2e.live_server, e2e.axe_source, e2e.check_a11y
SAVED = re.compile(r"^Draft saved at \d\d:\d\d$")


def in_chromium(body) -> None:
    """Run body(page) in a phone-sized page of a Chromium of its own (see tests/e2e)."""
    e2e.in_chromium(lambda browser: body(e2e.new_page(browser)))


def sign_in(page, live_server, email):
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(live_server + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def test_autosave_then_review_round_trip(
    live_server, check_a11y, app, make_user, make_cohort, synced_course
):
    learner = make_user("learner", email="dimitra@example.test", name="Δήμητρα Παπαδοπούλου")
    faculty = make_user("instructor", email="faculty@example.test", name="Fran Faculty")
    cohort_id, _ = make_cohort(synced_course, faculty=[faculty], learners=[learner])
    plan_url = f"{live_server}/courses/{COURSE}/plan"

    def learner_drafts_and_submits(page):
        from playwright.sync_api import expect

        sign_in(page, live_server, "dimitra@example.test")
        page.goto(plan_url)
        check_a11y(page)
        page.get_by_label("Goals").fill("Increase class sign-ups from 40 to 60 a quarter by June.")
        expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=10_000)
        assert plan_of(app, learner.id).versions[0].sections["goals"].startswith("Increase")
        page.reload()  # the autosaved text is there after a reload
        expect(page.get_by_label("Goals")).to_have_value(re.compile("^Increase class sign-ups"))
        for sid in SECTION_IDS[1:]:
            page.locator(f"#section-{sid}").fill(f"Our {sid}.")
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_text("Your plan is submitted.")).to_be_visible()
        expect(page.locator("textarea")).to_have_count(0)
        check_a11y(page)

    def faculty_returns(page):
        from playwright.sync_api import expect

        sign_in(page, live_server, "faculty@example.test")
        page.goto(f"{live_server}/cohorts/{cohort_id}/plans")
        check_a11y(page)
        page.get_by_role("link", name=re.compile("Review")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Δήμητρα Παπαδοπούλου")
        check_a11y(page)
        page.screenshot(path="/tmp/plan-review.png", full_page=True)  # noqa: S108
        for fieldset in page.locator("fieldset.rubric-criterion").all()[:-1]:
            fieldset.get_by_label("Proficient").check()
        page.get_by_label("Return it for revision").check()
        page.get_by_label("Comments for the learner").fill("Add a measure for goal 1.")
        page.get_by_role("button", name="Record decision").click()
        expect(page.get_by_text("Plan returned: Δήμητρα Παπαδοπούλου.")).to_be_visible()

    def learner_revises(page):
        from playwright.sync_api import expect

        sign_in(page, live_server, "dimitra@example.test")
        page.goto(plan_url)
        expect(page.get_by_text("Add a measure for goal 1.")).to_be_visible()
        page.get_by_label("Measures of success").fill("Monthly bookings from the form.")
        expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=10_000)
        check_a11y(page)

    def learner_resubmits(page):
        from playwright.sync_api import expect

        sign_in(page, live_server, "dimitra@example.test")
        page.goto(plan_url)
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_text("Your plan is submitted.")).to_be_visible()

    def faculty_accepts(page):
        from playwright.sync_api import expect

        sign_in(page, live_server, "faculty@example.test")
        page.goto(f"{live_server}/cohorts/{cohort_id}/plans")
        page.get_by_role("link", name=re.compile("Review")).click()
        for fieldset in page.locator("fieldset.rubric-criterion").all()[:-1]:  # last: decision
            fieldset.get_by_label("Exemplary").check()
        page.get_by_label("Accept the plan").check()
        page.get_by_role("button", name="Record decision").click()
        expect(page.get_by_text(re.compile("Plan accepted"))).to_be_visible()
        check_a11y(page)

    in_chromium(learner_drafts_and_submits)
    in_chromium(faculty_returns)
    in_chromium(learner_revises)
    plan = plan_of(app, learner.id)
    assert plan.state == "returned"
    assert [v.number for v in plan.versions] == [1, 2]
    assert plan.versions[0].sections["measures"] == "Our measures."
    assert plan.versions[1].sections["measures"] == "Monthly bookings from the form."

    in_chromium(learner_resubmits)
    in_chromium(faculty_accepts)
    assert plan_of(app, learner.id).state == "accepted"
    from smresidency.immersion.models import CheckOff

    with app.app_context():
        ticked = _db.session.scalar(
            select(CheckOff.checked).where(CheckOff.item_id == "strategy-plan")
        )
    assert ticked is True  # the accepted plan ticks the checklist's plan item
