"""Turn a verified ID token into a local account: find, link or create it, and map roles."""

import hmac
import secrets
from urllib.parse import urlencode, urlsplit

from flask import current_app, g, session, url_for
from sqlalchemy import select

from smresidency.admin.audit import record
from smresidency.auth.models import User, UserRole
from smresidency.auth.services import find_user, normalise_email, set_roles
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.security import FORM_ACTION_KEY, ORIGIN
from smresidency.sso.models import SsoIdentity
from smresidency.sso.providers import Provider
from smresidency.text import printable

SESSION_KEY = "sso"  # provider name and ID token of an SSO session, for RP-initiated logout
LOGOUT_KEY = "sso_logout"  # the signed-out page's link to the provider's logout, if any
STATE_KEY = "sso_logout_state"  # the `state` sent with RP-initiated logout, checked on return


class SsoRefused(Exception):
    """A sign-in the provider vouched for but this site will not accept; safe to show."""


NO_EMAIL = "Your identity provider did not share an e-mail address, so you cannot sign in here."
WRONG_DOMAIN = (
    "Accounts from {domain} cannot sign in here. Use your hospital account, or ask the "
    "residency's administrator which accounts are accepted."
)
UNVERIFIED = (
    "Your identity provider has not confirmed that {email} is yours, so it cannot be used "
    "to sign in here. Ask your IT department, or sign in with your password."
)
DISABLED = "This account is disabled. Ask the residency's administrator."


def sign_in(provider: Provider, claims: dict) -> User:
    """The local user for verified claims: linked by `sub`, else by a verified e-mail, else new."""
    email = normalise_email(claims.get("email") or "")
    if not email or "@" not in email:
        raise SsoRefused(NO_EMAIL)
    if not provider.domain_allowed(email):
        raise SsoRefused(WRONG_DOMAIN.format(domain=email.rpartition("@")[2]))
    verified = claims.get("email_verified") is True
    identity = db.session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.provider == provider.name, SsoIdentity.subject == str(claims["sub"])
        )
    )
    if identity is not None:
        user = identity.user
    else:
        user = find_user(email)
        if user is not None and not verified and not (provider.trust_email and _unclaimed(user)):
            # linking on an unverified address would hand this account to whoever typed it
            raise SsoRefused(UNVERIFIED.format(email=email))
        if user is None:
            if not (verified or provider.trust_email):
                raise SsoRefused(UNVERIFIED.format(email=email))
            user = _create(provider, claims, email)
        else:
            record(None, "account.sso_linked", target_user=user, detail=f"to {provider.label}")
        identity = SsoIdentity(provider=provider.name, subject=str(claims["sub"]), user_id=user.id)
        db.session.add(identity)
    if not user.active:
        raise SsoRefused(DISABLED)
    if provider.sync_roles:
        _apply_roles(provider, user, claims)
    identity.email, identity.last_sign_in_at = email, utcnow()
    user.last_sign_in_at = utcnow()
    db.session.flush()
    return user


def _unclaimed(user: User) -> bool:
    """Made by the site for this address (a CSV enrolment) and never used: no password was
    ever set and nobody has signed in. A provider trusted for new accounts' addresses
    (SSO_TRUST_EMAIL) may link it, as it could have created it."""
    return user.password_hash.startswith("!") and user.last_sign_in_at is None


def _create(provider: Provider, claims: dict, email: str) -> User:
    """Just-in-time account: a learner unless the mapping says more; it has no password."""
    name = printable(claims.get("name") or "").strip() or email.partition("@")[0]
    roles = sorted(provider.mapped_roles(claims) or {"learner"})
    # the "!" hash never verifies: the account signs in only through its provider
    user = User(email=email, name=name[:200], password_hash="!" + secrets.token_urlsafe(32))
    user.role_rows = [UserRole(role=r) for r in roles]
    db.session.add(user)
    db.session.flush()
    record(None, "account.created", target_user=user, after=roles, detail=f"by {provider.label}")
    return user


def _apply_roles(provider: Provider, user: User, claims: dict) -> None:
    """Roles the mapping manages follow the claim; others (given by an admin) stay."""
    managed = set(provider.role_map.values())
    before = set(user.roles)
    after = (before - managed) | provider.mapped_roles(claims)
    after = after or {"learner"}
    if after != before:
        set_roles(user, after)
        record(
            None,
            "account.roles",
            target_user=user,
            before=sorted(before),
            after=sorted(after),
            detail=f"role mapping of {provider.label}",
        )


def remember(provider: Provider, id_token: str) -> None:
    """Keep what RP-initiated logout needs in the (new) session, and let its pages' forms
    lead on to the provider's sign-out address (the CSP's form-action)."""
    from smresidency.sso import oidc

    try:  # read when the code was exchanged: no request to the provider here
        endpoint = oidc.client(provider).load_server_metadata().get("end_session_endpoint")
    except Exception:
        endpoint = None
    origin = _origin(endpoint or "")
    session[SESSION_KEY] = {
        "provider": provider.name,
        "id_token": id_token,
        "end_session": endpoint if origin else "",
    }
    if origin:
        session[FORM_ACTION_KEY] = origin


def _origin(url: str) -> str | None:
    """scheme://host[:port] of an http(s) address, or None."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin if parts.scheme in ("http", "https") and ORIGIN.fullmatch(origin) else None


def end_session_url() -> str | None:
    """Where to send the browser after local sign-out: the provider's logout, if it has one.

    Called before the session is cleared; what the next step needs waits in `g`.
    """
    from smresidency.sso import oidc
    from smresidency.sso.providers import find

    held = session.get(SESSION_KEY) or {}
    provider = find(held.get("provider") or "")
    if provider is None:
        return None
    endpoint = held.get("end_session")
    direct = bool(endpoint) and session.get(FORM_ACTION_KEY) == _origin(endpoint)
    if endpoint is None:  # a session from before the address was kept: ask the provider
        try:
            endpoint = oidc.client(provider).load_server_metadata().get("end_session_endpoint")
        except Exception:  # the provider is down: the local sign-out still stands
            current_app.logger.warning("no RP-initiated logout: %s unreachable", provider.issuer)
            endpoint = None
    state = secrets.token_urlsafe(16)
    g.sso_logout = {"direct": direct, "state": state}
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": held.get("id_token", ""),
            "client_id": provider.client_id,
            "post_logout_redirect_uri": url_for("sso.signed_out", _external=True),
            "state": state,
        }
    )
    return f"{endpoint}?{query}"


def provider_sign_out_page(at_provider: str | None) -> str | None:
    """After local sign-out (the session is already cleared), where the browser goes next.

    Straight to the provider's logout when the pages allowed it (form-action); else a page of
    ours that links there, or that says the provider keeps its own session (no logout address).
    """
    pending = g.pop("sso_logout", None)
    if pending is None:
        return None  # a password session
    if at_provider and pending["direct"]:
        session[STATE_KEY] = pending["state"]
        return at_provider
    session[LOGOUT_KEY] = {"url": at_provider or ""}
    return url_for("sso.signed_out")


def returned_from_provider(state: str) -> bool:
    """Whether the provider sent back the `state` this browser's sign-out sent it."""
    expected = session.pop(STATE_KEY, None)
    return bool(expected) and hmac.compare_digest(str(expected), state)
