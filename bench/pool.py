"""The pools of open quiz attempts the submission measurement and the burst send, and what
became of them."""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from course import course_id, module_quizzes, summaries
from database import Database, app_config
from history import answers_for
from population import BURST_PREFIX
from sqlalchemy import func, insert, select, update


@dataclass
class PoolEntry:
    """An open attempt made for the quiz-submission load, and the form that submits it."""

    email: str
    session_token: str
    token: str
    fields: list[tuple[str, str]]  # answer-qN fields; the CSRF token is the client's
    expect_pass: bool
    was_read: bool  # the learner had read the module before the pool was made


@dataclass
class QuizPool:
    entries: list[PoolEntry]
    eligible: int  # learner-module pairs a quiz could be started on
    already_read: int
    marked_read: int
    skipped_exhausted: int
    skipped_cooldown: int
    seconds: float


def quiz_pool(
    database: Database, argon2: dict[str, int], *, cap: int, rng_seed: int, burst: bool = False
) -> QuizPool:
    """Open attempts, one per learner-module pair a learner could take the quiz of right now.

    A pair qualifies when the module is unlocked and not complete, its quiz not passed, its
    attempts not used up and no cooldown running: the checks `POST …/quiz` makes. Pairs the
    learner has read come first; the rest (modules 3-9 are all open once module 2 is done)
    are marked read now, as `POST …/read` would, up to `cap` in all. Each attempt is drawn
    with the app's own `draw`; each entry's answers are right per question with probability
    0.8, so most but not all submissions pass and complete their module.

    With `burst`, only the burst's own learners (population.insert_burst) and an RNG of its
    own; without, everyone else, so the two pools never share an attempt.
    """
    from smresidency import create_app
    from smresidency.auth.models import User, UserRole
    from smresidency.extensions import db
    from smresidency.learning.models import ModuleProgress
    from smresidency.quizzes.grading import draw, grade, value_of
    from smresidency.quizzes.models import QuizAttempt

    started = time.perf_counter()
    rng = random.Random(rng_seed + (5 if burst else 2))  # noqa: S311 - reproducible data
    now = datetime.now(UTC)
    app = create_app(app_config(database, argon2))
    with app.app_context():
        modules = module_quizzes(db)
        learners = db.session.execute(
            select(User.id, User.email, User.session_token)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == "learner",
                User.active.is_(True),
                User.email.startswith(BURST_PREFIX)
                if burst
                else ~User.email.startswith(BURST_PREFIX),
            )
            .order_by(User.id)
        ).all()
        marks = {
            (u, m): (r, c)
            for u, m, r, c in db.session.execute(
                select(
                    ModuleProgress.user_id,
                    ModuleProgress.module_id,
                    ModuleProgress.read_at,
                    ModuleProgress.completed_at,
                )
            )
        }
        history: dict[tuple[int, int], list] = {}
        for u, m, submitted, passed in db.session.execute(
            select(
                QuizAttempt.user_id,
                QuizAttempt.module_id,
                QuizAttempt.submitted_at,
                QuizAttempt.passed,
            )
        ):
            history.setdefault((u, m), []).append((submitted, passed))

        read, unread = [], []
        exhausted = cooling = 0
        for uid, email, session_token in learners:
            complete = {m.slug for m in modules if (marks.get((uid, m.id)) or (0, None))[1]}
            for m in modules:
                mark = marks.get((uid, m.id))
                if m.quiz is None or (mark and mark[1]) or set(m.requires) - complete:
                    continue
                past = history.get((uid, m.id), [])
                if any(s is None for s, _ in past) or any(p for _, p in past):
                    continue
                limit = m.quiz.get("attempts", 0)
                if limit and len(past) >= limit:
                    exhausted += 1
                    continue
                cooldown = timedelta(seconds=m.quiz.get("cooldown_seconds") or 0)
                if past and _aware(max(s for s, _ in past)) + cooldown > now:
                    cooling += 1
                    continue
                pair = (uid, email, session_token, m, mark)
                (read if mark and mark[0] else unread).append(pair)
        eligible = len(read) + len(unread)
        rng.shuffle(read)
        rng.shuffle(unread)
        chosen = (read + unread)[: max(cap, 0)]
        rng.shuffle(chosen)  # consecutive submissions come from different learners

        new_marks, attempts, entries = [], [], []
        for uid, email, session_token, m, mark in chosen:
            was_read = bool(mark and mark[0])
            if not was_read:
                read_at = now - timedelta(minutes=rng.randint(15, 120))
                if mark is None:
                    new_marks.append(
                        {
                            "user_id": uid,
                            "module_id": m.id,
                            "version_id": m.version_id,
                            "read_at": read_at,
                            "completed_at": None,
                            "updated_at": read_at,
                        }
                    )
                else:
                    db.session.execute(
                        update(ModuleProgress)
                        .where(ModuleProgress.user_id == uid, ModuleProgress.module_id == m.id)
                        .values(read_at=read_at, version_id=m.version_id, updated_at=read_at)
                    )
            drawn = draw(m.quiz, rng)
            token = secrets.token_urlsafe(24)
            attempts.append(
                {
                    "token": token,
                    "user_id": uid,
                    "module_id": m.id,
                    "version_id": m.version_id,
                    "questions": drawn,
                    "started_at": now - timedelta(minutes=rng.randint(1, 12)),
                    "submitted_at": None,
                    "answers": None,
                    "score": None,
                    "passed": None,
                }
            )
            answers = answers_for(m.quiz, drawn, rng, 0.8)
            items = {item["key"]: item for item in drawn}
            fields = [  # the form sends this attempt's opaque value of each chosen choice
                (f"answer-{key}", value_of(items[key], v) if isinstance(value, list) else value)
                for key, value in answers.items()
                for v in (value if isinstance(value, list) else [value])
            ]
            passes = grade(m.quiz, drawn, answers)[1]
            entries.append(PoolEntry(email, session_token, token, fields, passes, was_read))
        if new_marks:
            db.session.execute(insert(ModuleProgress), new_marks)
        if attempts:
            db.session.execute(insert(QuizAttempt), attempts)
        summaries(db, course_id(db), sorted({uid for uid, *_ in chosen}))
        db.engine.dispose()
    return QuizPool(
        entries=entries,
        eligible=eligible,
        already_read=sum(e.was_read for e in entries),
        marked_read=sum(not e.was_read for e in entries),
        skipped_exhausted=exhausted,
        skipped_cooldown=cooling,
        seconds=time.perf_counter() - started,
    )


