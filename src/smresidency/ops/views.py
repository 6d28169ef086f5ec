"""`/healthz` touches nothing (the framework's floor); `/readyz` proves the database answers."""

from sqlalchemy import text

from smresidency.access import PUBLIC, allow
from smresidency.extensions import db
from smresidency.ops import bp


@bp.get("/healthz")
@allow(PUBLIC)
def healthz():
    """The process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
@allow(PUBLIC)
def readyz():
    """The process can reach its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
