"""Shared fixtures: app, client, runner, db, login_as, builders and a query counter.

The schema comes from the real migrations, once per test run, in a database of this run's
own: a SQLite file by default, a fresh PostgreSQL database when
SMRESIDENCY_TEST_DATABASE_URL is set. Each test starts from empty tables.
"""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from smresidency import create_app
from smresidency.extensions import db as _db

ROOT = Path(__file__).resolve().parents[1]
KEEP = {
    "SMRESIDENCY_TEST_DATABASE_URL",
    "SMRESIDENCY_TEST_REDIS_URL",
    "SMRESIDENCY_REQUIRE_BROWSER",
    "SMRESIDENCY_REQUIRE_SERVICES",
    "SMRESIDENCY_CHROMIUM",
}

# A developer's own SMRESIDENCY_* settings must not leak into the tests.
for _name in [n for n in os.environ if n.startswith("SMRESIDENCY_") and n not in KEEP]:
    del os.environ[_name]
PASSWORD = "a long test passphrase"
RUN_ID = uuid.uuid4().hex[:12]  # keeps this run's Redis keys apart from every other run's


def _postgres_database(base_url: str) -> str:
    """Create a database for this run on the server named by base_url; return its URL."""
    url = make_url(base_url)
    name = f"smr_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(run_url: str, base_url: str) -> None:
    name = make_url(run_url).database
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """This run's own database, migrated to head with the real migrations."""
    base = os.environ.get("SMRESIDENCY_TEST_DATABASE_URL")
    if base:
        url = _postgres_database(base)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app(_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        _db.engine.dispose()
    yield url
    if base:
        _drop_postgres_database(url, base)


def _config(url: str, instance: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-the-check",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "CONTENT_DIR": str(ROOT / "course_content"),
        "INSTANCE_PATH": str(instance),
        "REDIS_KEY_PREFIX": f"smresidency-test-{RUN_ID}-{uuid.uuid4().hex[:6]}",
        # jobs (mail) run in-process right after each commit; tests/jobs runs the real queue
        "JOBS_EAGER": True,
        "JOBS_SQLITE_PATH": str(instance / "jobs.sqlite3"),
        **extra,
    }


def _empty_tables() -> None:
    """Delete every row, children first, so the next test starts clean."""
    with _db.engine.begin() as conn, _audit_guard_lifted(conn):
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())


@contextmanager
def _audit_guard_lifted(conn):
    """The audit log's triggers refuse DELETE (migration 0022); for emptying the tables they
    are off inside this one transaction and back before it commits."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        yield
        conn.exec_driver_sql("ALTER TABLE audit_entry ENABLE TRIGGER USER")
        return
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'"
    ).all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


@pytest.fixture
def app_config():
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    """A fresh app over empty tables. No app context is held: each request gets its own,
    as in production; tests that touch the database use `with app.app_context():`."""
    app = create_app(_config(database_url, tmp_path, **app_config))
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        _db.session.remove()
        _empty_tables()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database inside an app context, for tests that read or write rows directly."""
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Builder: make_user(role="learner", email=None, name=None, password=PASSWORD)."""
    from smresidency.auth import services

    counter = iter(range(1, 10_000))

    def build(*roles, email=None, name=None, password=PASSWORD, active=True):
        roles = roles or ("learner",)
        n = next(counter)
        with app.app_context():
            user = services.create_user(
                email or f"{roles[0]}{n}@example.test",
                name or f"{roles[0].title()} {n}",
                password,
                roles,
            )
            user.active = active
            _db.session.commit()
            _db.session.refresh(user)
            assert user.roles
            _db.session.expunge(user)
        return user

    return build


@pytest.fixture
def login_as(client, make_user):
    """Sign the test client in as a new user with the given roles; returns the user."""

    def sign_in(*roles, user=None):
        user = user or make_user(*roles)
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
        return user

    return sign_in


@pytest.fixture
def synced_course(app):
    """The real course from course_content/, synced."""
    from smresidency.catalog.sync import sync_content

    with app.app_context():
        sync_content(app.config["CONTENT_DIR"])
        _db.session.commit()
    return "social-media-residency"


@pytest.fixture
def write_course(tmp_path):
    """Builder for small courses on disk; see tests/builders.py for the options."""
    from tests.builders import write_course as build

    def write(**kwargs):
        return build(tmp_path / "content", **kwargs)

    return write


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements: `with count_queries() as counter: …`."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if (
                not statement.lstrip()
                .upper()
                .startswith(("SAVEPOINT", "RELEASE", "BEGIN", "PRAGMA"))
            ):
                statements.append(statement)

        from contextlib import nullcontext

        from flask import has_app_context

        # in the caller's app context when there is one: a second context's session would
        # queue behind the caller's open SQLite transaction ("database is locked")
        with nullcontext() if has_app_context() else app.app_context():
            engine = _db.engine
            from smresidency.admin.settings import prime

            prime()  # the site settings are kept per process: count as a warm worker would
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def make_cohort(app, make_user):
    """Builder: make_cohort(course_slug, name=…, capacity=20, coordinators=[u], faculty=[u],
    learners=N or [users], immersion_in_days=14). Returns the cohort id and what it made."""
    from datetime import timedelta

    from sqlalchemy import select

    from smresidency.auth.models import User
    from smresidency.catalog.models import Course
    from smresidency.cohorts import services
    from smresidency.db import utcnow

    counter = iter(range(1, 10_000))

    def build(
        course_slug,
        name=None,
        capacity=20,
        coordinators=(),
        faculty=(),
        learners=0,
        immersion_in_days=14,
        profession="clinician",
    ):
        if isinstance(learners, int):
            learners = [make_user("learner") for _ in range(learners)]
        with app.app_context():
            course = _db.session.scalar(select(Course).where(Course.slug == course_slug))
            cohort = services.save_cohort(
                None,
                course_id=course.id,
                name=name or f"Cohort {next(counter)}",
                immersion_date=(utcnow() + timedelta(days=immersion_in_days)).date(),
                timezone="Europe/London",
                place="Education centre, room 2",
                online_link="",
                capacity=capacity,
            )
            load = lambda people: [_db.session.get(User, u.id) for u in people]  # noqa: E731
            services.set_staff(cohort, load(faculty), load(coordinators))
            for person in load(learners):
                services.enrol(cohort, person, profession)
            _db.session.commit()
            return cohort.id, list(learners)

    return build
