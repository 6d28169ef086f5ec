"""Seed a benchmark database: real migrations, the real course, cohorts, progress, quiz attempts.

Everything here goes through the app's own code paths (create_app, flask_migrate.upgrade,
catalog.sync.sync_content) except the population, which is bulk-inserted for speed: one argon2
hash is computed once and shared by every seeded account.
"""

from __future__ import annotations

import random
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
COURSE_SLUG = "social-media-residency"
PASSWORD = "bench passphrase for seeded learners"  # noqa: S105 - throwaway benchmark accounts
EMAIL_DOMAIN = "bench.example.org"


@dataclass
class Database:
    """The database the benchmark runs against, and how to get rid of it afterwards."""

    url: str
    kind: str  # sqlite | postgresql | …
    drop_url: str | None = None  # server URL to drop a database we created on it

    def drop(self) -> None:
        """Drop a PostgreSQL database this run created; SQLite files go with the temp dir."""
        if not self.drop_url:
            return
        name = make_url(self.url).database
        admin = create_engine(make_url(self.drop_url), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


def prepare_database(database_url: str | None, workdir: Path) -> Database:
    """A fresh, empty database: a SQLite file in workdir, or a new database on a server.

    For a server URL (PostgreSQL), the database named in the URL is only used to connect:
    the run creates a database of its own next to it and drops it at the end, as the test
    suite does with SMRESIDENCY_TEST_DATABASE_URL.
    """
    if not database_url:
        return Database("sqlite:///" + str(workdir / "bench.db"), "sqlite")
    url = make_url(database_url)
    kind = url.get_backend_name()
    if kind == "sqlite":
        path = Path(url.database or "")
        if not url.database or url.database == ":memory:":
            raise SystemExit("--database-url: an in-memory SQLite database cannot be shared")
        if path.exists() and path.stat().st_size > 0:
            raise SystemExit(f"--database-url: {path} exists; give a new file name")
        return Database(database_url, kind)
    name = f"smr_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return Database(
        url.set(database=name).render_as_string(hide_password=False),
        kind,
        drop_url=database_url,
    )


@dataclass
class SeedReport:
    """What was seeded and who can sign in."""

    cohorts: int  # the cohorts of `per_cohort` learners, the large one not counted
    per_cohort: int
    learners: int  # every learner, the large cohort's included
    progress_rows: int
    modules: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    # Learners with partial progress (some but not all modules completed) in the ordinary
    # cohorts: who signs in for the course and module pages.
    partial: list[str] = field(default_factory=list)
    progress_histogram: dict[int, int] = field(default_factory=dict)
    coordinators: int = 0
    enrolments: int = 0
    large_cohort_id: int | None = None
    large_cohort_learners: int = 0
    large_coordinator: str | None = None  # e-mail of the large cohort's coordinator
    quiz_attempts: int = 0
    quiz_responses: int = 0
    # submitted attempts per passed quiz, and failed attempts per quiz still being taken
    attempts_to_pass: dict[int, int] = field(default_factory=dict)
    failed_while_reading: dict[int, int] = field(default_factory=dict)
    certificates: Certificates | None = None


def app_config(database: Database, argon2: dict[str, int]) -> dict:
    """The settings the seeding app and the server share (the server gets them as env vars)."""
    return {
        "ENV": "benchmark",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SQLALCHEMY_DATABASE_URI": database.url,
        "CONTENT_DIR": str(ROOT / "course_content"),
        "ARGON2_TIME_COST": argon2["time_cost"],
        "ARGON2_MEMORY_COST": argon2["memory_cost"],
        "ARGON2_PARALLELISM": argon2["parallelism"],
    }


