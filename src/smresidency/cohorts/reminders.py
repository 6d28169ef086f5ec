"""Reminders to learners who have not finished: who they are, what they get, and sending.

The roster is read in a fixed number of statements whatever the cohort size. Sending
flushes only (the request or the CLI commits) and re-checks the interval after locking the
cohort, so two coordinators clicking at once cannot remind one learner twice.
"""

import re
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from smresidency.auth.models import User
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.cohorts.models import Cohort, Enrolment, Reminder
from smresidency.cohorts.schedule import (
    cohort_zone,
    is_behind_schedule,
    local_today,
)
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from smresidency.learning.queries import Outline, module_states
from smresidency.mail.services import send_mail
from smresidency.text import printable

PLACEHOLDERS = ("name", "percent", "modules_left", "course", "cohort", "date", "url")


@dataclass
class Learner:
    """One active learner of the cohort who has not completed every live module."""

    enrolment_id: int
    user_id: int
    name: str
    email: str
    percent: int
    modules_left: list[str]
    enrolled_at: datetime
    last_reminded_at: datetime | None
    at_risk: bool


@dataclass
class Roster:
    """A cohort, its course and its unfinished learners, by name."""

    cohort: Cohort
    course: Course
    learners: list[Learner]


@dataclass
class Outcome:
    """What a send did: who was mailed, who was skipped (reminded recently), who failed."""

    sent: list[Learner] = field(default_factory=list)
    skipped: list[Learner] = field(default_factory=list)
    failed: list[Learner] = field(default_factory=list)


def roster(cohort: Cohort, now: datetime | None = None) -> Roster:
    """Active learners of the cohort who have not finished, in five statements."""
    course = db.session.get(Course, cohort.course_id)
    modules = db.session.scalars(
        select(Module)
        .join(Module.current)
        .options(
            contains_eager(Module.current).load_only(
                ModuleVersion.title,
                ModuleVersion.minutes,
                ModuleVersion.requires,
                ModuleVersion.question_count,
            )
        )
        .where(Module.course_id == cohort.course_id, Module.retired.is_(False))
        .order_by(Module.position)
    ).all()
    rows = db.session.execute(
        select(Enrolment, User.name, User.email)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.status == "active",
            User.active.is_(True),
            User.reminder_mail.is_(True),  # the learner's own choice on their account page
        )
        .order_by(User.name, User.id)
    ).all()
    in_cohort = select(Enrolment.user_id).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status == "active"
    )
    marks: dict[int, dict[int, ModuleProgress]] = {}
    for mark in db.session.scalars(
        select(ModuleProgress).where(
            ModuleProgress.user_id.in_(in_cohort),
            ModuleProgress.module_id.in_([m.id for m in modules]),
        )
    ):
        marks.setdefault(mark.user_id, {})[mark.module_id] = mark
    last = last_reminded([e.id for e, _, _ in rows])
    today, zone = local_today(cohort, now), cohort_zone(cohort)
    learners = []
    for enrolment, name, email in rows:
        own = marks.get(enrolment.user_id, {})
        outline = Outline(course, module_states([(m, m.current, own.get(m.id)) for m in modules]))
        if outline.completed == len(modules):
            continue
        percent = outline.percent
        left = [s.version.title for s in outline.modules if s.status != "complete"]
        learners.append(
            Learner(
                enrolment_id=enrolment.id,
                user_id=enrolment.user_id,
                name=name,
                email=email,
                percent=percent,
                modules_left=left,
                enrolled_at=as_utc(enrolment.enrolled_at),
                last_reminded_at=last.get(enrolment.id),
                at_risk=is_behind_schedule(
                    percent, enrolment.enrolled_at, cohort.immersion_date, today, zone
                ),
            )
        )
    return Roster(cohort, course, learners)


def last_reminded(enrolment_ids: list[int]) -> dict[int, datetime]:
    """When each enrolment was last reminded, of any kind, in one aggregate statement."""
    if not enrolment_ids:
        return {}
    rows = db.session.execute(
        select(Reminder.enrolment_id, func.max(Reminder.sent_at))
        .where(Reminder.enrolment_id.in_(enrolment_ids))
        .group_by(Reminder.enrolment_id)
    ).all()
    return {enrolment_id: as_utc(sent_at) for enrolment_id, sent_at in rows}


def choose(learners: list[Learner], user_ids, everyone_at_risk: bool = False) -> list[Learner]:
    """The chosen learners; ids of anyone outside this roster are ignored."""
    wanted = {int(i) for i in user_ids or ()}
    return [r for r in learners if r.user_id in wanted or (everyone_at_risk and r.at_risk)]


