"""The learner's path: course page → module page → mark as read → progress saved."""

import pytest

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db


@pytest.fixture
def course(app, write_course):
    """Three modules: 01 (no quiz), 02 requires 01 and has a quiz, 03 requires 02."""
    root = write_course(
        modules={
            "01-intro": {"minutes": 10},
            "02-privacy": {"minutes": 20, "requires": ["01-intro"], "quiz": True},
            "03-practice": {"minutes": 30, "requires": ["02-privacy"]},
        }
    )
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return "test-course"


def test_course_page_needs_sign_in(client, course):
    response = client.get(f"/courses/{course}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_course_page_shows_states_and_progress(client, login_as, course):
    login_as("learner")
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "Your progress: <strong>0 of 3 modules complete</strong>" in page
    assert '<progress id="course-progress" max="3" value="0">' in page
    assert "About 60 minutes left" in page
    assert "Start: Intro" in page
    assert page.count("badge-locked") == 2
    assert "first complete: Intro" in page


def test_reading_a_module_moves_progress_and_unlocks_the_next(client, login_as, course):
    login_as("learner")
    module = client.get(f"/courses/{course}/modules/01-intro")
    assert module.status_code == 200
    assert "Some lesson text about Intro." in module.get_data(as_text=True)
    assert "Mark as read" in module.get_data(as_text=True)

    response = client.post(f"/courses/{course}/modules/01-intro/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/modules/02-privacy")

    page = client.get(f"/courses/{course}").get_data(as_text=True)
    # the figure and the bar are the same count: complete modules out of live ones
    assert "Your progress: <strong>1 of 3 modules complete</strong>" in page
    assert '<progress id="course-progress" max="3" value="1">' in page
    assert "About 50 minutes left" in page
    assert "Continue where you left off: Privacy" in page
    assert client.get(f"/courses/{course}/modules/02-privacy").status_code == 200


def test_module_with_a_quiz_is_read_but_not_complete(client, login_as, course):
    login_as("learner")
    client.post(f"/courses/{course}/modules/01-intro/read")
    client.post(f"/courses/{course}/modules/02-privacy/read")
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "Read — quiz to do" in page
    assert "Your progress: <strong>1 of 3 modules complete</strong>" in page
    locked = client.get(f"/courses/{course}/modules/03-practice")
    assert locked.status_code == 403
    assert "opens once you have completed" in locked.get_data(as_text=True)
    assert "Privacy" in locked.get_data(as_text=True)


def test_locked_module_cannot_be_marked_read_by_direct_post(client, login_as, course):
    login_as("learner")
    assert client.post(f"/courses/{course}/modules/02-privacy/read").status_code == 403
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "Your progress: <strong>0 of 3 modules complete</strong>" in page


def test_marking_read_twice_changes_nothing(app, client, login_as, course):
    from sqlalchemy import func, select

    from smresidency.learning.models import ModuleProgress

    login_as("learner")
    client.post(f"/courses/{course}/modules/01-intro/read")
    with app.app_context():
        first = db.session.scalar(select(ModuleProgress.read_at))
    client.post(f"/courses/{course}/modules/01-intro/read")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 1
        assert db.session.scalar(select(ModuleProgress.read_at)) == first


def test_progress_is_per_learner(client, login_as, make_user, course):
    login_as("learner")
    client.post(f"/courses/{course}/modules/01-intro/read")
    login_as("learner")  # a different learner in the same client
    page = client.get(f"/courses/{course}").get_data(as_text=True)
    assert "Your progress: <strong>0 of 3 modules complete</strong>" in page


def test_unknown_course_and_module_are_404(client, login_as, course):
    login_as("learner")
    assert client.get("/courses/nope").status_code == 404
    assert client.get(f"/courses/{course}/modules/99-nope").status_code == 404
    assert "Page not found" in client.get("/courses/nope").get_data(as_text=True)


def test_previous_and_next_links(client, login_as, course):
    login_as("learner")
    client.post(f"/courses/{course}/modules/01-intro/read")
    page = client.get(f"/courses/{course}/modules/02-privacy").get_data(as_text=True)
    assert 'rel="prev" href="/courses/test-course/modules/01-intro"' in page
    assert "Next: Practice (locked)" in page


def test_home_lists_courses_and_empty_state(client, login_as, app):
    assert "No course has been published yet" in client.get("/").get_data(as_text=True)


def test_home_shows_course_card(client, course):
    page = client.get("/").get_data(as_text=True)
    assert "Test course" in page
    assert "3 modules" in page


def test_real_course_reads_end_to_end(client, login_as, synced_course):
    login_as("learner")
    page = client.get(f"/courses/{synced_course}").get_data(as_text=True)
    assert "Why social media matters" in page or "Why Social Media" in page
    first = client.get(f"/courses/{synced_course}/modules/01-why-social-media")
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    assert "By the end of this module you can" in body
    # the lesson page carries the lesson only: no quiz section, no answer key
    assert "[x]" not in body
    assert "(choose all that apply)" not in body


@pytest.mark.parametrize("size", [3, 12])
def test_course_and_module_pages_use_a_fixed_number_of_queries(
    app, client, login_as, write_course, count_queries, size
):
    modules = {
        f"{i:02d}-m{i}": {"requires": [f"{i - 1:02d}-m{i - 1}"] if i > 1 else []}
        for i in range(1, size + 1)
    }
    with app.app_context():
        sync_content(write_course(modules=modules))
        db.session.commit()
    login_as("learner")
    client.post("/courses/test-course/modules/01-m1/read")
    client.get("/courses/test-course")  # this process now holds the site settings
    with count_queries() as course_q:
        assert client.get("/courses/test-course").status_code == 200
    with count_queries() as module_q:
        assert client.get("/courses/test-course/modules/02-m2").status_code == 200
    # the user with role names and the content and settings versions, the learner's own
    # marks, their enrolment with its cohort (course page only); the course structure, lesson
    # and site settings are cached
    assert len(course_q) == 3, course_q
    assert len(module_q) == 2, module_q
    assert not any("module_version" in q for q in course_q + module_q)


def test_enrolled_learners_see_their_cohort_links(
    client, login_as, make_user, make_cohort, synced_course
):
    learner = make_user("learner")
    make_cohort(synced_course, learners=[learner])
    login_as(user=learner)
    page = client.get(f"/courses/{synced_course}").get_data(as_text=True)
    assert "Your immersion day" in page
    assert f"/courses/{synced_course}/ratings/pre" in page
    login_as("learner")  # not in any cohort
    assert "Your immersion day" not in client.get(f"/courses/{synced_course}").get_data(
        as_text=True
    )
