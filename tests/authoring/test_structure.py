"""The studio's structure pages: new modules, reordering, retiring and bringing modules back."""

import re

import pytest
from sqlalchemy import func, select

from smresidency.authoring.frontmatter import split_module
from smresidency.authoring.models import Draft
from smresidency.catalog.export import course_tree
from smresidency.catalog.models import Module, ModuleVersion
from smresidency.catalog.queries import course_by_slug
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db as _db
from smresidency.learning.models import ModuleProgress

COURSE = "test-course"
STUDIO = f"/studio/{COURSE}"


@pytest.fixture
def course(app, write_course):
    """Intro ← Privacy ← Practice, and Extra on its own; none has a quiz."""
    root = write_course(
        modules={
            "01-intro": {"title": "Intro"},
            "02-privacy": {"title": "Privacy", "requires": ["01-intro"]},
            "03-practice": {"title": "Practice", "requires": ["02-privacy"]},
            "04-extra": {"title": "Extra"},
        }
    )
    with app.app_context():
        sync_content(root)
        _db.session.commit()
    return COURSE


def _tree(app) -> dict[str, bytes]:
    with app.app_context():
        return course_tree(course_by_slug(COURSE))


def _modules(app) -> dict[str, Module]:
    """Every module of the course by name, detached, with slug, position and retired."""
    with app.app_context():
        rows = _db.session.scalars(select(Module)).all()
        _db.session.expunge_all()
    return {m.slug.split("-", 1)[1]: m for m in rows}


def _requires(app, path: str) -> list[str]:
    return split_module(_tree(app)[path].decode())[0].requires


def _learner_titles(client) -> list[str]:
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    return re.findall(r'class="module-title"[^>]*>([^<]+)<', page)


# --- new module ---------------------------------------------------------------------------


def test_new_module_makes_a_draft_numbered_last_that_publishes_from_the_editor(
    app, client, login_as, course, editor_form
):
    instructor = login_as("instructor")
    form = client.get(f"{STUDIO}/modules/new").get_data(as_text=True)
    assert '<label for="title">Title</label>' in form and 'name="minutes"' in form

    response = client.post(
        f"{STUDIO}/modules/new", data={"title": "TikTok for clinics", "minutes": "20"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{STUDIO}/modules/tiktok-for-clinics")
    with app.app_context():
        draft = _db.session.scalar(select(Draft))
        assert draft.file == "modules/05-tiktok-for-clinics.md"
        assert (draft.module_id, draft.base_hash, draft.revision) == (None, "", 1)
        assert draft.updated_by_id == instructor.id and draft.problems == []
        fields, _ = split_module(draft.text)
        assert (fields.title, fields.minutes, fields.requires) == ("TikTok for clinics", 20, [])
        assert "Write the lesson here." in fields.body
    assert "modules/05-tiktok-for-clinics.md" not in _tree(app)  # a draft, not yet live
    assert "TikTok for clinics (new, not yet published)" in client.get("/studio/").get_data(
        as_text=True
    )

    editor = client.get(f"{STUDIO}/modules/tiktok-for-clinics")
    assert editor.status_code == 200 and "Write the lesson here." in editor.get_data(as_text=True)
    data = editor_form("modules", "tiktok-for-clinics", course=COURSE, publish="Publish")
    assert client.post(f"{STUDIO}/modules/tiktok-for-clinics", data=data).status_code == 303

    new = _modules(app)["tiktok-for-clinics"]
    assert (new.slug, new.position, new.retired) == ("05-tiktok-for-clinics", 5, False)
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Draft)) == 0
    login_as("learner")
    assert _learner_titles(client)[-1] == "TikTok for clinics"