def seed(
    database: Database,
    instance: Path,
    *,
    cohorts: int,
    per_cohort: int,
    large_cohort: int,
    rng_seed: int,
    argon2: dict[str, int],
) -> SeedReport:
    """Migrate, sync course_content/, then insert cohorts, learners, progress and quiz attempts.

    `cohorts` x `per_cohort` learners in cohorts of their own, each with a coordinator, plus
    one cohort of `large_cohort` learners (none when 0) with a coordinator of its own.
    """
    import os

    os.environ["SMRESIDENCY_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from smresidency import create_app
    from smresidency.auth.passwords import hash_password
    from smresidency.catalog.sync import sync_content
    from smresidency.extensions import db
    from smresidency.learning.models import ModuleProgress

    started = time.perf_counter()
    timings: dict[str, float] = {}
    app = create_app(app_config(database, argon2))
    with app.app_context():
        mark = time.perf_counter()
        upgrade()
        timings["migrate"] = time.perf_counter() - mark

        mark = time.perf_counter()
        sync_content(app.config["CONTENT_DIR"])
        db.session.commit()
        timings["sync_content"] = time.perf_counter() - mark

        mark = time.perf_counter()
        shared_hash = hash_password(PASSWORD)  # once, reused by every seeded account
        modules = _course_modules(db)
        # The ordinary cohorts draw from `rng` exactly as the groups of learners did before
        # cohorts existed, so their progress is the same; everything added since draws from
        # `more`.
        rng = random.Random(rng_seed)  # noqa: S311 - reproducible data, not secrets
        more = random.Random(rng_seed + 1)  # noqa: S311
        people = _people(cohorts, per_cohort, large_cohort, rng, more)
        ids = _insert_users(db, people, shared_hash)
        learners = [p for p in people if p["role"] == "learner"]
        ordinary = [p["email"] for p in learners if p["cohort"] <= cohorts]
        large = [p["email"] for p in learners if p["cohort"] > cohorts]
        rows, completed_by_email = _progress_rows(ordinary, ids, modules, rng)
        large_rows, large_completed = _progress_rows(large, ids, modules, more)
        rows += large_rows
        if rows:
            db.session.execute(insert(ModuleProgress), rows)
        db.session.commit()
        timings["learners_progress"] = time.perf_counter() - mark

        mark = time.perf_counter()
        course_id = _course_id(db)
        cohort_ids = _insert_cohorts(db, course_id, cohorts, large_cohort, more)
        enrolments = _insert_enrolments(db, course_id, people, ids, cohort_ids, more)
        db.session.commit()
        timings["cohorts"] = time.perf_counter() - mark

        mark = time.perf_counter()
        quizzes = _module_quizzes(db)
        quiz = _insert_quiz_history(db, rows, quizzes, more)
        db.session.commit()
        timings["quiz_attempts"] = time.perf_counter() - mark

        mark = time.perf_counter()
        # Every learner who finished the modules, from an RNG of its own: nothing above changes.
        done_by_email = {**completed_by_email, **large_completed}
        finished = [e for e, done in done_by_email.items() if done == len(modules)]
        nearest = sorted(
            (e for e, done in done_by_email.items() if done < len(modules)),
            key=lambda e: -done_by_email[e],
        )
        cert_rng = random.Random(rng_seed + 3)  # noqa: S311
        certs = _insert_certificates(db, course_id, people, ids, finished, nearest, cert_rng)
        db.session.commit()
        timings["certificates"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _summaries(db, course_id)
        timings["summaries"] = time.perf_counter() - mark
        db.engine.dispose()

    histogram: dict[int, int] = {}
    for done in completed_by_email.values():
        histogram[done] = histogram.get(done, 0) + 1
    partial = [e for e in ordinary if 0 < completed_by_email[e] < len(modules)]
    large_coordinator = next(
        (p["email"] for p in people if p["role"] == "coordinator" and p["cohort"] > cohorts),
        None,
    )
    return SeedReport(
        cohorts=cohorts,
        per_cohort=per_cohort,
        learners=len(completed_by_email) + len(large_completed),
        progress_rows=len(rows),
        modules=len(modules),
        seconds=time.perf_counter() - started,
        timings=timings,
        partial=partial,
        progress_histogram=dict(sorted(histogram.items())),
        coordinators=sum(p["role"] == "coordinator" for p in people),
        enrolments=enrolments,
        large_cohort_id=cohort_ids.get(cohorts + 1),
        large_cohort_learners=len(large),
        large_coordinator=large_coordinator,
        certificates=certs,
        **quiz,
    )


def _summaries(db, course_id: int) -> None:
    """Bulk inserts bypass the session, so bring every enrolment's progress summary up to
    date as the app would have (learning.summary), in one pass."""
    from smresidency.learning.summary import recompute

    recompute(db.session.connection(), course_ids=[course_id])
    db.session.commit()


def _course_id(db) -> int:
    from smresidency.catalog.models import Course

    return db.session.scalar(select(Course.id).where(Course.slug == COURSE_SLUG))


def _course_modules(db) -> list[tuple[int, int]]:
    """(module id, current version id) of the course's live modules, in course order."""
    from smresidency.catalog.models import Course, Module, ModuleVersion

    rows = db.session.execute(
        select(Module.id, ModuleVersion.id)
        .join(Course, Course.id == Module.course_id)
        .join(
            ModuleVersion,
            (ModuleVersion.module_id == Module.id)
            & (ModuleVersion.content_hash == Module.current_hash),
        )
        .where(Course.slug == COURSE_SLUG, Module.retired.is_(False))
        .order_by(Module.position)
    ).all()
    if not rows:
        raise SystemExit(f"course {COURSE_SLUG!r} has no modules after sync")
    return [tuple(r) for r in rows]


@dataclass
class LiveModule:
    """A live module of the course, its current version and its quiz settings and bank."""

    id: int
    slug: str
    version_id: int
    requires: list[str]
    quiz: dict | None  # None when completing the module needs no quiz


def _module_quizzes(db) -> list[LiveModule]:
    """The course's live modules in order, with their current version's quiz (as stored)."""
    from smresidency.catalog.models import Course, Module, ModuleVersion

    rows = db.session.execute(
        select(
            Module.id,
            Module.slug,
            ModuleVersion.id,
            ModuleVersion.requires,
            ModuleVersion.quiz,
            ModuleVersion.question_count,
        )
        .join(Course, Course.id == Module.course_id)
        .join(
            ModuleVersion,
            (ModuleVersion.module_id == Module.id)
            & (ModuleVersion.content_hash == Module.current_hash),
        )
        .where(Course.slug == COURSE_SLUG, Module.retired.is_(False))
        .order_by(Module.position)
    ).all()
    return [
        LiveModule(mid, slug, vid, list(requires or []), quiz if count else None)
        for mid, slug, vid, requires, quiz, count in rows
    ]


def email_for(cohort: int, member: int) -> str:
    return f"learner-c{cohort:02d}-{member:02d}@{EMAIL_DOMAIN}"


LARGE_COORDINATOR = f"coordinator-large@{EMAIL_DOMAIN}"
COHORT_TIMEZONE = "Europe/London"
DEPARTMENTS = (
    "Emergency department",
    "Paediatrics",
    "Pharmacy",
    "Communications",
    "Outpatients",
    "Facilities",
    "Critical care",
    "Education centre",
)


def _people(cohorts: int, per_cohort: int, large: int, rng, more) -> list[dict]:
    """Every account to insert: learners by cohort, then one coordinator per cohort.

    `cohort` numbers the cohorts from 1; the large cohort is number cohorts + 1.
    """
    people = []
    for c in range(1, cohorts + 1):
        for m in range(1, per_cohort + 1):
            people.append(
                {
                    "email": email_for(c, m),
                    "name": f"Cohort {c:02d} Learner {m:02d}",
                    "role": "learner",
                    "cohort": c,
                    "created_at_days": rng.randint(30, 120),
                }
            )
    for m in range(1, large + 1):
        people.append(
            {
                "email": f"learner-large-{m:03d}@{EMAIL_DOMAIN}",
                "name": f"Large Cohort Learner {m:03d}",
                "role": "learner",
                "cohort": cohorts + 1,
                "created_at_days": more.randint(30, 120),
            }
        )
    for c in range(1, cohorts + 1):
        people.append(
            {
                "email": f"coordinator-c{c:02d}@{EMAIL_DOMAIN}",
                "name": f"Cohort {c:02d} Coordinator",
                "role": "coordinator",
                "cohort": c,
                "created_at_days": more.randint(120, 365),
            }
        )
    if large:
        people.append(
            {
                "email": LARGE_COORDINATOR,
                "name": "Large Cohort Coordinator",
                "role": "coordinator",
                "cohort": cohorts + 1,
                "created_at_days": more.randint(120, 365),
            }
        )
    return people


def _insert_users(db, people: list[dict], shared_hash: str) -> dict[str, int]:
    """Bulk-insert the accounts and their one role each; returns e-mail -> user id."""
    from smresidency.auth.models import User, UserRole

    now = datetime.now(UTC)
    db.session.execute(
        insert(User),
        [
            {
                "email": p["email"],
                "name": p["name"],
                "password_hash": shared_hash,
                "session_token": secrets.token_urlsafe(32),
                "active": True,
                "created_at": now - timedelta(days=p["created_at_days"]),
            }
            for p in people
        ],
    )
    ids = dict(db.session.execute(select(User.email, User.id)).all())
    db.session.execute(
        insert(UserRole), [{"user_id": ids[p["email"]], "role": p["role"]} for p in people]
    )
    return ids


def _insert_cohorts(db, course_id: int, cohorts: int, large: int, rng) -> dict[int, int]:
    """The cohorts, immersion days 2 to 60 days ahead; returns cohort number -> id."""
    from smresidency.cohorts.models import Cohort, new_invite_nonce

    now = datetime.now(UTC)
    numbers = list(range(1, cohorts + 1)) + ([cohorts + 1] if large else [])
    rows = []
    for n in numbers:
        is_large = n > cohorts
        rows.append(
            {
                "course_id": course_id,
                "name": "Bench large cohort" if is_large else f"Bench cohort {n:02d}",
                "immersion_date": (now + timedelta(days=rng.randint(2, 60))).date(),
                "timezone": COHORT_TIMEZONE,
                "place": f"Education centre, room {rng.randint(1, 12)}",
                "online_link": "",
                "capacity": large if is_large else 20,
                "invite_nonce": new_invite_nonce(),
                "created_at": now - timedelta(days=rng.randint(31, 90)),
            }
        )
    if rows:
        db.session.execute(insert(Cohort), rows)
    by_name = dict(db.session.execute(select(Cohort.name, Cohort.id)).all())
    return {n: by_name[r["name"]] for n, r in zip(numbers, rows, strict=True)}


def _insert_enrolments(db, course_id, people, ids, cohort_ids, rng) -> int:
    """One active enrolment per learner (enrolled in the last 30 days), a coordinator each."""
    from smresidency.cohorts.models import PROFESSIONS, CohortStaff, Enrolment

    now = datetime.now(UTC)
    enrolments = [
        {
            "cohort_id": cohort_ids[p["cohort"]],
            "user_id": ids[p["email"]],
            "course_id": course_id,
            "profession": rng.choice(PROFESSIONS),
            "department": rng.choice(DEPARTMENTS),
            "status": "active",
            "enrolled_at": now - timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 1439)),
            "withdrawn_at": None,
            "updated_by_id": None,
        }
        for p in people
        if p["role"] == "learner"
    ]
    staff = [
        {"cohort_id": cohort_ids[p["cohort"]], "user_id": ids[p["email"]], "role": "coordinator"}
        for p in people
        if p["role"] == "coordinator"
    ]
    if enrolments:
        db.session.execute(insert(Enrolment), enrolments)
    if staff:
        db.session.execute(insert(CohortStaff), staff)
    return len(enrolments)


