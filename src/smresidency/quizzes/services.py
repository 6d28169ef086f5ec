"""Starting and submitting attempts. A submission is claimed atomically, so replays do nothing."""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from smresidency.catalog.cache import structure
from smresidency.catalog.models import Course, Module, ModuleVersion
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.learning.services import complete_module_on_connection
from smresidency.quizzes.grading import draw, grade
from smresidency.quizzes.models import QuizAttempt, QuizResponse
from smresidency.xapi.capture import note as xapi_note

_rng = random.SystemRandom()


class QuizClosed(Exception):
    """The learner may not start an attempt now; the message says why and until when."""


@dataclass
class Standing:
    """Where a learner stands with a module's quiz: attempts used, passed, next opening."""

    used: int
    limit: int
    passed: bool
    next_open_at: datetime | None
    open_attempt: QuizAttempt | None
    granted: int = 0  # extra attempts staff granted (already counted in limit)
    cooldown_cleared: bool = False  # staff cleared the wait after the latest attempt

    @property
    def remaining(self) -> int | None:
        return None if self.limit == 0 else max(self.limit - self.used, 0)

    @property
    def announced_at(self) -> datetime | None:
        """The opening as a clock time to the minute, rounded up, so the quiz is open by then."""
        return whole_minute_after(self.next_open_at) if self.next_open_at else None

    @property
    def exhausted(self) -> bool:
        return self.limit > 0 and self.used >= self.limit


def whole_minute_after(moment: datetime) -> datetime:
    """The moment rounded up to the minute: a page that says "10:36" is never still closed at
    10:36:09 (the quiz really opens at the exact moment, which the countdown shows)."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def in_words(moment: datetime, now: datetime | None = None) -> str:
    """How long until `moment`, as a person says it: "in 9 minutes", "in 1 h 5 min"."""
    seconds = (moment - (now or utcnow())).total_seconds()
    minutes = max(1, -(-int(seconds) // 60))
    if minutes < 60:
        return f"in {minutes} minute{'' if minutes == 1 else 's'}"
    hours, rest = divmod(minutes, 60)
    return f"in {hours} h {rest} min" if rest else f"in {hours} h"


def standing(attempts: list[QuizAttempt], quiz: dict, overrides=()) -> Standing:
    """Derive the learner's standing from their attempts (newest first), the quiz settings and
    any staff overrides (QuizOverride rows: each extra attempt raises the limit by one; a
    cleared cooldown lifts the wait after the attempts submitted before it)."""
    submitted = [a for a in attempts if a.submitted_at is not None]
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    passed = any(a.passed for a in submitted)
    granted = sum(1 for o in overrides if o.kind == "extra_attempt")
    limit = quiz.get("attempts", 0)
    limit = limit + granted if limit else 0
    next_open, cleared = None, False
    if submitted and not passed and quiz.get("cooldown_seconds"):
        last = max(as_utc(a.submitted_at) for a in submitted)
        cleared = any(
            o.kind == "clear_cooldown" and as_utc(o.created_at) >= last for o in overrides
        )
        candidate = last + timedelta(seconds=quiz["cooldown_seconds"])
        if candidate > utcnow() and not cleared:
            next_open = candidate
    return Standing(len(submitted), limit, passed, next_open, open_attempt, granted, cleared)


def start_attempt(
    user_id: int, version: ModuleVersion, attempts: list[QuizAttempt], overrides=()
) -> QuizAttempt:
    """Reuse the open attempt, or draw a new one if the limits and cooldown allow it."""
    quiz = version.quiz
    now_standing = standing(attempts, quiz, overrides)
    if now_standing.open_attempt is not None:
        return now_standing.open_attempt
    if now_standing.passed:
        raise QuizClosed("You have passed this quiz already.")
    if now_standing.exhausted:
        raise QuizClosed(
            f"You have used all {now_standing.limit} attempts at this quiz. "
            "Please contact your instructor."
        )
    if now_standing.next_open_at is not None:
        when = in_words(now_standing.next_open_at)
        raise QuizClosed(f"Your next attempt opens {when}. Use the time to review the module.")
    attempt = QuizAttempt(
        token=secrets.token_urlsafe(24),
        user_id=user_id,
        module_id=version.module_id,
        version_id=version.id,
        questions=draw(quiz, _rng),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # another tab started one at the same moment: use that one
        attempt = db.session.scalar(
            select(QuizAttempt).where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.module_id == version.module_id,
                QuizAttempt.submitted_at.is_(None),
            )
        )
    return attempt


def begin_writes() -> Connection:
    """SQLite: end the read transaction the submission was checked and graded in and take the
    write lock (BEGIN IMMEDIATE) on the same connection, so the lock covers only the writes;
    loaded rows stay loaded (nothing they hold was written). PostgreSQL takes no lock at BEGIN
    and each statement sees the latest commits: the transaction simply goes on. Returns the
    session's connection, which the writes use."""
    connection = db.session.connection()
    g.pop("read_before_write", None)
    if connection.dialect.name == "sqlite":
        connection.connection.commit()  # the driver's COMMIT: SQLAlchemy's transaction goes on
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return connection


