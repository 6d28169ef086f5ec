"""The access matrix's world: one user per actor and the records whose access is tested.

Two cohorts of the same course: the victim's (the coordinator's, taught by `faculty`, the
learner enrolled in it) and the attackers' own (run by `other_coordinator`, taught by
`instructor`). `dual` teaches the victim's cohort and coordinates the attackers' one, so it
can see the victim's records but may change none of them.
"""

from datetime import date, timedelta

import pytest

COURSE = "social-media-residency"
OPEN_MODULE = {"course_slug": COURSE, "module_slug": "01-why-social-media"}
RESET_TOKEN = "matrix-reset-token-for-the-learner"
OPEN_ATTEMPT = "matrix-open-attempt"
DONE_ATTEMPT = "matrix-submitted-attempt"

ACTORS = (
    "anonymous",
    "learner",
    "other_learner",
    "instructor",  # faculty of another cohort
    "faculty",  # faculty of the cohort the world's records belong to
    "coordinator",
    "other_coordinator",
    "admin",
)
ACTOR_ROLES = {
    "learner": ("learner",),
    "other_learner": ("learner",),
    "instructor": ("instructor",),
    "faculty": ("instructor",),
    "coordinator": ("coordinator",),
    "other_coordinator": ("coordinator",),
    "admin": ("admin",),
    "dual": ("instructor", "coordinator"),
}
# Staff of another cohort who put *their own* cohort id in a URL with the victim's object id.
OWN_COHORT_ACTORS = {
    "instructor+own_cohort": "instructor",
    "other_coordinator+own_cohort": "other_coordinator",
    "dual+own_cohort": "dual",
}


@pytest.fixture
def world(app, synced_course, make_user, make_cohort):
    """Every actor's user, both cohorts, and a record of each kind the learner owns."""
    from sqlalchemy import select

    from smresidency.auth.models import PasswordResetToken
    from smresidency.auth.services import _token_hash
    from smresidency.cohorts.models import Enrolment
    from smresidency.db import utcnow
    from smresidency.extensions import db

    users = {actor: make_user(*roles) for actor, roles in ACTOR_ROLES.items()}
    cohort_id, _ = make_cohort(
        synced_course,
        coordinators=[users["coordinator"]],
        faculty=[users["faculty"], users["dual"]],
        learners=[users["learner"]],
    )
    own_cohort_id, _ = make_cohort(
        synced_course,
        coordinators=[users["other_coordinator"], users["dual"]],
        faculty=[users["instructor"]],
    )
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.cohort_id == cohort_id))
        _attempts(users["learner"].id)
        certificate = _certificate(users["learner"].id, enrolment, cohort_id)
        evidence = _evidence(enrolment)
        plan = _plan(enrolment)
        db.session.add(
            PasswordResetToken(
                user_id=users["learner"].id,
                token_hash=_token_hash(RESET_TOKEN),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        db.session.commit()
    ids = {
        "cohort": cohort_id,
        "own_cohort": own_cohort_id,
        "enrolment": enrolment,
        "learner": users["learner"].id,
        "certificate": certificate[0],
        "code": certificate[1],
        "evidence": evidence,
        "plan": plan,
        "fb_version": _facebook_version(app),
    }
    return {"users": users, "ids": ids}


def _facebook_version(app) -> int:
    from sqlalchemy import select

    from smresidency.catalog.models import Module, ModuleVersion
    from smresidency.extensions import db

    with app.app_context():
        return db.session.scalar(
            select(ModuleVersion.id).join(Module).where(Module.slug == "03-facebook")
        )


def _certificate(user_id: int, enrolment_id: int, cohort_id: int) -> tuple[int, str]:
    """A certificate of the learner's (inserted directly: the matrix is about access)."""
    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.extensions import db

    enrolment = db.session.get(Enrolment, enrolment_id)
    cert = Certificate(
        user_id=user_id,
        course_id=enrolment.course_id,
        enrolment_id=enrolment_id,
        cohort_id=cohort_id,
        serial="SMR-2026-999999",
        code="MATRIXCODE234567",
        recipient_name="Matrix Learner",
        course_title="Course",
        immersion_date=date(2026, 12, 1),
    )
    db.session.add(cert)
    db.session.flush()
    return cert.id, cert.code


def _plan(enrolment_id: int) -> int:
    """The learner's strategy plan, submitted for review."""
    from smresidency.extensions import db
    from smresidency.plans.models import PlanVersion, StrategyPlan

    plan = StrategyPlan(enrolment_id=enrolment_id, state="submitted")
    db.session.add(plan)
    db.session.flush()
    db.session.add(PlanVersion(plan_id=plan.id, number=1, sections={"goals": "Grow"}))
    db.session.flush()
    return plan.id


def _evidence(enrolment_id: int) -> int:
    """A workshop link the learner submitted, waiting for faculty."""
    from smresidency.extensions import db
    from smresidency.immersion.models import CheckOff

    row = CheckOff(
        enrolment_id=enrolment_id,
        item_id="facebook-post",
        evidence_url="https://social.example/p/2",
        evidence_state="submitted",
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def _attempts(user_id: int) -> None:
    """An open and a submitted quiz attempt of the learner's, at the first module."""
    from sqlalchemy import select

    from smresidency.catalog.models import Module, ModuleVersion
    from smresidency.db import utcnow
    from smresidency.extensions import db
    from smresidency.quizzes.models import QuizAttempt

    module = db.session.scalar(select(Module).where(Module.slug == OPEN_MODULE["module_slug"]))
    version = db.session.scalar(
        select(ModuleVersion).where(ModuleVersion.content_hash == module.current_hash)
    )
    drawn = [{"key": q["key"], "order": [0, 1]} for q in version.quiz["questions"][:1]]
    common = {"user_id": user_id, "module_id": module.id, "version_id": version.id}
    db.session.add(QuizAttempt(token=OPEN_ATTEMPT, questions=drawn, **common))
    db.session.add(
        QuizAttempt(
            token=DONE_ATTEMPT,
            questions=drawn,
            submitted_at=utcnow(),
            answers={},
            score=0,
            passed=False,
            **common,
        )
    )
