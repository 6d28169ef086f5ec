"""Record changes become webhook events in the same transaction: a flush notes them, the
commit writes their deliveries (and queue jobs) just before it completes.

Listening to flushes keeps other features unaware of webhooks: issuing a certificate,
enrolling, completing a module or accepting a plan is enough.
"""

import secrets

from flask import has_app_context
from sqlalchemy import event, func, insert, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smresidency.db import as_utc

_PENDING = "smresidency_webhook_events"
_ENDPOINTS_CHANGED = "smresidency_webhook_endpoints_changed"


def _time(moment) -> str | None:
    return as_utc(moment).isoformat().replace("+00:00", "Z") if moment else None


def _changed_to(obj, name: str):
    """The new value of an attribute changed in this flush, or None."""
    history = inspect(obj).attrs[name].history
    return history.added[0] if history.added and history.deleted != history.added else None


def _certificate(cert) -> dict:
    from flask import current_app

    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return {
        "certificate_id": cert.id,
        "serial": cert.serial,
        "user_id": cert.user_id,
        "cohort_id": cert.cohort_id,
        "course_id": cert.course_id,
        "recipient_name": cert.recipient_name,
        "course_title": cert.course_title,
        "hours": float(cert.hours or 0),
        "issued_at": _time(cert.issued_at),
        "revoked_at": _time(cert.revoked_at),
        "verification_url": f"{base}/verify/{cert.code}",
    }


def events_of(session: Session) -> list[tuple[str, dict]]:
    """(event type, data) for what this flush created or changed."""
    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.learning.models import ModuleProgress
    from smresidency.plans.models import StrategyPlan

    found = []
    for obj in session.new:
        if isinstance(obj, Certificate):
            found.append(("certificate.issued", _certificate(obj)))
        elif isinstance(obj, Enrolment):
            data = {"enrolment_id": obj.id, "user_id": obj.user_id, "cohort_id": obj.cohort_id}
            found.append(("enrolment.created", {**data, "course_id": obj.course_id}))
        elif isinstance(obj, ModuleProgress) and obj.completed_at is not None:
            found.append(("module.completed", _progress(obj)))
    for obj in session.dirty:
        if isinstance(obj, Certificate) and _changed_to(obj, "revoked_at"):
            found.append(("certificate.revoked", _certificate(obj)))
        elif isinstance(obj, ModuleProgress) and _changed_to(obj, "completed_at"):
            found.append(("module.completed", _progress(obj)))
        elif isinstance(obj, StrategyPlan) and _changed_to(obj, "state") == "accepted":
            found.append(("plan.accepted", {"plan_id": obj.id, "enrolment_id": obj.enrolment_id}))
    return found


def _progress(row) -> dict:
    return {
        "user_id": row.user_id,
        "module_id": row.module_id,
        "completed_at": _time(row.completed_at),
    }


def note_completed(session: Session, user_id: int, module_id: int, completed_at) -> None:
    """module.completed for a progress row completed without the ORM, which no flush sees."""
    data = {"user_id": user_id, "module_id": module_id, "completed_at": _time(completed_at)}
    session.info.setdefault(_PENDING, []).append(("module.completed", data))


@event.listens_for(Session, "after_flush")
def _note(session, _context) -> None:
    found = events_of(session)
    if found:
        session.info.setdefault(_PENDING, []).extend(found)


@event.listens_for(Session, "before_flush")
def _endpoint_changes(session, _context, _instances) -> None:
    from smresidency.webhooks.models import WebhookEndpoint

    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, WebhookEndpoint):
            session.info[_ENDPOINTS_CHANGED] = True
            return


@event.listens_for(Session, "after_flush_postexec")
def _bump_settings_version(session, _context) -> None:
    """An endpoint changed: move the settings version every worker's endpoint copy keys on.

    A random step of at least 2, so a settings save that adds 1 to a stale read never lands
    on the same number; the row is made (empty, as a first save makes it) when missing.
    """
    if not session.info.pop(_ENDPOINTS_CHANGED, False):
        return
    from smresidency.admin.models import SiteSettings
    from smresidency.admin.settings import SETTINGS_ID, forget

    table, step = SiteSettings.__table__, secrets.randbelow(999) + 2
    connection = session.connection()
    bumped = connection.execute(
        update(table)
        .where(table.c.id == SETTINGS_ID)
        .values(version=func.coalesce(table.c.version, 0) + step)
    )
    if bumped.rowcount == 0:
        try:
            with connection.begin_nested():  # a savepoint: a lost race leaves the rest intact
                connection.execute(insert(table).values(id=SETTINGS_ID, version=step))
        except IntegrityError:  # another request made the row meanwhile: move it on
            moved = table.c.version + step
            connection.execute(update(table).where(table.c.id == SETTINGS_ID).values(version=moved))
    if has_app_context():
        forget()  # this request's version no longer names the row


@event.listens_for(Session, "before_commit")
def _write_deliveries(session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()
    found = session.info.pop(_PENDING, None)
    if found:
        from smresidency.webhooks.services import emit

        for kind, data in found:
            emit(session, kind, data)
        session.flush()
        session.info.pop(_PENDING, None)  # the deliveries themselves raise no events


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
