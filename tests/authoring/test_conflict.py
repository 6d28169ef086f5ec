"""Two instructors editing one module: the second to save is told, and loses nothing."""

import html as htmllib
import re

import pytest
from sqlalchemy import select

from smresidency.authoring.documents import load_doc, text_hash
from smresidency.authoring.models import Draft
from smresidency.authoring.services import save_draft
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.extensions import db

COURSE = "social-media-residency"
EDITOR = f"/studio/{COURSE}/modules/facebook"
OLD = "This module covers how to use it well and safely."
A_TEXT = "Ada adds a paragraph about verified Pages."
B_TEXT = "Ben explains why a Group suits a patient support network."


@pytest.fixture
def instructors(app, make_user, synced_course):
    """Two signed-in browsers, one per instructor."""
    people = {}
    for name in ("Ada Author", "Ben Second"):
        user = make_user("instructor", name=name)
        browser = app.test_client()
        with browser.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
        people[name.split()[0]] = (user, browser)
    return people


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def textarea(html: str, element_id: str) -> str:
    """A textarea's value as a browser reads it (one newline right after the tag is markup)."""
    match = re.search(rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {element_id}"
    return re.sub(r"^\r?\n", "", htmllib.unescape(match.group(1)))


def open_editor(browser) -> dict:
    """What the editor form holds when the instructor opens it."""
    response = browser.get(EDITOR)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {
        "opened": hidden(page, "opened"),
        "title": htmllib.unescape(re.search(r'id="title"[^>]*value="([^"]*)"', page).group(1)),
        "minutes": re.search(r'id="minutes"[^>]*value="([^"]*)"', page).group(1),
        "objectives": textarea(page, "objectives"),
        "requires": re.findall(r'<input checked[^>]*name="requires"[^>]*value="([^"]+)"', page),
        "body": textarea(page, "body"),
    }


def with_sentence(form: dict, sentence: str, button: str = "save") -> dict:
    data = {**form, "body": form["body"].replace(OLD, f"{OLD} {sentence}")}
    data[button] = "Save draft" if button == "save" else "Publish"
    return data


def stored_draft(app) -> Draft | None:
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.file == "modules/03-facebook.md"))
        if draft is not None:
            db.session.expunge(draft)
        return draft


def live_text(app) -> str:
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "03-facebook"))
        return db.session.scalar(
            select(ModuleVersion.source).where(
                ModuleVersion.module_id == module.id,
                ModuleVersion.content_hash == module.current_hash,
            )
        )


def test_the_second_to_save_a_draft_is_told_and_keeps_their_text(app, instructors):
    ada, a = instructors["Ada"]
    ben, b = instructors["Ben"]
    form_a, form_b = open_editor(a), open_editor(b)
    assert form_a["opened"] == form_b["opened"]
    assert OLD in form_a["body"] and form_a["requires"] == ["02-professionalism-privacy"]

    assert a.post(EDITOR, data=with_sentence(form_a, A_TEXT)).status_code == 303
    response = b.post(EDITOR, data=with_sentence(form_b, B_TEXT))

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this file while you were editing." in page
    assert "Ada Author saved a draft at" in page
    assert B_TEXT in textarea(page, "body")  # Ben's text is still in his form
    assert A_TEXT not in textarea(page, "body")
    theirs = textarea(page, "theirs-text")
    assert A_TEXT in theirs and B_TEXT not in theirs  # Ada's text is shown as hers
    draft = stored_draft(app)
    assert draft.text == live_text(app).replace(OLD, f"{OLD} {A_TEXT}")  # Ada's, byte for byte
    assert (draft.revision, draft.updated_by_id) == (1, ada.id)

    # Ben decides: his save from the conflict page replaces Ada's draft
    retry = {**with_sentence(form_b, B_TEXT), "opened": hidden(page, "opened")}
    assert retry["opened"] == text_hash(draft.text)  # the form now starts from Ada's text
    assert b.post(EDITOR, data=retry).status_code == 303
    draft = stored_draft(app)
    assert draft.text == live_text(app).replace(OLD, f"{OLD} {B_TEXT}")
    assert (draft.revision, draft.updated_by_id) == (2, ben.id)


def test_a_publish_while_the_other_edits_the_published_text_is_a_conflict(app, instructors):
    _, a = instructors["Ada"]
    _, b = instructors["Ben"]
    form_a, form_b = open_editor(a), open_editor(b)
    assert form_b["opened"] == text_hash(live_text(app))  # no draft: the published text

    assert a.post(EDITOR, data=with_sentence(form_a, A_TEXT, "publish")).status_code == 303
    response = b.post(EDITOR, data=with_sentence(form_b, B_TEXT))

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this file while you were editing." in page
    assert "A new version was published." in page
    assert B_TEXT in textarea(page, "body")
    assert A_TEXT in textarea(page, "theirs-text")
    assert stored_draft(app) is None  # nothing of Ben's was written over anything
    live = live_text(app)
    assert A_TEXT in live and B_TEXT not in live
    # publishing from the stale page is refused the same way
    again = b.post(EDITOR, data=with_sentence(form_b, B_TEXT, "publish"))
    assert again.status_code == 409 and B_TEXT in textarea(again.get_data(as_text=True), "body")


