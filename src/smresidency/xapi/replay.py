"""Statements rebuilt from history: what the flush listeners would have noted at the time."""

from datetime import datetime

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.xapi.capture import TICKS


def _between(column, since: datetime, until: datetime | None):
    return (column >= since) if until is None else (column >= since) & (column < until)


def _ticks(since: datetime, until: datetime | None) -> list[tuple[str, int]]:
    """Check-off events that ticked an item (its state went from unticked to ticked)."""
    from smresidency.db import as_utc
    from smresidency.immersion.models import CheckOffEvent

    rows = db.session.execute(
        select(CheckOffEvent.id, CheckOffEvent.enrolment_id, CheckOffEvent.item_id)
        .add_columns(CheckOffEvent.action, CheckOffEvent.at)
        .where(CheckOffEvent.action.in_((*TICKS, "untick")))
        .order_by(CheckOffEvent.id)
    ).all()
    ticked, found = set(), []
    low, high = as_utc(since), as_utc(until) if until else None
    for event_id, enrolment_id, item_id, action, at in rows:
        key = (enrolment_id, item_id)
        if action == "untick":
            ticked.discard(key)
        elif key not in ticked:
            ticked.add(key)
            if as_utc(at) >= low and (high is None or as_utc(at) < high):
                found.append(("checkoff", event_id))
    return found


def history(since: datetime, until: datetime | None = None) -> list[tuple[str, int]]:
    """(kind, row id) for every statement-worthy event from `since` until `until`."""
    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.learning.models import ModuleProgress
    from smresidency.plans.models import PlanReview, PlanVersion
    from smresidency.quizzes.models import QuizAttempt

    sources = (
        ("registered", Enrolment.id, Enrolment.enrolled_at, None),
        ("experienced", ModuleProgress.id, ModuleProgress.read_at, None),
        ("attempted", QuizAttempt.id, QuizAttempt.started_at, None),
        ("scored", QuizAttempt.id, QuizAttempt.submitted_at, None),
        ("plan-submitted", PlanVersion.id, PlanVersion.submitted_at, None),
        ("plan-accepted", PlanReview.id, PlanReview.created_at, PlanReview.decision == "accepted"),
        ("certificate-issued", Certificate.id, Certificate.issued_at, None),
        ("certificate-revoked", Certificate.id, Certificate.revoked_at, None),
    )
    found = []
    for kind, id_column, time_column, extra in sources:
        stmt = select(id_column).where(_between(time_column, since, until))
        if extra is not None:
            stmt = stmt.where(extra)
        found += [(kind, ref_id) for ref_id in db.session.scalars(stmt.order_by(time_column))]
    return found + _ticks(since, until)
