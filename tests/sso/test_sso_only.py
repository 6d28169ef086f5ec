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
