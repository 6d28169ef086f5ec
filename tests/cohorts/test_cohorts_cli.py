"""`flask cohorts create|list|enrol`: run cohorts from the shell."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from smresidency.cohorts.cli import cohorts_cli
from smresidency.cohorts.models import Cohort, CohortStaff, Enrolment
from smresidency.extensions import db

COURSE = "social-media-residency"
DAY = (date.today() + timedelta(days=190)).isoformat()  # inside the accepted window


def create(runner, *extra, name="June cohort", day=DAY):
    args = ["create", "--course", COURSE, "--name", name, "--date", day, *extra]
    return runner.invoke(cohorts_cli, args)


def stored_cohorts(app) -> list[Cohort]:
    with app.app_context():
        cohorts = db.session.scalars(select(Cohort).order_by(Cohort.id)).all()
        db.session.expunge_all()
        return cohorts


def enrolled(app, cohort_id) -> list[int]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(Enrolment.user_id).where(
                    Enrolment.cohort_id == cohort_id, Enrolment.status == "active"
                )
            )
        )


# --- create -----------------------------------------------------------------------------------


def test_create_with_staff(runner, app, synced_course, make_user):
    faculty, coordinator = make_user("instructor"), make_user("coordinator")
    result = create(
        runner,
        "--timezone", "America/Chicago",
        "--place", "Education centre",
        "--link", "https://meet.example.test/room",
        "--capacity", "12",
        "--faculty", faculty.email,
        "--coordinator", coordinator.email,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (cohort,) = stored_cohorts(app)
    assert f"Created cohort {cohort.id}: June cohort (social-media-residency)" in result.output
    assert (cohort.timezone, cohort.place, cohort.capacity) == (
        "America/Chicago",
        "Education centre",
        12,
    )
    assert cohort.online_link == "https://meet.example.test/room"
    assert cohort.immersion_date.isoformat() == DAY
    with app.app_context():
        staff = set(db.session.execute(select(CohortStaff.role, CohortStaff.user_id)).all())
    assert staff == {("faculty", faculty.id), ("coordinator", coordinator.id)}


def test_create_defaults(runner, app, synced_course):
    assert create(runner).exit_code == 0
    (cohort,) = stored_cohorts(app)
    assert (cohort.timezone, cohort.capacity, cohort.place) == ("Europe/London", 20, "")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--timezone", "Mars/Olympus"], "not a time zone; use a name such as Europe/London"),
        (["--link", "ftp://files.example.test"], "starting with https://"),
        (["--link", "javascript:alert(1)"], "starting with https://"),
        (["--capacity", "0"], "--capacity"),
        (["--faculty", "nobody@example.test"], "No account uses nobody@example.test."),
    ],
)
def test_create_refuses_bad_input(runner, app, synced_course, extra, message):
    result = create(runner, *extra)
    assert result.exit_code != 0
    assert message in result.output
    assert stored_cohorts(app) == []


def test_create_refuses_a_bad_date(runner, app, synced_course):
    result = create(runner, day="12/06/2031")
    assert result.exit_code == 2
    assert "“12/06/2031” is not a date; use YYYY-MM-DD." in result.output


@pytest.mark.parametrize(
    ("day", "why"),
    [("0001-01-01", "more than a year ago"), ("9999-12-31", "more than three years ahead")],
)
def test_create_refuses_a_day_outside_the_window_and_says_why(runner, app, synced_course, day, why):
    result = create(runner, day=day)
    assert result.exit_code == 2
    assert "Choose a day between" in result.output and why in result.output
    assert stored_cohorts(app) == []


def test_create_refuses_unknown_course_duplicates_and_wrong_roles(
    runner, app, synced_course, make_user
):
    args = ["create", "--course", "nope", "--name", "X", "--date", DAY]
    unknown = runner.invoke(cohorts_cli, args)
    assert unknown.exit_code == 1 and "No course has the slug “nope”." in unknown.output
    assert create(runner).exit_code == 0
    again = create(runner)
    assert again.exit_code == 1 and "already has that name" in again.output
    learner = make_user("learner")
    wrong = create(runner, "--faculty", learner.email, name="Other")
    assert wrong.exit_code == 1 and "is not an instructor" in wrong.output
    assert len(stored_cohorts(app)) == 1


# --- list -------------------------------------------------------------------------------------


def test_list_shows_enrolled_over_capacity(runner, app, synced_course, make_cohort):
    assert runner.invoke(cohorts_cli, ["list"]).output == "No cohorts yet.\n"
    first, _ = make_cohort(synced_course, name="Spring", learners=2, capacity=5)
    make_cohort(synced_course, name="Autumn", immersion_in_days=60)
    lines = runner.invoke(cohorts_cli, ["list"]).output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{first}\t{COURSE}\tSpring\t")
    assert lines[0].endswith("\t2/5") and lines[1].endswith("\t0/20")


# --- enrol ------------------------------------------------------------------------------------


def test_enrol_several(runner, app, synced_course, make_cohort, make_user):
    cohort_id, _ = make_cohort(synced_course)
    a, b = make_user("learner"), make_user("instructor")
    args = ["enrol", str(cohort_id), a.email, b.email, "--profession", "education"]
    result = runner.invoke(cohorts_cli, [*args, "--department", "Nursing"])
    assert result.exit_code == 0, result.output
    assert "Enrolled 2 in" in result.output
    assert enrolled(app, cohort_id) == sorted([a.id, b.id])
    with app.app_context():
        rows = db.session.scalars(select(Enrolment)).all()
    assert {(e.profession, e.department) for e in rows} == {("education", "Nursing")}


def test_enrol_unknown_email_changes_nothing(runner, app, synced_course, make_cohort, make_user):
    cohort_id, _ = make_cohort(synced_course)
    known = make_user("learner")
    args = ["enrol", str(cohort_id), known.email, "ghost@example.test"]
    result = runner.invoke(cohorts_cli, args)
    assert result.exit_code == 1
    assert "No account uses ghost@example.test. Nothing was changed." in result.output
    assert enrolled(app, cohort_id) == []


def test_enrol_respects_capacity(runner, app, synced_course, make_cohort, make_user):
    cohort_id, (first,) = make_cohort(synced_course, capacity=2, learners=1)
    a, b = make_user("learner"), make_user("learner")
    result = runner.invoke(cohorts_cli, ["enrol", str(cohort_id), a.email, b.email])
    assert result.exit_code == 1
    assert "is full (2 places). Nobody was enrolled." in result.output
    assert enrolled(app, cohort_id) == [first.id]


def test_enrol_refuses_unknown_cohort_and_profession(runner, app, synced_course, make_user):
    learner = make_user("learner")
    missing = runner.invoke(cohorts_cli, ["enrol", "999", learner.email])
    assert missing.exit_code == 1 and "No cohort has id 999" in missing.output
    bad = runner.invoke(cohorts_cli, ["enrol", "1", learner.email, "--profession", "wizard"])
    assert bad.exit_code == 2 and "wizard" in bad.output


def test_every_command_explains_itself(runner):
    assert "enrol learners" in runner.invoke(cohorts_cli, ["--help"]).output
    for command, words in (
        ("create", "Create a cohort"),
        ("list", "enrolled/capacity"),
        ("enrol", "capacity"),
    ):
        output = runner.invoke(cohorts_cli, [command, "--help"]).output
        assert words in output, command
