"""A provider without an end_session_endpoint (Google): sign-out is local and says so."""

import pytest

from tests.oidc import harness
from tests.sso.conftest import CALLBACK


@pytest.fixture(scope="module")
def provider_without_logout(tmp_path_factory):
    running = harness.start(tmp_path_factory.mktemp("oidc-nologout"), [CALLBACK], logout=False)
    yield running
    running.stop()


@pytest.fixture
def app_config(provider_without_logout):
    return harness.sso_settings(provider_without_logout.issuer)


def test_sign_out_ends_the_local_session_and_says_the_provider_keeps_its_own(client, sso_sign_in):
    sso_sign_in("bob")
    policy = client.get("/account").headers["Content-Security-Policy"]
    assert "form-action 'self';" in policy
    answer = client.post("/logout")
    assert answer.headers["Location"] == "/sso/signed-out"
    assert client.get("/account").status_code != 200
    html = client.get("/sso/signed-out").get_data(as_text=True)
    assert "Your hospital account stays signed in on this browser" in html
    assert "Sign out of your hospital account too" not in html
    assert client.get("/sso/signed-out").headers["Location"] == "/login"
