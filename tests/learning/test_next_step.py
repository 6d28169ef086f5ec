"""The learner always sees one next step: the quiz after reading, the certificate at the end."""

import pytest

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db

COURSE = "test-course"


@pytest.fixture
def course(app, write_course):
    """Two modules: 01 without a quiz, 02 with one."""
    root = write_course(
        modules={
            "01-intro": {"minutes": 10},
            "02-privacy": {"minutes": 20, "requires": ["01-intro"], "quiz": True},
        }
    )
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return COURSE


def test_mark_as_read_lands_on_the_quiz(client, login_as, course):
    login_as("learner")
    client.post(f"/courses/{course}/modules/01-intro/read")
    response = client.post(f"/courses/{course}/modules/02-privacy/read")
    assert response.headers["Location"].endswith("/modules/02-privacy#quiz")
    page = client.get(f"/courses/{course}/modules/02-privacy").get_data(as_text=True)
    # the anchor names the section that holds the quiz's start button
    section = page.split('id="quiz"', 1)[1].split("</section>", 1)[0]
    assert "Take the quiz" in section


def test_continue_appears_once_a_module_is_read_not_only_when_complete(client, login_as, course):
    login_as("learner")
    client.post(f"/courses/{course}/modules/01-intro/read")
    client.post(f"/courses/{course}/modules/02-privacy/read")
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "Continue where you left off: Privacy" in page
    assert "Your progress: <strong>1 of 2 modules complete</strong>" in page


def _finish(app, client, course, learner_id):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from smresidency.catalog.models import Module
    from smresidency.learning.models import ModuleProgress

    client.post(f"/courses/{course}/modules/01-intro/read")
    client.post(f"/courses/{course}/modules/02-privacy/read")
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "02-privacy"))
        mark = db.session.scalar(
            select(ModuleProgress).where(
                ModuleProgress.module_id == module.id, ModuleProgress.user_id == learner_id
            )
        )
        mark.completed_at = datetime.now(UTC)
        db.session.commit()


def test_finished_course_without_a_cohort_says_what_comes_next(app, client, login_as, course):
    user = login_as("learner")
    _finish(app, client, course, user.id)
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "You have completed every online module" in page
    assert "Join your cohort</a> with the code your coordinator gave you" in page
    assert 'href="/join"' in page  # the next step is a link, not a dead end
    assert "Continue where you left off" not in page


def test_finished_course_in_a_cohort_points_to_the_immersion_day(
    app, client, login_as, course, make_cohort
):
    user = login_as("learner")
    make_cohort(course, learners=[user], immersion_in_days=7)
    _finish(app, client, course, user.id)
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "issued once your immersion day checklist is complete" in page
    assert "Go to your immersion day" in page
    assert "Rate yourself before you start" in page  # the day has not begun


def test_rating_link_changes_once_the_day_has_begun(app, client, login_as, course, make_cohort):
    user = login_as("learner")
    make_cohort(course, learners=[user], immersion_in_days=-1)
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "Rate yourself before you start" not in page
    assert "Rate yourself after the immersion day" in page
