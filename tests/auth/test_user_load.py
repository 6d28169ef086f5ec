"""The signed-in user is read in one statement on every request, so a disabled account, a
removed role or an ended device takes effect on the very next request, however warm the
worker; the user it gives views is the request's own, so edits to it are saved."""

from sqlalchemy import delete, select, update

from smresidency.auth.models import DeviceSession, User, UserRole
from smresidency.extensions import db
from tests.conftest import PASSWORD


def signed_in_browser(app, client, user):
    """Sign in through the form, so the cookie holds a device token, and warm the worker."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    for _ in range(3):
        assert client.get("/account").status_code == 200
    return client


def run(app, statement):
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def test_disabled_account_is_signed_out_on_the_next_request(app, client, make_user):
    user = make_user("learner")
    signed_in_browser(app, client, user)
    run(app, update(User).where(User.id == user.id).values(active=False))
    assert client.get("/account").status_code == 302


def test_removed_role_is_refused_on_the_next_request(app, client, make_user):
    user = make_user("admin")
    signed_in_browser(app, client, user)
    assert client.get("/admin/settings").status_code == 200
    run(app, delete(UserRole).where(UserRole.user_id == user.id, UserRole.role == "admin"))
    assert client.get("/admin/settings").status_code == 403
    assert client.get("/account").status_code == 200  # still signed in, without the role


def test_given_role_counts_on_the_next_request(app, client, make_user):
    user = make_user("learner")
    signed_in_browser(app, client, user)
    assert client.get("/admin/settings").status_code == 403
    with app.app_context():
        db.session.add(UserRole(user_id=user.id, role="admin"))
        db.session.commit()
    assert client.get("/admin/settings").status_code == 200


def test_ended_device_is_signed_out_on_the_next_request(app, client, make_user):
    user = make_user("learner")
    signed_in_browser(app, client, user)
    run(app, delete(DeviceSession).where(DeviceSession.user_id == user.id))
    assert client.get("/account").status_code == 302


def test_changed_name_shows_on_the_next_request(app, client, make_user):
    user = make_user("learner", name="Ada Before")
    signed_in_browser(app, client, user)
    run(app, update(User).where(User.id == user.id).values(name="Ada After"))
    page = client.get("/account").get_data(as_text=True)
    assert "Ada After" in page and "Ada Before" not in page


def test_user_device_roles_and_versions_are_one_statement(app, client, make_user, count_queries):
    user = make_user("admin")
    signed_in_browser(app, client, user)
    with count_queries() as statements:
        assert client.get("/admin/settings").status_code == 200
    touching_users = [s for s in statements if "user_role" in s or "device_session" in s]
    assert len(touching_users) == 1
    (lookup,) = touching_users
    assert "device_session" in lookup and "user_role" in lookup and "content_state" in lookup


def test_the_loaded_user_is_the_requests_own_and_saves_edits(app, make_user):
    from flask import session
    from flask_login import login_user

    user = make_user("learner", name="Before")
    with app.test_request_context("/"):
        login_user(db.session.get(User, user.id))  # opens a device session
        db.session.commit()
        token = session["_user_id"]
        db.session.expunge_all()
        loaded = app.login_manager._user_callback(token)
        assert loaded in db.session
        device = db.session.scalar(select(DeviceSession).where(DeviceSession.user_id == user.id))
        assert loaded.current_device.id == device.id
        assert loaded.roles == {"learner"}
        loaded.name = "After"
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.id == user.id)) == "After"


def test_loading_the_user_begins_no_transaction_yet_edits_and_relations_work(app, make_user):
    """A page that only reads prepared statements never begins the session's transaction;
    the loaded user is still the session's: its relations load and an edit made without any
    other use of the session is committed at the request's end."""
    user = make_user("learner", name="Quiet Before")
    token = _device_token(app, user)
    with app.test_request_context("/account", method="GET"):
        loaded = app.login_manager._user_callback(token)
        assert loaded in db.session and not db.session().in_transaction()
        assert db.session.get(User, user.id) is loaded  # a query gives the same object
        assert [row.role for row in loaded.role_rows] == ["learner"]  # a lazy load works
        loaded.name = "Quiet After"
        app.process_response(app.response_class("done"))  # the request boundary commits
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.id == user.id)) == "Quiet After"


def test_an_edit_on_a_page_that_read_nothing_else_is_saved(app, make_user):
    """The user is attached without a transaction: the boundary still sees the change."""
    user = make_user("learner", name="Only Before")
    token = _device_token(app, user)
    with app.test_request_context("/account", method="GET"):
        loaded = app.login_manager._user_callback(token)
        assert not db.session().in_transaction()
        loaded.name = "Only After"
        app.process_response(app.response_class("done"))
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.id == user.id)) == "Only After"


def _device_token(app, user) -> str:
    """Sign the user in once (a device session) and give the token its cookie would hold."""
    from flask import session
    from flask_login import login_user

    with app.test_request_context("/"):
        login_user(db.session.get(User, user.id))
        db.session.commit()
        return session["_user_id"]
