"""Site settings are kept per process while their version stands: never stale after a save."""

from smresidency import create_app
from smresidency.admin import settings
from smresidency.extensions import db
from tests.admin.test_settings import save
from tests.conftest import _config


def _sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def test_signed_in_pages_read_the_settings_once_per_save(client, login_as):
    login_as("admin")
    assert save(client).status_code == 302
    before = len(settings.loads)
    for _ in range(3):
        assert client.get("/").status_code == 200
        assert client.get("/account").status_code == 200
    assert len(settings.loads) - before == 1  # the first page after the save reads them


def test_a_save_shows_on_the_very_next_page(client, login_as):
    login_as("admin")
    save(client)
    assert "St Elsewhere Hospital" in client.get("/").get_data(as_text=True)
    save(client, organisation_name="St Somewhere Else")
    page = client.get("/").get_data(as_text=True)
    assert "St Somewhere Else" in page and "St Elsewhere Hospital" not in page


def test_a_save_on_one_instance_is_seen_at_once_by_another(
    app, client, login_as, make_user, database_url, tmp_path
):
    """Two app instances on one database, as two hosts: B's copy notices A's save."""
    login_as("admin")
    save(client)
    other = create_app(_config(database_url, tmp_path / "host-b"))
    reader = other.test_client()
    _sign_in(reader, make_user("learner"))
    assert "St Elsewhere Hospital" in reader.get("/").get_data(as_text=True)
    save(client, organisation_name="St Somewhere Else")  # on host A
    page = reader.get("/").get_data(as_text=True)
    assert "St Somewhere Else" in page and "St Elsewhere Hospital" not in page
    with other.app_context():
        db.engine.dispose()