def _progress_rows(emails, ids, modules, rng) -> tuple[list[dict], dict[str, int]]:
    """Progress that follows course order: the first k modules complete, maybe one more read.

    Every module of the course has a quiz, so a module is "read" before it is "complete".
    About 10% have not started, 10% have finished, the rest are somewhere in between.
    """
    now = datetime.now(UTC)
    rows: list[dict] = []
    completed: dict[str, int] = {}
    n = len(modules)
    for email in emails:
        roll = rng.random()
        if roll < 0.10:
            done = 0
        elif roll < 0.20:
            done = n
        else:
            done = rng.randint(1, n - 1)
        completed[email] = done
        reading = done < n and rng.random() < 0.5
        moment = now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
        for position, (module_id, version_id) in enumerate(modules):
            if position > done or (position == done and not reading):
                break
            read_at = moment
            moment += timedelta(minutes=rng.randint(10, 40))
            completed_at = None
            if position < done:
                completed_at = moment
                moment += timedelta(minutes=rng.randint(1, 600))
            rows.append(
                {
                    "user_id": ids[email],
                    "module_id": module_id,
                    "version_id": version_id,
                    "read_at": read_at,
                    "completed_at": completed_at,
                    "updated_at": completed_at or read_at,
                }
            )
    return rows, completed


