"""Tells the request boundary whether anything was written, so a read-only request ends its
transaction with a rollback (no COMMIT round trip, no fsync) instead of a commit."""

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "SET ")


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context() and not statement.lstrip()[:10].upper().startswith(_READS):
        g.wrote = True


def wrote(session) -> bool:
    """Whether this request wrote, or holds changes that a commit would flush."""
    return bool(g.get("wrote") or session.new or session.dirty or session.deleted)
