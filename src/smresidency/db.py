"""Declarative base, naming convention and SQLite connection settings shared by every model."""

import sqlite3
from datetime import UTC, datetime

from flask import current_app, g, has_request_context, request
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15000


class Base(DeclarativeBase):
    """Named constraints keep Alembic migrations deterministic on SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now; used as a *callable* default so it is evaluated per row."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC, so say so."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def database_key() -> str:
    """The app's database URL as text, made once per app: per-process caches key on it, so
    apps on different databases in one process (tests) never share an entry; rendering the
    URL (and finding the engine) on every lookup cost more than the lookups themselves."""
    extensions = current_app.extensions
    key = extensions.get("smresidency.database_key")
    if key is None:
        from smresidency.extensions import db

        key = extensions["smresidency.database_key"] = str(db.engine.url)
    return key


def _is_write_request() -> bool:
    """Requests that may write take SQLite's write lock up front; reads stay concurrent."""
    if not has_request_context():
        return True
    if g.get("read_before_write"):  # the view opens its write transaction itself, later
        return False
    return request.method not in ("GET", "HEAD", "OPTIONS")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    """WAL, a busy timeout and foreign keys on every SQLite connection."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    # a file system without shared memory keeps the old journal: prepared.ReadConnection asks
    connection_record.info["sqlite_wal"] = str(mode).lower() == "wal"
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    """Writers queue for the lock at BEGIN instead of failing later with 'database is locked'."""
    if conn.dialect.name != "sqlite":
        return
    # on the driver's own connection: statement listeners have nothing to learn from a BEGIN
    # (count_queries skips them) and SQLAlchemy's execution would cost more than SQLite's work
    statement = "BEGIN IMMEDIATE" if _is_write_request() else "BEGIN"
    try:
        conn.connection.driver_connection.execute(statement)
    except sqlite3.Error as error:  # raised as SQLAlchemy would ("database is locked", …)
        raise exc.DBAPIError.instance(statement, (), error, sqlite3.Error) from error