# --------------------------------------------------------------------------- quiz attempts

# How many submitted attempts a passed quiz took, and how many failed attempts a learner who
# has read a module but not passed its quiz has made so far (3 uses up the usual limit).
ATTEMPTS_TO_PASS = ((1, 0.65), (2, 0.25), (3, 0.10))
FAILED_WHILE_READING = ((0, 0.60), (1, 0.25), (2, 0.10), (3, 0.05))


def _pick(table, rng) -> int:
    roll, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[-1][0]


def _answer(question: dict, right: bool, rng):
    """What a learner enters for one question: the key, or a plausible wrong answer."""
    if question["kind"] == "text":
        return question["answers"][0] if right else rng.choice(("not sure", "skip", "n/a"))
    key = [i for i, c in enumerate(question["choices"]) if c["correct"]]
    wrong = [i for i, c in enumerate(question["choices"]) if not c["correct"]]
    if right:
        return key if question["kind"] == "multiple" else key[:1]
    if question["kind"] != "multiple":
        return [rng.choice(wrong)] if wrong else key[:1]
    toggled = set(key) ^ {rng.randrange(len(question["choices"]))}
    return sorted(toggled) or [rng.choice(wrong or key)]


def answers_for(quiz: dict, drawn: list[dict], rng, share_right: float) -> dict:
    """Answers to every drawn question, each right with probability `share_right`."""
    by_key = {q["key"]: q for q in quiz["questions"]}
    return {
        item["key"]: _answer(by_key[item["key"]], rng.random() < share_right, rng) for item in drawn
    }


