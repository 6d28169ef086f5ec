"""Every route and every actor: the declared policy is what actually happens.

A route that is not in ROUTES fails the suite, so each new route must state how to reach
it and, where the outcome is not the policy's plain consequence, what each actor gets.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from smresidency.access import PUBLIC, SIGNED_IN, policy_of

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
}
LOGIN = "login"  # expected outcome: a redirect to the sign-in page
ALLOWED = "allowed"  # for POSTs: neither refused nor sent to sign in


@dataclass
class Route:
    """How to call one endpoint in the matrix, and any outcome the policy alone does not imply."""

    args: dict = field(default_factory=dict)
    method: str = "GET"
    data: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)


COURSE = "social-media-residency"
OPEN_MODULE = {"course_slug": COURSE, "module_slug": "01-why-social-media"}
STUDIO_DOC = {"course_slug": COURSE, "kind": "modules", "key": "facebook"}
STUDIO_STAFF = ("instructor", "faculty", "admin")
RESET_TOKEN = "matrix-reset-token-for-the-learner"
OPEN_ATTEMPT = "matrix-open-attempt"
DONE_ATTEMPT = "matrix-submitted-attempt"
NOT_THE_LEARNERS = {a: 404 for a in ACTORS if a not in ("anonymous", "learner")}
# "@name" arguments are ids the world fixture creates (see world["ids"])
COHORT = {"cohort_id": "@cohort"}  # the coordinator's cohort, the learner enrolled in it
# the cohort is hidden (404) from staff who are not on it; learners are refused by role (403)
NOT_ON_THE_COHORT = {"instructor": 404, "other_coordinator": 404}
MANAGERS_ONLY = {"instructor": 403, "other_coordinator": 404}

ROUTES: dict[str, Route] = {
    "ops.healthz": Route(),
    "ops.readyz": Route(),
    "catalog.home": Route(),
    "catalog.media": Route(
        args={"course_slug": COURSE, "filename": "images/none.png"},
        overrides={a: 404 for a in ACTORS},
    ),
    "auth.login": Route(),
    "auth.register": Route(),
    "auth.logout": Route(method="POST"),
    "auth.account": Route(),
    "auth.sign_out_everywhere": Route(method="POST", data={"confirm": "y"}),
    "auth.forgot_password": Route(),
    "auth.reset_password": Route(args={"token": RESET_TOKEN}),
    "mail.outbox": Route(),
    "learning.course": Route(args={"course_slug": COURSE}),
    "learning.module": Route(args=OPEN_MODULE),
    "learning.mark_read": Route(args=OPEN_MODULE, method="POST", data={"confirm": "y"}),
    "quizzes.start": Route(args=OPEN_MODULE, method="POST", data={"confirm": "y"}),
    # attempts are the learner's own records: anyone else, admins included, gets 404
    "quizzes.take": Route(args={"token": OPEN_ATTEMPT}, overrides=NOT_THE_LEARNERS),
    "quizzes.result": Route(args={"token": DONE_ATTEMPT}, overrides=NOT_THE_LEARNERS),
    "quizzes.analysis": Route(args=OPEN_MODULE),
    # cohorts: coordinators run their own, faculty see theirs, admins everything
    "cohorts.index": Route(),
    "cohorts.create": Route(),
    "cohorts.edit": Route(args=COHORT, overrides=MANAGERS_ONLY),
    "cohorts.people": Route(args=COHORT, overrides=MANAGERS_ONLY),
    "cohorts.revoke_invites": Route(args=COHORT, method="POST", overrides=MANAGERS_ONLY),
    "cohorts.enrolment_action": Route(
        args={**COHORT, "enrolment_id": "@enrolment", "action": "readmit"},  # no state change
        method="POST",
        overrides=MANAGERS_ONLY,
    ),
    "cohorts.join": Route(
        args={"token": "not-a-valid-invitation"}, overrides={a: 404 for a in ACTORS}
    ),
    "cohorts.dashboard": Route(args=COHORT, overrides=NOT_ON_THE_COHORT),
    "cohorts.export": Route(args=COHORT, overrides=NOT_ON_THE_COHORT),
    "cohorts.learner": Route(args={**COHORT, "user_id": "@learner"}, overrides=NOT_ON_THE_COHORT),
    "cohorts.programme": Route(),
    "cohorts.import_upload": Route(args=COHORT, overrides=MANAGERS_ONLY),
    "cohorts.import_confirm": Route(args=COHORT, method="POST", overrides=MANAGERS_ONLY),
    "cohorts.remind": Route(args=COHORT, overrides=MANAGERS_ONLY),
    "certificates.mine": Route(),
    "certificates.show": Route(args={"cert_id": "@certificate"}, overrides=NOT_THE_LEARNERS),
    "certificates.pdf": Route(args={"cert_id": "@certificate"}, overrides=NOT_THE_LEARNERS),
    # no signing key in the test instance: the owner gets 503, everyone else 404
    "certificates.download": Route(
        args={"cert_id": "@certificate", "fmt": "json"},
        overrides={**NOT_THE_LEARNERS, "learner": 503},
    ),
    "certificates.issuer": Route(),
    "certificates.jwks": Route(),
    "certificates.verify": Route(),
    "certificates.verify_code": Route(args={"code": "@code"}),
    "certificates.cohort_list": Route(args=COHORT, overrides=NOT_ON_THE_COHORT),
    "certificates.revoke": Route(
        args={**COHORT, "cert_id": "@certificate"},
        method="POST",
        data={"reason": "matrix"},
        overrides=MANAGERS_ONLY,
    ),
    "ratings.rate": Route(args={"course_slug": COURSE, "phase": "pre"}),
    "ratings.report": Route(args=COHORT, overrides=NOT_ON_THE_COHORT),
    "immersion.my_day": Route(args={"course_slug": COURSE}),
    "immersion.roster": Route(args=COHORT, overrides=NOT_ON_THE_COHORT),
    "immersion.history": Route(
        args={**COHORT, "enrolment_id": "@enrolment"}, overrides=NOT_ON_THE_COHORT
    ),
    # ticking is faculty's: coordinators are refused by role, other faculty see nothing
    "immersion.toggle": Route(
        args={**COHORT, "enrolment_id": "@enrolment", "item_id": "check-in"},
        method="POST",
        data={"checked": "1"},
        overrides={"instructor": 404},
    ),
    "immersion.checkin_screen": Route(args=COHORT, overrides={"instructor": 404}),
    # a code that is not one: refused for every signed-in person, sign-in asked of others
    "immersion.checkin": Route(
        args={"token": "not-a-valid-code"}, overrides={a: 404 for a in ACTORS if a != "anonymous"}
    ),
    # only the learner's own hands-on item: anyone not enrolled in the course gets 404
    "immersion.submit_evidence": Route(
        args={"course_slug": COURSE, "item_id": "live-chat"},
        method="POST",
        data={"url": "https://social.example/post/1"},
        overrides={a: 404 for a in ACTORS if a not in ("anonymous", "learner")},
    ),
    # faculty only: coordinators are refused by role, staff of other cohorts see nothing
    "immersion.evidence_queue": Route(
        args=COHORT, overrides={"instructor": 404, "coordinator": 403, "other_coordinator": 403}
    ),
    "immersion.review_evidence": Route(
        args={**COHORT, "check_off_id": "@evidence"},
        method="POST",
        data={"decision": "confirm"},
        overrides={"instructor": 404, "coordinator": 403, "other_coordinator": 403},
    ),
    "plans.edit": Route(args={"course_slug": COURSE}),
    "plans.print_view": Route(args={"course_slug": COURSE}),
    "plans.autosave": Route(
        args={"course_slug": COURSE},
        method="POST",
        data={"section-goals": "Draft"},
        overrides={a: 404 for a in ACTORS if a not in ("anonymous", "learner")},
    ),
    "plans.pdf": Route(
        args={"course_slug": COURSE},
        overrides={a: 404 for a in ACTORS if a not in ("anonymous", "learner")},
    ),
    "plans.queue": Route(args=COHORT, overrides=NOT_ON_THE_COHORT),
    "plans.review": Route(args={**COHORT, "plan_id": "@plan"}, overrides=NOT_ON_THE_COHORT),
    "plans.review_pdf": Route(args={**COHORT, "plan_id": "@plan"}, overrides=NOT_ON_THE_COHORT),
    "cohorts.remind_send": Route(
        args=COHORT, method="POST", data={"subject": "s", "body": "b"}, overrides=MANAGERS_ONLY
    ),
    # the studio: every instructor (courses are shared content), never learners or coordinators
    "studio.index": Route(),
    "studio.edit": Route(args=STUDIO_DOC),
    "studio.live_preview": Route(args=STUDIO_DOC, method="POST"),
    "studio.history": Route(args=STUDIO_DOC),
    "studio.compare": Route(args={**STUDIO_DOC, "a": "@fb_version", "b": "@fb_version"}),
    "studio.restore": Route(args={**STUDIO_DOC, "version_id": "@fb_version"}, method="POST"),
    # no draft to discard: instructors are sent back to the editor
    "studio.discard": Route(args=STUDIO_DOC, overrides=dict.fromkeys(STUDIO_STAFF, 303)),
    "studio.new_module": Route(args={"course_slug": COURSE}),
    "studio.order": Route(args={"course_slug": COURSE}),
    "studio.retire": Route(args={"course_slug": COURSE, "key": "strategy"}),
    "studio.unretire": Route(args={"course_slug": COURSE, "key": "strategy"}, method="POST"),
    "studio.images": Route(args={"course_slug": COURSE}),
    "studio.upload_image": Route(args={"course_slug": COURSE}, method="POST", data={"alt": "x"}),
    "studio.export_zip": Route(args={"course_slug": COURSE}),
    "studio.import_form": Route(),
    "studio.import_course": Route(method="POST", data={"slug": ""}),
}


def expected(endpoint: str, actor: str, policy: tuple[str, ...], route: Route):
    if actor in route.overrides:
        return route.overrides[actor]
    ok = 200 if route.method == "GET" else ALLOWED
    if PUBLIC in policy:
        return ok
    if actor == "anonymous":
        return LOGIN
    if SIGNED_IN in policy or set(ACTOR_ROLES[actor]) & {*policy, "admin"}:
        return ok
    return 403


def outcome(response, method: str):
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login?next=" in location:
        return LOGIN
    if method != "GET" and response.status_code not in (401, 403, 404, 405):
        return ALLOWED
    return response.status_code


@pytest.fixture
def world(app, synced_course, make_user, make_cohort):
    """One user per actor, a reset token owned by the learner, and two cohorts: the
    coordinator's (the learner enrolled in it) and the other coordinator's."""
    from smresidency.auth.models import PasswordResetToken
    from smresidency.auth.services import _token_hash
    from smresidency.db import utcnow
    from smresidency.extensions import db

    users = {actor: make_user(*roles) for actor, roles in ACTOR_ROLES.items()}
    cohort_id, _ = make_cohort(
        synced_course,
        coordinators=[users["coordinator"]],
        faculty=[users["faculty"]],
        learners=[users["learner"]],
    )
    make_cohort(
        synced_course, coordinators=[users["other_coordinator"]], faculty=[users["instructor"]]
    )
    with app.app_context():
        from sqlalchemy import select

        from smresidency.cohorts.models import Enrolment

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
    from datetime import date

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


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints - set(ROUTES) == set(), "add these routes to ROUTES in this file"
    assert set(ROUTES) - endpoints == set(), "these ROUTES no longer exist"


def test_access_matrix(app, world):
    failures = []
    with app.test_request_context():
        from flask import url_for

        urls = {e: url_for(e, **resolve(r.args, world["ids"])) for e, r in ROUTES.items()}
    for endpoint, route in ROUTES.items():
        policy = policy_of_endpoint(app, endpoint)
        for actor in ACTORS:
            client = app.test_client()
            if actor != "anonymous":
                with client.session_transaction() as session:
                    session["_user_id"] = current_token(app, world["users"][actor].id)
            response = client.open(urls[endpoint], method=route.method, data=route.data)
            got = outcome(response, route.method)
            want = expected(endpoint, actor, policy, route)
            if got != want:
                failures.append(
                    f"{route.method} {urls[endpoint]} as {actor}: got {got}, want {want}"
                )
    assert failures == [], "\n".join(failures)


def resolve(args: dict, ids: dict) -> dict:
    """Replace "@name" placeholders with the ids of the world's records."""
    return {
        k: ids[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in args.items()
    }


def current_token(app, user_id: int) -> str:
    """Fresh from the database: "sign out everywhere" in an earlier row rotates it."""
    from smresidency.auth.models import User
    from smresidency.extensions import db

    with app.app_context():
        return db.session.get(User, user_id).session_token


def policy_of_endpoint(app, endpoint):
    with app.test_request_context():
        policy = policy_of(endpoint)
    assert policy is not None, f"{endpoint} declares no policy"
    return policy
