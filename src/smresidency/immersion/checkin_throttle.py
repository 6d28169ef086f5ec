"""Refused short check-in codes, counted per learner and per address, so codes cannot be guessed.

Six characters from 31 change every minute, but without a limit a script could still try them
all day. A whole teaching room may share one address, so the address limit is the looser one.
"""

from flask import current_app

from smresidency import ratelimit

LEARNER = "checkin-learner"
ADDRESS = "checkin-address"


def retry_after(user_id: int, address: str) -> int:
    """Seconds until this learner, from this address, may type a code again; 0 when now."""
    cfg = current_app.config
    window = cfg["CHECKIN_WINDOW_SECONDS"]
    return max(
        ratelimit.retry_after(
            LEARNER, str(user_id), cfg["CHECKIN_MAX_REFUSED_PER_LEARNER"], window
        ),
        ratelimit.retry_after(ADDRESS, address, cfg["CHECKIN_MAX_REFUSED_PER_ADDRESS"], window),
    )


def record_refusal(user_id: int, address: str) -> None:
    """Count one refused code against the learner and the address."""
    window = current_app.config["CHECKIN_WINDOW_SECONDS"]
    ratelimit.hit(LEARNER, str(user_id), window)
    ratelimit.hit(ADDRESS, address, window)