def graded_attempt(quiz: dict, rng, want_pass: bool) -> tuple[list, dict, float, bool, list]:
    """A draw (the app's own `draw`) and answers that pass or fail as wanted, graded by the
    app's own `grade`: (questions, answers, score, passed, per-question results)."""
    from smresidency.quizzes.grading import draw, grade

    drawn = draw(quiz, rng)
    for tries in range(30):
        if tries == 29:  # unlucky: all right or all wrong settles it
            answers = answers_for(quiz, drawn, rng, 1.0 if want_pass else 0.0)
        else:
            answers = answers_for(quiz, drawn, rng, 0.9 if want_pass else 0.45)
        score, passed, results = grade(quiz, drawn, answers)
        if passed == want_pass:
            break
    return drawn, answers, score, passed, results


def _insert_quiz_history(db, progress: list[dict], modules: list[LiveModule], rng) -> dict:
    """Submitted attempts for the marks already seeded, with their QuizResponse rows.

    A completed module has one passing attempt submitted at its `completed_at`, after 0-2
    failed ones; a module read but not completed has 0-3 failed ones. Attempts respect the
    quiz's cooldown and fall between the read mark and the completion mark (or now).
    """
    from smresidency.quizzes.models import QuizAttempt, QuizResponse

    now = datetime.now(UTC)
    quizzes = {m.id: m.quiz for m in modules if m.quiz}
    attempts: list[dict] = []
    responses: dict[str, list[dict]] = {}
    to_pass: dict[int, int] = {}
    failing: dict[int, int] = {}
    for mark in progress:
        quiz = quizzes.get(mark["module_id"])
        if quiz is None or mark["read_at"] is None:
            continue
        cooldown = timedelta(seconds=quiz.get("cooldown_seconds") or 0)
        if mark["completed_at"] is not None:
            outcomes = [False] * (_pick(ATTEMPTS_TO_PASS, rng) - 1) + [True]
            times = _schedule_back(mark["read_at"], mark["completed_at"], len(outcomes),
                                   cooldown, rng)  # fmt: skip
            outcomes = outcomes[len(outcomes) - len(times) :]
            to_pass[len(times)] = to_pass.get(len(times), 0) + 1
        else:
            want = _pick(FAILED_WHILE_READING, rng)
            times = _schedule_forward(mark["read_at"], now, want, cooldown, rng)
            outcomes = [False] * len(times)
            failing[len(times)] = failing.get(len(times), 0) + 1
        for (started_at, submitted_at), want_pass in zip(times, outcomes, strict=True):
            drawn, answers, score, passed, results = graded_attempt(quiz, rng, want_pass)
            token = secrets.token_urlsafe(24)
            attempts.append(
                {
                    "token": token,
                    "user_id": mark["user_id"],
                    "module_id": mark["module_id"],
                    "version_id": mark["version_id"],
                    "questions": drawn,
                    "started_at": started_at,
                    "submitted_at": submitted_at,
                    "answers": answers,
                    "score": score,
                    "passed": passed,
                }
            )
            responses[token] = [
                {
                    "question_key": r.key,
                    "choice_index": choice,
                    "text_answer": r.text or None,
                    "correct": r.correct,
                }
                for r in results
                for choice in (r.chosen or [None])
            ]
    response_rows = []
    if attempts:
        db.session.execute(insert(QuizAttempt), attempts)
        ids = dict(db.session.execute(select(QuizAttempt.token, QuizAttempt.id)).all())
        response_rows = [
            {"attempt_id": ids[token], **row} for token, rows in responses.items() for row in rows
        ]
        db.session.execute(insert(QuizResponse), response_rows)
    return {
        "quiz_attempts": len(attempts),
        "quiz_responses": len(response_rows),
        "attempts_to_pass": dict(sorted(to_pass.items())),
        "failed_while_reading": dict(sorted(failing.items())),
    }


