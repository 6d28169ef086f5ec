"""Coordinator reminders: who is unfinished or at risk, preview, send, the interval, access."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.cohorts import reminders
from smresidency.cohorts.models import Cohort, Enrolment, Reminder
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from smresidency.mail.models import OutboxMessage

COURSE = "remind-course"
MODULES = {"01-one": {}, "02-two": {}, "03-three": {}, "04-four": {}}


# --- helpers, shared with test_reminders_cli.py ---------------------------------------------


@pytest.fixture
def course(app, write_course):
    """A four-module course without quizzes: each completed module is 25%."""
    from smresidency.catalog.sync import sync_content

    root = write_course(slug=COURSE, title="Remind course", modules=MODULES)
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return COURSE


def complete(app, user, count: int, course_slug: str = COURSE) -> None:
    """Mark the first `count` modules of the course read and complete for this user."""
    with app.app_context():
        modules = db.session.scalars(
            select(Module)
            .join(Course, Course.id == Module.course_id)
            .where(Course.slug == course_slug)
            .order_by(Module.position)
        ).all()
        for module in modules[:count]:
            version = db.session.scalar(
                select(ModuleVersion).where(
                    ModuleVersion.module_id == module.id,
                    ModuleVersion.content_hash == module.current_hash,
                )
            )
            now = utcnow()
            db.session.add(
                ModuleProgress(
                    user_id=user.id,
                    module_id=module.id,
                    version_id=version.id,
                    read_at=now,
                    completed_at=now,
                )
            )
        db.session.commit()


def enrolment_id(app, user) -> int:
    """The learner's enrolment id; call it outside any other app context."""
    with app.app_context():
        return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id))


def remind_at(app, user, when: datetime, kind: str = "manual") -> None:
    """A reminder already sent to this learner at `when`."""
    enrolment = enrolment_id(app, user)
    with app.app_context():
        db.session.add(
            Reminder(
                enrolment_id=enrolment,
                kind=kind,
                subject="Earlier",
                body="Earlier",
                sent_at=when,
            )
        )
        db.session.commit()


def counts(app) -> tuple[int, int]:
    """(reminder rows, outbox messages)."""
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Reminder)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)),
        )


def schedule(app, cohort_id: int, enrolled_days_ago: int, immersion_in_days: int) -> None:
    """Move the cohort's immersion day and everyone's enrolment date relative to today."""
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.immersion_date = utcnow().date() + timedelta(days=immersion_in_days)
        for e in db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort_id)):
            e.enrolled_at = utcnow() - timedelta(days=enrolled_days_ago)
        db.session.commit()


@pytest.fixture
def world(app, course, make_user, make_cohort):
    """A cohort: a at 0%, b at 75%, c finished, d withdrawn; e is in another cohort."""
    coordinator, other_coordinator = make_user("coordinator"), make_user("coordinator")
    faculty = make_user("instructor")
    a, b, c, d, e = (make_user("learner", name=f"{n} Learner") for n in "ABCDE")
    cohort_id, _ = make_cohort(
        course, coordinators=[coordinator], faculty=[faculty], learners=[a, b, c, d]
    )
    other_id, _ = make_cohort(course, coordinators=[other_coordinator], learners=[e])
    complete(app, b, 3)
    complete(app, c, 4)
    withdrawn = enrolment_id(app, d)
    with app.app_context():
        db.session.get(Enrolment, withdrawn).status = "withdrawn"
        db.session.commit()
    # 20 of 30 days gone: 66% expected, so a (0%) is at risk and b (75%) is not
    schedule(app, cohort_id, enrolled_days_ago=20, immersion_in_days=10)
    return SimpleNamespace(
        cohort_id=cohort_id,
        other_id=other_id,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        faculty=faculty,
        a=a,
        b=b,
        c=c,
        d=d,
        e=e,
    )


def _url(world, send=False):
    return f"/cohorts/{world.cohort_id}/remind" + ("/send" if send else "")


def _post(client, world, learners=(), send=False, **extra):
    data = {
        "learners": [str(u.id) for u in learners],
        "subject": "Please finish {course}",
        "body": "Hello {name}, you are at {percent}%.\n{modules_left}\n{url}",
        **extra,
    }
    return client.post(_url(world, send), data=data)


# --- the at-risk rule and the selection -------------------------------------------------------


def test_behind_schedule_rule_with_fixed_dates():
    enrolled = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    day = date(2025, 3, 31)
    assert not reminders.is_behind_schedule(0, enrolled, day, date(2025, 3, 1))
    assert reminders.is_behind_schedule(49, enrolled, day, date(2025, 3, 16))
    assert not reminders.is_behind_schedule(50, enrolled, day, date(2025, 3, 16))
    assert reminders.is_behind_schedule(99, enrolled, day, date(2025, 3, 31))
    assert not reminders.is_behind_schedule(100, enrolled, day, date(2025, 4, 2))


