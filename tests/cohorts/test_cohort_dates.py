"""An immersion day is checked against a sensible window, and a refusal says why."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from smresidency.cohorts.forms import immersion_date_problem
from smresidency.cohorts.models import Cohort
from smresidency.extensions import db
from tests.cohorts import test_cohort_admin as admin_tests
from tests.test_control_characters import field_error

_form, course_id = admin_tests._form, admin_tests.course_id  # course_id: a fixture

TODAY = date(2026, 6, 1)


def test_the_window_runs_from_a_year_ago_to_three_years_ahead():
    leap = immersion_date_problem(date(2032, 1, 1), date(2028, 2, 29))
    assert leap.startswith("Choose a day between 28 February 2027 and 28 February 2031:")
    assert immersion_date_problem(TODAY, TODAY) is None
    assert immersion_date_problem(date(2025, 6, 1), TODAY) is None
    assert immersion_date_problem(date(2029, 6, 1), TODAY) is None
    early = immersion_date_problem(date(2025, 5, 31), TODAY)
    late = immersion_date_problem(date(2029, 6, 2), TODAY)
    assert early.startswith("Choose a day between 1 June 2025 and 1 June 2029:")
    assert "more than a year ago" in early and "more than three years ahead" in late


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("0001-01-01", "0001-01-01 is more than a year ago, which is most likely a typing error"),
        ("2000-02-29", "2000-02-29 is more than a year ago"),
        ("9999-12-31", "9999-12-31 is more than three years ahead"),
    ],
)
def test_the_cohort_form_refuses_a_day_outside_the_window(
    app, client, login_as, course_id, day, why
):
    login_as("coordinator")
    response = client.post("/cohorts/new", data=_form(course_id=str(course_id), immersion_date=day))
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), "immersion_date")
    assert "Choose a day between" in error and why in error
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_an_old_cohort_keeps_its_day_when_edited_but_cannot_move_to_another_odd_one(
    app, client, login_as, make_cohort, synced_course
):
    me = login_as("coordinator")
    cohort_id, _ = make_cohort(synced_course, name="Old cohort", coordinators=[me])
    long_ago = date.today() - timedelta(days=600)
    with app.app_context():
        db.session.execute(
            update(Cohort).where(Cohort.id == cohort_id).values(immersion_date=long_ago)
        )
        db.session.commit()
        course = db.session.scalar(select(Cohort.course_id).where(Cohort.id == cohort_id))
    edit = f"/cohorts/{cohort_id}/edit"
    kept = _form(course_id=str(course), name="Old cohort, renamed", immersion_date=str(long_ago))
    assert client.post(edit, data={**kept, "coordinators": [str(me.id)]}).status_code == 302
    moved = {**kept, "immersion_date": "0001-01-01", "coordinators": [str(me.id)]}
    response = client.post(edit, data=moved)
    assert response.status_code == 422
    assert "Choose a day between" in field_error(response.get_data(as_text=True), "immersion_date")
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert (cohort.name, cohort.immersion_date) == ("Old cohort, renamed", long_ago)
