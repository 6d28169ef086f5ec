"""SSO routes: start at the provider, come back with a code; every failure is a clear page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from smresidency.access import PUBLIC, allow
from smresidency.auth.views import _safe_next
from smresidency.auth.views import _start_session as start_session
from smresidency.sso import providers, services

bp = Blueprint("sso", __name__, url_prefix="/sso")
NEXT = "sso_next"

# password pages an SSO-only deployment refuses (a GET of the sign-in page shows the buttons)
PASSWORD_ENDPOINTS = {
    "auth.register",
    "auth.confirm_registration",
    "auth.forgot_password",
    "auth.reset_password",
}


def _failed(title: str, message: str, status: int, provider=None):
    return render_template(
        "sso/failed.html", title=title, message=message, provider=provider
    ), status


@bp.before_app_request
def refuse_passwords_when_sso_only():
    """With SSO_ONLY, password sign-in, registration and reset answer 403 with a pointer, and
    an invitation link asks a visitor to sign in (through the provider) before joining."""
    if not current_app.config["SSO_ONLY"]:
        return None
    if request.endpoint == "cohorts.join" and not current_user.is_authenticated:
        # an invitation link offers to register a password account: sign in here first
        return redirect(url_for("auth.login", next=request.path))
    if request.endpoint in PASSWORD_ENDPOINTS or (
        request.endpoint == "auth.login" and request.method == "POST"
    ):
        return _failed(
            "Passwords are not used here",
            "This site signs you in with your hospital account only.",
            403,
        )
    return None


@bp.get("/<name>/login")
@allow(PUBLIC)
def login(name: str):
    provider = providers.find(name)
    if provider is None:
        return _failed("Unknown sign-in service", "No such sign-in service is set up.", 404)
    session[NEXT] = _safe_next(request.args.get("next"))
    # the OIDC client (authlib, requests) loads with the first SSO sign-in, not in every worker
    import requests
    from authlib.common.errors import AuthlibBaseError

    from smresidency.sso import oidc

    try:
        return oidc.client(provider).authorize_redirect(
            url_for("sso.callback", name=name, _external=True)
        )
    except (requests.RequestException, ValueError, AuthlibBaseError):
        current_app.logger.warning("SSO discovery failed for %s", provider.issuer, exc_info=True)
        return _provider_down(provider)


def _provider_down(provider):
    return _failed(
        "The sign-in service is not answering",
        f"{provider.label} could not be reached. Please try again in a few minutes.",
        503,
        provider,
    )


@bp.get("/<name>/callback")
@allow(PUBLIC)
def callback(name: str):
    provider = providers.find(name)
    if provider is None:
        return _failed("Unknown sign-in service", "No such sign-in service is set up.", 404)
    if request.args.get("error") == "access_denied":
        return _failed(
            "Sign-in was cancelled",
            "You did not allow the sign-in at your identity provider, so you are not signed in.",
            403,
            provider,
        )
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    from smresidency.sso import oidc

    try:
        token = oidc.client(provider).authorize_access_token(claims_options=oidc.checks(provider))
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(description="no ID token in the answer")
    except MismatchingStateError:
        return _failed(
            "This sign-in has already been used or has expired",
            "Please start again from the sign-in page.",
            400,
            provider,
        )
    except requests.RequestException:
        current_app.logger.warning("SSO token request failed for %s", provider.issuer)
        return _provider_down(provider)
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as err:
        current_app.logger.warning("SSO answer refused for %s: %s", provider.issuer, err)
        return _failed(
            "The sign-in could not be verified",
            f"The answer from {provider.label} did not pass our checks, so you are not "
            "signed in. Please start again; if it keeps happening, tell your IT department.",
            400,
            provider,
        )
    try:
        user = services.sign_in(provider, claims)
    except services.SsoRefused as refusal:
        return _failed("You cannot sign in with this account", str(refusal), 403, provider)
    target = session.pop(NEXT, None) or url_for("catalog.home")
    start_session(user)
    services.remember(provider, token.get("id_token", ""))
    flash(f"Welcome, {user.name}.", "success")
    return redirect(target)


@bp.get("/signed-out")
@allow(PUBLIC)
def signed_out():
    """Back from the provider's logout (with our `state`), or the page that links there."""
    state = request.args.get("state")
    if state is not None:
        if not services.returned_from_provider(state):
            current_app.logger.info("a sign-out came back from a provider without our state")
        return redirect(url_for("auth.login"))
    shown = session.pop(services.LOGOUT_KEY, None)
    if not isinstance(shown, dict):
        return redirect(url_for("auth.login"))
    return render_template("sso/signed_out.html", at_provider=shown["url"])