def test_roster_lists_unfinished_active_learners_with_fixed_dates(app, world):
    with app.app_context():
        cohort = db.session.get(Cohort, world.cohort_id)
        cohort.immersion_date = date(2025, 3, 31)
        for e in db.session.scalars(select(Enrolment)):
            e.enrolled_at = datetime(2025, 3, 1, tzinfo=UTC)
        db.session.flush()
        mid = reminders.roster(cohort, now=datetime(2025, 3, 16, 12, tzinfo=UTC))
        late = reminders.roster(cohort, now=datetime(2025, 3, 28, 12, tzinfo=UTC))
        db.session.rollback()
    assert [r.name for r in mid.learners] == ["A Learner", "B Learner"]
    a, b = mid.learners
    assert (a.percent, a.at_risk, len(a.modules_left)) == (0, True, 4)
    assert (b.percent, b.at_risk, b.modules_left) == (75, False, ["Four"])
    assert [r.at_risk for r in late.learners] == [True, True]  # 27 of 30 days: 90% expected


def test_roster_takes_a_fixed_number_of_queries(app, course, make_cohort, count_queries):
    small, _ = make_cohort(course, learners=1)
    large, people = make_cohort(course, learners=6)
    complete(app, people[0], 2)
    remind_at(app, people[1], utcnow())
    seen = []
    for cohort_id in (small, large):
        with app.app_context():
            cohort = db.session.get(Cohort, cohort_id)
            with count_queries() as statements:
                reminders.roster(cohort)
            seen.append(len(statements))
    assert seen[0] == seen[1] <= 5


def test_placeholders_are_filled_and_unknown_ones_kept(app, world):
    with app.app_context():
        roster = reminders.roster(db.session.get(Cohort, world.cohort_id))
        subject, body = reminders.compose(
            roster, roster.learners[1], "{course}\nnews", "{name} {percent} {x} {0}", "U"
        )
    assert subject == "Remind course news"
    assert body == "B Learner 75 {x} {0}"


# --- the form and the preview -----------------------------------------------------------------


def test_form_lists_learners_with_a_default_message(client, login_as, world):
    login_as(user=world.coordinator)
    remind_at(client.application, world.b, utcnow() - timedelta(days=5))
    page = client.get(_url(world)).get_data(as_text=True)
    assert "A Learner" in page and "B Learner" in page
    assert "C Learner" not in page and "D Learner" not in page and "E Learner" not in page
    assert "75%" in page and "At risk" in page and "Never" in page
    assert "Remind course" in page  # course named in the default message
    assert "{modules_left}" in page and "/courses/remind-course" in page
    with client.application.app_context():
        day = db.session.get(Cohort, world.cohort_id).immersion_date
    assert f"{day.day} {day:%B %Y}" in page


def test_preview_shows_the_mail_and_writes_nothing(client, login_as, world):
    login_as(user=world.coordinator)
    remind_at(client.application, world.b, utcnow() - timedelta(hours=2))
    before = counts(client.application)
    response = _post(client, world, [world.a, world.b])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hello A Learner, you are at 0%." in page
    assert "- One" in page and "- Four" in page
    assert "http://localhost/courses/remind-course" in page
    assert "Please finish Remind course" in page
    assert "will be skipped (reminded on" in page
    when = page.split("will be skipped (reminded on", 1)[1].split("</time>", 1)[0]
    assert when.rstrip().endswith(("GMT", "BST")) and "UTC" not in when  # the cohort's zone
    assert "Send 1 reminder" in page
    assert counts(client.application) == before


def test_edit_returns_to_the_form_with_the_choices(client, login_as, world):
    login_as(user=world.coordinator)
    page = _post(client, world, [world.b], action="edit").get_data(as_text=True)
    assert f'value="{world.b.id}" id="learner-{world.b.id}" checked' in page
    assert f'value="{world.a.id}" id="learner-{world.a.id}">' in page
    assert counts(client.application) == (0, 0)


def test_choosing_nobody_is_a_form_error(client, login_as, world):
    login_as(user=world.coordinator)
    for send in (False, True):
        response = _post(client, world, [], send=send)
        assert response.status_code == 422
        assert "Choose at least one learner, or everyone at risk." in response.get_data(True)
    assert counts(client.application) == (0, 0)


@pytest.mark.parametrize(
    ("offset", "subject_has", "body_has"),
    [
        (3, "modules before", "Please finish the online modules before then"),
        (0, "Today is your Remind course immersion day", "is today"),
        (-2, "modules for your certificate", "was on"),
    ],
)
def test_default_message_follows_the_day(app, world, offset, subject_has, body_has):
    """On or after the day the reminder no longer asks to finish 'before' it."""
    with app.app_context():
        roster = reminders.roster(db.session.get(Cohort, world.cohort_id))
        day = roster.cohort.immersion_date
        subject, body = reminders.default_message(
            roster, "Coordinator", "U", today=day - timedelta(days=offset)
        )
    assert subject_has in subject and body_has in body
    if offset <= 0:
        assert "before" not in subject and "before then" not in body