def test_names_come_from_titles_and_pending_drafts_take_numbers(app, client, login_as, course):
    login_as("instructor")
    first = client.post(
        f"{STUDIO}/modules/new", data={"title": "Café & compliance: the basics!", "minutes": "5"}
    )
    assert first.headers["Location"].endswith("/modules/cafe-compliance-the-basics")
    long_title = "Measuring what matters across every social platform we use today"
    second = client.post(f"{STUDIO}/modules/new", data={"title": long_title, "minutes": "5"})
    assert second.headers["Location"].endswith(
        "/modules/measuring-what-matters-across-every"
    )  # whole words, at most 40 characters
    with app.app_context():
        files = sorted(_db.session.scalars(select(Draft.file)))
    assert files == [
        "modules/05-cafe-compliance-the-basics.md",
        "modules/06-measuring-what-matters-across-every.md",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "X", "name": "Bad Name", "minutes": "5"}, "lower-case letters, digits"),
        ({"title": "X", "name": "double--hyphen", "minutes": "5"}, "lower-case letters, digits"),
        ({"title": "Intro again", "name": "intro", "minutes": "5"}, "A module named `intro`"),
        ({"title": "Intro", "minutes": "5"}, "A module named `intro`"),
        ({"title": "!!!", "minutes": "5"}, "no letters or digits"),
        ({"title": "", "minutes": "5"}, "This field is required"),
        ({"title": "Fine", "minutes": "0"}, "from 1 to 600"),
        ({"title": "Fine", "name": "a" * 41, "minutes": "5"}, "40 characters"),
    ],
)
def test_bad_new_module_forms_are_refused_with_the_text_kept(
    app, client, login_as, course, data, message
):
    login_as("instructor")
    response = client.post(f"{STUDIO}/modules/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if data["title"]:
        assert f'value="{data["title"]}"' in page
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_retired_and_drafted_names_are_taken(app, client, login_as, course):
    login_as("instructor")
    client.post(f"{STUDIO}/modules/extra/retire")
    assert _modules(app)["extra"].retired
    refused = client.post(f"{STUDIO}/modules/new", data={"title": "Extra", "minutes": "5"})
    assert refused.status_code == 422 and "retired ones keep their names" in refused.get_data(
        as_text=True
    )
    client.post(f"{STUDIO}/modules/new", data={"title": "Video", "minutes": "5"})
    again = client.post(f"{STUDIO}/modules/new", data={"title": "Video", "minutes": "5"})
    assert again.status_code == 422 and "already being written" in again.get_data(as_text=True)


def test_no_number_above_99(app, client, login_as, write_course):
    root = write_course(slug="full", modules={"99-last": {}})
    with app.app_context():
        sync_content(root)
        _db.session.commit()
    login_as("instructor")
    response = client.post("/studio/full/modules/new", data={"title": "One more", "minutes": "5"})
    assert response.status_code == 422
    assert "module number 99" in response.get_data(as_text=True)


# --- reorder -------------------------------------------------------------------------------


def _positions(app, **wanted: int) -> dict[str, str]:
    """Form data for the order page: module name -> position."""
    ids = {name: m.id for name, m in _modules(app).items()}
    return {f"position-{ids[name]}": str(pos) for name, pos in wanted.items()}


def test_order_page_lists_live_modules_with_labelled_positions(app, client, login_as, course):
    login_as("instructor")
    page = client.get(f"{STUDIO}/order").get_data(as_text=True)
    ids = {name: m.id for name, m in _modules(app).items()}
    for i, (name, title) in enumerate(
        [("intro", "Intro"), ("privacy", "Privacy"), ("practice", "Practice"), ("extra", "Extra")],
        start=1,
    ):
        assert f'<label for="position-{ids[name]}">{title}</label>' in page
        assert f'name="position-{ids[name]}"' in page and f'value="{i}"' in page
    assert "Save order" in page


def test_reorder_renumbers_files_and_rewrites_requires(app, client, login_as, course):
    login_as("instructor")
    before = _modules(app)
    data = _positions(app, extra=1, intro=2, privacy=3, practice=4)
    response = client.post(f"{STUDIO}/order", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/studio/")
    assert "New order published." in client.get("/studio/").get_data(as_text=True)

    tree = _tree(app)
    assert sorted(p for p in tree if p.startswith("modules/")) == [
        "modules/01-extra.md",
        "modules/02-intro.md",
        "modules/03-privacy.md",
        "modules/04-practice.md",
    ]
    assert _requires(app, "modules/03-privacy.md") == ["02-intro"]
    assert _requires(app, "modules/04-practice.md") == ["03-privacy"]
    after = _modules(app)
    assert {n: m.id for n, m in after.items()} == {n: m.id for n, m in before.items()}
    assert [after[n].position for n in ("extra", "intro", "privacy", "practice")] == [1, 2, 3, 4]
    assert not any(m.retired for m in after.values())


def test_reorder_keeps_learners_progress(app, client, login_as, make_user, course):
    learner = make_user("learner")
    login_as(user=learner)
    client.post(f"/courses/{COURSE}/modules/01-intro/read")
    intro_id = _modules(app)["intro"].id

    login_as("instructor")
    client.post(f"{STUDIO}/order", data=_positions(app, extra=1, intro=2, privacy=3, practice=4))

    with app.app_context():
        mark = _db.session.scalar(
            select(ModuleProgress).where(ModuleProgress.user_id == learner.id)
        )
        assert mark.module_id == intro_id and mark.completed_at is not None
    assert _modules(app)["intro"].slug == "02-intro"
    login_as(user=learner)
    assert _learner_titles(client) == ["Extra", "Intro", "Privacy", "Practice"]
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "1 of 4 modules complete" in page
    assert client.get(f"/courses/{COURSE}/modules/02-intro").status_code == 200


def test_reorder_moves_drafts_and_numbers_new_modules_after(
    app, client, login_as, course, editor_form
):
    login_as("instructor")
    data = editor_form("modules", "practice", course=COURSE, save="Save draft")
    data["body"] = "A drafted lesson.\n"
    client.post(f"{STUDIO}/modules/practice", data=data)
    client.post(f"{STUDIO}/modules/new", data={"title": "Video", "minutes": "5"})

    client.post(f"{STUDIO}/order", data=_positions(app, extra=1, intro=2, privacy=3, practice=4))

    with app.app_context():
        drafts = {d.file: d for d in _db.session.scalars(select(Draft))}
        assert sorted(drafts) == ["modules/04-practice.md", "modules/05-video.md"]
        practice = drafts["modules/04-practice.md"]
        assert split_module(practice.text)[0].requires == ["03-privacy"]
        assert practice.text.endswith("A drafted lesson.\n")
    page = client.get(f"{STUDIO}/modules/practice").get_data(as_text=True)
    assert "A drafted lesson." in page and "started from an older version" not in page


def test_reorder_ties_keep_the_old_order_and_no_change_publishes_nothing(
    app, client, login_as, course
):
    login_as("instructor")
    with app.app_context():
        versions = _db.session.scalar(select(func.count()).select_from(ModuleVersion))
    same = client.post(
        f"{STUDIO}/order", data=_positions(app, intro=1, privacy=1, practice=1, extra=1)
    )
    assert same.status_code == 303
    assert "unchanged" in client.get("/studio/").get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(ModuleVersion)) == versions
    client.post(f"{STUDIO}/order", data=_positions(app, intro=2, privacy=2, practice=2, extra=1))
    assert [m.slug for m in sorted(_modules(app).values(), key=lambda m: m.position)] == [
        "01-extra",
        "02-intro",
        "03-privacy",
        "04-practice",
    ]


def test_reorder_refuses_positions_that_are_not_numbers(app, client, login_as, course):
    login_as("instructor")
    data = _positions(app, intro=1, privacy=2, practice=3, extra=4)
    data[next(iter(data))] = "first"
    response = client.post(f"{STUDIO}/order", data=data)
    assert response.status_code == 422
    assert "Please correct the fields" in response.get_data(as_text=True)
    assert "modules/01-intro.md" in _tree(app)


# --- retire and bring back -----------------------------------------------------------------


def test_retire_is_refused_while_another_module_requires_it(app, client, login_as, course):
    login_as("instructor")
    page = client.get(f"{STUDIO}/modules/privacy/retire").get_data(as_text=True)
    assert "Learners who completed it keep it" in page
    assert f'href="{STUDIO}/modules/practice">Practice</a>' in page
    assert "Retire this module</button>" not in page
    response = client.post(f"{STUDIO}/modules/privacy/retire")
    assert response.status_code == 409
    assert not _modules(app)["privacy"].retired
    assert "modules/02-privacy.md" in _tree(app)


def test_retire_hides_the_module_from_newcomers_only(app, client, login_as, make_user, course):
    finisher = make_user("learner")
    login_as(user=finisher)
    for slug in ("01-intro", "02-privacy", "03-practice"):
        client.post(f"/courses/{COURSE}/modules/{slug}/read")

    login_as("instructor")
    page = client.get(f"{STUDIO}/modules/practice/retire").get_data(as_text=True)
    assert "Retire this module</button>" in page
    response = client.post(f"{STUDIO}/modules/practice/retire")
    assert response.status_code == 303 and response.headers["Location"].endswith("/studio/")
    assert _modules(app)["practice"].retired
    assert "modules/03-practice.md" not in _tree(app)

    login_as(user=finisher)
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "Practice" in page and '<span class="tag">Retired</span>' in page
    assert client.get(f"/courses/{COURSE}/modules/03-practice").status_code == 200
    login_as("learner")
    assert "Practice" not in _learner_titles(client)
    assert client.get(f"/courses/{COURSE}/modules/03-practice").status_code == 404


def test_unretire_brings_the_same_module_back_last(app, client, login_as, course):
    login_as("instructor")
    practice_id = _modules(app)["practice"].id
    client.post(f"{STUDIO}/modules/practice/retire")
    editor = client.get(f"{STUDIO}/modules/practice").get_data(as_text=True)
    assert f'action="{STUDIO}/modules/practice/unretire"' in editor

    response = client.post(f"{STUDIO}/modules/practice/unretire")
    assert response.status_code == 303
    practice = _modules(app)["practice"]
    assert (practice.id, practice.slug, practice.retired) == (practice_id, "05-practice", False)
    assert practice.position == 4  # last of the four live modules
    assert _requires(app, "modules/05-practice.md") == ["02-privacy"]
    editor = client.get(f"{STUDIO}/modules/practice").get_data(as_text=True)
    assert "/unretire" not in editor


def test_a_draft_of_a_retired_module_follows_it_back(app, client, login_as, course, editor_form):
    login_as("instructor")
    data = editor_form("modules", "practice", course=COURSE, save="Save draft")
    data["body"] = "Kept while retired.\n"
    client.post(f"{STUDIO}/modules/practice", data=data)
    client.post(f"{STUDIO}/modules/practice/retire")
    client.post(f"{STUDIO}/modules/practice/unretire")
    with app.app_context():
        draft = _db.session.scalar(select(Draft))
        assert draft.file == "modules/05-practice.md" and "Kept while retired." in draft.text


def test_unretire_follows_renamed_requirements(app, client, login_as, course):
    login_as("instructor")
    client.post(f"{STUDIO}/modules/practice/retire")
    client.post(f"{STUDIO}/order", data=_positions(app, extra=1, intro=2, privacy=3))
    assert client.post(f"{STUDIO}/modules/practice/unretire").status_code == 303
    assert _requires(app, "modules/04-practice.md") == ["03-privacy"]
    assert not _modules(app)["practice"].retired


# --- access --------------------------------------------------------------------------------


STRUCTURE_URLS = [
    ("GET", f"{STUDIO}/modules/new"),
    ("POST", f"{STUDIO}/modules/new"),
    ("GET", f"{STUDIO}/order"),
    ("POST", f"{STUDIO}/order"),
    ("GET", f"{STUDIO}/modules/extra/retire"),
    ("POST", f"{STUDIO}/modules/extra/retire"),
    ("POST", f"{STUDIO}/modules/extra/unretire"),
]


@pytest.mark.parametrize(("method", "url"), STRUCTURE_URLS)
def test_learners_are_refused_and_nothing_changes(app, client, login_as, course, method, url):
    login_as("learner")
    assert client.open(url, method=method, data={"title": "X", "minutes": "5"}).status_code == 403
    assert not _modules(app)["extra"].retired
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Draft)) == 0


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/studio/nope/modules/new"),
        ("GET", "/studio/nope/order"),
        ("GET", "/studio/nope/modules/extra/retire"),
        ("GET", f"{STUDIO}/modules/nope/retire"),
        ("POST", f"{STUDIO}/modules/nope/retire"),
        ("POST", f"{STUDIO}/modules/nope/unretire"),
        ("POST", "/studio/nope/modules/extra/unretire"),
    ],
)
def test_unknown_course_or_module_is_404(client, login_as, course, method, url):
    login_as("instructor")
    assert client.open(url, method=method).status_code == 404


def test_a_new_module_draft_cannot_be_retired(client, login_as, course):
    login_as("instructor")
    client.post(f"{STUDIO}/modules/new", data={"title": "Video", "minutes": "5"})
    assert client.get(f"{STUDIO}/modules/video/retire").status_code == 404


def test_a_module_cannot_be_called_new(app, client, login_as, course):
    login_as("instructor")
    response = client.post(
        f"{STUDIO}/modules/new", data={"title": "New", "name": "new", "minutes": "10"}
    )
    assert response.status_code == 422
    assert "reserved for the studio" in response.get_data(as_text=True)
