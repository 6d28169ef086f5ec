"""Hot-path reads as prepared statements: a Core select compiled once per process and dialect,
run on the request's own DBAPI connection (its transaction), with SQLAlchemy's own type
conversions but without its per-execution machinery (about 25 µs a statement on SQLite).

Only plain selects of plain bound values belong here (no writes, no IN lists expanded at
execution, no literal binds); listeners on the engine (`before_cursor_execute`: statement
counts, query recording) still see each statement, the class-wide write detector is not
asked about these reads, and a database error is raised as SQLAlchemy's own exception.

A GET or HEAD request whose session has not begun a transaction reads on a pooled connection
of its own instead, in one read transaction, returned at the request's end: the session's
transaction (begin, close, about 35 µs on SQLite) is then only paid by requests that use it
(SQLite lends only in WAL mode: otherwise a reader would hold off the request's own write).
Once the session holds a connection (an ORM read, a write), reads go through it again,
so they see what the request wrote.
"""

from __future__ import annotations

from collections import namedtuple
from functools import partial
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import exc

from smresidency.extensions import db

_READ_METHODS = ("GET", "HEAD")


class ReadConnection:
    """A pooled DBAPI connection lent to one request for its reads, shaped as much like
    SQLAlchemy's Connection as statement listeners look at (`engine`, `dialect`, `connection`)."""

    __slots__ = ("connection", "dialect", "engine")

    def __init__(self, engine, connection) -> None:
        self.engine, self.dialect, self.connection = engine, engine.dialect, connection

    @classmethod
    def lend(cls, engine) -> ReadConnection | None:
        """A connection from the pool in a read transaction of its own; None for a SQLite file
        that is not in WAL mode, where a reader would hold off this request's own write."""
        connection = engine.raw_connection()  # returned to the pool by release()
        if engine.dialect.name == "sqlite":
            if not connection.info.get("sqlite_wal"):  # noted by db._sqlite_on_connect
                connection.close()
                return None
            # the driver runs in autocommit mode (db._sqlite_on_connect): one snapshot for
            # the request's reads; PostgreSQL's driver begins one on the first statement
            connection.driver_connection.execute("BEGIN")
        return cls(engine, connection)

    def release(self) -> None:
        """Back to the pool, which rolls the read transaction back."""
        self.connection.close()


def _connection(session):
    """The session's connection once it holds one; before that, a GET's own read connection."""
    begun = session._transaction  # adding an object begins one, without a connection yet
    if (
        (begun is not None and begun._connections)
        or not has_request_context()
        or request.method not in _READ_METHODS
    ):
        return session.connection()
    here = g._get_current_object()
    lent = here.get("_read_connection")
    if lent is None:  # False: this request's reads share the session's connection
        lent = here._read_connection = ReadConnection.lend(db.engine) or False
    return lent or session.connection()


def release_read_connection(exc: BaseException | None = None) -> None:
    """At the end of each request (teardown, errors included): return what it was lent."""
    lent = g.pop("_read_connection", None)
    if lent:
        lent.release()


def init_app(app: Flask) -> None:
    """Return each request's read connection when the request ends."""
    app.teardown_request(release_read_connection)


class Rows(list):
    """A statement's rows, read to the end, answering as much of Result as callers use."""

    def all(self) -> Rows:
        return self

    def first(self):
        return self[0] if self else None

    def scalar(self):
        return self[0][0] if self else None


class Prepared:
    """One statement, compiled the first time each dialect runs it."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement) -> None:
        self.statement = statement
        self._plans: dict[str, list] = {}

    def _plan(self, dialect) -> list:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.isinsert or compiled.isupdate or compiled.isdelete:
            raise ValueError("a prepared statement reads: writes go through the session")
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a prepared statement takes plain bound values only")
        binds = compiled._bind_processors
        names = tuple(compiled.positiontup) if dialect.positional else tuple(compiled.binds)
        # values the statement carries itself (`id == 1`); the caller's fill in the rest
        fixed = compiled.construct_params(_check=False)
        convert = tuple((name, binds[name]) for name in names if name in binds)
        columns = compiled._result_columns
        row = namedtuple("Row", [column.keyname for column in columns], rename=True)
        make = partial(tuple.__new__, row)  # row._make without a Python call per row
        types = tuple(column.type for column in columns)
        # the result conversions wait for the first execution: some drivers need the type
        # code the database reports for the column (PostgreSQL's numbers)
        plan = [compiled.string, names, fixed, dialect.positional, convert, None, make, types]
        self._plans[dialect.name] = plan
        return plan

    @staticmethod
    def _processors(plan: list, dialect, description) -> tuple:
        """The columns that need a conversion, as SQLAlchemy picks it for this driver, each
        with its place in the row; made once."""
        plan[5] = tuple(
            (place, process)
            for place, (kind, column) in enumerate(zip(plan[7], description, strict=True))
            if (process := kind._cached_result_processor(dialect, column[1])) is not None
        )
        return plan[5]

    def rows(self, params: dict[str, Any]) -> Rows:
        """Every row, as named tuples, in the session's transaction (pending changes flushed
        first, as the ORM's autoflush would)."""
        session = db.session()
        if session.autoflush and not session._is_clean():
            session.flush()
        connection = _connection(session)
        dialect = connection.dialect
        plan = self._plans.get(dialect.name) or self._plan(dialect)
        sql, names, fixed, positional, convert, processors, make, _ = plan
        values = {**fixed, **params}
        for name, process in convert:
            values[name] = process(values[name])
        args = tuple(map(values.__getitem__, names)) if positional else values
        cursor = connection.connection.driver_connection.cursor()
        try:
            if connection.engine.dispatch.before_cursor_execute.listeners:
                # listeners on this engine (statement counts, query recording) are told; the
                # class-wide one, the write detector (readonly), has nothing to learn from a select
                connection.engine.dispatch.before_cursor_execute(
                    connection, cursor, sql, args, None, False
                )
            cursor.execute(sql, args)
            fetched = cursor.fetchall()
            if processors is None:
                processors = self._processors(plan, dialect, cursor.description)
        except dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(
                sql, args, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        finally:
            cursor.close()
        if not processors:
            return Rows(map(make, fetched))
        found = Rows()
        for raw in fetched:
            cells = list(raw)
            for place, process in processors:
                cells[place] = process(cells[place])
            found.append(make(cells))
        return found

    def one_or_none(self, params: dict[str, Any]):
        """The one row, or None (more than one is the caller's error, as with Result)."""
        found = self.rows(params)
        if len(found) > 1:
            raise exc.MultipleResultsFound("more than one row where one was expected")
        return found[0] if found else None
