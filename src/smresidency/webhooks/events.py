"""Record changes become webhook events in the same transaction: a flush notes them, the
commit writes their deliveries (and queue jobs) just before it completes.

Listening to flushes keeps other features unaware of webhooks: issuing a certificate,
enrolling, completing a module or accepting a plan is enough.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from smresidency.db import as_utc

_PENDING = "smresidency_webhook_events"


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


@event.listens_for(Session, "after_flush")
def _note(session, _context) -> None:
    found = events_of(session)
    if found:
        session.info.setdefault(_PENDING, []).extend(found)


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
