"""Issue 12.1 in Chromium: a quiz whose stored choice was a stripped <meta> refresh keeps the
learner on the quiz (before the fix the raw tag was emitted and the browser navigated away)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_quiz import sign_in
from tests.quizzes.test_raw_html import course_with_planted_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_learner_opening_the_quiz_is_not_navigated_away(
    live_server, page, app, make_user, write_course
):
    module = course_with_planted_quiz(app, write_course)
    sign_in(page, live_server, make_user)
    page.goto(live_server + module)
    page.get_by_role("button", name="Mark as read").click()
    if page.get_by_role("button", name="Take the quiz").count():
        page.get_by_role("button", name="Take the quiz").click()
    expect(page.get_by_role("heading", name="Quiz: Stay here")).to_be_visible()
    quiz_url = page.url
    assert "/quiz/" in quiz_url
    page.wait_for_timeout(1500)  # a refresh with content="0" would have fired by now
    assert page.url == quiz_url
    expect(page.get_by_role("radio")).to_have_count(2)
    assert page.locator("meta[http-equiv]").count() == 0
