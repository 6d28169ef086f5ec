"""The studio's content page: every course and file with its state, at a fixed query cost."""

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from tests.authoring.conftest import COURSE


def test_content_page_lists_files_with_state_and_last_editor(
    client, login_as, synced_course, editor_form
):
    ines = login_as(
        "instructor",
    )
    page = client.get("/studio/").get_data(as_text=True)
    assert "Content studio" in page
    for text in ("Course page", "Immersion day checklist", "Strategy plan template"):
        assert text in page
    assert "Facebook for health-care teams" in page
    assert "modules/03-facebook.md" in page
    assert "content sync" in page  # versions from `flask content sync` have no person
    assert "Unpublished draft" not in page

    data = editor_form("modules", "facebook", save="Save draft")
    data["body"] += "\n### A question with no right answer?\n- [ ] No\n- [ ] Nope\n"
    client.post(f"/studio/{COURSE}/modules/facebook", data=data)
    page = client.get("/studio/").get_data(as_text=True)
    assert "Unpublished draft" in page
    assert "1 problem" in page
    assert ines.name in page


def test_content_page_query_count_does_not_grow_with_courses(
    app, client, login_as, synced_course, write_course, count_queries
):
    login_as("instructor")
    client.get("/studio/")
    with count_queries() as one:
        assert client.get("/studio/").status_code == 200
    root = write_course(slug="second-course", title="Second course")
    write_course(slug="third-course", title="Third course")
    with app.app_context():
        sync_content(root)
        db.session.commit()
    with count_queries() as three:
        page = client.get("/studio/").get_data(as_text=True)
    assert "Second course" in page and "Third course" in page
    assert len(three) == len(one)


def test_empty_studio_says_how_to_start(client, login_as):
    login_as("instructor")
    page = client.get("/studio/").get_data(as_text=True)
    assert "No course yet" in page


def test_learners_and_coordinators_cannot_open_the_studio(client, login_as):
    login_as("learner")
    assert client.get("/studio/").status_code == 403
    login_as("coordinator")
    assert client.get("/studio/").status_code == 403
