"""Failed sign-ins counted in the shared rate-limit store, so every worker sees one count.

Failures count per (account, address) pair and per address, so nobody can lock someone
else out from their own address. An account failing from many addresses at once (a
distributed guess) stops addresses that have failed against it; a clean address still
gets through with the right password.
"""

from flask import current_app

from smresidency import ratelimit

PAIR = "signin-pair"
ADDRESS = "signin-address"
ACCOUNT = "signin-account"


def _window() -> int:
    return current_app.config["LOGIN_WINDOW_SECONDS"]


def _pair(email: str, address: str) -> str:
    # the address first, so it survives if a very long e-mail address is cut to the key size
    return f"{address} {email}"[:320]


def retry_after(email: str, address: str) -> int:
    """Seconds until this address may try this account again; 0 when it may now."""
    cfg, window = current_app.config, _window()
    waits = [
        ratelimit.retry_after(
            PAIR, _pair(email, address), cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"], window
        ),
        ratelimit.retry_after(ADDRESS, address, cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"], window),
    ]
    under_attack = ratelimit.count(ACCOUNT, email, window) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    if under_attack and ratelimit.count(PAIR, _pair(email, address), window):
        # an address that has failed against an account under attack waits it out
        waits.append(ratelimit.retry_after(PAIR, _pair(email, address), 1, window))
    return max(waits)


def record_failure(email: str, address: str) -> None:
    """Count one failure against the pair, the address and the account, existing or not."""
    ratelimit.hit(PAIR, _pair(email, address), _window())
    ratelimit.hit(ADDRESS, address, _window())
    ratelimit.hit(ACCOUNT, email, _window())


def clear_pair(email: str, address: str) -> None:
    """A successful sign-in forgives this address's earlier failures against the account."""
    ratelimit.clear(PAIR, _pair(email, address))
