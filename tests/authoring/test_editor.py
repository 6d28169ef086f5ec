"""The studio editor: preview without saving, drafts, validation on publish, publishing."""

import re
from pathlib import Path

from sqlalchemy import func, select

from smresidency.authoring.models import Draft
from smresidency.catalog.models import Course, Module, ModuleVersion
from tests.authoring.conftest import COURSE, textarea

EDIT = f"/studio/{COURSE}/modules/facebook"
EDIT_FIRST = f"/studio/{COURSE}/modules/why-social-media"
LEARNER_PAGE = f"/courses/{COURSE}/modules/01-why-social-media"  # open to every learner
NEW_LINE = "Studio sentence: every Page needs two trusted administrators."
BROKEN_QUIZ_TAIL = "\n### A question nobody can get right?\n- [ ] Wrong\n- [ ] Also wrong\n"


def _versions(db, slug: str = "03-facebook") -> int:
    return db.session.scalar(
        select(func.count()).select_from(ModuleVersion).join(Module).where(Module.slug == slug)
    )


def test_editor_shows_the_published_module_as_fields_and_markdown(client, login_as, synced_course):
    login_as("instructor")
    page = client.get(EDIT).get_data(as_text=True)
    assert 'value="Facebook for health-care teams"' in page
    assert 'value="19"' in page
    assert "Write house rules and set up moderation for a hospital Page" in textarea(
        page, "objectives"
    )
    assert textarea(page, "body").lstrip().startswith("*Facts last checked: 2026-11.*")
    assert "Facebook still reaches groups that newer platforms miss" in textarea(page, "body")
    assert "## Quiz" in textarea(page, "body")
    assert re.search(r'<input checked[^>]*value="02-professionalism-privacy"', page)


