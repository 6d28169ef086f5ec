"""The issuer the settings name must be the one that signs: a discovery document (and ID
tokens) naming another issuer is refused, as OpenID Connect Discovery requires."""

import pytest
from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.extensions import db
from tests.oidc import harness


@pytest.fixture
def app_config(oidc_provider):
    # the same provider reached by another name: its documents say http://127.0.0.1:PORT
    configured = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    return harness.sso_settings(configured)


def test_tokens_from_another_issuer_than_the_configured_one_are_refused(app, client, sso_sign_in):
    answer = sso_sign_in("bob")
    assert answer.status_code == 400
    assert "did not pass our checks" in answer.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "bob@hospital.test")) is None
