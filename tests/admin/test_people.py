"""People administration: find accounts, change roles, disable, reset links, new accounts."""

import re

from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.extensions import db
from tests.admin.conftest import text_of
from tests.conftest import PASSWORD

NEW_PASSWORD = "a freshly chosen passphrase"


def stored(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.roles  # noqa: B018  (load them before leaving the session)
        db.session.expunge(user)
        return user


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_people_page_searches_and_filters(client, login_as, make_user):
    login_as("admin")
    make_user("learner", name="Ann Archer", email="ann@hospital.test")
    make_user("coordinator", name="Bob Brook", email="bob@hospital.test")
    make_user("learner", name="Cy Disabled", email="cy@hospital.test", active=False)

    page = text_of(client.get("/admin/people?q=ARCH").get_data(as_text=True))
    assert "Ann Archer" in page and "Bob Brook" not in page
    page = text_of(client.get("/admin/people?q=bob@hosp").get_data(as_text=True))
    assert "Bob Brook" in page and "Ann Archer" not in page
    page = text_of(client.get("/admin/people?role=coordinator").get_data(as_text=True))
    assert "Bob Brook" in page and "Ann Archer" not in page
    page = text_of(client.get("/admin/people?status=disabled").get_data(as_text=True))
    assert "Cy Disabled" in page and "Ann Archer" not in page
    assert "People 1–1 of 1" in page  # noqa: RUF001


def test_search_wildcards_are_literal(client, login_as, make_user):
    login_as("admin")
    make_user("learner", name="Ann Archer")
    page = text_of(client.get("/admin/people?q=%25").get_data(as_text=True))
    assert "Nobody matches these filters." in page


def test_fifty_people_to_a_page(client, login_as, make_user):
    login_as("admin", user=make_user("admin", name="Aaron Admin"))
    for n in range(50):
        make_user("learner", name=f"Person {n:02d}")
    first = text_of(client.get("/admin/people").get_data(as_text=True))
    assert "People 1–50 of 51" in first and "Person 49" not in first  # noqa: RUF001
    second = text_of(client.get("/admin/people?page=2").get_data(as_text=True))
    assert "People 51–51 of 51" in second and "Person 49" in second  # noqa: RUF001
    assert client.get("/admin/people?page=3").status_code == 404


def test_bad_filter_is_a_field_error_not_a_crash(client, login_as):
    login_as("admin")
    response = client.get("/admin/people?role=emperor")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_person_page_shows_roles_cohorts_and_last_sign_in(client, login_as, make_user):
    login_as("admin")
    ann = make_user("learner", name="Ann Archer")
    page = text_of(client.get(f"/admin/people/{ann.id}").get_data(as_text=True))
    assert "Ann Archer" in page and "Last sign-in Never" in page
    assert "Not in any cohort." in page and "No certificates." in page
    assert client.get("/admin/people/999999").status_code == 404


def test_roles_change_is_saved_and_audited(app, client, login_as, make_user, audit_log):
    admin = login_as("admin")
    ann = make_user("learner")
    response = client.post(
        f"/admin/people/{ann.id}/roles", data={"roles": ["learner", "instructor"]}
    )
    assert response.status_code == 302
    assert stored(app, ann.id).roles == {"learner", "instructor"}
    [entry] = audit_log()
    assert (entry.actor_id, entry.action, entry.target_user_id) == (
        admin.id,
        "account.roles",
        ann.id,
    )
    assert entry.before == {"roles": ["learner"]}
    assert entry.after == {"roles": ["instructor", "learner"]}
    assert entry.address == "127.0.0.1"


def test_unknown_role_is_a_field_error(app, client, login_as, make_user, audit_log):
    login_as("admin")
    ann = make_user("learner")
    response = client.post(f"/admin/people/{ann.id}/roles", data={"roles": ["emperor"]})
    assert response.status_code == 422
    assert "is not a valid choice" in response.get_data(as_text=True)
    assert stored(app, ann.id).roles == {"learner"} and audit_log() == []


def test_last_admin_cannot_remove_their_own_admin_role(app, client, login_as, audit_log):
    admin = login_as("admin")
    response = client.post(f"/admin/people/{admin.id}/roles", data={"roles": ["learner"]})
    assert response.status_code == 422
    assert "You are the last active admin" in text_of(response.get_data(as_text=True))
    assert stored(app, admin.id).roles == {"admin"} and audit_log() == []


def test_an_admin_may_step_down_while_another_admin_remains(app, client, login_as, make_user):
    admin = login_as("admin")
    make_user("admin")
    response = client.post(f"/admin/people/{admin.id}/roles", data={"roles": ["coordinator"]})
    assert response.status_code == 302
    assert stored(app, admin.id).roles == {"coordinator"}


def test_last_admin_cannot_disable_themselves(app, client, login_as, make_user):
    admin = login_as("admin")
    make_user("admin", active=False)  # a disabled admin does not count
    response = client.post(f"/admin/people/{admin.id}/disable")
    assert response.status_code == 422
    assert "You are the last active admin" in text_of(response.get_data(as_text=True))
    assert stored(app, admin.id).active


def test_disabling_ends_every_session_and_enabling_restores_access(
    app, client, login_as, make_user, audit_log
):
    login_as("admin")
    ann = make_user("learner", email="ann@example.test")
    phone, laptop = app.test_client(), app.test_client()
    for browser in (phone, laptop):
        assert sign_in(browser, "ann@example.test").status_code == 302
        assert browser.get("/account").status_code == 200

    response = client.post(f"/admin/people/{ann.id}/disable", follow_redirects=True)
    assert "account is disabled and signed out everywhere" in response.get_data(as_text=True)
    for browser in (phone, laptop):
        assert "/login" in browser.get("/account").headers["Location"]
    assert sign_in(app.test_client(), "ann@example.test").status_code == 200  # refused

    client.post(f"/admin/people/{ann.id}/enable")
    assert sign_in(app.test_client(), "ann@example.test").status_code == 302
    assert [e.action for e in audit_log()] == ["account.disabled", "account.enabled"]


def reset_path(message) -> str:
    match = re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_reset_link_is_mailed_and_works(app, client, login_as, make_user, outbox, audit_log):
    login_as("admin")
    ann = make_user("learner", email="ann@example.test", name="Ann Archer")
    response = client.post(f"/admin/people/{ann.id}/reset-link", follow_redirects=True)
    assert "A password-reset link has been sent to ann@example.test" in response.get_data(
        as_text=True
    )
    [mail] = outbox()
    assert mail.recipient == "ann@example.test" and "Hello Ann Archer" in mail.body
    learner = app.test_client()
    path = reset_path(mail)
    assert (
        learner.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    assert sign_in(learner, "ann@example.test", NEW_PASSWORD).status_code == 302
    assert [e.action for e in audit_log()] == ["account.reset_link"]


def test_no_reset_link_for_a_disabled_account(client, login_as, make_user, outbox):
    login_as("admin")
    ann = make_user("learner", active=False)
    response = client.post(f"/admin/people/{ann.id}/reset-link")
    assert response.status_code == 422
    assert "enable it before sending a reset link" in text_of(response.get_data(as_text=True))
    assert outbox() == []


def test_new_account_gets_a_set_password_link_and_no_password(
    app, client, login_as, outbox, audit_log
):
    admin = login_as("admin")
    response = client.post(
        "/admin/people/new",
        data={"name": "  Dee Dawson ", "email": "Dee@Example.test", "roles": ["instructor"]},
        follow_redirects=True,
    )
    page = text_of(response.get_data(as_text=True))
    assert "dee@example.test has been sent a link to set a password" in page
    [mail] = outbox()
    assert mail.recipient == "dee@example.test"
    assert "created an account for you" in mail.body and "password:" not in mail.body.lower()
    with app.app_context():
        dee = db.session.scalar(select(User).where(User.email == "dee@example.test"))
        assert dee.name == "Dee Dawson" and dee.roles == {"instructor"}
    newcomer = app.test_client()
    newcomer.post(reset_path(mail), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert sign_in(newcomer, "dee@example.test", NEW_PASSWORD).status_code == 302
    [entry] = audit_log()
    assert (entry.action, entry.actor_id) == ("account.created", admin.id)


def test_new_account_form_errors(client, login_as, make_user, outbox):
    login_as("admin")
    make_user("learner", email="taken@example.test")
    response = client.post(
        "/admin/people/new", data={"name": "", "email": "not-an-address", "roles": []}
    )
    page = text_of(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "This field is required." in page
    assert "Enter a valid e-mail address." in page
    assert "Choose at least one role." in page
    response = client.post(
        "/admin/people/new",
        data={"name": "Tess", "email": "TAKEN@example.test", "roles": ["learner"]},
    )
    assert "An account with this e-mail address already exists." in response.get_data(as_text=True)
    assert outbox() == []
