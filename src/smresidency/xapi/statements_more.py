"""Statements of the immersion day, the strategy plan and the certificate."""

from contextlib import suppress

from smresidency.extensions import db
from smresidency.xapi.statements import TYPES, Erased, activity, actor, base, compose, ext

PLAN_NAME = "Social media strategy and tactics plan"


def _enrolment_parts(enrolment_id: int):
    """The enrolment, its learner and course; None when the enrolment is gone."""
    from smresidency.auth.models import User
    from smresidency.catalog.models import Course
    from smresidency.cohorts.models import Enrolment

    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        return None
    user = db.session.get(User, enrolment.user_id)
    return enrolment, user, db.session.get(Course, enrolment.course_id)


def _checkoff(ref_id: int) -> dict | None:
    """A ticked checklist item: `attended` for the attendance item, `completed` otherwise."""
    from smresidency.immersion.models import CheckOffEvent

    row = db.session.get(CheckOffEvent, ref_id)
    parts = _enrolment_parts(row.enrolment_id) if row is not None else None
    if parts is None:
        return None
    enrolment, user, course = parts
    items = (course.immersion or {}).get("items", [])
    item = next((i for i in items if i["id"] == row.item_id), {"kind": "", "title": ""})
    attendance = item["kind"] == "attendance"
    obj = activity(
        f"course/{course.slug}/immersion/{row.item_id}",
        "meeting" if attendance else "item",
        item["title"] or row.item_id,
    )
    verb = "attended" if attendance else "completed"
    return compose("checkoff", ref_id, user, verb, obj, row.at, enrolment, course)


def _plan_parts(plan_id: int):
    from smresidency.plans.models import StrategyPlan

    plan = db.session.get(StrategyPlan, plan_id)
    return _enrolment_parts(plan.enrolment_id) if plan is not None else None


def _plan_submitted(ref_id: int) -> dict | None:
    from smresidency.plans.models import PlanVersion

    row = db.session.get(PlanVersion, ref_id)
    parts = _plan_parts(row.plan_id) if row is not None and row.submitted_at else None
    if parts is None:
        return None
    enrolment, user, course = parts
    obj = activity(f"course/{course.slug}/plan", "plan", PLAN_NAME)
    return compose(
        "plan-submitted",
        ref_id,
        user,
        "submitted",
        obj,
        row.submitted_at,
        enrolment,
        course,
        extensions={ext("plan-version"): row.number},
    )


def _plan_accepted(ref_id: int) -> dict | None:
    """The learner's plan accepted; the reviewer, while their account exists, as instructor."""
    from smresidency.auth.models import User
    from smresidency.plans.models import PlanReview

    row = db.session.get(PlanReview, ref_id)
    parts = _plan_parts(row.plan_id) if row is not None else None
    if parts is None:
        return None
    enrolment, user, course = parts
    obj = activity(f"course/{course.slug}/plan", "plan", PLAN_NAME)
    statement = compose(
        "plan-accepted", ref_id, user, "plan-accepted", obj, row.created_at, enrolment, course
    )
    reviewer = db.session.get(User, row.reviewer_id) if row.reviewer_id else None
    if reviewer is not None:
        with suppress(Erased):  # an erased reviewer is left out, not the learner's statement
            statement["context"]["instructor"] = actor(reviewer)
    return statement


def ce_extensions(cert) -> dict:
    """The CE/CPD record as the certificate snapshotted it at issue."""
    hours = cert.hours if cert.contact_hours is None else cert.contact_hours
    return {
        ext("certificate-serial"): cert.serial or "",
        ext("contact-hours"): float(hours or 0),
        ext("accreditation-statement"): cert.accreditation or "",
        ext("provider-id"): cert.provider_id or "",
    }


def _certificate(kind: str, ref_id: int) -> dict | None:
    from smresidency.certificates.models import Certificate

    cert = db.session.get(Certificate, ref_id)
    if cert is None or (kind == "certificate-revoked" and cert.revoked_at is None):
        return None
    parts = _enrolment_parts(cert.enrolment_id)
    if parts is None:
        return None
    enrolment, user, course = parts
    obj = {
        "objectType": "Activity",
        "id": f"{base()}/verify/{cert.code}",
        "definition": {
            "type": TYPES["certificate"],
            "name": {"en-US": f"Certificate: {cert.course_title}"},
        },
    }
    issued = kind == "certificate-issued"
    return compose(
        kind,
        ref_id,
        user,
        "earned" if issued else "certificate-revoked",
        obj,
        cert.issued_at if issued else cert.revoked_at,
        enrolment,
        course,
        extensions=ce_extensions(cert),
    )


MORE_BUILDERS = {
    "checkoff": _checkoff,
    "plan-submitted": _plan_submitted,
    "plan-accepted": _plan_accepted,
    "certificate-issued": lambda ref_id: _certificate("certificate-issued", ref_id),
    "certificate-revoked": lambda ref_id: _certificate("certificate-revoked", ref_id),
}
