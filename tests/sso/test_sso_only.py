"""SSO_ONLY: password sign-in, registration and reset are hidden and refused; SSO still works."""

import pytest

from tests.conftest import PASSWORD
from tests.oidc import harness


@pytest.fixture
def app_config(oidc_provider):
    return harness.sso_settings(oidc_provider.issuer, SSO_ONLY=True)


def test_the_sign_in_page_offers_only_the_provider(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Test Hospital" in page
    assert 'name="password"' not in page
    assert "Forgot your password?" not in page
    assert "Create an account" not in page
    assert 'href="/register"' not in page  # nor in the header's links


def test_a_correct_password_is_refused(client, make_user):
    user = make_user(email="pat@hospital.test")
    answer = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 403
    assert "signs you in with your hospital account only" in answer.get_data(as_text=True)
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("path", ["/register", "/forgot-password", "/reset-password/any-token"])
def test_registration_and_reset_are_refused(client, path):
    assert client.get(path).status_code == 403
    assert client.post(path, data={"email": "pat@hospital.test"}).status_code == 403


def test_the_provider_still_signs_people_in(client, sso_sign_in):
    assert sso_sign_in("bob").status_code == 302
    assert client.get("/account").status_code == 200


def test_an_invitation_link_asks_for_the_hospital_sign_in_instead_of_a_password(
    app, client, make_cohort, synced_course, sso_sign_in
):
    from sqlalchemy import func, select

    from smresidency.auth.models import User
    from smresidency.cohorts import services
    from smresidency.cohorts.models import Cohort
    from smresidency.extensions import db

    cohort_id, _ = make_cohort(synced_course, name="Autumn")
    with app.app_context():
        token = services.invite_token(db.session.get(Cohort, cohort_id))
        accounts = db.session.scalar(select(func.count()).select_from(User))
    page = client.get(f"/join/{token}")
    assert page.headers["Location"] == f"/login?next=/join/{token}"
    registered = client.post(
        f"/join/{token}",
        data={"email": "pat@hospital.test", "name": "Pat", "password": PASSWORD * 2},
    )
    assert registered.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == accounts
    # through the provider, the person comes back to the invitation, signed in
    back = sso_sign_in("bob", next_url=f"/join/{token}")
    assert back.headers["Location"] == f"/join/{token}"
    invitation = client.get(f"/join/{token}").get_data(as_text=True)
    assert "Join the cohort" in invitation and 'name="password"' not in invitation
