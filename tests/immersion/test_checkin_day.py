"""Issue 12.3: a check-in code is accepted only on the immersion day, in the cohort's zone,
give or take CHECKIN_GRACE_MINUTES; the faculty screen says so."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from smresidency.cohorts.models import Cohort
from smresidency.extensions import db
from tests.immersion import test_checkin as checkin_tests
from tests.immersion.test_checkin import code_url, events, path_of

clock, day = checkin_tests.clock, checkin_tests.day
T0 = checkin_tests.T0  # 2027-01-15 08:00 UTC


def at(text: str) -> float:
    """A UTC moment as the check-in clock reads it."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def set_day(app, cohort_id: int, when: date, zone: str = "Europe/London") -> None:
    with app.app_context():
        db.session.execute(
            update(Cohort).where(Cohort.id == cohort_id).values(immersion_date=when, timezone=zone)
        )
        db.session.commit()


def scan(app, client, login_as, day, clock, moment: float):
    """Show the code at `moment` on the faculty screen, then the learner posts it."""
    clock.now = moment
    url = path_of(code_url(app, client, login_as, day))
    login_as(user=day["learners"][0])
    return client.get(url), client.post(url, data={"confirm": "y"})


def test_weeks_before_the_day_the_code_is_refused(app, client, login_as, day, clock):
    set_day(app, day["cohort"], date(2027, 2, 5))  # three weeks after the clock's today
    shown, posted = scan(app, client, login_as, day, clock, T0)
    assert shown.status_code == posted.status_code == 403
    text = posted.get_data(as_text=True)
    assert "Check-in opens on the immersion day" in text and "5 February 2027" in text
    assert "Check me in" not in shown.get_data(as_text=True)
    assert events(app) == []


def test_on_the_day_the_code_is_accepted(app, client, login_as, day, clock):
    set_day(app, day["cohort"], date(2027, 1, 15))
    shown, posted = scan(app, client, login_as, day, clock, T0)
    assert shown.status_code == posted.status_code == 200
    assert "You are checked in" in posted.get_data(as_text=True)
    assert [e[2] for e in events(app)] == ["checkin"]


def test_the_day_after_the_code_is_refused(app, client, login_as, day, clock):
    set_day(app, day["cohort"], date(2027, 1, 14))
    shown, posted = scan(app, client, login_as, day, clock, T0)
    assert shown.status_code == posted.status_code == 410
    assert "Check-in closed at the end of the immersion day" in posted.get_data(as_text=True)
    assert events(app) == []


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        ("2027-01-14T23:30:00", 200),  # within the hour's grace before the day starts
        ("2027-01-14T22:30:00", 403),
        ("2027-01-16T00:59:00", 200),  # within the grace after it ends
        ("2027-01-16T01:01:00", 410),
    ],
)
def test_the_grace_window_is_a_setting(app, client, login_as, day, clock, moment, status):
    app.config["CHECKIN_GRACE_MINUTES"] = 60
    set_day(app, day["cohort"], date(2027, 1, 15))
    assert scan(app, client, login_as, day, clock, at(moment))[1].status_code == status


def test_the_day_is_counted_in_the_cohorts_zone(app, client, login_as, day, clock):
    app.config["CHECKIN_GRACE_MINUTES"] = 0
    # 02:00 UTC on the 16th is still the evening of the 15th in New York
    set_day(app, day["cohort"], date(2027, 1, 15), "America/New_York")
    assert scan(app, client, login_as, day, clock, at("2027-01-16T02:00:00"))[1].status_code == 200


def test_the_faculty_screen_says_when_codes_are_accepted(app, client, login_as, day, clock):
    set_day(app, day["cohort"], date(2027, 2, 5))
    login_as(user=day["faculty"])
    page = client.get(f"/cohorts/{day['cohort']}/checkin").get_data(as_text=True)
    assert "Codes are accepted only on the immersion day, 5 February 2027" in page
    assert "Today is not the immersion day" in page
    set_day(app, day["cohort"], date(2027, 1, 15))
    page = client.get(f"/cohorts/{day['cohort']}/checkin").get_data(as_text=True)
    assert "Codes are accepted only on the immersion day, 15 January 2027" in page
    assert "Today is not the immersion day" not in page
