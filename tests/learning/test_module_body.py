"""The module page's body is rendered once per version, status and neighbours and shared by
learners; their own parts (quiz panel, attempts, CSRF token) stay theirs, and a publish
renders it anew."""

import re

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from smresidency.learning import fragments
from smresidency.quizzes.grading import value_of
from tests.quizzes.test_taking import correct_answers, quiz_of_attempt, wrong_choice

COURSE = "/courses/test-course"
FIRST = f"{COURSE}/modules/01-first"


def _sync(app, root):
    with app.app_context():
        sync_content(root)
        db.session.commit()


def _course(write_course, title="Old title"):
    return write_course(
        modules={
            "01-first": {"title": title, "quiz": True},
            "02-second": {"requires": ["01-first"]},
        }
    )


def test_the_module_body_is_rendered_once_and_shared(app, client, login_as, write_course):
    _sync(app, _course(write_course))
    login_as("learner")
    client.post(f"{FIRST}/read")
    client.get(FIRST)
    before = len(fragments.body_renders)
    for _ in range(3):
        page = client.get(FIRST).get_data(as_text=True)
        assert "Old title" in page and "Take the quiz" in page
    assert len(fragments.body_renders) == before  # the same body, slots filled again

    start = client.post(f"{FIRST}/quiz")
    token = re.fullmatch(r"/quiz/([\w-]+)", start.headers["Location"]).group(1)
    client.post(f"/quiz/{token}", data=correct_answers(*quiz_of_attempt(app, token)))
    passed = client.get(FIRST).get_data(as_text=True)  # complete now: one new body
    assert len(fragments.body_renders) == before + 1
    assert f'href="/quiz/{token}/result"' in passed and "You passed this quiz." in passed

    login_as("learner")  # another learner at the first learner's earlier status
    client.post(f"{FIRST}/read")
    other = client.get(FIRST).get_data(as_text=True)
    assert len(fragments.body_renders) == before + 1  # the shared body, their own panel
    assert "Take the quiz" in other and token not in other and "Your attempts" not in other


def test_a_publish_renders_the_module_body_anew(app, client, login_as, write_course):
    root = _course(write_course)
    _sync(app, root)
    login_as("learner")
    client.get(FIRST)
    before = len(fragments.body_renders)
    assert "Old title" in client.get(FIRST).get_data(as_text=True)
    assert len(fragments.body_renders) == before

    _course(write_course, title="New title")
    _sync(app, root)  # a publish bumps the content version every worker reads
    page = client.get(FIRST).get_data(as_text=True)
    assert "New title" in page and "Old title" not in page
    assert len(fragments.body_renders) == before + 1


def test_a_module_page_with_attempts_and_a_cooldown_costs_four_statements(
    app, client, login_as, write_course, count_queries
):
    _sync(app, _course(write_course))
    login_as("learner")
    client.post(f"{FIRST}/read")
    start = client.post(f"{FIRST}/quiz")
    token = re.fullmatch(r"/quiz/([\w-]+)", start.headers["Location"]).group(1)
    quiz, drawn = quiz_of_attempt(app, token)
    wrong = value_of(drawn[0], wrong_choice(quiz["questions"][0]))
    client.post(f"/quiz/{token}", data={"answer-q1": [wrong]})  # submitted, not passed
    client.get(FIRST)
    with count_queries() as statements:
        page = client.get(FIRST).get_data(as_text=True)
    assert "Your attempts" in page and f'href="/quiz/{token}/result"' in page
    assert "data-countdown" in page and "/static/js/countdown.js" in page
    # the user with its versions, the learner's marks, the attempts with the cohort's zone,
    # the staff overrides (a limited quiz with an unpassed attempt)
    assert len(statements) == 4, statements


def test_the_course_body_is_rendered_once_per_summary(app, client, login_as, write_course):
    root = _course(write_course)
    _sync(app, root)
    login_as("learner")
    client.get(COURSE)
    before = len(fragments.body_renders)
    for _ in range(3):
        page = client.get(COURSE).get_data(as_text=True)
        assert "Start: Old title" in page and "0 of 2 modules complete" in page
    login_as("learner")  # another learner with the same summary shares it
    assert "Start: Old title" in client.get(COURSE).get_data(as_text=True)
    assert len(fragments.body_renders) == before

    client.post(f"{FIRST}/read")  # a new summary: continue where you left off
    page = client.get(COURSE).get_data(as_text=True)
    assert "Continue where you left off: Old title" in page
    assert len(fragments.body_renders) == before + 1

    _course(write_course, title="New title")
    _sync(app, root)  # a publish renders it anew
    page = client.get(COURSE).get_data(as_text=True)
    assert "Continue where you left off: New title" in page and "Old title" not in page
    assert len(fragments.body_renders) == before + 2
