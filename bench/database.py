"""The database a run measures: a fresh SQLite file or a database of its own on a server."""

from __future__ import annotations

import secrets
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
# The server `make bench` adds to its SQLite run when something answers on its port.
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


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


def version(database: Database) -> str | None:
    """The database server's version, as the JSON's machine section records it."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as conn:
            sql = {"sqlite": "SELECT sqlite_version()", "postgresql": "SHOW server_version"}.get(
                database.kind, "SELECT version()"
            )
            return str(conn.execute(text(sql)).scalar())
    except Exception:
        return None
    finally:
        engine.dispose()


def answers(url: str, timeout: float = 1.0) -> str | None:
    """Why a database server cannot be used, or None when it accepts a connection.

    A TCP connection to its host and port first (quick when nothing listens), then a real
    sign-in, so a server that is there but refuses us is reported as such.
    """
    parsed = make_url(url)
    host, port = parsed.host or "127.0.0.1", parsed.port or 5432
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as err:
        return f"nothing answers on {host}:{port} ({err.strerror or err})"
    engine = create_engine(parsed, connect_args={"connect_timeout": max(1, round(timeout * 5))})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as err:
        return f"{host}:{port} answers but the sign-in failed: {str(err).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def redacted(url: str | None) -> str | None:
    """The URL without its password, for the JSON and the report."""
    return make_url(url).render_as_string(hide_password=True) if url else None