def _sitting(rng) -> timedelta:
    return timedelta(minutes=rng.randint(2, 8), seconds=rng.randint(0, 59))


def _schedule_back(read_at, passed_at, count, cooldown, rng) -> list[tuple]:
    """(started, submitted) of up to `count` attempts ending with one submitted at passed_at,
    each starting after the previous one's cooldown, none starting before read_at."""
    times = []
    submitted = passed_at
    for _ in range(count):
        started = submitted - _sitting(rng)
        if started < read_at:
            break
        times.append((started, submitted))
        submitted = started - cooldown - timedelta(minutes=rng.randint(0, 5))
    return times[::-1] or [(max(read_at, passed_at - timedelta(minutes=2)), passed_at)]


def _schedule_forward(read_at, now, count, cooldown, rng) -> list[tuple]:
    """(started, submitted) of up to `count` failed attempts after read_at, cooldown apart,
    the last one's cooldown over by now (so the learner could start another)."""
    times = []
    started = read_at + timedelta(minutes=rng.randint(1, 30))
    for _ in range(count):
        submitted = started + _sitting(rng)
        if submitted + cooldown > now:
            break
        times.append((started, submitted))
        started = submitted + cooldown + timedelta(minutes=rng.randint(0, 600))
    return times


# --------------------------------------------------------------------------- certificates

CERTIFICATES_AT_LEAST = 100  # topped up from the learners nearest to finishing when fewer finish
REVOKED_SHARE = 0.05
EXPIRED_SHARE = 0.10
REVOKE_REASONS = (
    "Issued in error: the immersion day was not attended.",
    "Plan found to be copied from another resident.",
    "Duplicate record after a name change; reissued.",
)


@dataclass
class Certificates:
    """The certificates seeded, and what the verification and PDF measurements need."""

    count: int = 0
    finished: int = 0  # learners who finished every module (all certified)
    topped_up: int = 0  # certified to reach CERTIFICATES_AT_LEAST although not finished
    statuses: dict[str, int] = field(default_factory=dict)  # valid / expired / revoked
    codes: dict[str, list[str]] = field(default_factory=dict)  # status -> codes
    # (certificate id, owner e-mail, status) for a sample of each status: the PDF measurements
    sample: list[tuple[int, str, str]] = field(default_factory=list)


