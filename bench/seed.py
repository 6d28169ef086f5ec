"""Seed a benchmark database: real migrations, the real course, groups of learners with progress.

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

from sqlalchemy import create_engine, insert, select, text
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

    groups: int
    learners: int
    progress_rows: int
    modules: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    # Learners with partial progress (some but not all modules completed): who signs in.
    partial: list[str] = field(default_factory=list)
    progress_histogram: dict[int, int] = field(default_factory=dict)


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
    groups: int,
    per_group: int,
    rng_seed: int,
    argon2: dict[str, int],
) -> SeedReport:
    """Migrate, sync course_content/ and insert groups x per_group learners with progress."""
    import os

    os.environ["SMRESIDENCY_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from smresidency import create_app
    from smresidency.auth.models import User
    from smresidency.auth.passwords import hash_password
    from smresidency.catalog.sync import sync_content
    from smresidency.extensions import db

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
        rng = random.Random(rng_seed)  # noqa: S311 - reproducible data, not secrets
        emails = _insert_learners(db, groups, per_group, shared_hash, rng)
        ids = dict(db.session.execute(select(User.email, User.id)).all())
        rows, completed_by_email = _progress_rows(emails, ids, modules, rng)
        if rows:
            from smresidency.learning.models import ModuleProgress

            db.session.execute(insert(ModuleProgress), rows)
        db.session.commit()
        timings["population"] = time.perf_counter() - mark
        db.engine.dispose()

    histogram: dict[int, int] = {}
    for done in completed_by_email.values():
        histogram[done] = histogram.get(done, 0) + 1
    partial = [e for e in emails if 0 < completed_by_email[e] < len(modules)]
    return SeedReport(
        groups=groups,
        learners=len(emails),
        progress_rows=len(rows),
        modules=len(modules),
        seconds=time.perf_counter() - started,
        timings=timings,
        partial=partial,
        progress_histogram=dict(sorted(histogram.items())),
    )


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


def email_for(group: int, member: int) -> str:
    return f"learner-g{group:02d}-{member:02d}@{EMAIL_DOMAIN}"


def _insert_learners(db, groups: int, per_group: int, shared_hash: str, rng) -> list[str]:
    """Learners named by group (cohorts do not exist yet), all with the `learner` role."""
    from smresidency.auth.models import User, UserRole

    now = datetime.now(UTC)
    users = []
    for g in range(1, groups + 1):
        for m in range(1, per_group + 1):
            users.append(
                {
                    "email": email_for(g, m),
                    "name": f"Group {g:02d} Learner {m:02d}",
                    "password_hash": shared_hash,
                    "session_token": secrets.token_urlsafe(32),
                    "active": True,
                    "created_at": now - timedelta(days=rng.randint(30, 120)),
                }
            )
    db.session.execute(insert(User), users)
    emails = [u["email"] for u in users]
    ids = db.session.scalars(select(User.id)).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
    return emails


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
