"""In a phone-sized browser: a learner rates themselves before and after; faculty read the
report. Every page passes axe-core and raises no CSP error."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.schedule import local_today
from smresidency.extensions import db
from smresidency.ratings.models import SelfRating
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def sign_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer_all(page, label: str) -> None:
    groups = page.locator("fieldset")
    for i in range(groups.count()):
        groups.nth(i).get_by_label(label).check()


def day_is_today(app, cohort_id: int) -> None:
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.immersion_date = local_today(cohort)
        db.session.commit()


def test_rate_before_and_after_then_read_the_report(
    app, page, live_server, check_a11y, synced_course, make_user, make_cohort
):
    faculty = make_user("instructor", email="faculty@example.test")
    learner = make_user("learner", email="rater@example.test")
    cohort_id, _ = make_cohort(synced_course, faculty=[faculty], learners=[learner])
    rate = f"{live_server}/courses/{synced_course}/ratings"

    sign_in(page, live_server, "rater@example.test")
    page.goto(rate + "/pre")
    check_a11y(page)
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_role("alert")).to_contain_text("8 need an answer")
    check_a11y(page)
    answer_all(page, "Slightly confident")
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_role("status")).to_contain_text("before the residency are saved")

    page.goto(rate + "/post")
    expect(page.get_by_text("open on your immersion day")).to_be_visible()
    check_a11y(page)
    day_is_today(app, cohort_id)
    page.goto(rate + "/post")
    answer_all(page, "Very confident")
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_role("status")).to_contain_text("ticked on your immersion checklist")
    change = page.get_by_role("table", name="Your ratings before and after")
    expect(change.get_by_role("row")).to_have_count(9)
    expect(change.get_by_role("row").nth(1)).to_contain_text("+3")
    check_a11y(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "faculty@example.test")
    page.goto(f"{live_server}/cohorts/{cohort_id}/ratings")
    expect(page.get_by_role("img", name="Average self-rating before and after")).to_be_visible()
    table = page.get_by_role("table", name="Average self-rating per competency")
    expect(table.get_by_role("row").nth(1)).to_contain_text("+3.00")
    check_a11y(page)
    with app.app_context():
        enrolment = select(Enrolment.id).where(Enrolment.user_id == learner.id)
        phases = db.session.scalars(
            select(SelfRating.phase).where(SelfRating.enrolment_id == enrolment.scalar_subquery())
        ).all()
    assert sorted(phases) == ["post", "pre"]
