"""Check-off writes. Every change is an event; the current state is one row per item."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smresidency.catalog.models import Course
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff, CheckOffEvent

MAX_REASON_LENGTH = 200
# items the system ticks from a fact elsewhere; a hand tick would certify what never happened
DERIVED_KINDS = ("plan", "self-rating")
FACT_ACTIONS = ("plan-accepted", "self-rated")  # how their writers tick them


class ImmersionError(Exception):
    """A check-off request that cannot be honoured; the message is safe to show."""


class DerivedItem(ImmersionError):
    """A hand tick of an item only the system may tick (answered with 409)."""


def items(course: Course) -> list[dict]:
    """The course's checklist items, as synced from immersion.md."""
    return (course.immersion or {}).get("items", [])


def item(course: Course, item_id: str) -> dict:
    """One checklist item, or ImmersionError when the course has no such item."""
    for candidate in items(course):
        if candidate["id"] == item_id:
            return candidate
    raise ImmersionError(f"This course's checklist has no item “{item_id}”.")


def item_of_kind(course: Course, kind: str) -> dict | None:
    """The first item of a kind (attendance, plan, self-rating), if the checklist has one."""
    return next((i for i in items(course) if i["kind"] == kind), None)


def is_derived(entry: dict) -> bool:
    """Whether the item follows a fact (plan review, own rating) rather than faculty's hand."""
    return entry["kind"] in DERIVED_KINDS


def derived_message(entry: dict) -> str:
    """Why a derived item cannot be ticked by hand, and what ticks it instead."""
    if entry["kind"] == "plan":
        how = "it is ticked when faculty accept the learner's plan in the plan review"
    else:
        how = "it is ticked when the learner gives their own ratings after the residency"
    return f"“{entry['title']}” cannot be ticked by hand: {how}. Nothing was changed."


def tick_by_hand(
    enrolment_id: int, entry: dict, checked: bool, by_id: int, reason: str = ""
) -> CheckOff:
    """A faculty member's press on the roster: derived items are refused (DerivedItem), and
    ticking attendance by hand needs a reason, kept on the row and in the history."""
    if is_derived(entry):
        raise DerivedItem(derived_message(entry))
    reason = (reason or "").strip()
    if entry["kind"] != "attendance" or not checked:
        reason = ""
    elif not reason:
        raise ImmersionError("Say why you are checking this learner in by hand.")
    elif len(reason) > MAX_REASON_LENGTH:
        raise ImmersionError(f"Keep the reason under {MAX_REASON_LENGTH} characters.")
    was_checked = db.session.scalar(
        select(CheckOff.checked).where(
            CheckOff.enrolment_id == enrolment_id, CheckOff.item_id == entry["id"]
        )
    )
    row = set_checked(enrolment_id, entry["id"], checked, by_id, reason=reason)
    if reason and not was_checked:
        _audit_attendance(enrolment_id, entry, by_id, reason)
    return row


def _audit_attendance(enrolment_id: int, entry: dict, by_id: int, reason: str) -> None:
    """A check-in without the QR code is a staff override: the audit log records it too."""
    from smresidency.admin.audit import record as audit
    from smresidency.cohorts.models import Enrolment

    learner_id = db.session.scalar(select(Enrolment.user_id).where(Enrolment.id == enrolment_id))
    change = {"enrolment": enrolment_id, "item": entry["id"]}
    audit(
        by_id,
        "override",
        target_user=learner_id,
        before={**change, "checked": False},
        after={**change, "checked": True},
        detail=f"Checked in by hand: {reason}",
    )


def check_off_row(enrolment_id: int, item_id: str) -> CheckOff:
    """The row for an item, created if missing, even when two faculty create it at once."""
    stmt = select(CheckOff).where(
        CheckOff.enrolment_id == enrolment_id, CheckOff.item_id == item_id
    )
    row = db.session.scalar(stmt)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = CheckOff(enrolment_id=enrolment_id, item_id=item_id)
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(stmt)
    return row


def record(
    enrolment_id: int, item_id: str, action: str, by_id: int | None, detail: str = ""
) -> None:
    """Append to the item's history."""
    db.session.add(
        CheckOffEvent(
            enrolment_id=enrolment_id, item_id=item_id, action=action, by_id=by_id, detail=detail
        )
    )


def set_checked(
    enrolment_id: int,
    item_id: str,
    checked: bool,
    by_id: int | None,
    action: str | None = None,
    reason: str = "",
) -> CheckOff:
    """Tick or untick an item; only a real change is recorded, and nothing is ever erased.

    `reason` says why faculty ticked it by hand; it stays on the row until the next change.

    The enrolment row is locked first: the certificate check that may follow locks it too,
    and taking it before the check-off's foreign key does keeps concurrent writers queued
    instead of deadlocked (PostgreSQL).
    """
    from smresidency.cohorts.models import Enrolment

    db.session.execute(select(Enrolment.id).where(Enrolment.id == enrolment_id).with_for_update())
    row = check_off_row(enrolment_id, item_id)
    if row.checked != checked:
        if not checked and row.evidence_state == "confirmed":
            # no longer done: the learner may send their link again
            row.evidence_state = "returned"
            row.note = row.note or "Unticked by faculty; please check with them and resubmit."
        row.checked = checked
        row.reason = reason
        row.updated_by_id = by_id
        row.updated_at = utcnow()
        record(enrolment_id, item_id, action or ("tick" if checked else "untick"), by_id, reason)
        db.session.flush()
        after_change(enrolment_id)
    elif checked and action in FACT_ACTIONS:
        # a new fact (plan accepted, rating given) even if an old hand tick set the flag
        after_change(enrolment_id)
    return row


def after_change(enrolment_id: int) -> None:
    """A change to the checklist may complete the residency: issue the certificate then."""
    from smresidency.certificates.services import issue_if_eligible

    issue_if_eligible(enrolment_id)
