"""`flask reminders send-due`: the daily job that reminds learners before their immersion day."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from smresidency.cohorts.cli import reminders_cli
from smresidency.cohorts.models import Cohort, Reminder
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage
from tests.cohorts import test_reminders as shared
from tests.cohorts.test_reminders import complete, counts, remind_at

course = shared.course  # a fixture

BASE = "https://residency.example.test"


@pytest.fixture
def cohorts(app, course, make_user, make_cohort):
    """Cohorts in 3, 7, 8 and -2 days, in UTC; each with an unfinished and a finished learner."""
    made = {}
    for days in (3, 7, 8, -2):
        unfinished, finished = make_user("learner"), make_user("learner")
        cohort_id, _ = make_cohort(
            course, name=f"In {days} days", learners=[unfinished, finished], immersion_in_days=days
        )
        complete(app, finished, 4)
        made[days] = (cohort_id, unfinished, finished)
    with app.app_context():
        for cohort in db.session.scalars(select(Cohort)):
            cohort.timezone = "UTC"  # so "today" cannot differ from the test's by an hour
        db.session.commit()
    return made


def send_due(runner, *args):
    return runner.invoke(reminders_cli, ["send-due", "--base-url", BASE, *args])


def recipients(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.recipient)))


def test_reminds_unfinished_learners_of_cohorts_due_within_the_default_days(runner, app, cohorts):
    result = send_due(runner)
    assert result.exit_code == 0, result.output
    assert "In 3 days (remind-course, " in result.output
    assert result.output.count("1 sent, 0 skipped") == 2
    assert "In 8 days" not in result.output and "In -2 days" not in result.output
    assert recipients(app) == sorted([cohorts[3][1].email, cohorts[7][1].email])
    with app.app_context():
        rows = db.session.scalars(select(Reminder)).all()
        mail = db.session.scalars(select(OutboxMessage)).first()
    assert {(r.kind, r.sent_by_id) for r in rows} == {("due", None)}
    assert f"{BASE}/courses/remind-course" in mail.body
    assert "- One" in mail.body and "Remind course" in mail.body


def test_days_option_widens_the_window(runner, app, cohorts):
    result = send_due(runner, "--days", "8")
    assert result.exit_code == 0, result.output
    assert "In 8 days" in result.output and "In -2 days" not in result.output
    assert len(recipients(app)) == 3


def test_an_immersion_day_today_is_covered(runner, app, course, make_user, make_cohort):
    learner = make_user("learner")
    make_cohort(course, name="Today", learners=[learner], immersion_in_days=0)
    assert "Today (remind-course" in send_due(runner, "--days", "0").output
    assert recipients(app) == [learner.email]


def test_dry_run_lists_and_writes_nothing(runner, app, cohorts):
    remind_at(app, cohorts[7][1], utcnow() - timedelta(hours=1))
    result = send_due(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "In 3 days" in result.output and "would send 1, skip 0 (dry run)" in result.output
    assert f"  mail {cohorts[3][1].email} (0% complete)" in result.output
    assert f"  skip {cohorts[7][1].email} (reminded on " in result.output
    assert cohorts[3][2].email not in result.output  # finished
    assert counts(app) == (1, 0)


def test_dry_run_needs_no_base_url(runner, app, cohorts):
    result = runner.invoke(reminders_cli, ["send-due", "--dry-run"])
    assert result.exit_code == 0, result.output


def test_the_interval_is_respected(runner, app, cohorts):
    remind_at(app, cohorts[3][1], utcnow() - timedelta(hours=71))
    remind_at(app, cohorts[7][1], utcnow() - timedelta(hours=73))
    first = send_due(runner).output
    assert "In 3 days (remind-course, " in first and "0 sent, 1 skipped" in first
    assert "1 sent, 0 skipped" in first
    assert recipients(app) == [cohorts[7][1].email]
    second = send_due(runner).output  # right after: everyone was reminded just now
    assert second.count("0 sent, 1 skipped") == 2
    assert counts(app) == (3, 1)


def test_nothing_due(runner, app, course, make_cohort):
    make_cohort(course, learners=1, immersion_in_days=30)
    result = send_due(runner)
    assert result.exit_code == 0
    assert "No cohort has its immersion day within 7 days." in result.output


def test_sending_needs_the_site_address(runner, app, cohorts):
    result = runner.invoke(reminders_cli, ["send-due"])
    assert result.exit_code == 1
    assert "pass --base-url" in result.output
    assert counts(app) == (0, 0)


def test_help_explains_the_command(runner):
    result = runner.invoke(reminders_cli, ["send-due", "--help"])
    assert "immersion day is near" in result.output and "--dry-run" in result.output
    assert "cron" in runner.invoke(reminders_cli, ["--help"]).output
