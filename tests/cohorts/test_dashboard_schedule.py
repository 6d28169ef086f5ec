"""Behind schedule: below the elapsed share of the time from enrolment to the immersion day.

The dashboard uses the same rule as reminders (`smresidency.cohorts.reminders`), so "at risk"
means one thing everywhere. These tests pin the rule down with fixed dates.
"""

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from smresidency.cohorts.schedule import expected_percent, is_behind_schedule
from tests.cohorts import test_dashboard as dashboard_tests

# fixtures shared with the dashboard tests
course, seeded, staff = dashboard_tests.course, dashboard_tests.seeded, dashboard_tests.staff

ENROLLED = date(2025, 3, 1)
IMMERSION = date(2025, 3, 21)  # twenty days later


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 2, 20), 0),  # before the window starts
        (date(2025, 3, 1), 0),  # the day of enrolment
        (date(2025, 3, 6), 25),
        (date(2025, 3, 11), 50),
        (date(2025, 3, 20), 95),
        (date(2025, 3, 21), 100),  # the immersion day
        (date(2025, 4, 30), 100),  # after it
    ],
)
def test_expected_percent_is_the_elapsed_share_of_the_window(today, expected):
    assert expected_percent(ENROLLED, IMMERSION, today) == pytest.approx(expected)


def test_enrolled_on_or_after_the_immersion_day_expects_everything():
    assert expected_percent(IMMERSION, IMMERSION, IMMERSION) == 100
    assert expected_percent(date(2025, 3, 25), IMMERSION, date(2025, 3, 25)) == 100


@pytest.mark.parametrize(
    ("percent", "today", "behind"),
    [
        (0, date(2025, 3, 1), False),  # nobody is behind on their first day
        (0, date(2025, 3, 2), True),
        (49, date(2025, 3, 11), True),
        (50, date(2025, 3, 11), False),  # exactly on the line is on schedule
        (99, date(2025, 3, 21), True),
        (100, date(2025, 4, 30), False),  # done is never behind
    ],
)
def test_behind_schedule(percent, today, behind):
    enrolled_at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    assert is_behind_schedule(percent, enrolled_at, IMMERSION, today) is behind


def test_enrolment_day_is_counted_in_the_cohorts_time_zone():
    # 23:30 UTC on 28 February is already 1 March in Auckland
    enrolled_at = datetime(2025, 2, 28, 23, 30, tzinfo=UTC)
    auckland = ZoneInfo("Pacific/Auckland")
    assert is_behind_schedule(0, enrolled_at, IMMERSION, date(2025, 3, 1), auckland) is False
    assert is_behind_schedule(0, enrolled_at, IMMERSION, date(2025, 3, 1)) is True


def test_dashboard_rows_use_the_rule(app, seeded):
    """On a fixed day the seeded cohort's rows are behind exactly as the rule says."""
    from smresidency.auth.models import User
    from smresidency.cohorts.grid import cohort_grid
    from smresidency.extensions import db

    view = SimpleNamespace(sort="name", direction="asc", filter="all", withdrawn=False)
    with app.app_context():
        coordinator = db.session.get(User, seeded["coordinator"].id)
        board = cohort_grid(coordinator, seeded["cohort_id"], view)
        enrolled = board.rows[0].enrolment.enrolled_at.date()
        immersion = board.cohort.immersion_date
        on = {
            "enrolment day": enrolled,
            "half way": enrolled + (immersion - enrolled) / 2,
            "immersion day": immersion,
        }
        behind = {}
        for label, today in on.items():
            board = cohort_grid(coordinator, seeded["cohort_id"], view, today=today)
            behind[label] = sorted(r.user.name for r in board.active if r.behind)
    assert behind == {
        "enrolment day": [],
        "half way": ["Cai Cole", "Eve Evans"],  # 0% and 25% against 50%; Ben at 50% is not
        "immersion day": ["Ben Baker", "Cai Cole", "Eve Evans"],
    }
