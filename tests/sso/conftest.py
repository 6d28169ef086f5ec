"""The npm oidc-provider for the SSO tests, started once for the module that asks for it."""

import pytest

from tests.oidc import harness

APP_BASE = "http://localhost/"
CALLBACK = "http://localhost/sso/hospital/callback"
SIGNED_OUT = "http://localhost/sso/signed-out"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """A real provider on a free port, with a client registered for the test client's URLs."""
    running = harness.start(tmp_path_factory.mktemp("oidc"), [CALLBACK], [SIGNED_OUT])
    yield running
    running.stop()


@pytest.fixture
def app_config(oidc_provider):
    return harness.sso_settings(oidc_provider.issuer, SSO_SYNC_ROLES=True)


@pytest.fixture
def sso_sign_in(client):
    """sso_sign_in("alice") -> the app's answer to the provider's redirect back."""

    def run(login, cancel=False, next_url=None):
        start = client.get("/sso/hospital/login" + (f"?next={next_url}" if next_url else ""))
        assert start.status_code == 302, start.get_data(as_text=True)
        back = harness.at_provider(start.headers["Location"], login, APP_BASE, cancel=cancel)
        return client.get(back[len(APP_BASE) - 1 :])

    return run
