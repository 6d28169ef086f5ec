"""Short cohort codes a learner can type: "K7Q-4PM", without look-alike characters."""

import secrets

from sqlalchemy import select

from smresidency.cohorts import services
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db

# no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V: each character reads one way aloud and on paper
ALPHABET = "ACEFHJKMNPRTWXY3479"
HALF = 3


def new_code() -> str:
    """A fresh code, e.g. "K7Q-4PM" shaped: three characters, a hyphen, three more."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(HALF * 2))
    return f"{chars[:HALF]}-{chars[HALF:]}"


def normalise(typed: str) -> str:
    """What the learner typed, as stored: upper case, spaces and hyphens ignored."""
    chars = "".join(c for c in (typed or "").upper() if c.isalnum())
    return f"{chars[:HALF]}-{chars[HALF:]}" if len(chars) == HALF * 2 else chars


def rotate(cohort: Cohort) -> str:
    """Give the cohort a new code; the old one stops working at once."""
    while True:
        code = new_code()
        if db.session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is None:
            break
    cohort.join_code = code
    db.session.flush()
    return code


def cohort_for_code(typed: str) -> Cohort | None:
    """The cohort a code opens, or None (unknown or rotated away)."""
    code = normalise(typed)
    if len(code) != HALF * 2 + 1:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code))


def join(user, typed: str, profession: str = "", department: str = "") -> Enrolment:
    """Enrol the user in the cohort the code opens; capacity and one-cohort rules apply."""
    cohort = cohort_for_code(typed)
    if cohort is None:
        raise services.CohortError(
            "No cohort has that code. Check it with your coordinator; codes can be changed."
        )
    return services.enrol(cohort, user, profession, department)