def window() -> timedelta:
    """Nobody is reminded twice within this interval."""
    return timedelta(hours=current_app.config["REMINDER_MIN_INTERVAL_HOURS"])


def recently_reminded(learner: Learner, now: datetime | None = None) -> bool:
    """True when this learner was reminded within the interval, so will be skipped."""
    last = learner.last_reminded_at
    return last is not None and last > (now or utcnow()) - window()


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def default_message(
    roster: Roster, sender: str, url: str, today: date | None = None
) -> tuple[str, str]:
    """Subject and body offered to the coordinator; {placeholders} are filled per learner.

    On or after the immersion day the message no longer asks to finish "before" it.
    """
    course, cohort = roster.course.title, roster.cohort.name
    day = roster.cohort.immersion_date
    when = _long_date(day)
    today = today or local_today(roster.cohort)
    if today < day:
        subject = f"Reminder: finish the {course} modules before {when}"
        ask = (
            f"Your immersion day for {course} ({cohort}) is on {when}. Please finish the "
            "online modules before then, so that the day can be spent hands-on."
        )
    elif today == day:
        subject = f"Today is your {course} immersion day: finish the online modules"
        ask = (
            f"Your immersion day for {course} ({cohort}) is today. Your certificate needs "
            "every online module as well, so please finish the ones you have left."
        )
    else:
        subject = f"Reminder: finish the {course} modules for your certificate"
        ask = (
            f"Your immersion day for {course} ({cohort}) was on {when}. Your certificate "
            "is issued once the online modules are finished too."
        )
    body = (
        "Hello {name},\n\n"
        f"{ask}\n\n"
        "You have completed {percent}% so far. The modules you have left are:\n"
        "{modules_left}\n\n"
        f"Continue where you left off: {url}\n\n"
        f"With best wishes,\n{sender}\n"
    )
    return subject, body


def compose(roster: Roster, learner: Learner, subject: str, body: str, url: str):
    """The exact subject and body one learner receives: known {placeholders} filled in."""
    values = {
        "name": printable(learner.name),
        "percent": str(learner.percent),
        "modules_left": "\n".join(f"- {title}" for title in learner.modules_left),
        "course": roster.course.title,
        "cohort": printable(roster.cohort.name),
        "date": _long_date(roster.cohort.immersion_date),
        "url": url,
    }

    def fill(text: str) -> str:
        return re.sub(
            r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text.replace("\r\n", "\n")
        )

    return " ".join(fill(subject).split())[:300], fill(body)


def _lock(cohort: Cohort) -> None:
    """Serialise senders on PostgreSQL; SQLite already holds its write lock."""
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())


def send(
    roster: Roster,
    chosen: list[Learner],
    subject: str,
    body: str,
    url: str,
    kind: str = "manual",
    sender: User | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Mail each chosen learner once and record it, skipping anyone reminded in the window.

    The interval is checked here, against the database after locking the cohort, not only
    in the preview. Flushes only.
    """
    now = now or utcnow()
    _lock(roster.cohort)
    latest = last_reminded([r.enrolment_id for r in chosen])
    outcome = Outcome()
    for learner in chosen:
        learner.last_reminded_at = latest.get(learner.enrolment_id)
        if recently_reminded(learner, now):
            outcome.skipped.append(learner)
            continue
        mail_subject, mail_body = compose(roster, learner, subject, body, url)
        try:
            send_mail(learner.email, mail_subject, mail_body)
        except (smtplib.SMTPException, OSError):
            current_app.logger.exception("reminder to %s not delivered", learner.email)
            outcome.failed.append(learner)
            continue
        db.session.add(
            Reminder(
                enrolment_id=learner.enrolment_id,
                kind=kind,
                subject=mail_subject,
                body=mail_body,
                sent_by_id=sender.id if sender else None,
                sent_at=now,
            )
        )
        learner.last_reminded_at = now
        outcome.sent.append(learner)
    db.session.flush()
    return outcome


def due_cohorts(days: int, now: datetime | None = None) -> list[Cohort]:
    """Cohorts whose immersion day is today or within `days` days, in each cohort's zone."""
    now = now or utcnow()
    utc_today = now.date()
    candidates = db.session.scalars(
        select(Cohort)
        .where(
            Cohort.immersion_date >= utc_today - timedelta(days=1),
            Cohort.immersion_date <= utc_today + timedelta(days=days + 1),
        )
        .order_by(Cohort.immersion_date, Cohort.id)
    ).all()
    return [c for c in candidates if 0 <= (c.immersion_date - local_today(c, now)).days <= days]
