"""Versions in the studio: who made each, compare two side by side, restore one, discard."""

import re

from sqlalchemy import func, select

from smresidency.authoring.documents import load_doc, text_hash
from smresidency.authoring.frontmatter import split_module
from smresidency.authoring.models import Draft
from smresidency.authoring.publish import publish
from smresidency.catalog.models import Course, CourseFileVersion, Module, ModuleVersion
from smresidency.catalog.sync import sync_content
from smresidency.db import utcnow
from smresidency.extensions import db

COURSE = "social-media-residency"
OLD = "This module covers how to use it well and safely."
TIKTOK = "---\ntitle: TikTok\nminutes: 5\n---\nShort videos.\n"
NEW = "This module walks a clinic team through its first month on Facebook."


def url(key="facebook", kind="modules", tail="") -> str:
    return f"/studio/{COURSE}/{kind}/{key}{tail}"


def page(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def form_of(app, kind="modules", key="facebook", text=None) -> dict:
    """What the editor would post for the document as it is now (or for `text`)."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        doc = load_doc(course, kind, key)
        data = {
            "opened": text_hash(doc.text),
        }
        text = doc.text if text is None else text
    if kind == "pages":
        return {**data, "text": text}
    fields, _ = split_module(text)
    return {
        **data,
        "title": fields.title,
        "minutes": str(fields.minutes),
        "objectives": "\n".join(fields.objectives),
        "requires": fields.requires,
        "body": fields.body,
    }


def edit(client, app, button="publish", kind="modules", key="facebook", change=(OLD, NEW)):
    """Change the document in the editor and press Publish or Save draft."""
    data = form_of(app, kind, key)
    field = "text" if kind == "pages" else "body"
    assert change[0] in data[field]
    data[field] = data[field].replace(*change)
    data[button] = "Publish" if button == "publish" else "Save draft"
    response = client.post(url(key, kind), data=data)
    assert response.status_code == 303, page(response)
    return response


def versions(app, slug="03-facebook") -> list[ModuleVersion]:
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == slug))
        rows = db.session.scalars(
            select(ModuleVersion)
            .where(ModuleVersion.module_id == module.id)
            .order_by(ModuleVersion.created_at, ModuleVersion.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def current_hash(app, slug="03-facebook") -> str:
    with app.app_context():
        return db.session.scalar(select(Module.current_hash).where(Module.slug == slug))


def draft_of(app, file="modules/03-facebook.md") -> Draft | None:
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.file == file))
        if draft is not None:
            db.session.expunge(draft)
        return draft


def changes(html: str) -> tuple[list[str], list[str]]:
    """The texts the diff shows as removed (left) and as added (right)."""
    return re.findall(r"<del>(.*?)</del>", html), re.findall(r"<ins>(.*?)</ins>", html)


def live_row(html: str) -> str:
    """The version the history marks as published now."""
    match = re.search(r'<tr class="studio-live"> <th scope="row">(Version \d+)</th>', html)
    assert match, "no version is marked as published"
    return match.group(1)


def test_history_lists_each_version_with_who_made_it(app, client, login_as, synced_course):
    instructor = login_as("instructor")
    response = client.get(url(tail="/history"))
    html = page(response)
    assert response.status_code == 200
    assert "Version 1" in html and "Version 2" not in html
    assert "Restore as draft" not in html  # the only version is the live one
    assert "Compare two versions" not in html  # nothing to compare it with

    edit(client, app)
    html = page(client.get(url(tail="/history")))
    assert "<h1>Versions of 03-facebook.md</h1>" in html
    assert html.index("Version 2") < html.index("Version 1")  # newest first
    row2 = html[html.index(">Version 2<") : html.index(">Version 1<")]
    row1 = html[html.index(">Version 1<") :]
    assert instructor.name in row2 and "Published now" in row2
    assert "content sync" in row1 and "Restore as draft" in row1
    assert "<td>Facebook for health-care teams</td>" in row2  # the title of that version
    assert live_row(html) == "Version 2"
    v1, v2 = versions(app)
    # the compare form starts on the version before against the published one
    assert f'<option value="{v1.id}" selected>Version 1,' in html
    assert f'<option value="{v2.id}" selected>Version 2,' in html
    assert '<label for="compare-a">Version A</label>' in html


def test_compare_shows_the_changed_line_on_both_sides(app, client, login_as, synced_course):
    login_as("instructor")
    edit(client, app)
    v1, v2 = versions(app)
    response = client.get(url(tail=f"/compare?a={v1.id}&b={v2.id}"))
    html = page(response)
    assert response.status_code == 200
    assert '<tr class="diff-chg">' in html
    (removed,), (added,) = changes(html)
    assert removed.endswith(OLD) and added.endswith(NEW)  # the paragraph, old left and new right
    assert '<th scope="col" colspan="2">Version A (Version 1,' in html
    assert '<th scope="col" colspan="2">Version B (Version 2,' in html and "published now" in html
    assert "unchanged lines" in html  # the rest of the long module is folded
    assert "1 line differs" in html

    same = page(client.get(url(tail=f"/compare?a={v1.id}&b={v1.id}")))
    assert "These two versions are identical." in same and "<table" not in same
    # without a choice, the page compares what the history would have offered
    default = page(client.get(url(tail="/compare")))
    assert "Version A (Version 1," in default and "Version B (Version 2," in default


def test_restore_makes_an_old_version_the_draft_and_publishing_makes_it_live_again(
    app, client, login_as, synced_course
):
    instructor = login_as("instructor")
    edit(client, app)
    v1, v2 = versions(app)
    assert current_hash(app) == v2.content_hash

    response = client.post(url(tail=f"/versions/{v1.id}/restore"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url())
    editor = page(client.get(url()))
    assert "Version 1 restored as a draft; publish it to make it live." in editor
    assert OLD in editor
    draft = draft_of(app)
    assert draft.text == v1.source
    assert draft.base_hash == v2.content_hash and draft.updated_by_id == instructor.id
    assert current_hash(app) == v2.content_hash  # nothing changed for learners yet

    # the history offers the draft, compared with what is published
    history = page(client.get(url(tail="/history")))
    assert '<option value="draft" selected>Draft (not published)</option>' in history
    assert "There is an unpublished draft by" in history

    data = form_of(app)
    data["publish"] = "Publish"
    assert client.post(url(), data=data).status_code == 303
    assert current_hash(app) == v1.content_hash
    assert len(versions(app)) == 2  # the old version is reused, not copied
    assert draft_of(app) is None
    history = page(client.get(url(tail="/history")))
    assert live_row(history) == "Version 1"
    assert "Version 3" not in history


def test_restore_never_overwrites_a_draft(app, client, login_as, make_user, synced_course):
    author = make_user("instructor", name="Dana Draftwright")
    login_as(user=author)
    edit(client, app)
    edit(client, app, button="save", change=(NEW, "A draft sentence nobody may lose."))
    v1, _ = versions(app)
    before = draft_of(app)

    login_as("instructor")
    response = client.post(url(tail=f"/versions/{v1.id}/restore"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(tail="/history"))
    html = page(client.get(url(tail="/history")))
    assert "There is an unpublished draft (by Dana Draftwright, at " in html
    assert "Publish or discard it first." in html
    after = draft_of(app)
    assert (after.text, after.revision, after.updated_by_id) == (
        before.text,
        before.revision,
        author.id,
    )


def test_restoring_the_published_version_is_refused(app, client, login_as, synced_course):
    login_as("instructor")
    edit(client, app)
    _, v2 = versions(app)
    response = client.post(url(tail=f"/versions/{v2.id}/restore"), follow_redirects=True)
    assert "That version is already published." in page(response)
    assert draft_of(app) is None


def test_discard_confirms_then_removes_the_draft(app, client, login_as, synced_course):
    login_as("instructor")
    edit(client, app, button="save")
    draft = draft_of(app)

    confirm = client.get(url(tail="/discard"))
    html = page(confirm)
    assert confirm.status_code == 200
    assert "<h1>Discard the draft of 03-facebook.md?</h1>" in html
    assert "The published version stays live and unchanged" in html
    assert NEW in html and '<tr class="diff-chg">' in html  # what will be lost
    assert f'name="revision" value="{draft.revision}"' in html
    assert '<button type="submit" class="button">Discard the draft</button>' in html
    assert f'href="{url()}">Cancel</a>' in html

    seen = {"revision": str(draft.revision), "digest": text_hash(draft.text)}
    assert f'name="digest" value="{seen["digest"]}"' in html
    for changed in ({"revision": str(draft.revision + 1)}, {"digest": text_hash("other")}):
        stale = client.post(url(tail="/discard"), data={**seen, **changed})
        assert stale.status_code == 409
        assert "the draft changed since you opened this page" in page(stale)
        assert draft_of(app) is not None

    response = client.post(url(tail="/discard"), data=seen)
    assert response.status_code == 303 and response.headers["Location"].endswith(url())
    assert draft_of(app) is None
    assert OLD in page(client.get(url()))  # the editor is back on the published text


def test_a_new_module_has_no_versions_and_discarding_it_returns_to_the_studio(
    app, client, login_as, synced_course
):
    login_as("instructor")
    with app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.slug == COURSE))
        db.session.add(
            Draft(
                course_id=course_id,
                file="modules/11-tiktok.md",
                text=TIKTOK,
                base_hash="",
                revision=1,
                problems=[],
                updated_at=utcnow(),
            )
        )
        db.session.commit()
    html = page(client.get(url("tiktok", tail="/history")))
    assert "Not published yet." in html and "<table" not in html
    confirm = page(client.get(url("tiktok", tail="/discard")))
    assert "removes it from the studio altogether" in confirm and "Short videos." in confirm

    response = client.post(
        url("tiktok", tail="/discard"), data={"revision": "1", "digest": text_hash(TIKTOK)}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/studio/")
    assert draft_of(app, "modules/11-tiktok.md") is None
    assert client.get(url("tiktok", tail="/history")).status_code == 404


def test_page_documents_have_versions_too(app, client, login_as, synced_course):
    instructor = login_as("instructor")
    old = "Bring a charged laptop or tablet"
    new = "Bring a charged laptop (a tablet will do)"
    edit(client, app, kind="pages", key="immersion", change=(old, new))
    with app.app_context():
        ids = db.session.scalars(
            select(CourseFileVersion.id)
            .where(CourseFileVersion.file == "immersion.md")
            .order_by(CourseFileVersion.id)
        ).all()
    assert len(ids) == 2
    html = page(client.get(url("immersion", "pages", "/history")))
    assert "<h1>Versions of Immersion day checklist</h1>" in html
    assert live_row(html) == "Version 2" and instructor.name in html
    assert '<th scope="col">Title</th>' not in html

    diff = page(client.get(url("immersion", "pages", f"/compare?a={ids[0]}&b={ids[1]}")))
    (removed,), (added,) = changes(diff)
    assert old in removed and new in added

    response = client.post(url("immersion", "pages", f"/versions/{ids[0]}/restore"))
    assert response.status_code == 303
    assert old in draft_of(app, "immersion.md").text


def test_versions_of_other_documents_and_courses_are_not_found(
    app, client, login_as, synced_course, write_course
):
    login_as("instructor")
    with app.app_context():
        sync_content(write_course())
        db.session.commit()
        other_course = db.session.scalar(
            select(ModuleVersion.id).join(Module).where(Module.slug == "01-first")
        )
        other_module = db.session.scalar(
            select(ModuleVersion.id).join(Module).where(Module.slug == "04-twitter-x")
        )
        other_page = db.session.scalar(
            select(CourseFileVersion.id)
            .join(Course)
            .where(Course.slug == "test-course", CourseFileVersion.file == "course.md")
        )
    (v1,) = versions(app)
    for vid in (other_course, other_module):
        assert client.get(url(tail=f"/compare?a={vid}&b={v1.id}")).status_code == 404
        assert client.get(url(tail=f"/compare?a={v1.id}&b={vid}")).status_code == 404
        assert client.post(url(tail=f"/versions/{vid}/restore")).status_code == 404
    assert client.get(url(tail=f"/compare?a={v1.id}&b=draft")).status_code == 404  # no draft
    assert client.get(url(tail=f"/compare?a={v1.id}&b=nonsense")).status_code == 404
    course_page = url("course", "pages")
    assert client.get(f"{course_page}/compare?a={other_page}&b={other_page}").status_code == 404
    assert client.post(f"{course_page}/versions/{other_page}/restore").status_code == 404
    assert client.get(url("no-such-module", tail="/history")).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_learners_are_refused(client, login_as, synced_course):
    login_as("learner")
    assert client.get(url(tail="/history")).status_code == 403
    assert client.get(url(tail="/compare")).status_code == 403
    assert client.post(url(tail="/versions/1/restore")).status_code == 403
    assert client.get(url(tail="/discard")).status_code == 403


def test_the_history_page_costs_the_same_queries_for_2_or_6_versions(
    app, client, login_as, synced_course, count_queries
):
    login_as("instructor")
    edit(client, app)

    def publish_again(n: int) -> None:
        text = versions(app)[0].source.replace(OLD, f"Revision number {n} of the paragraph.")
        with app.app_context():
            course = db.session.scalar(select(Course).where(Course.slug == COURSE))
            assert publish(course, {"modules/03-facebook.md": text.encode()}, None).ok
            db.session.commit()

    client.get(url(tail="/history"))  # warm up
    with count_queries() as two:
        assert client.get(url(tail="/history")).status_code == 200
    for n in range(4):
        publish_again(n)
    assert len(versions(app)) == 6
    with count_queries() as six:
        html = page(client.get(url(tail="/history")))
    assert "Version 6" in html and live_row(html) == "Version 6"
    assert len(six) == len(two)
    assert text_hash(versions(app)[-1].source) == current_hash(app)