def test_preview_button_renders_lesson_quiz_and_key_and_saves_nothing(
    client, login_as, synced_course, editor_form, db
):
    login_as("instructor")
    data = editor_form("modules", "facebook", preview="Preview")
    data["body"] = NEW_LINE + "\n\n" + data["body"]
    response = client.post(EDIT, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<p>{NEW_LINE}</p>" in page
    assert "Quiz as learners see it" in page
    assert "The physiotherapy team wants its own Facebook presence" in page
    assert "Answer key (instructors only)" in page
    assert "No problems: this text can be published." in page
    assert NEW_LINE in textarea(page, "body")  # the author's text stays in the box
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_live_preview_returns_the_panel_with_problems(client, login_as, synced_course, editor_form):
    login_as("instructor")
    data = editor_form("modules", "facebook")
    data["body"] += BROKEN_QUIZ_TAIL
    response = client.post(EDIT + "/preview", data=data)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment
    assert "modules/03-facebook.md:" in fragment
    assert "lesson and quiz box" in fragment


def test_save_makes_a_draft_that_learners_do_not_see(
    client, login_as, synced_course, editor_form, db
):
    instructor = login_as("instructor")
    data = editor_form("modules", "why-social-media", save="Save draft")
    data["body"] = NEW_LINE + "\n\n" + data["body"]
    response = client.post(EDIT_FIRST, data=data)
    assert response.status_code == 303
    draft = db.session.scalar(select(Draft))
    assert NEW_LINE in draft.text and draft.revision == 1
    assert draft.updated_by_id == instructor.id and draft.problems == []
    page = client.get(EDIT_FIRST).get_data(as_text=True)
    assert "Draft saved" in page and NEW_LINE in textarea(page, "body")
    login_as("learner")
    assert NEW_LINE not in client.get(LEARNER_PAGE).get_data(as_text=True)


def test_publish_refuses_an_invalid_module_with_every_problem_and_keeps_the_text(
    client, login_as, synced_course, editor_form, db
):
    login_as("instructor")
    data = editor_form("modules", "facebook", publish="Publish")
    data["body"] += BROKEN_QUIZ_TAIL + "\n# A level-one heading in the quiz\n"
    response = client.post(EDIT, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not published" in page
    assert page.count("<code>modules/03-facebook.md:") >= 1
    assert "A question nobody can get right?" in textarea(page, "body")
    assert db.session.scalar(select(Draft)).problems  # kept as a draft, problems recorded
    assert _versions(db) == 1


def test_publish_makes_a_new_version_learners_see_and_records_who(
    app, client, login_as, synced_course, editor_form, make_user
):
    # No `db` fixture here: a request inside a held app context would keep its user in `g`.
    from smresidency.extensions import db

    learner = make_user("learner")
    instructor = login_as("instructor")
    data = editor_form("modules", "why-social-media", publish="Publish")
    data["body"] = NEW_LINE + "\n\n" + data["body"]
    response = client.post(EDIT_FIRST, data=data)
    assert response.status_code == 303
    assert "Published" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert _versions(db, "01-why-social-media") == 2
        module = db.session.scalar(select(Module).where(Module.slug == "01-why-social-media"))
        current = db.session.scalar(
            select(ModuleVersion).where(
                ModuleVersion.module_id == module.id,
                ModuleVersion.content_hash == module.current_hash,
            )
        )
        assert current.created_by_id == instructor.id
        # Untouched front matter keeps the author's own formatting, byte for byte.
        original_file = (
            Path(app.config["CONTENT_DIR"]) / COURSE / "modules" / "01-why-social-media.md"
        )
        original = original_file.read_text(encoding="utf-8")
        assert current.source.split("---\n", 2)[1] == original.split("---\n", 2)[1]
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    login_as(user=learner)
    page = client.get(LEARNER_PAGE).get_data(as_text=True)
    assert "Studio" not in page.split("<main", 1)[0]  # really the learner's page
    assert NEW_LINE in page


def test_changed_fields_rewrite_the_front_matter(client, login_as, synced_course, editor_form, db):
    login_as("instructor")
    data = editor_form(
        "modules", "facebook", publish="Publish", title="Facebook: Pages, Groups and Live"
    )
    data["objectives"] += "\nChoose when to go Live"
    assert client.post(EDIT, data=data).status_code == 303
    version = db.session.scalars(select(ModuleVersion).order_by(ModuleVersion.id.desc())).first()
    assert version.title == "Facebook: Pages, Groups and Live"
    assert "title: 'Facebook: Pages, Groups and Live'" in version.source
    assert version.objectives[-1] == "Choose when to go Live"


def test_field_errors_re_render_without_saving(client, login_as, synced_course, editor_form, db):
    login_as("instructor")
    data = editor_form("modules", "facebook", save="Save draft", minutes="0", title="")
    response = client.post(EDIT, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give a whole number of minutes from 1 to 600." in page
    assert "This field is required." in page
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_immersion_checklist_is_edited_and_published_the_same_way(
    client, login_as, synced_course, editor_form, db
):
    login_as("instructor")
    url = f"/studio/{COURSE}/pages/immersion"
    page = client.get(url).get_data(as_text=True)
    assert "## " in textarea(page, "text")
    data = editor_form("pages", "immersion", publish="Publish")
    data["text"] = data["text"].replace("kind: ", "kind: not-a-kind-", 1)
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    assert "<code>immersion.md:" in refused.get_data(as_text=True)
    data = editor_form("pages", "immersion", publish="Publish")  # from the saved draft
    data["text"] = data["text"].replace("kind: not-a-kind-", "kind: ", 1)
    data["text"] = data["text"].rstrip("\n") + "\n\nBring a charged phone.\n"
    assert client.post(url, data=data).status_code == 303
    course = db.session.scalar(select(Course))
    assert "Bring a charged phone." in course.immersion_text


def test_the_editor_is_for_instructors(client, login_as, synced_course):
    assert client.get(EDIT).status_code == 302
    login_as("learner")
    assert client.get(EDIT).status_code == 403
    login_as("coordinator")
    assert client.get(EDIT).status_code == 403
    login_as("admin")
    assert client.get(EDIT).status_code == 200


def test_unknown_files_are_404(client, login_as, synced_course):
    login_as("instructor")
    assert client.get(f"/studio/{COURSE}/modules/no-such-module").status_code == 404
    assert client.get(f"/studio/{COURSE}/pages/settings").status_code == 404
    assert client.get("/studio/no-course/modules/facebook").status_code == 404


def test_after_a_refused_publish_the_fixed_text_publishes(
    client, login_as, synced_course, editor_form, db
):
    login_as("instructor")
    data = editor_form("modules", "facebook", publish="Publish")
    fixed_body = data["body"]
    data["body"] += BROKEN_QUIZ_TAIL
    refused = client.post(EDIT, data=data)
    assert refused.status_code == 422
    opened = re.search(r'name="opened"[^>]*value="([^"]*)"', refused.get_data(as_text=True))
    again = client.post(EDIT, data={**data, "body": fixed_body, "opened": opened.group(1)})
    assert again.status_code == 303  # the author's own draft is not a conflict
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_learners_keep_what_they_completed_on_the_earlier_version(
    app, client, login_as, synced_course, editor_form, make_user
):
    # No `db` fixture here: a request inside a held app context would keep its user in `g`.
    from smresidency.db import utcnow
    from smresidency.extensions import db
    from smresidency.learning.models import ModuleProgress

    learner = make_user("learner")
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "01-why-social-media"))
        first = db.session.scalar(
            select(ModuleVersion.id).where(ModuleVersion.module_id == module.id)
        )
        db.session.add(
            ModuleProgress(
                user_id=learner.id,
                module_id=module.id,
                version_id=first,
                read_at=utcnow(),
                completed_at=utcnow(),
            )
        )
        db.session.commit()
    login_as("instructor")
    data = editor_form("modules", "why-social-media", publish="Publish")
    data["body"] = NEW_LINE + "\n\n" + data["body"]
    assert client.post(EDIT_FIRST, data=data).status_code == 303
    login_as(user=learner)
    outline = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "1 of 14 modules complete" in outline
    with app.app_context():
        progress = db.session.scalar(select(ModuleProgress))
        assert progress.version_id == first and progress.completed_at is not None


def test_saving_the_published_text_unchanged_makes_no_draft(
    client, login_as, synced_course, editor_form, db
):
    login_as("instructor")
    response = client.post(EDIT, data=editor_form("modules", "facebook", save="Save draft"))
    assert response.status_code == 303
    assert "Nothing to save" in client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_requires_offers_only_modules_that_come_before(client, login_as, synced_course):
    """Module 03 may require 01 or 02; offering 04 to 10 invited a circle or a locked course."""
    login_as("instructor")
    page = client.get(EDIT).get_data(as_text=True)
    offered = re.findall(r'name="requires"[^>]*value="([^"]+)"', page) + re.findall(
        r'value="([^"]+)"[^>]*name="requires"', page
    )
    assert sorted(set(offered)) == ["01-why-social-media", "02-professionalism-privacy"]
    first = client.get(EDIT_FIRST).get_data(as_text=True)
    assert "No other published module to require." in first


def test_preview_lists_quality_warnings_without_blocking(
    client, login_as, synced_course, editor_form
):
    login_as("instructor")
    data = editor_form("modules", "facebook", preview="Preview")
    data["minutes"] = "300"
    page = client.post(EDIT, data=data).get_data(as_text=True)
    assert "No problems: this text can be published." in page
    assert "quality warning" in page and "(they do not stop a publish)" in page
    assert "`minutes: 300` differs by more than 20% from the estimate" in page
