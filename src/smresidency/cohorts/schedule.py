"""The schedule rule: where a learner should be by today, and who is behind it.

Dashboard filters, "at risk" figures and reminders all use these functions, so they agree.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smresidency.cohorts.models import Cohort
from smresidency.db import as_utc, utcnow


def cohort_zone(cohort: Cohort):
    """The cohort's time zone; UTC if the stored name is unknown."""
    try:
        return ZoneInfo(cohort.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_today(cohort: Cohort, now: datetime | None = None) -> date:
    """Today where the immersion day happens: the date its schedule is counted in."""
    return (now or utcnow()).astimezone(cohort_zone(cohort)).date()


def expected_percent(enrolled_on: date, immersion_date: date, today: date) -> float:
    """The share of the modules a learner should have done by today, on a straight line
    from enrolment (0%) to the immersion day (100%)."""
    span = (immersion_date - enrolled_on).days
    if span <= 0:
        return 100.0
    elapsed = min(max((today - enrolled_on).days, 0), span)
    return 100.0 * elapsed / span


def is_behind_schedule(
    percent: float, enrolled_at: datetime, immersion_date: date, today: date, zone=UTC
) -> bool:
    """At risk: below the expected share of the time elapsed between enrolment and the day.

    The one rule for "at risk", used by the dashboard and by reminders. Dates are in the
    cohort's zone.
    """
    enrolled_on = as_utc(enrolled_at).astimezone(zone).date()
    return percent < 100 and percent < expected_percent(enrolled_on, immersion_date, today)
