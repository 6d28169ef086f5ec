"""Retired modules: kept for the learners who completed them, gone for everyone else."""

import re

import pytest
from sqlalchemy import select

from smresidency.catalog.models import Course, ModuleVersion
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from smresidency.quizzes.grading import value_of
from smresidency.quizzes.models import QuizAttempt

COURSE = "test-course"
RETIRED = f"/courses/{COURSE}/modules/02-quizzed"


@pytest.fixture
def course_root(app, write_course):
    """01 Intro (10 min), 02 Quizzed (20 min, a quiz), 03 Last (30 min, requires 01)."""
    root = write_course(
        modules={
            "01-intro": {"title": "Intro", "minutes": 10},
            "02-quizzed": {"title": "Quizzed", "minutes": 20, "quiz": True},
            "03-last": {"title": "Last", "minutes": 30, "requires": ["01-intro"]},
        }
    )
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return root


def retire_quizzed(app, root) -> None:
    """Take 02 out of the files and sync, as a git author would."""
    (root / COURSE / "modules" / "02-quizzed.md").unlink()
    with app.app_context():
        sync_content(root)
        db.session.commit()


def pass_quiz(app, client) -> None:
    """Read module 02 and pass its one-question quiz through the pages."""
    client.post(f"{RETIRED}/read")
    token = client.post(f"{RETIRED}/quiz").headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        quiz = db.session.get(ModuleVersion, attempt.version_id).quiz
        drawn = attempt.questions
    by_key = {q["key"]: q for q in quiz["questions"]}
    form = {
        f"answer-{item['key']}": [
            value_of(item, i) for i, c in enumerate(by_key[item["key"]]["choices"]) if c["correct"]
        ]
        for item in drawn
    }
    client.post(f"/quiz/{token}", data=form)


def titles(page: str) -> list[str]:
    return re.findall(r'class="module-title"[^>]*>([^<]+)<', page)


def test_a_learner_who_completed_it_keeps_it_but_it_no_longer_counts(
    app, client, login_as, course_root
):
    login_as("learner")
    client.post(f"/courses/{COURSE}/modules/01-intro/read")
    pass_quiz(app, client)
    assert "2 of 3 modules complete" in client.get(f"/courses/{COURSE}").get_data(as_text=True)

    retire_quizzed(app, course_root)

    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert titles(page) == ["Intro", "Last", "Quizzed"]
    assert '<span class="tag">Retired</span>' in page
    assert "1 of 2 modules complete" in page  # only live modules count
    assert '<progress id="course-progress" max="2" value="1">' in page
    assert "About 30 minutes left" in page
    assert "Continue where you left off: Last" in page

    module = client.get(RETIRED)
    body = module.get_data(as_text=True)
    assert module.status_code == 200
    assert "no longer part of the course" in body and "Some lesson text about Quizzed." in body
    assert "You passed this quiz." in body and "Passed</td>" in body  # quiz results stay
    assert 'rel="prev"' not in body and 'rel="next"' not in body


def test_the_last_live_module_does_not_lead_to_a_retired_one(app, client, login_as, course_root):
    login_as("learner")
    client.post(f"/courses/{COURSE}/modules/01-intro/read")
    pass_quiz(app, client)
    retire_quizzed(app, course_root)
    client.post(f"/courses/{COURSE}/modules/03-last/read")
    page = client.get(f"/courses/{COURSE}/modules/03-last").get_data(as_text=True)
    assert 'rel="prev" href="/courses/test-course/modules/01-intro"' in page
    assert 'rel="next"' not in page and "Next:" not in page
    course = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "You have completed every online module" in course


def test_newcomers_and_learners_who_did_not_complete_it_lose_it(app, client, login_as, course_root):
    login_as("learner")
    client.post(f"{RETIRED}/read")  # read, quiz not passed: not complete
    retire_quizzed(app, course_root)
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert titles(page) == ["Intro", "Last"] and "Retired" not in page
    assert "0 of 2 modules complete" in page
    assert client.get(RETIRED).status_code == 404
    assert client.post(f"{RETIRED}/quiz").status_code == 404
    assert client.post(f"{RETIRED}/read").status_code == 404

    login_as("learner")
    assert titles(client.get(f"/courses/{COURSE}").get_data(as_text=True)) == ["Intro", "Last"]
    assert client.get(RETIRED).status_code == 404


def test_retired_modules_do_not_add_queries(app, client, login_as, course_root, count_queries):
    login_as("learner")
    pass_quiz(app, client)
    client.get(f"/courses/{COURSE}")  # this process now holds the site settings
    retire_quizzed(app, course_root)
    with count_queries() as first_q:
        assert client.get(f"/courses/{COURSE}").status_code == 200
    with count_queries() as course_q:
        assert client.get(f"/courses/{COURSE}").status_code == 200
    with count_queries() as module_q:
        assert client.get(RETIRED).status_code == 200
    # the first page after the publish reads the course structure again (course, modules)
    assert len(first_q) == len(course_q) + 2, first_q
    # then: the user with role names, their marks, the enrolment with its cohort (course) /
    # the attempts with the cohort's time zone for their times (module)
    assert len(course_q) == 3, course_q
    assert len(module_q) == 3, module_q


def test_a_retired_module_stops_blocking_the_certificate(
    app, client, login_as, make_user, make_cohort, course_root
):
    from smresidency.certificates.services import eligibility
    from smresidency.cohorts.models import Enrolment

    learner = make_user("learner")
    make_cohort(COURSE, learners=[learner])
    login_as(user=learner)
    client.post(f"/courses/{COURSE}/modules/01-intro/read")
    client.post(f"/courses/{COURSE}/modules/03-last/read")

    def missing() -> list[str]:
        with app.app_context():
            enrolment = db.session.scalar(select(Enrolment))
            course = db.session.scalar(select(Course).where(Course.slug == COURSE))
            return eligibility(enrolment, course).modules

    assert missing() == ["Quizzed"]
    retire_quizzed(app, course_root)
    assert missing() == []
