"""The home page of a learner who has begun: one Continue button to the exact next thing."""

import pytest

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db


@pytest.fixture
def course(app, write_course):
    root = write_course(
        modules={
            "01-intro": {"minutes": 10},
            "02-privacy": {"minutes": 20, "requires": ["01-intro"], "quiz": True},
        }
    )
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return "test-course"


def _button(page: str) -> tuple[str, str]:
    section = page.split('id="my-learning-heading"', 1)[1].split("</section>", 1)[0]
    href = section.split('class="button" href="', 1)[1].split('"', 1)[0]
    label = section.split(f'href="{href}">', 1)[1].split("</a>", 1)[0]
    return href, label


def test_newcomer_without_a_course_sees_no_my_learning(client, login_as, course):
    login_as("learner")
    assert "My learning" not in client.get("/").get_data(as_text=True)


def test_enrolled_learner_is_offered_the_first_module(client, login_as, course, make_cohort):
    user = login_as("learner")
    make_cohort(course, learners=[user])
    href, label = _button(client.get("/").get_data(as_text=True))
    assert href == "/courses/test-course/modules/01-intro"
    assert label == "Start: Intro"


def test_after_reading_the_button_goes_to_the_quiz(client, login_as, course):
    login_as("learner")
    client.post("/courses/test-course/modules/01-intro/read")
    href, label = _button(client.get("/").get_data(as_text=True))
    assert (href, label) == ("/courses/test-course/modules/02-privacy", "Continue: Privacy")
    client.post("/courses/test-course/modules/02-privacy/read")
    page = client.get("/").get_data(as_text=True)
    href, label = _button(page)
    assert href == "/courses/test-course/modules/02-privacy#quiz"
    assert "the quiz of" in label and "Privacy" in label
    assert "1 of 2 modules complete" in page


def test_my_learning_costs_a_constant_number_of_statements(client, login_as, course, count_queries):
    login_as("learner")
    client.post("/courses/test-course/modules/01-intro/read")
    client.get("/")  # this process now holds the site settings (the loader checks their version)
    with count_queries() as statements:
        client.get("/")
    first = len(statements)
    client.post("/courses/test-course/modules/02-privacy/read")
    with count_queries() as statements:
        client.get("/")
    assert len(statements) == first <= 8
