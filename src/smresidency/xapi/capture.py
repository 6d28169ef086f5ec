"""Record changes become outbox rows in the same transaction, as webhooks.events does.

A flush notes (kind, row id) pairs; the commit writes them in one INSERT and queues one send
job. With no LRS endpoint configured nothing is noted, so the hot paths pay nothing.
"""

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

_PENDING = "smresidency_xapi_pending"
# check-off history actions that tick an item (the others untick or only note evidence)
TICKS = ("tick", "checkin", "evidence-confirmed", "plan-accepted", "self-rated")


def enabled() -> bool:
    """Whether any LRS endpoint is configured (no SQL: configuration only)."""
    return has_app_context() and bool(current_app.config.get("XAPI_ENDPOINTS"))


def _changed_to(obj, name: str):
    """The new value of an attribute changed in this flush, or None."""
    history = inspect(obj).attrs[name].history
    return history.added[0] if history.added and history.deleted != history.added else None


def _first_set(obj, name: str) -> bool:
    """Whether an attribute went from empty to a value in this flush."""
    history = inspect(obj).attrs[name].history
    return bool(history.added and history.added[0] is not None and not any(history.deleted))


def _ticked(session) -> set[tuple[int, str]]:
    """(enrolment, item) pairs whose check-off became ticked in this flush."""
    from smresidency.immersion.models import CheckOff

    found = set()
    for obj in session.new:
        if isinstance(obj, CheckOff) and obj.checked:
            found.add((obj.enrolment_id, obj.item_id))
    for obj in session.dirty:
        if isinstance(obj, CheckOff) and _changed_to(obj, "checked") is True:
            found.add((obj.enrolment_id, obj.item_id))
    return found


def noted(session) -> list[tuple[str, int]]:
    """(statement kind, row id) for what this flush created or changed."""
    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.immersion.models import CheckOffEvent
    from smresidency.learning.models import ModuleProgress
    from smresidency.plans.models import PlanReview, PlanVersion
    from smresidency.quizzes.models import QuizAttempt

    found, ticked = [], None
    for obj in session.new:
        if isinstance(obj, Enrolment):
            found.append(("registered", obj.id))
        elif isinstance(obj, ModuleProgress) and obj.read_at is not None:
            found.append(("experienced", obj.id))
        elif isinstance(obj, QuizAttempt):
            found.append(("attempted", obj.id))
            if obj.submitted_at is not None:
                found.append(("scored", obj.id))
        elif isinstance(obj, CheckOffEvent) and obj.action in TICKS:
            ticked = _ticked(session) if ticked is None else ticked
            if (obj.enrolment_id, obj.item_id) in ticked:
                found.append(("checkoff", obj.id))
        elif isinstance(obj, PlanVersion) and obj.submitted_at is not None:
            found.append(("plan-submitted", obj.id))
        elif isinstance(obj, PlanReview) and obj.decision == "accepted":
            found.append(("plan-accepted", obj.id))
        elif isinstance(obj, Certificate):
            found.append(("certificate-issued", obj.id))
    for obj in session.dirty:
        if isinstance(obj, ModuleProgress) and _first_set(obj, "read_at"):
            found.append(("experienced", obj.id))
        elif isinstance(obj, QuizAttempt) and _changed_to(obj, "submitted_at"):
            found.append(("scored", obj.id))
        elif isinstance(obj, PlanVersion) and _changed_to(obj, "submitted_at"):
            found.append(("plan-submitted", obj.id))
        elif isinstance(obj, Certificate) and _changed_to(obj, "revoked_at"):
            found.append(("certificate-revoked", obj.id))
    return found


def note(session, kind: str, ref_id: int) -> None:
    """For a change written without the ORM (a quiz submission's UPDATE), which no flush sees."""
    if enabled():
        session.info.setdefault(_PENDING, []).append((kind, ref_id))


@event.listens_for(Session, "after_flush")
def _note(session, _context) -> None:
    if not enabled():
        return
    found = noted(session)
    if found:
        session.info.setdefault(_PENDING, []).extend(found)


@event.listens_for(Session, "before_commit")
def _write_outbox(session) -> None:
    if session.in_nested_transaction() or not enabled():
        return
    session.flush()
    found = session.info.pop(_PENDING, None)
    if found:
        from smresidency.xapi.services import queue

        queue(session, found)
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
