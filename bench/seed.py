"""Seed a benchmark database: real migrations, the real course, cohorts, progress, quiz attempts.

Everything here goes through the app's own code paths (create_app, flask_migrate.upgrade,
catalog.sync.sync_content) except the population, which is bulk-inserted for speed: one argon2
hash is computed once and shared by every seeded account. The parts live in course,
population, history and seedcerts; the pools of open attempts in pool.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import course
import population
from course import COURSE_SLUG  # noqa: F401 - the course every module of the bench names
from database import Database, app_config, prepare_database  # noqa: F401 - imported from here
from history import insert_quiz_history
from population import PASSWORD
from seedcerts import Certificates, insert_certificates
from sqlalchemy import insert


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

    burst_learners: int = 0  # learners of the burst's own cohort, not in `learners`


def seed(
    database: Database,
    instance: Path,
    *,
    cohorts: int,
    per_cohort: int,
    large_cohort: int,
    rng_seed: int,
    argon2: dict[str, int],
    burst: int = 0,
) -> SeedReport:
    """Migrate, sync course_content/, then insert cohorts, learners, progress and quiz attempts.

    `cohorts` x `per_cohort` learners in cohorts of their own, each with a coordinator, plus
    one cohort of `large_cohort` learners (none when 0) with a coordinator of its own, and
    `burst` learners who have not started, in a cohort of their own (population.insert_burst).
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
        modules = course.course_modules(db)
        # The ordinary cohorts draw from `rng` exactly as the groups of learners did before
        # cohorts existed, so their progress is the same; everything added since draws from
        # `more`.
        rng = random.Random(rng_seed)  # noqa: S311 - reproducible data, not secrets
        more = random.Random(rng_seed + 1)  # noqa: S311
        people = population.people(cohorts, per_cohort, large_cohort, rng, more)
        ids = population.insert_users(db, people, shared_hash)
        learners = [p for p in people if p["role"] == "learner"]
        ordinary = [p["email"] for p in learners if p["cohort"] <= cohorts]
        large = [p["email"] for p in learners if p["cohort"] > cohorts]
        rows, completed_by_email = population.progress_rows(ordinary, ids, modules, rng)
        large_rows, large_completed = population.progress_rows(large, ids, modules, more)
        rows += large_rows
        if rows:
            db.session.execute(insert(ModuleProgress), rows)
        db.session.commit()
        timings["learners_progress"] = time.perf_counter() - mark

        mark = time.perf_counter()
        course_id = course.course_id(db)
        cohort_ids = population.insert_cohorts(db, course_id, cohorts, large_cohort, more)
        enrolments = population.insert_enrolments(db, course_id, people, ids, cohort_ids, more)
        db.session.commit()
        timings["cohorts"] = time.perf_counter() - mark

        mark = time.perf_counter()
        quizzes = course.module_quizzes(db)
        quiz = insert_quiz_history(db, rows, quizzes, more)
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
        certs = insert_certificates(db, course_id, people, ids, finished, nearest, cert_rng)
        db.session.commit()
        timings["certificates"] = time.perf_counter() - mark
        mark = time.perf_counter()
        burst_rng = random.Random(rng_seed + 4)  # noqa: S311 - after the rest: nothing changes
        burst_ids = population.insert_burst(db, course_id, burst, shared_hash, burst_rng)
        db.session.commit()
        timings["burst_learners"] = time.perf_counter() - mark
        mark = time.perf_counter()
        course.summaries(db, course_id)
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
        burst_learners=len(burst_ids),
        **quiz,
    )
