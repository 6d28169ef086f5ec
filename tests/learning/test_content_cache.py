"""The per-process course cache: read once, and never stale after a publish elsewhere."""

from smresidency import create_app
from smresidency.catalog import cache
from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from tests.conftest import _config

COURSE = "/courses/test-course"


def _sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def test_a_publish_on_one_instance_is_seen_at_once_by_another(
    app, client, make_user, write_course, database_url, tmp_path
):
    """Two app instances on one database, as two hosts: B's cache notices A's publish."""
    root = write_course(modules={"01-first": {"title": "Old title"}})
    with app.app_context():
        sync_content(root)
        db.session.commit()
    learner = make_user("learner")
    other = create_app(_config(database_url, tmp_path / "host-b"))
    reader = other.test_client()
    _sign_in(reader, learner)
    assert "Old title" in reader.get(COURSE).get_data(as_text=True)

    write_course(modules={"01-first": {"title": "New title"}})
    with app.app_context():  # the publish happens on host A
        sync_content(root)
        db.session.commit()

    page = reader.get(COURSE).get_data(as_text=True)
    assert "New title" in page and "Old title" not in page
    module = reader.get(f"{COURSE}/modules/01-first").get_data(as_text=True)
    assert "New title" in module
    with other.app_context():
        db.engine.dispose()


def test_the_structure_is_read_once_for_many_pages(app, client, login_as, write_course):
    with app.app_context():
        sync_content(write_course())
        db.session.commit()
    login_as("learner")
    client.post(f"{COURSE}/modules/01-first/read")
    before = len(cache.loads)
    for _ in range(3):
        assert client.get(COURSE).status_code == 200
        assert client.get(f"{COURSE}/modules/02-second").status_code == 200
    assert len(cache.loads) - before <= 1  # at most the first page after the sync reads it


def test_read_only_pages_do_not_commit(app, client, login_as, write_course):
    from sqlalchemy import event

    with app.app_context():
        sync_content(write_course())
        db.session.commit()
        engine = db.engine
    login_as("learner")
    client.get(COURSE)  # the device's first page may record when it was last seen
    commits = []

    def count(conn):
        commits.append(1)

    event.listen(engine, "commit", count)
    try:
        assert client.get(COURSE).status_code == 200
        assert client.get(f"{COURSE}/modules/01-first").status_code == 200
        assert commits == []
        assert client.post(f"{COURSE}/modules/01-first/read").status_code == 302
        assert commits == [1]  # a write still commits
    finally:
        event.remove(engine, "commit", count)
