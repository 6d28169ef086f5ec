"""`flask users …` and `flask demo create`: accounts managed from the shell."""

import re

from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.auth.services import GENERIC_FAILURE
from smresidency.extensions import db
from tests.conftest import PASSWORD


def stored(app, email) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def create(runner, email="faculty@example.test", name="Dr Faculty", roles=(), password=PASSWORD):
    args = ["users", "create", "--email", email, "--name", name, "--password", password]
    for role in roles:
        args += ["--role", role]
    return runner.invoke(args=args)


# --- users create ---------------------------------------------------------------------------


def test_create_with_several_roles(runner, app, client):
    result = create(runner, roles=("instructor", "coordinator"))
    assert result.exit_code == 0, result.output
    assert "Created faculty@example.test with role(s): coordinator, instructor." in result.output

    user = stored(app, "faculty@example.test")
    assert user.roles == {"instructor", "coordinator"}
    assert user.name == "Dr Faculty"
    assert user.password_hash.startswith("$argon2id$")
    assert sign_in(client, "faculty@example.test").status_code == 302


def test_create_defaults_to_learner(runner, app):
    result = create(runner, email="Learner@Example.test")
    assert result.exit_code == 0, result.output
    assert stored(app, "learner@example.test").roles == {"learner"}


def test_create_refuses_a_weak_password(runner, app):
    result = create(runner, password="short")
    assert result.exit_code != 0
    assert "Use at least 12 characters." in result.output
    assert stored(app, "faculty@example.test") is None


def test_create_refuses_a_common_password(runner, app):
    result = create(runner, password="iloveyou1234")
    assert result.exit_code != 0
    assert "commonly used passwords" in result.output
    assert stored(app, "faculty@example.test") is None


def test_create_refuses_an_unknown_role(runner, app):
    result = create(runner, roles=("superuser",))
    assert result.exit_code != 0
    assert "superuser" in result.output
    assert stored(app, "faculty@example.test") is None


def test_create_refuses_a_taken_address(runner, app, make_user):
    make_user(email="faculty@example.test", name="First Owner")
    result = create(runner, email="FACULTY@example.test")
    assert result.exit_code != 0
    assert "An account with this e-mail address already exists." in result.output
    assert stored(app, "faculty@example.test").name == "First Owner"


# --- set-role, disable, list ----------------------------------------------------------------


def test_set_role_replaces_the_roles(runner, app, make_user, client):
    user = make_user("learner")
    result = runner.invoke(
        args=["users", "set-role", user.email, "--role", "admin", "--role", "instructor"]
    )
    assert result.exit_code == 0, result.output
    assert f"{user.email} now holds: admin, instructor." in result.output
    assert stored(app, user.email).roles == {"admin", "instructor"}

    sign_in(client, user.email)
    assert client.get("/dev/outbox").status_code == 200  # admin-only page now opens


def test_set_role_for_an_unknown_account_fails(runner):
    result = runner.invoke(args=["users", "set-role", "nobody@example.test", "--role", "admin"])
    assert result.exit_code != 0
    assert "No account uses nobody@example.test." in result.output


def test_disable_ends_sessions_and_blocks_sign_in(runner, app, make_user, client):
    user = make_user()
    sign_in(client, user.email)
    assert client.get("/account").status_code == 200

    result = runner.invoke(args=["users", "disable", user.email])
    assert result.exit_code == 0, result.output
    assert "disabled; every session is ended" in result.output

    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert GENERIC_FAILURE in sign_in(client, user.email).get_data(as_text=True)


def test_disable_then_enable_lets_the_user_back_in(runner, make_user, client):
    user = make_user()
    runner.invoke(args=["users", "disable", user.email])
    result = runner.invoke(args=["users", "disable", "--enable", user.email])
    assert result.exit_code == 0, result.output
    assert f"{user.email} is enabled." in result.output
    assert sign_in(client, user.email).status_code == 302
    assert client.get("/account").status_code == 200


def test_list_shows_every_account_with_roles_and_state(runner, make_user):
    make_user("learner", email="b-learner@example.test", name="Bea Learner")
    make_user("coordinator", "admin", email="a-admin@example.test", name="Al Admin", active=False)
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "a-admin@example.test\tAl Admin\tadmin,coordinator\tdisabled",
        "b-learner@example.test\tBea Learner\tlearner\tactive",
    ]


# --- demo accounts --------------------------------------------------------------------------


DEMO_LINE = re.compile(r"^\s+(\w+)\s+(\S+@example\.test)\s+(\S+)$", re.M)


def test_demo_create_prints_four_accounts_once(runner, app):
    result = runner.invoke(args=["demo", "create"])
    assert result.exit_code == 0, result.output
    assert "these passwords are shown only now" in result.output
    accounts = DEMO_LINE.findall(result.output)
    assert [(role, email) for role, email, _ in accounts] == [
        ("learner", "learner@example.test"),
        ("instructor", "instructor@example.test"),
        ("coordinator", "coordinator@example.test"),
        ("admin", "admin@example.test"),
    ]
    for role, email, password in accounts:
        assert stored(app, email).roles == {role}
        client = app.test_client()
        assert sign_in(client, email, password).status_code == 302, email

    again = runner.invoke(args=["demo", "create"])
    assert again.exit_code == 0, again.output
    assert "Demo accounts exist already" in again.output
    assert DEMO_LINE.findall(again.output) == []
    for _, email, password in accounts:
        assert sign_in(app.test_client(), email, password).status_code == 302


def test_demo_create_reset_gives_new_passwords(runner, app):
    first = dict(
        (email, pw)
        for _, email, pw in DEMO_LINE.findall(runner.invoke(args=["demo", "create"]).output)
    )
    result = runner.invoke(args=["demo", "create", "--reset"])
    second = dict((email, pw) for _, email, pw in DEMO_LINE.findall(result.output))
    assert second.keys() == first.keys()
    email = "admin@example.test"
    assert second[email] != first[email]
    assert GENERIC_FAILURE in sign_in(app.test_client(), email, first[email]).get_data(as_text=True)
    assert sign_in(app.test_client(), email, second[email]).status_code == 302


def test_demo_create_is_refused_in_production(runner, app):
    app.config["ENV"] = "production"
    result = runner.invoke(args=["demo", "create"])
    assert result.exit_code != 0
    assert "refused when ENV is production" in result.output
    assert stored(app, "admin@example.test") is None
