"""Writing a learner's self-ratings, and the rule for when each phase may be given or changed.

"pre" is open until the immersion day starts; "post" opens on the immersion day and, once
given, can be changed until the end of that local day. Days are counted in the cohort's zone.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smresidency.catalog.models import Course
from smresidency.cohorts.chart import long_date
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.schedule import cohort_zone, local_today
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.immersion import services as immersion
from smresidency.ratings.forms import SCALE
from smresidency.ratings.models import PHASES, SelfRating

VALUES = {value for value, _ in SCALE}


class RatingsError(Exception):
    """A rating that cannot be saved now; the message is safe to show."""


@dataclass(frozen=True)
class Window:
    """Whether a phase can be given or changed now, and a sentence saying so."""

    open: bool
    message: str


def window(phase: str, cohort: Cohort, existing: SelfRating | None, now=None) -> Window:
    """The one rule for when a phase is open; the page and `save` both ask it."""
    today, day = local_today(cohort, now), cohort.immersion_date
    if phase == "pre":
        if today < day:
            return Window(
                True,
                f"You can give or change these ratings until your immersion day starts "
                f"on {long_date(day)}.",
            )
        return Window(
            False,
            f"Ratings before the residency closed when your immersion day began on "
            f"{long_date(day)}.",
        )
    if today < day:
        return Window(
            False,
            f"Ratings after the residency open on your immersion day, {long_date(day)}. "
            f"Come back then.",
        )
    if existing is not None:
        given = given_on(existing, cohort)
        if given < today:
            return Window(
                False,
                f"You gave these ratings on {long_date(given)}; they could be changed until "
                f"the end of that day.",
            )
        return Window(True, "You can change these ratings until the end of today.")
    return Window(True, "Once saved, you can change these ratings until the end of the day.")


def given_on(rating: SelfRating, cohort: Cohort):
    """The local date a phase was first given, in the cohort's zone."""
    return as_utc(rating.created_at).astimezone(cohort_zone(cohort)).date()


def _row(enrolment_id: int, phase: str) -> SelfRating | None:
    return db.session.scalar(
        select(SelfRating).where(SelfRating.enrolment_id == enrolment_id, SelfRating.phase == phase)
    )


def _new_row(enrolment_id: int, phase: str) -> SelfRating:
    """Insert the phase's row, or take the one a concurrent request inserted first."""
    try:
        with db.session.begin_nested():
            row = SelfRating(enrolment_id=enrolment_id, phase=phase, ratings={})
            db.session.add(row)
    except IntegrityError:
        row = _row(enrolment_id, phase)
    return row


def save(
    enrolment: Enrolment,
    cohort: Cohort,
    course: Course,
    phase: str,
    ratings: dict[str, int],
    by_id: int,
    now: datetime | None = None,
) -> SelfRating:
    """Store one phase's ratings for the learner's own enrolment; saving "post" also ticks
    the checklist's self-rating item. Refuses a closed phase or an unanswered statement."""
    if phase not in PHASES:
        raise RatingsError(f"Unknown phase “{phase}”.")
    if enrolment.status != "active" or enrolment.cohort_id != cohort.id:
        raise RatingsError("You are not in a cohort of this course.")
    row = _row(enrolment.id, phase)
    open_now = window(phase, cohort, row, now)
    if not open_now.open:
        raise RatingsError(open_now.message)
    ids = [c["id"] for c in course.competencies]
    if not ids or any(ratings.get(i) not in VALUES for i in ids):
        raise RatingsError("Rate every statement from 1 to 5.")
    row = row or _new_row(enrolment.id, phase)
    row.ratings = {i: int(ratings[i]) for i in ids}
    row.updated_at = utcnow()
    db.session.flush()
    if phase == "post":
        item = immersion.item_of_kind(course, "self-rating")
        if item is not None:
            immersion.set_checked(enrolment.id, item["id"], True, by_id=by_id, action="self-rated")
    return row