def _insert_certificates(db, course_id, people, ids, finished, nearest, rng) -> Certificates:
    """One Certificate row per learner who finished, inserted in bulk as `services._issue`
    would build it: a snapshot of the user's name, the course's title, organisation and
    hours and the cohort's immersion date and place; a `new_code()` each; the serial
    SMR-<year>-<id:06d> from the row's id, set once the ids exist. About 10% were issued
    more than `expires_months` ago and have expired, about 5% are revoked by their cohort's
    coordinator with a reason; the rest were issued in the last 60 days and are valid.

    Learners are certified regardless of immersion check-offs (none are seeded): the rows
    are what the verification page and the PDF read, not a test of eligibility.
    """
    from smresidency.catalog.models import Course
    from smresidency.certificates.models import Certificate
    from smresidency.certificates.services import new_code
    from smresidency.cohorts.models import Cohort, Enrolment

    now = datetime.now(UTC)
    course = db.session.get(Course, course_id)
    months = (course.certificate or {}).get("expires_months")
    validity = timedelta(days=round(30.44 * months)) if months else None
    topped_up = nearest[: max(0, CERTIFICATES_AT_LEAST - len(finished))]
    chosen = finished + topped_up
    person = {p["email"]: p for p in people}
    coordinator_of = {p["cohort"]: ids[p["email"]] for p in people if p["role"] == "coordinator"}
    enrolment_of = {
        user_id: (enrolment_id, cohort_id)
        for enrolment_id, user_id, cohort_id in db.session.execute(
            select(Enrolment.id, Enrolment.user_id, Enrolment.cohort_id).where(
                Enrolment.course_id == course_id
            )
        )
    }
    cohorts = {c.id: c for c in db.session.scalars(select(Cohort))}
    rows, status_of_code = [], {}
    for email in chosen:
        user_id = ids[email]
        enrolment_id, cohort_id = enrolment_of[user_id]
        cohort = cohorts[cohort_id]
        roll = rng.random()
        if roll < REVOKED_SHARE:
            status = "revoked"
        elif validity and roll < REVOKED_SHARE + EXPIRED_SHARE:
            status = "expired"
        else:
            status = "valid"
        if status == "expired":
            issued = (
                now - validity - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1439))
            )
        else:
            issued = now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1439))
        revoked = status == "revoked"
        code = new_code()
        status_of_code[code] = status
        rows.append(
            {
                "user_id": user_id,
                "course_id": course_id,
                "enrolment_id": enrolment_id,
                "cohort_id": cohort_id,
                "serial": None,
                "code": code,
                "recipient_name": person[email]["name"],
                "course_title": course.title,
                "organisation": course.organisation,
                "hours": course.hours,
                "immersion_date": cohort.immersion_date,
                "place": cohort.place or cohort.online_link or "",
                "issued_at": issued,
                "expires_at": issued + validity if validity else None,
                "revoked_at": min(now, issued + timedelta(days=rng.randint(1, 20)))
                if revoked
                else None,
                "revoked_by_id": coordinator_of.get(person[email]["cohort"]) if revoked else None,
                "revoke_reason": rng.choice(REVOKE_REASONS) if revoked else "",
            }
        )
    if not rows:
        return Certificates(finished=len(finished))
    db.session.execute(insert(Certificate), rows)
    made = db.session.execute(
        select(Certificate.id, Certificate.issued_at, Certificate.code, Certificate.user_id)
    ).all()
    db.session.execute(
        update(Certificate),
        [{"id": cid, "serial": f"SMR-{issued.year}-{cid:06d}"} for cid, issued, _, _ in made],
    )
    statuses: dict[str, int] = {}
    for status in status_of_code.values():
        statuses[status] = statuses.get(status, 0) + 1
    email_of = {v: k for k, v in ids.items()}
    codes: dict[str, list[str]] = {}
    sample: list[tuple[int, str, str]] = []
    for cid, _, code, user_id in sorted(made):
        status = status_of_code[code]
        codes.setdefault(status, []).append(code)
        if sum(s == status for _, _, s in sample) < 3:
            sample.append((cid, email_of[user_id], status))
    return Certificates(
        count=len(rows),
        finished=len(finished),
        topped_up=len(topped_up),
        statuses=dict(sorted(statuses.items())),
        codes=codes,
        sample=sample,
    )


# --------------------------------------------------------------------------- quiz pool


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


def quiz_pool(database: Database, argon2: dict[str, int], *, cap: int, rng_seed: int) -> QuizPool:
    """Open attempts, one per learner-module pair a learner could take the quiz of right now.

    A pair qualifies when the module is unlocked and not complete, its quiz not passed, its
    attempts not used up and no cooldown running: the checks `POST …/quiz` makes. Pairs the
    learner has read come first; the rest (modules 3-9 are all open once module 2 is done)
    are marked read now, as `POST …/read` would, up to `cap` in all. Each attempt is drawn
    with the app's own `draw`; each entry's answers are right per question with probability
    0.8, so most but not all submissions pass and complete their module.
    """
    from smresidency import create_app
    from smresidency.auth.models import User, UserRole
    from smresidency.extensions import db
    from smresidency.learning.models import ModuleProgress
    from smresidency.quizzes.grading import draw, grade, value_of
    from smresidency.quizzes.models import QuizAttempt

    started = time.perf_counter()
    rng = random.Random(rng_seed + 2)  # noqa: S311 - reproducible data, not secrets
    now = datetime.now(UTC)
    app = create_app(app_config(database, argon2))
    with app.app_context():
        modules = _module_quizzes(db)
        learners = db.session.execute(
            select(User.id, User.email, User.session_token)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "learner", User.active.is_(True))
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
        _summaries(db, _course_id(db))
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
