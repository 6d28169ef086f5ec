"""@allow on its own: who reaches a view, who is sent to sign in, who is refused.

The access matrix proves the declarations on real routes; these tests prove the decorator
itself, on routes made inside each test, so that a change to it cannot hide behind a route
that happens not to exercise the changed branch.
"""

import pytest

from smresidency.access import PUBLIC, SIGNED_IN, allow, policy_of
from tests.test_access_matrix import current_token


def _view():
    """Says who got in."""
    return "in"


@pytest.fixture
def probe(app):
    """Routes /p/<name> guarded by @allow with the given policy; returns a caller."""
    policies = {
        "public": (PUBLIC,),
        "signed_in": (SIGNED_IN,),
        "coordinator": ("coordinator",),
        "staff": ("coordinator", "instructor"),
        "admin": ("admin",),
    }
    for name, who in policies.items():
        app.add_url_rule(f"/p/{name}", f"probe_{name}", allow(*who)(_view))

    def call(name: str, user=None, query: str = ""):
        client = app.test_client()
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = current_token(app, user.id)
        return client.get(f"/p/{name}{query}")

    return call


def test_unknown_policy_names_are_refused_when_declared():
    with pytest.raises(ValueError, match="unknown access policy 'coordinators'"):
        allow("coordinators")
    with pytest.raises(ValueError):
        allow(PUBLIC, "everyone")


def test_the_declaration_is_kept_and_the_view_keeps_its_name(app, probe):
    wrapped = allow("coordinator", "instructor")(_view)
    assert wrapped.access_policy == ("coordinator", "instructor")
    assert wrapped.__name__ == "_view"
    assert wrapped.__doc__ == "Says who got in."
    with app.test_request_context():
        assert policy_of("probe_staff") == ("coordinator", "instructor")
        assert policy_of("probe_public") == (PUBLIC,)
        assert policy_of("no.such.endpoint") is None


def test_policy_of_is_none_for_a_view_that_declares_nothing(app):
    app.add_url_rule("/undeclared", "undeclared", _view)
    with app.test_request_context():
        assert policy_of("undeclared") is None


def test_anonymous_reaches_public_and_is_sent_to_sign_in_elsewhere(probe):
    assert probe("public").status_code == 200
    assert probe("public").get_data(as_text=True) == "in"
    for name in ("signed_in", "coordinator", "staff", "admin"):
        response = probe(name)
        assert response.status_code == 302, name
        assert response.headers["Location"] == f"/login?next=/p/{name}"


def test_sign_in_brings_you_back_to_the_same_address_and_query(probe):
    response = probe("coordinator", query="?tab=people&page=2")
    assert response.headers["Location"] == "/login?next=/p/coordinator?tab%3Dpeople%26page%3D2"


def test_roles_decide_who_gets_in(probe, make_user):
    learner = make_user("learner")
    coordinator = make_user("coordinator")
    instructor = make_user("instructor")
    admin = make_user("admin")
    outcomes = {
        (name, who): probe(name, user).status_code
        for name in ("public", "signed_in", "coordinator", "staff", "admin")
        for who, user in {
            "learner": learner,
            "coordinator": coordinator,
            "instructor": instructor,
            "admin": admin,
        }.items()
    }
    assert outcomes == {
        ("public", "learner"): 200,
        ("public", "coordinator"): 200,
        ("public", "instructor"): 200,
        ("public", "admin"): 200,
        ("signed_in", "learner"): 200,
        ("signed_in", "coordinator"): 200,
        ("signed_in", "instructor"): 200,
        ("signed_in", "admin"): 200,
        ("coordinator", "learner"): 403,
        ("coordinator", "coordinator"): 200,
        ("coordinator", "instructor"): 403,
        ("coordinator", "admin"): 200,  # admins pass every role check
        ("staff", "learner"): 403,
        ("staff", "coordinator"): 200,
        ("staff", "instructor"): 200,
        ("staff", "admin"): 200,
        ("admin", "learner"): 403,
        ("admin", "coordinator"): 403,
        ("admin", "instructor"): 403,
        ("admin", "admin"): 200,
    }


def test_a_refused_user_never_runs_the_view(probe, make_user):
    response = probe("admin", make_user("coordinator", "instructor", "learner"))
    assert response.status_code == 403
    assert response.get_data(as_text=True) != "in"
