"""With CSRF on (as in production), the editor's own token is what lets its posts through."""

import re

import pytest

from tests.authoring.conftest import COURSE

EDIT = f"/studio/{COURSE}/modules/facebook"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_preview_and_save_need_the_pages_csrf_token(client, login_as, synced_course, editor_form):
    login_as("instructor")
    page = client.get(EDIT).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = editor_form("modules", "facebook")
    assert client.post(EDIT + "/preview", data=data).status_code == 400
    assert client.post(EDIT, data={**data, "save": "Save draft"}).status_code == 400
    live = client.post(EDIT + "/preview", data={**data, "csrf_token": token})
    assert live.status_code == 200 and "Answer key" in live.get_data(as_text=True)
    previewed = client.post(EDIT, data={**data, "csrf_token": token, "preview": "Preview"})
    assert previewed.status_code == 200
