"""Studio titles become module titles on pages and certificates: hidden characters are refused."""

import re

from sqlalchemy import func, select

from smresidency.authoring.models import Draft
from smresidency.extensions import db
from tests.fixtures.control_characters import NAMES

COURSE = "social-media-residency"
REFUSED = "Remove the hidden control character"


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def drafts() -> int:
    return db.session.scalar(select(func.count()).select_from(Draft))


def test_a_new_module_title_with_hidden_characters_is_refused(app, client, login_as, synced_course):
    login_as("instructor")
    for label, title in NAMES.items():
        response = client.post(
            f"/studio/{COURSE}/modules/new", data={"title": title, "minutes": "10"}
        )
        assert response.status_code == 422, label
        assert REFUSED in field_error(response.get_data(as_text=True), "title"), label
    with app.app_context():
        assert drafts() == 0


def test_the_editor_refuses_a_title_with_hidden_characters(
    app, client, login_as, synced_course, editor_form
):
    login_as("instructor")
    data = editor_form("modules", "facebook", save="Save draft")
    data["title"] = "Facebook \u202eSECAF"
    response = client.post(f"/studio/{COURSE}/modules/facebook", data=data)
    assert response.status_code == 422
    assert REFUSED in field_error(response.get_data(as_text=True), "title")
    with app.app_context():
        assert drafts() == 0
