"""Progress writes. Safe when the same learner clicks twice or two tabs race."""

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from smresidency.catalog.models import ModuleVersion
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress

_ROW: list = []


def _row_statement():
    """The learner's progress row for a module by bound ids; built once per process."""
    if not _ROW:
        _ROW.append(
            select(ModuleProgress).where(
                ModuleProgress.user_id == bindparam("user_id"),
                ModuleProgress.module_id == bindparam("module_id"),
            )
        )
    return _ROW[0]


def _progress_row(user_id: int, module_id: int, version_id: int) -> ModuleProgress:
    """The learner's row for a module, created if missing even under a concurrent insert."""
    ids = {"user_id": user_id, "module_id": module_id}
    row = db.session.scalar(_row_statement(), ids)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = ModuleProgress(user_id=user_id, module_id=module_id, version_id=version_id)
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(_row_statement(), ids)
    return row


def mark_read(user_id: int, version: ModuleVersion) -> ModuleProgress:
    """Record that the learner read this version; without a quiz, reading completes it."""
    row = _progress_row(user_id, version.module_id, version.id)
    now = utcnow()
    if row.read_at is None:
        row.read_at = now
        row.version_id = version.id
    if not version.has_quiz and row.completed_at is None:
        row.completed_at = now
        db.session.flush()
        _module_completed(user_id, version.module_id)
    db.session.flush()
    return row


def _module_completed(user_id: int, module_id: int) -> None:
    """Only the last live module can complete the residency: check the certificate then.

    The summary row was recomputed (and, on PostgreSQL, locked) in this flush, so a learner
    finishing two modules at once in two tabs still has one of them see both complete.
    """
    from smresidency.certificates.services import issue_if_eligible

    # plain columns after a flush: on the connection, without the ORM's statement work
    row = (
        db.session.connection()
        .execute(_gate(), {"user_id": user_id, "module_id": module_id})
        .first()
    )
    if row is not None and row[1] >= row[2]:
        issue_if_eligible(row[0])


_GATE: list = []


def _gate():
    """The enrolment, its complete live modules and the course's live modules; built once."""
    if not _GATE:
        from smresidency.catalog.models import Module
        from smresidency.cohorts.models import Enrolment
        from smresidency.learning.models import EnrolmentSummary

        other = aliased(Module)
        live = (
            select(func.count(other.id))
            .where(other.course_id == Enrolment.course_id, other.retired.is_(False))
            .correlate(Enrolment)
            .scalar_subquery()
        )
        _GATE.append(
            select(Enrolment.id, EnrolmentSummary.modules_complete, live)
            .join(Module, Module.course_id == Enrolment.course_id)
            .join(EnrolmentSummary, EnrolmentSummary.enrolment_id == Enrolment.id)
            .where(Enrolment.user_id == bindparam("user_id"), Module.id == bindparam("module_id"))
        )
    return _GATE[0]


def complete_module(user_id: int, module_id: int, version_id: int) -> ModuleProgress:
    """A passed quiz completes the module (it can only be taken after reading)."""
    row = _progress_row(user_id, module_id, version_id)
    now = utcnow()
    row.read_at = row.read_at or now
    first_time = row.completed_at is None
    row.completed_at = row.completed_at or now
    db.session.flush()
    if first_time:
        _module_completed(user_id, module_id)
    return row


_DONE: list = []


def _done_statement():
    """Complete a read, not yet complete row by bound ids; built once per process."""
    if not _DONE:
        table = ModuleProgress.__table__
        now = bindparam("now", type_=table.c.completed_at.type)
        _DONE.append(
            update(table)
            .where(
                table.c.user_id == bindparam("uid"),
                table.c.module_id == bindparam("mid"),
                table.c.completed_at.is_(None),
            )
            .values(read_at=func.coalesce(table.c.read_at, now), completed_at=now, updated_at=now)
        )
    return _DONE[0]


def complete_module_on_connection(user_id: int, module_id: int, version_id: int) -> None:
    """complete_module as one UPDATE on the session's connection: the summary, the webhook
    event and the certificate gate follow as a flush would make them, without the ORM's work.

    With xAPI on (its listener reads the flushed row's history), a progress row loaded in the
    session (it would go stale), or the row missing or already complete, complete_module does it.
    """
    from smresidency.learning.summary import recompute, recompute_enrolment
    from smresidency.webhooks.events import note_completed
    from smresidency.xapi.capture import enabled

    loaded = db.session.identity_map.values()
    if enabled() or any(isinstance(obj, ModuleProgress) for obj in loaded):
        complete_module(user_id, module_id, version_id)
        return
    now = utcnow()
    connection = db.session.connection()
    done = connection.execute(_done_statement(), {"uid": user_id, "mid": module_id, "now": now})
    if done.rowcount != 1:
        complete_module(user_id, module_id, version_id)
        return
    note_completed(db.session, user_id, module_id, now)
    if connection.dialect.name == "sqlite":  # one writer: no lock order to keep
        gate = recompute_enrolment(connection, user_id, module_id)
        if gate is not None:
            if gate[1] >= gate[2]:
                from smresidency.certificates.services import issue_if_eligible

                issue_if_eligible(gate[0])
            return
    recompute(connection, user_ids=(user_id,))
    _module_completed(user_id, module_id)