def _doc(course_slug=COURSE):
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    return load_doc(course, "modules", "facebook")


def _with(text: str, *sentences: str) -> str:
    return text.replace(OLD, " ".join((OLD, *sentences)))


def test_save_draft_refuses_a_changed_text(db, make_user, synced_course):
    ada, ben = make_user("instructor"), make_user("instructor")
    doc = _doc()
    published = doc.published
    opened = text_hash(published)
    assert save_draft(doc, _with(published, A_TEXT), opened, ada.id).ok
    db.session.commit()

    refused = save_draft(_doc(), _with(published, B_TEXT), opened, ben.id)
    assert refused.conflict is not None and not refused.ok
    assert A_TEXT in refused.conflict.draft.text
    db.session.commit()
    assert A_TEXT in db.session.scalar(select(Draft.text))

    ada_text = refused.conflict.draft.text
    assert save_draft(_doc(), _with(published, B_TEXT), text_hash(ada_text), ben.id).ok
    db.session.commit()
    draft = db.session.scalar(select(Draft).execution_options(populate_existing=True))
    assert draft.revision == 2 and B_TEXT in draft.text and A_TEXT not in draft.text
    assert draft.updated_by_id == ben.id


def test_a_stale_document_loses_the_race_at_the_database(db, make_user, synced_course):
    """Both loaded the document before either saved: the row itself decides who was first."""
    ada, ben = make_user("instructor"), make_user("instructor")
    published = _doc().published
    assert save_draft(_doc(), _with(published, A_TEXT), text_hash(published), ada.id).ok

    seen_by_both = _doc()  # Ada's draft, revision 1, as both see it
    opened = text_hash(seen_by_both.text)
    assert save_draft(_doc(), _with(published, A_TEXT, "More."), opened, ada.id).ok
    assert seen_by_both.draft.revision == 1  # Ben's copy is stale; his check passes...
    second = save_draft(seen_by_both, _with(published, B_TEXT), opened, ben.id)
    assert second.conflict is not None  # ...but the row's revision refuses the write
    assert second.conflict.draft.revision == 2
    db.session.commit()
    assert f"{A_TEXT} More." in db.session.scalar(select(Draft.text))
    assert B_TEXT not in db.session.scalar(select(Draft.text))


def test_a_draft_discarded_and_started_again_is_not_mistaken_for_the_old_one(app, instructors):
    """Revision numbers restart with a new draft; the text the editor opened tells them apart."""
    _, a = instructors["Ada"]
    _, b = instructors["Ben"]
    assert a.post(EDITOR, data=with_sentence(open_editor(a), A_TEXT)).status_code == 303
    form_b = open_editor(b)  # Ben opens Ada's draft
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        db.session.delete(draft)  # Ada discards it...
        db.session.commit()
    again = open_editor(a)  # ...and starts a new one from the same published text
    assert a.post(EDITOR, data=with_sentence(again, "Ada starts over.")).status_code == 303
    assert stored_draft(app).revision == 1

    response = b.post(EDITOR, data=with_sentence(form_b, B_TEXT))
    assert response.status_code == 409
    assert "Ada starts over." in stored_draft(app).text


def test_a_new_draft_after_a_publish_is_not_mistaken_for_the_old_one(app, instructors):
    """A new draft is numbered from 1 again; the text it started from tells it apart."""
    _, a = instructors["Ada"]
    _, b = instructors["Ben"]
    assert a.post(EDITOR, data=with_sentence(open_editor(a), A_TEXT)).status_code == 303
    form_b = open_editor(b)  # Ben opens Ada's draft, revision 1
    publish_a = {**open_editor(a), "publish": "Publish"}
    assert a.post(EDITOR, data=publish_a).status_code == 303  # the draft is gone, now live
    again = open_editor(a)
    again["body"] = again["body"].replace(A_TEXT, "Ada starts over.")
    assert a.post(EDITOR, data={**again, "save": "Save draft"}).status_code == 303
    assert stored_draft(app).revision == 1  # a new draft, numbered from 1 again

    response = b.post(EDITOR, data=with_sentence(form_b, B_TEXT))
    assert response.status_code == 409
    assert "Ada starts over." in stored_draft(app).text