def pool_outcome(database: Database, argon2: dict[str, int], tokens: list[str]) -> dict:
    """How many of these attempts are submitted now, how many passed, their response rows."""
    from smresidency import create_app
    from smresidency.extensions import db
    from smresidency.quizzes.models import QuizAttempt, QuizResponse

    if not tokens:
        return {"submitted": 0, "passed": 0, "responses": 0, "submitted_tokens": []}
    app = create_app(app_config(database, argon2))
    with app.app_context():
        submitted, passed, ids = [], 0, []
        for start in range(0, len(tokens), 500):
            chunk = tokens[start : start + 500]
            for token, attempt_id, ok in db.session.execute(
                select(QuizAttempt.token, QuizAttempt.id, QuizAttempt.passed).where(
                    QuizAttempt.token.in_(chunk), QuizAttempt.submitted_at.is_not(None)
                )
            ):
                submitted.append(token)
                ids.append(attempt_id)
                passed += bool(ok)
        responses = 0
        for start in range(0, len(ids), 500):
            responses += db.session.scalar(
                select(func.count())
                .select_from(QuizResponse)
                .where(QuizResponse.attempt_id.in_(ids[start : start + 500]))
            )
        db.engine.dispose()
    return {
        "submitted": len(submitted),
        "passed": passed,
        "responses": responses,
        "submitted_tokens": submitted,
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
