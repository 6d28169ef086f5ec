"""Shared page pieces are rendered once, then reused; a publish or another role renders anew."""

from smresidency import navigation
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from smresidency.learning import fragments

COURSE = "/courses/test-course"


def _sync(app, root):
    with app.app_context():
        sync_content(root)
        db.session.commit()


def test_module_rows_are_rendered_once_per_content_version(app, client, login_as, write_course):
    root = write_course(modules={"01-first": {"title": "Old title"}, "02-second": {}})
    _sync(app, root)
    login_as("learner")
    client.get(COURSE)
    before = len(fragments.renders)
    for _ in range(3):
        page = client.get(COURSE).get_data(as_text=True)
        assert "Old title" in page
    assert len(fragments.renders) == before  # the same rows, joined again

    client.post(f"{COURSE}/modules/01-first/read")  # a new status renders that row only
    page = client.get(COURSE).get_data(as_text=True)
    assert len(fragments.renders) == before + 1
    assert "Read — quiz to do" in page or "Completed" in page

    write_course(modules={"01-first": {"title": "New title"}, "02-second": {}})
    _sync(app, root)  # a publish: every row is made again from the new version
    page = client.get(COURSE).get_data(as_text=True)
    assert "New title" in page and "Old title" not in page


def test_the_header_navigation_is_rendered_once_per_roles_and_page(
    app, client, login_as, write_course
):
    _sync(app, write_course())
    login_as("learner")
    client.get(COURSE)
    before = len(navigation.renders)
    for _ in range(3):
        page = client.get(COURSE).get_data(as_text=True)
        assert ">Certificates</a>" in page and ">Cohorts</a>" not in page
    assert len(navigation.renders) == before

    login_as("admin")
    page = client.get(COURSE).get_data(as_text=True)
    assert ">Cohorts</a>" in page and ">Audit log</a>" in page  # another set of roles
    assert len(navigation.renders) == before + 1


def test_the_current_section_is_marked_on_its_own_page(client, login_as):
    login_as("learner")
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account" aria-current="page">Account</a>' in page
    assert 'aria-current="page">Home</a>' not in page
    assert 'href="/" aria-current="page">Home</a>' in client.get("/").get_data(as_text=True)


def test_pages_of_one_session_carry_one_signed_csrf_token_that_is_accepted(
    app, database_url, tmp_path, make_user, monkeypatch
):
    import re

    from flask_wtf import csrf as wtf_csrf

    from smresidency import create_app

    signed = []
    sign = wtf_csrf.URLSafeTimedSerializer.dumps
    monkeypatch.setattr(
        wtf_csrf.URLSafeTimedSerializer,
        "dumps",
        # the CSRF token's signer only (the session cookie is signed by the same class)
        lambda self, *a, **k: (
            (self.salt == b"wtf-csrf-token" and signed.append(1)) or sign(self, *a, **k)
        ),
    )
    from tests.conftest import _config

    checked = create_app(_config(database_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True))
    client = checked.test_client()

    def token(page):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    first = token(client.get("/login").get_data(as_text=True))
    assert token(client.get("/login").get_data(as_text=True)) == first
    assert len(signed) == 1  # signed for the first page only, not again for the second
    refused = client.post("/login", data={"email": "a@example.test", "password": "x"})
    assert refused.status_code == 400  # no token: the CSRF check refuses
    answered = client.post(
        "/login", data={"csrf_token": first, "email": "a@example.test", "password": "x"}
    )
    assert answered.status_code != 400  # the kept token passes the check
    with checked.app_context():
        db.engine.dispose()


def test_the_page_frame_is_rendered_once_per_page_and_roles_and_anew_after_a_settings_save(
    app, client, login_as, write_course, database_url, tmp_path
):
    from smresidency import create_app
    from smresidency.admin.models import SiteSettings
    from tests.conftest import _config

    _sync(app, write_course())
    login_as("learner")
    client.get(COURSE)
    before = len(navigation.frames)
    for _ in range(3):
        page = client.get(COURSE).get_data(as_text=True)
        assert page.startswith("<!doctype html>") and page.endswith("</html>")
        assert 'action="/logout"' in page and "</footer>" in page
    assert len(navigation.frames) == before  # header, navigation and footer kept

    login_as("coordinator")  # other roles: a frame of their own, once
    client.get(COURSE)
    client.get(COURSE)
    assert len(navigation.frames) == before + 1

    # another app instance (another host) saves the settings: the next page shows them
    other = create_app(_config(database_url, tmp_path / "other"))
    with other.app_context():
        row = db.session.get(SiteSettings, 1) or SiteSettings(id=1)
        row.organisation_name, row.version = "Riverside Trust", (row.version or 0) + 1
        db.session.add(row)
        db.session.commit()
        db.engine.dispose()
    page = client.get(COURSE).get_data(as_text=True)
    assert "Riverside Trust" in page
    assert len(navigation.frames) == before + 2
