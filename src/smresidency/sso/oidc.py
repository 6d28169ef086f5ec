"""Authlib's OpenID Connect client for each provider: discovery, code + PKCE, ID-token checks."""

from authlib.integrations.flask_client import OAuth
from flask import current_app

from smresidency.sso.providers import Provider

_KEY = "smresidency_oauth"


def client(provider: Provider):
    """The app's Authlib client for a provider, registered on first use.

    Authlib keeps `state`, `nonce` and the PKCE verifier in the session and checks the ID
    token's signature (the provider's JWKS), issuer, audience, expiry and nonce.
    """
    app = current_app._get_current_object()
    oauth = app.extensions.get(_KEY)
    if oauth is None:
        oauth = app.extensions[_KEY] = OAuth(app)
    found = oauth.create_client(provider.name)
    if found is None:
        found = oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                "default_timeout": app.config["SSO_TIMEOUT"],
            },
        )
    return found


def checks(provider: Provider) -> dict:
    """ID-token claim checks beyond Authlib's: `iss` must be the configured issuer itself.

    Authlib compares it with the discovery document's `issuer`, which a mix-up (a document
    naming another issuer) would pass; OpenID Connect Discovery requires them to be equal.
    """
    issuer = provider.issuer.rstrip("/")
    return {"iss": {"essential": True, "values": [issuer, issuer + "/"]}}