@dataclass
class Submitted:
    """The columns a submission needs of an open attempt, read as plain columns."""

    id: int
    user_id: int
    module_id: int
    version_id: int
    questions: list
    submitted_at: datetime | None


_OPEN = (
    select(
        QuizAttempt.id,
        QuizAttempt.user_id,
        QuizAttempt.module_id,
        QuizAttempt.version_id,
        QuizAttempt.questions,
        QuizAttempt.submitted_at,
        Module.slug,
        Course.slug,
    )
    .join(Module, Module.id == QuizAttempt.module_id)
    .join(Course, Course.id == Module.course_id)
    .where(QuizAttempt.token == bindparam("token"), QuizAttempt.user_id == bindparam("user_id"))
)


def submission_for(user_id: int, token: str):
    """(attempt columns, its version from the course cache) for a submission, without the
    ORM's entity loading; None when the attempt is not this learner's or is on an older
    version than the cache holds (queries.attempt_for reads those)."""
    row = db.session.connection().execute(_OPEN, {"token": token, "user_id": user_id}).first()
    if row is None:
        return None
    found = structure(row[7])
    pair = found.by_slug.get(row[6]) if found else None
    if pair is None or pair[1].id != row[3]:
        return None
    return Submitted(*row[:6]), pair[1]


_RESPONSES = insert(QuizResponse.__table__)
# The claim: only an attempt not yet submitted takes the grade; one statement per process.
_CLAIM = (
    update(QuizAttempt)
    .where(QuizAttempt.id == bindparam("attempt_id"), QuizAttempt.submitted_at.is_(None))
    .values(
        submitted_at=bindparam("new_submitted_at"),
        answers=bindparam("new_answers"),
        score=bindparam("new_score"),
        passed=bindparam("new_passed"),
    )
    .execution_options(synchronize_session=False)
)


def submit_attempt(attempt: QuizAttempt, version: ModuleVersion, answers: dict) -> bool:
    """Grade and record once; returns False when this attempt was already submitted.

    The claim is a conditional UPDATE, so of several simultaneous submissions one records.
    """
    score, passed, results = grade(version.quiz, attempt.questions, answers)
    user_id, module_id, version_id = attempt.user_id, attempt.module_id, attempt.version_id
    connection = begin_writes()
    recorded = {"submitted_at": utcnow(), "answers": answers, "score": score, "passed": passed}
    # on the session's connection: a plain UPDATE needs none of the ORM's statement work
    claimed = connection.execute(
        _CLAIM, {"attempt_id": attempt.id, **{f"new_{k}": v for k, v in recorded.items()}}
    )
    if claimed.rowcount != 1:
        return False
    xapi_note(db.session, "scored", attempt.id)  # a Core UPDATE: no flush listener sees it
    if isinstance(attempt, QuizAttempt):  # what was written, without reading it back
        for name, value in recorded.items():
            set_committed_value(attempt, name, value)
    rows = [
        {
            "attempt_id": attempt.id,
            "question_key": r.key,
            "choice_index": choice,
            "text_answer": r.text or None,
            "correct": r.correct,
        }
        for r in results
        for choice in (r.chosen or [None])
    ]
    if rows:  # one INSERT statement, compiled once per process, however many answers
        connection.execute(_RESPONSES, rows)
    if passed:
        complete_module_on_connection(user_id, module_id, version_id)
    db.session.flush()
    return True
