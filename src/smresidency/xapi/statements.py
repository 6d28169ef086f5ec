"""xAPI 1.0.3 statements built from the rows they tell of: the same row, the same statement.

Only fields that never change after the event go in (ids, times, titles as issued), so a
statement rebuilt for a resend equals the one the LRS already holds.
"""

from flask import current_app
from sqlalchemy import select

from smresidency.db import as_utc
from smresidency.extensions import db
from smresidency.xapi.services import registration, statement_id

PAYLOAD_VERSION = 1
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": (ADL + "registered", "registered"),
    "experienced": (ADL + "experienced", "experienced"),
    "attempted": (ADL + "attempted", "attempted"),
    "passed": (ADL + "passed", "passed"),
    "failed": (ADL + "failed", "failed"),
    "attended": (ADL + "attended", "attended"),
    "completed": (ADL + "completed", "completed"),
    "submitted": ("http://activitystrea.ms/schema/1.0/submit", "submitted"),
    "earned": ("http://id.tincanapi.com/verb/earned", "earned"),
}
MINTED_VERBS = {  # no common vocabulary has these: minted under BASE_URL
    "plan-accepted": "had accepted",
    "certificate-revoked": "had revoked",
}
TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "item": "http://adlnet.gov/expapi/activities/objective",
    "plan": "http://id.tincanapi.com/activitytype/document",
    "certificate": "https://w3id.org/xapi/cmi5/activitytype/certificate",
    "cohort": "http://id.tincanapi.com/activitytype/community-site",
}


def base() -> str:
    return (current_app.config.get("BASE_URL") or "http://localhost").rstrip("/")


def ext(name: str) -> str:
    """A context extension key (an IRI under BASE_URL)."""
    return f"{base()}/xapi/extensions/{name}"


def _time(moment) -> str:
    return as_utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _verb(name: str) -> dict:
    if name in MINTED_VERBS:
        return {"id": f"{base()}/xapi/verbs/{name}", "display": {"en-US": MINTED_VERBS[name]}}
    iri, display = VERBS[name]
    return {"id": iri, "display": {"en-US": display}}


def activity(path: str, kind: str, name: str) -> dict:
    """An activity whose id is BASE_URL/xapi/<path>: stable while BASE_URL is."""
    return {
        "objectType": "Activity",
        "id": f"{base()}/xapi/{path}",
        "definition": {"type": TYPES[kind], "name": {"en-US": name or path}},
    }


class Erased(Exception):
    """The person was erased on request: what was not sent yet is not sent at all."""


def actor(user) -> dict:
    """The learner: their hospital account (issuer + subject) when they sign in by SSO."""
    from smresidency.privacy.erase import erased_email
    from smresidency.sso import providers
    from smresidency.sso.models import SsoIdentity

    if user.email == erased_email(user.id):
        raise Erased(user.id)
    link = db.session.scalar(
        select(SsoIdentity).where(SsoIdentity.user_id == user.id).order_by(SsoIdentity.id)
    )
    provider = providers.find(link.provider) if link is not None else None
    if provider is not None:
        account = {"homePage": provider.issuer, "name": link.subject}
        return {"objectType": "Agent", "name": user.name, "account": account}
    return {"objectType": "Agent", "name": user.name, "mbox": f"mailto:{user.email}"}


def _course(course) -> dict:
    return activity(f"course/{course.slug}", "course", course.title)


def compose(kind, ref_id, user, verb, obj, moment, enrolment, course, **more) -> dict:
    """The parts every statement has; `more` adds result and context extensions."""
    from smresidency.cohorts.models import Cohort

    context = {
        "platform": "smresidency",
        "language": "en",
        "extensions": {ext("version"): PAYLOAD_VERSION, **more.pop("extensions", {})},
    }
    activities = {}
    if obj["id"] != _course(course)["id"]:
        activities["parent"] = [_course(course)]
    if enrolment is not None:
        context["registration"] = registration(enrolment.id)
        cohort = db.session.get(Cohort, enrolment.cohort_id)
        activities["grouping"] = [activity(f"cohort/{cohort.id}", "cohort", cohort.name)]
    if activities:
        context["contextActivities"] = activities
    statement = {
        "id": statement_id(kind, ref_id),
        "actor": actor(user),
        "verb": _verb(verb),
        "object": obj,
        "context": context,
        "timestamp": _time(moment),
    }
    if "result" in more:
        statement["result"] = more.pop("result")
    return statement


def _enrolment_of(user_id: int, course_id: int):
    from smresidency.cohorts.models import Enrolment

    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def _learner_parts(row):
    """User, course, module activity path and title, enrolment: for module and quiz rows."""
    from smresidency.auth.models import User
    from smresidency.catalog.models import Course, Module, ModuleVersion

    module = db.session.get(Module, row.module_id)
    course = db.session.get(Course, module.course_id)
    title = db.session.scalar(select(ModuleVersion.title).where(ModuleVersion.id == row.version_id))
    path = f"course/{course.slug}/module/{module.slug}"
    user = db.session.get(User, row.user_id)
    return user, course, path, title or module.slug, _enrolment_of(row.user_id, course.id)


def _registered(ref_id: int) -> dict | None:
    from smresidency.auth.models import User
    from smresidency.catalog.models import Course
    from smresidency.cohorts.models import Enrolment

    row = db.session.get(Enrolment, ref_id)
    if row is None:
        return None
    course = db.session.get(Course, row.course_id)
    user = db.session.get(User, row.user_id)
    return compose(
        "registered", ref_id, user, "registered", _course(course), row.enrolled_at, row, course
    )


def _experienced(ref_id: int) -> dict | None:
    from smresidency.learning.models import ModuleProgress

    row = db.session.get(ModuleProgress, ref_id)
    if row is None or row.read_at is None:
        return None
    user, course, path, title, enrolment = _learner_parts(row)
    obj = activity(path, "module", title)
    return compose("experienced", ref_id, user, "experienced", obj, row.read_at, enrolment, course)


def _quiz(kind: str, ref_id: int) -> dict | None:
    from smresidency.quizzes.models import QuizAttempt

    row = db.session.get(QuizAttempt, ref_id)
    if row is None or (kind == "scored" and row.submitted_at is None):
        return None
    user, course, path, title, enrolment = _learner_parts(row)
    obj = activity(f"{path}/quiz", "quiz", f"Quiz: {title}")
    if kind == "attempted":
        return compose(kind, ref_id, user, "attempted", obj, row.started_at, enrolment, course)
    score = float(row.score or 0)
    result = {
        "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
        "success": bool(row.passed),
        "completion": True,
    }
    verb = "passed" if row.passed else "failed"
    return compose(
        kind, ref_id, user, verb, obj, row.submitted_at, enrolment, course, result=result
    )


BUILDERS = {
    "registered": _registered,
    "experienced": _experienced,
    "attempted": lambda ref_id: _quiz("attempted", ref_id),
    "scored": lambda ref_id: _quiz("scored", ref_id),
}


def build(kind: str, ref_id: int) -> dict | None:
    """The statement for an outbox row, or None when its record is gone."""
    from smresidency.xapi.statements_more import MORE_BUILDERS

    builder = BUILDERS.get(kind) or MORE_BUILDERS.get(kind)
    try:
        return builder(ref_id) if builder else None
    except Erased:
        return None
