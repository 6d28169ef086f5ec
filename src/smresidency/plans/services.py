"""Plan writes: save a draft, submit it, review it. Each flushes; the request commits.

The plan row is locked first, so two saves (or two reviewers) never interleave: a submitted
version stays as it was submitted, and a returned plan is revised in a new version.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smresidency.catalog.models import Course
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.immersion import services as immersion
from smresidency.plans.forms import DECISIONS
from smresidency.plans.models import PlanReview, PlanVersion, StrategyPlan
from smresidency.plans.queries import LOCKED_STATES
from smresidency.plans.rubric import refusal


class RubricRefusal(Exception):
    """Scores that break plan.md's acceptance rule; the message says which and why."""


class PlanConflict(Exception):
    """A request the plan's current state does not allow (409); the message is safe to show."""


def _plan_for_update(enrolment_id: int) -> StrategyPlan:
    """The enrolment's plan, created if missing (even by two requests at once), then locked."""
    stmt = select(StrategyPlan).where(StrategyPlan.enrolment_id == enrolment_id)
    if db.session.scalar(stmt) is None:
        try:
            with db.session.begin_nested():
                db.session.add(StrategyPlan(enrolment_id=enrolment_id, state="draft"))
        except IntegrityError:
            pass
    return db.session.scalar(stmt.with_for_update().execution_options(populate_existing=True))


def _plan_by_id_for_update(plan_id: int) -> StrategyPlan | None:
    return db.session.scalar(
        select(StrategyPlan)
        .where(StrategyPlan.id == plan_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _latest(plan_id: int) -> PlanVersion | None:
    """The newest version as stored now, not as an earlier read in this request saw it."""
    return db.session.scalar(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .order_by(PlanVersion.number.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def _write(plan: StrategyPlan, sections: dict[str, str]) -> PlanVersion:
    """Put the text into the working version: the newest, unless it was already submitted."""
    if plan.state in LOCKED_STATES:
        raise PlanConflict(
            "Your plan is with faculty for review, so it cannot be changed until they reply."
            if plan.state == "submitted"
            else "Your plan has been accepted, so it can no longer be changed."
        )
    now = utcnow()
    latest = _latest(plan.id)
    if latest is None or latest.submitted_at is not None:
        kept = dict(latest.sections) if latest else {}
        version = PlanVersion(
            plan_id=plan.id,
            number=(latest.number + 1) if latest else 1,
            sections={**kept, **sections},
            saved_at=now,
        )
        db.session.add(version)
    else:
        version = latest
        version.sections = {**version.sections, **sections}  # a new dict: JSON change seen
        version.saved_at = now
    plan.updated_at = now
    db.session.flush()
    return version


def save_draft(enrolment_id: int, sections: dict[str, str]) -> PlanVersion:
    """Save the learner's text without submitting it; refused while the plan is locked."""
    plan = _plan_for_update(enrolment_id)
    return _write(plan, sections)


def submit(enrolment_id: int, sections: dict[str, str], required: list[str]) -> PlanVersion:
    """Save and submit for review; every required section must hold text."""
    missing = [sid for sid in required if not (sections.get(sid) or "").strip()]
    if missing:
        raise PlanConflict("Every section needs text before the plan can be submitted.")
    plan = _plan_for_update(enrolment_id)
    version = _write(plan, sections)
    version.submitted_at = utcnow()
    plan.state = "submitted"
    plan.updated_at = version.submitted_at
    db.session.flush()
    return version


def review(
    course: Course,
    plan_id: int,
    version_number: int | None,
    reviewer_id: int,
    decision: str,
    levels: dict[str, int],
    comments: str,
) -> PlanReview:
    """Accept or return the submitted version; acceptance ticks the checklist's plan item."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    plan = _plan_by_id_for_update(plan_id)
    if plan is None or plan.state != "submitted":
        raise PlanConflict("Only a plan that is submitted for review can be reviewed.")
    version = _latest(plan.id)
    if version is None or version.submitted_at is None:
        raise PlanConflict("This plan has no submitted version to review.")
    if version_number is not None and version.number != version_number:
        raise PlanConflict(
            f"Version {version.number} has been submitted since you opened the page; "
            "please review that version."
        )
    if decision == "return" and not comments.strip():
        raise PlanConflict("Comments are required when you return a plan.")
    if decision == "accept" and (why := refusal(course.plan or {}, levels)):
        raise RubricRefusal(why)
    row = PlanReview(
        plan_id=plan.id,
        version_id=version.id,
        reviewer_id=reviewer_id,
        decision=DECISIONS[decision],
        levels=dict(levels),
        comments=comments,
        created_at=utcnow(),
    )
    db.session.add(row)
    plan.state = DECISIONS[decision]
    plan.updated_at = row.created_at
    db.session.flush()
    if decision == "accept":
        item = immersion.item_of_kind(course, "plan")
        if item is not None:
            immersion.set_checked(
                plan.enrolment_id, item["id"], True, reviewer_id, action="plan-accepted"
            )
    return row
