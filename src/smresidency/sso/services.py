"""Turn a verified ID token into a local account: find, link or create it, and map roles."""

import secrets
from urllib.parse import urlencode

from flask import current_app, session, url_for
from sqlalchemy import select

from smresidency.admin.audit import record
from smresidency.auth.models import User, UserRole
from smresidency.auth.services import find_user, normalise_email, set_roles
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.sso.models import SsoIdentity
from smresidency.sso.providers import Provider
from smresidency.text import printable

SESSION_KEY = "sso"  # provider name and ID token of an SSO session, for RP-initiated logout
LOGOUT_KEY = "sso_logout"  # the provider's logout address, kept across the local sign-out


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
        if user is not None and not verified:
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
    """Keep what RP-initiated logout needs in the (new) session."""
    session[SESSION_KEY] = {"provider": provider.name, "id_token": id_token}


def end_session_url() -> str | None:
    """Where to send the browser after local sign-out: the provider's logout, if it has one."""
    from smresidency.sso import oidc
    from smresidency.sso.providers import find

    held = session.get(SESSION_KEY) or {}
    provider = find(held.get("provider") or "")
    if provider is None:
        return None
    try:
        endpoint = oidc.client(provider).load_server_metadata().get("end_session_endpoint")
    except Exception:  # the provider is down: the local sign-out still stands
        current_app.logger.warning("no RP-initiated logout: %s unreachable", provider.issuer)
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": held.get("id_token", ""),
            "client_id": provider.client_id,
            "post_logout_redirect_uri": url_for("auth.login", _external=True),
        }
    )
    return f"{endpoint}?{query}"


def provider_sign_out_page(at_provider: str | None) -> str | None:
    """After local sign-out, a page of ours leads on to the provider's logout.

    A redirect straight from the sign-out POST would break the pages' CSP form-action 'self'.
    """
    if not at_provider:
        return None
    session[LOGOUT_KEY] = at_provider
    return url_for("sso.signed_out")
