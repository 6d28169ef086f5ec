"""Failed sign-ins counted in the shared rate-limit store, so every worker sees one count."""

from flask import current_app

from smresidency import ratelimit

ACCOUNT = "signin-account"
ADDRESS = "signin-address"


def _window() -> int:
    return current_app.config["LOGIN_WINDOW_SECONDS"]


def is_throttled(email: str, address: str) -> bool:
    """True when the account or the address has failed too often recently."""
    cfg = current_app.config
    return (
        ratelimit.count(ACCOUNT, email, _window()) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or ratelimit.count(ADDRESS, address, _window()) >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def record_failure(email: str, address: str) -> None:
    """Count one failure against the account name and the address, existing or not."""
    ratelimit.hit(ACCOUNT, email, _window())
    ratelimit.hit(ADDRESS, address, _window())


def clear_account(email: str) -> None:
    """A successful sign-in forgives the account's earlier failures."""
    ratelimit.clear(ACCOUNT, email)
