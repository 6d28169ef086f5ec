"""A learner fails a quiz, sees the cooldown, passes it, and the next module unlocks."""

import pytest
from playwright.sync_api import expect

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUIZ = """
## Quiz
pass: 100%
attempts: 3
cooldown: 2s
show_answers: after_pass

### A patient asks for advice in a public comment. What do you do?
- [ ] Answer in detail under the post.
  > Public clinical advice exposes the patient and may be wrong for them.
- [x] Thank them and move the conversation to a private, official channel.
  > Yes: it protects privacy and keeps advice within a proper consultation.

### Posting a de-identified photo is always safe.
- [ ] True
  > Backgrounds, tattoos and dates can still identify someone.
- [x] False
  > Right: de-identification is harder than it looks.
"""


@pytest.fixture
def quiz_course(app, write_course):
    root = write_course(
        modules={
            "01-privacy": {"title": "Privacy basics", "quiz": QUIZ},
            "02-next-steps": {"title": "Next steps", "requires": ["01-privacy"]},
        }
    )
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return "test-course"


def sign_in(page, live_server, make_user):
    make_user("learner", email="quiz.taker@example.test")
    page.goto(live_server + "/login")
    page.get_by_label("E-mail address").fill("quiz.taker@example.test")
    page.get_by_label("Password").fill("a long test passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def answer(page, first: str, second: str):
    page.get_by_label(first).check()
    page.get_by_label(second, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()


def test_fail_wait_pass_unlock(live_server, page, check_a11y, make_user, quiz_course):
    sign_in(page, live_server, make_user)
    module = f"{live_server}/courses/{quiz_course}/modules/01-privacy"
    page.goto(module)
    page.get_by_role("button", name="Mark as read").click()
    page.get_by_role("button", name="Take the quiz").click()
    expect(page.get_by_role("heading", name="Quiz: Privacy basics")).to_be_visible()
    check_a11y(page)

    # submitting with nothing ticked is refused and announced
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Please answer every question")
    check_a11y(page)

    answer(page, "Answer in detail under the post.", "True")
    expect(page.get_by_text("not passed")).to_be_visible()
    expect(page.get_by_text("Your next attempt opens in")).to_be_visible()
    expect(page.get_by_text("Correct answer", exact=True)).to_have_count(0)
    check_a11y(page)

    page.goto(module)
    expect(page.get_by_role("button", name="Take the quiz")).to_have_count(0)
    page.wait_for_timeout(2500)
    page.goto(module)
    page.get_by_role("button", name="Take the quiz").click()
    answer(page, "Thank them and move the conversation to a private, official channel.", "False")
    expect(page.get_by_text("This module is complete.")).to_be_visible()
    expect(page.get_by_text("Correct answer", exact=True).first).to_be_visible()

    page.goto(f"{live_server}/courses/{quiz_course}")
    expect(page.get_by_text("Completed")).to_be_visible()
    page.get_by_role("link", name="Next steps", exact=True).click()
    expect(page.get_by_role("heading", name="Next steps", level=1)).to_be_visible()
    check_a11y(page)
