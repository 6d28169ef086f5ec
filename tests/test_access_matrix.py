"""Every route and every actor: what each person may do, stated as intent, is what happens.

A route that is not in ROUTES fails the suite. A staff route states who may use it
(`may=`, actor names), written from the programme's rules and never read back from
`@allow`; public and signed-in routes follow their policy unless `overrides` say otherwise.
Nested routes (a cohort id and an object inside it) are also tried by staff of another
cohort who put their own cohort id in the URL (tests/access/world.py has the actors).
"""

from dataclasses import dataclass, field

from smresidency.access import PUBLIC, SIGNED_IN, policy_of
from tests.access import world as _world
from tests.access.world import (
    ACTOR_ROLES,
    ACTORS,
    COURSE,
    DONE_ATTEMPT,
    OPEN_ATTEMPT,
    OPEN_MODULE,
    OWN_COHORT_ACTORS,
    RESET_TOKEN,
)

world = _world.world  # the fixture
LOGIN = "login"  # expected outcome: a redirect to the sign-in page
ALLOWED = "allowed"  # for POSTs: the view ran and answered (2xx, 3xx, 400, 409, 422)
CSRF_REFUSED = "csrf-refused"  # a 400 from the CSRF check: the view never ran


@dataclass
class Route:
    """How to call one endpoint in the matrix, and any outcome the policy alone does not imply."""

    args: dict = field(default_factory=dict)
    method: str = "GET"
    data: dict = field(default_factory=dict)
    overrides: dict = field(default_factory=dict)
    may: tuple[str, ...] | None = None  # intent: the actors who may use a staff route


STUDIO_DOC = {"course_slug": COURSE, "kind": "modules", "key": "facebook"}
NOT_THE_LEARNERS = {a: 404 for a in ACTORS if a not in ("anonymous", "learner")}
# "@name" arguments are ids the world fixture creates (see world["ids"])
COHORT = {"cohort_id": "@cohort"}  # the coordinator's cohort, the learner enrolled in it
# Intent: who may. Anyone else is refused by role (403) or, holding the right role for
# someone else's cohort, told it does not exist (404); see refusal().
ADMINS = ("admin",)
COORDINATORS = ("coordinator", "admin")  # run their own cohort: enrol, edit, remind, revoke
COHORT_STAFF = ("coordinator", "faculty", "admin")  # see their own cohort's people and records
FACULTY = ("faculty", "admin")  # run their own cohort's immersion day
ANY_COORDINATOR = ("coordinator", "other_coordinator", "admin")  # start a cohort
ALL_STAFF = ("coordinator", "other_coordinator", "faculty", "instructor", "admin")
EVERY_INSTRUCTOR = ("instructor", "faculty", "admin")  # course content is shared by all faculty
API_STAFF = ALL_STAFF  # anyone who may read records for the hospital's systems

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
    "auth.confirm_registration": Route(
        args={"token": "not-a-registration-link"}, overrides={a: 404 for a in ACTORS}
    ),
    "auth.logout": Route(method="POST"),
    "auth.account": Route(),
    "auth.profile": Route(method="POST"),
    "auth.download_data": Route(method="POST"),
    "auth.change_email": Route(method="POST"),
    "auth.confirm_email": Route(
        args={"token": "not-a-valid-link"}, overrides=dict.fromkeys(ACTORS, 404)
    ),
    "auth.sign_out_everywhere": Route(method="POST", data={"confirm": "y"}),
    # one's own devices only (tests/auth/test_devices.py); an id that is nobody's: 404
    "auth.sign_out_device": Route(
        args={"device_id": 999999},
        method="POST",
        data={"confirm": "y"},
        overrides={a: 404 for a in ACTORS if a != "anonymous"},
    ),
    "auth.forgot_password": Route(),
    "auth.reset_password": Route(args={"token": RESET_TOKEN}),
    "mail.outbox": Route(may=ADMINS),
    "learning.course": Route(args={"course_slug": COURSE}),
    "learning.module": Route(args=OPEN_MODULE),
    "learning.mark_read": Route(args=OPEN_MODULE, method="POST", data={"confirm": "y"}),
    "quizzes.start": Route(args=OPEN_MODULE, method="POST", data={"confirm": "y"}),
    # attempts are the learner's own records: anyone else, admins included, gets 404
    "quizzes.take": Route(args={"token": OPEN_ATTEMPT}, overrides=NOT_THE_LEARNERS),
    "quizzes.result": Route(args={"token": DONE_ATTEMPT}, overrides=NOT_THE_LEARNERS),
    "quizzes.analysis": Route(args=OPEN_MODULE, may=EVERY_INSTRUCTOR),
    # cohorts: coordinators run their own, faculty see theirs, admins everything
    "cohorts.index": Route(may=ALL_STAFF),
    "cohorts.create": Route(may=ANY_COORDINATOR),
    "cohorts.edit": Route(args=COHORT, may=COORDINATORS),
    "cohorts.people": Route(args=COHORT, may=COORDINATORS),
    "cohorts.revoke_invites": Route(args=COHORT, method="POST", may=COORDINATORS),
    "cohorts.enrolment_action": Route(
        args={**COHORT, "enrolment_id": "@enrolment", "action": "readmit"},  # no state change
        method="POST",
        may=COORDINATORS,
    ),
    "cohorts.join": Route(
        args={"token": "not-a-valid-invitation"}, overrides={a: 404 for a in ACTORS}
    ),
    "cohorts.confirm_join": Route(
        args={"token": "not-a-valid-invitation", "reg": "not-a-registration"},
        overrides={a: 404 for a in ACTORS},
    ),
    "cohorts.dashboard": Route(args=COHORT, may=COHORT_STAFF),
    "cohorts.export": Route(args=COHORT, may=COHORT_STAFF),
    "cohorts.learner": Route(args={**COHORT, "user_id": "@learner"}, may=COHORT_STAFF),
    "cohorts.override": Route(
        args={**COHORT, "user_id": "@learner"}, method="POST", may=COORDINATORS
    ),
    "cohorts.join_by_code": Route(),
    "cohorts.rotate_code": Route(args=COHORT, method="POST", may=COORDINATORS),
    "cohorts.programme": Route(may=ADMINS),
    "admin.erase_person": Route(args={"user_id": "@learner"}, may=ADMINS),
    "cohorts.import_upload": Route(args=COHORT, may=COORDINATORS),
    "cohorts.import_confirm": Route(args=COHORT, method="POST", may=COORDINATORS),
    "cohorts.remind": Route(args=COHORT, may=COORDINATORS),
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
    # no signing key in the test instance: nobody gets the signed status list (503)
    "certificates.status_list": Route(overrides={a: 503 for a in ACTORS}),
    "certificates.achievement": Route(args={"slug": COURSE}),
    # a pasted text that is no credential: checked and answered "not valid", for anyone
    "certificates.verify_credential": Route(method="POST", data={"text": "not a credential"}),
    "certificates.cohort_list": Route(args=COHORT, may=COHORT_STAFF),
    "certificates.revoke": Route(
        args={**COHORT, "cert_id": "@certificate"},
        method="POST",
        data={"reason": "matrix"},
        may=COORDINATORS,
    ),
    # GET shows the old and new name; the POST re-issues (tests/certificates/test_reissue.py)
    "certificates.reissue_certificate": Route(
        args={**COHORT, "cert_id": "@certificate"}, may=COORDINATORS
    ),
    "ratings.rate": Route(args={"course_slug": COURSE, "phase": "pre"}),
    "ratings.report": Route(args=COHORT, may=COHORT_STAFF),
    "immersion.my_day": Route(args={"course_slug": COURSE}),
    # the learner's own cohort's invite: anyone not enrolled in the course gets 404
    "immersion.calendar": Route(
        args={"course_slug": COURSE},
        overrides={a: 404 for a in ACTORS if a not in ("anonymous", "learner")},
    ),
    "immersion.roster": Route(args=COHORT, may=COHORT_STAFF),
    "immersion.history": Route(args={**COHORT, "enrolment_id": "@enrolment"}, may=COHORT_STAFF),
    # ticking is faculty's: coordinators are refused by role, other faculty see nothing
    "immersion.toggle": Route(
        args={**COHORT, "enrolment_id": "@enrolment", "item_id": "check-in"},
        method="POST",
        data={"checked": "1"},
        may=FACULTY,
    ),
    # checking a learner in by hand asks for a reason, on a page of its own
    "immersion.by_hand": Route(
        args={**COHORT, "enrolment_id": "@enrolment", "item_id": "check-in"}, may=FACULTY
    ),
    "immersion.checkin_screen": Route(args=COHORT, may=FACULTY),
    "immersion.checkin_projector": Route(args=COHORT, may=FACULTY),
    # typing the short code instead of scanning: any signed-in person may open the form
    "immersion.checkin_code": Route(),
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
    "immersion.evidence_queue": Route(args=COHORT, may=FACULTY),
    "immersion.review_evidence": Route(
        args={**COHORT, "check_off_id": "@evidence"},
        method="POST",
        data={"decision": "confirm"},
        may=FACULTY,
    ),
    # several at once (none ticked here: refused with a message), faculty of the cohort only
    "immersion.confirm_evidence": Route(args=COHORT, method="POST", data={}, may=FACULTY),
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
    "plans.queue": Route(args=COHORT, may=COHORT_STAFF),
    "plans.review": Route(args={**COHORT, "plan_id": "@plan"}, may=COHORT_STAFF),
    "plans.review_pdf": Route(args={**COHORT, "plan_id": "@plan"}, may=COHORT_STAFF),
    "cohorts.remind_send": Route(
        args=COHORT, method="POST", data={"subject": "s", "body": "b"}, may=COORDINATORS
    ),
    # the studio: every instructor (courses are shared content), never learners or coordinators
    "studio.index": Route(may=EVERY_INSTRUCTOR),
    "studio.edit": Route(args=STUDIO_DOC, may=EVERY_INSTRUCTOR),
    "studio.live_preview": Route(args=STUDIO_DOC, method="POST", may=EVERY_INSTRUCTOR),
    "studio.history": Route(args=STUDIO_DOC, may=EVERY_INSTRUCTOR),
    "studio.compare": Route(
        args={**STUDIO_DOC, "a": "@fb_version", "b": "@fb_version"}, may=EVERY_INSTRUCTOR
    ),
    "studio.restore": Route(
        args={**STUDIO_DOC, "version_id": "@fb_version"}, method="POST", may=EVERY_INSTRUCTOR
    ),
    # no draft to discard: instructors are sent back to the editor
    "studio.discard": Route(
        args=STUDIO_DOC, overrides=dict.fromkeys(EVERY_INSTRUCTOR, 303), may=EVERY_INSTRUCTOR
    ),
    "studio.new_module": Route(args={"course_slug": COURSE}, may=EVERY_INSTRUCTOR),
    "studio.order": Route(args={"course_slug": COURSE}, may=EVERY_INSTRUCTOR),
    "studio.retire": Route(args={"course_slug": COURSE, "key": "strategy"}, may=EVERY_INSTRUCTOR),
    "studio.unretire": Route(
        args={"course_slug": COURSE, "key": "strategy"}, method="POST", may=EVERY_INSTRUCTOR
    ),
    "studio.images": Route(args={"course_slug": COURSE}, may=EVERY_INSTRUCTOR),
    "studio.upload_image": Route(
        args={"course_slug": COURSE}, method="POST", data={"alt": "x"}, may=EVERY_INSTRUCTOR
    ),
    "studio.export_zip": Route(args={"course_slug": COURSE}, may=EVERY_INSTRUCTOR),
    "studio.import_form": Route(may=EVERY_INSTRUCTOR),
    "studio.import_course": Route(method="POST", data={"slug": ""}, may=EVERY_INSTRUCTOR),
    # administration: admins only; POSTs below change nothing (the learner already is so),
    # except the reset link, which voids RESET_TOKEN: keep it after auth.reset_password
    "admin.index": Route(may=ADMINS),
    "admin.people": Route(may=ADMINS),
    "admin.new_person": Route(may=ADMINS),
    "admin.person": Route(args={"user_id": "@learner"}, may=ADMINS),
    "admin.set_roles": Route(
        args={"user_id": "@learner"}, method="POST", data={"roles": "learner"}, may=ADMINS
    ),
    "admin.set_active": Route(
        args={"user_id": "@learner", "state": "enable"}, method="POST", may=ADMINS
    ),
    "admin.send_reset_link": Route(args={"user_id": "@learner"}, method="POST", may=ADMINS),
    "admin.audit": Route(may=ADMINS),
    "admin.audit_csv": Route(may=ADMINS),
    "admin.site_settings": Route(may=ADMINS),
    # no signature image saved yet: admins get 404
    "admin.signature_image": Route(overrides={"admin": 404}, may=ADMINS),
    "admin.branding_css": Route(),
    # no logo and no footer page saved yet: 404 for everyone
    "admin.logo": Route(overrides={a: 404 for a in ACTORS}),
    "admin.footer_page": Route(args={"slug": "privacy"}, overrides={a: 404 for a in ACTORS}),
    # no identity provider is configured in the matrix: 404 for everyone (tests/sso has them)
    "sso.login": Route(args={"name": "hospital"}, overrides={a: 404 for a in ACTORS}),
    "sso.callback": Route(args={"name": "hospital"}, overrides={a: 404 for a in ACTORS}),
    # shown once after an SSO sign-out; without one, everyone goes on to the sign-in page
    "sso.signed_out": Route(overrides={a: 302 for a in ACTORS}),
    "jobs.index": Route(may=ADMINS),
    # every coordinator may look; each sees only the cohorts they run (tests/certificates)
    "certificates.expiring": Route(may=ANY_COORDINATOR),
    # no job 1 exists: the admin is told so, everyone else is refused first
    "jobs.retry": Route(args={"job_id": 1}, method="POST", may=ADMINS, overrides={"admin": 404}),
    # the API reads only a Bearer token: a signed-in browser's cookie gets 401, like no one
    "api.openapi": Route(),
    "api.courses": Route(overrides=dict.fromkeys(ACTORS, 401)),
    "api.cohorts": Route(overrides=dict.fromkeys(ACTORS, 401)),
    "api.enrolments": Route(args=COHORT, overrides=dict.fromkeys(ACTORS, 401)),
    "api.certificates": Route(args=COHORT, overrides=dict.fromkeys(ACTORS, 401)),
    # staff make tokens for their own systems (tests/api); learners have no use for one
    "api.tokens": Route(may=API_STAFF),
    "api.create_token": Route(
        method="POST",
        data={"name": "matrix", "scopes": "read:cohorts", "days": "30"},
        may=API_STAFF,
    ),
    # one's own tokens only; an id that is nobody's: 404
    "api.revoke_token": Route(
        args={"token_id": 999999},
        method="POST",
        may=API_STAFF,
        overrides=dict.fromkeys(API_STAFF, 404),
    ),
    # webhooks are the admins' (tests/webhooks); no delivery 999999 exists: the admin gets 404
    "webhooks.index": Route(may=ADMINS),
    "webhooks.register": Route(
        method="POST", data={"url": "not a url", "events": "plan.accepted"}, may=ADMINS
    ),
    "webhooks.resend": Route(
        args={"delivery_id": 999999}, method="POST", may=ADMINS, overrides={"admin": 404}
    ),
}


def expected(actor: str, policy: tuple[str, ...], route: Route):
    """The route's stated exception, else its intent, else what a public or signed-in
    policy plainly implies."""
    if actor in route.overrides:
        return route.overrides[actor]
    ok = 200 if route.method == "GET" else ALLOWED
    if route.may is not None:
        if actor in route.may:
            return ok
        return LOGIN if actor == "anonymous" else refusal(actor, route)
    if PUBLIC in policy:
        return ok
    if actor == "anonymous":
        return LOGIN
    assert SIGNED_IN in policy, "a staff route states who may use it (Route.may)"
    return ok


def refusal(actor: str, route: Route) -> int:
    """403 for a role the route does not admit; 404 for an admitted role on someone else's
    cohort, so that the cohort's existence is not revealed."""
    admitted = {role for who in route.may for role in ACTOR_ROLES[who]}
    return 404 if admitted & set(ACTOR_ROLES[actor]) else 403


def outcome(response, method: str):
    """What the actor got, in the terms of expected(); a 5xx is always a failure."""
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login?next=" in location:
        return LOGIN
    if response.status_code == 400 and b"CSRF token" in response.data:
        return CSRF_REFUSED
    if response.status_code >= 500:
        return response.status_code
    if method != "GET" and response.status_code not in (401, 403, 404, 405):
        return ALLOWED
    return response.status_code


def nested(route: Route) -> bool:
    """A URL naming a cohort and a record inside it, where a cross-cohort check belongs."""
    return "cohort_id" in route.args and any(
        isinstance(v, str) and v.startswith("@") for k, v in route.args.items() if k != "cohort_id"
    )


def cells() -> list[tuple[str, Route, str, str, dict]]:
    """(endpoint, route, actor, whose user, URL arguments) for every cell of the matrix."""
    out = []
    for endpoint, route in ROUTES.items():
        out += [(endpoint, route, actor, actor, route.args) for actor in ACTORS]
        if nested(route):
            own = {**route.args, "cohort_id": "@own_cohort"}
            out += [(endpoint, route, a, user, own) for a, user in OWN_COHORT_ACTORS.items()]
    return out


def run_matrix(app, world, csrf: bool = False) -> list[str]:
    """Call every cell; return one line per cell whose outcome is not the expected one.
    With csrf, each client holds a CSRF token and sends it, as a browser's form would."""
    failures = []
    todo = cells()
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(e, **resolve(args, world["ids"])) for e, _, _, _, args in todo]
    for (endpoint, route, actor, user, _), url in zip(todo, urls, strict=True):
        client = app.test_client()
        raw, token = csrf_pair(app) if csrf else (None, None)
        with client.session_transaction() as session:
            if user != "anonymous":
                session["_user_id"] = current_token(app, world["users"][user].id)
            if csrf:
                session["csrf_token"] = raw
        data, headers = dict(route.data), {}
        if csrf and route.method != "GET":
            data["csrf_token"] = token
            headers["X-CSRFToken"] = token
        response = client.open(url, method=route.method, data=data, headers=headers)
        got = outcome(response, route.method)
        if actor == user:
            want = expected(actor, policy_of_endpoint(app, endpoint), route)
        else:
            want = refusal(user, route)
        if got != want:
            failures.append(f"{route.method} {url} as {actor}: got {got}, want {want}")
    return failures


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints - set(ROUTES) == set(), "add these routes to ROUTES in this file"
    assert set(ROUTES) - endpoints == set(), "these ROUTES no longer exist"


def test_staff_routes_state_who_may(app):
    """Expectations for staff routes are written down, not derived from the code under test."""
    silent = []
    for endpoint, route in ROUTES.items():
        policy = policy_of_endpoint(app, endpoint)
        if route.may is None and not {PUBLIC, SIGNED_IN} & set(policy):
            silent.append(endpoint)
        assert set(route.may or ()) <= set(ACTORS), endpoint
    assert silent == [], "say who may use these staff routes (Route(may=...)): " + str(silent)


def test_nested_routes_are_tried_with_the_attackers_own_cohort():
    nested_routes = {e for e, r in ROUTES.items() if nested(r)}
    assert {"cohorts.enrolment_action", "certificates.revoke"} <= nested_routes


def test_access_matrix(app, world):
    failures = run_matrix(app, world)
    assert failures == [], "\n".join(failures)


def resolve(args: dict, ids: dict) -> dict:
    """Replace "@name" placeholders with the ids of the world's records."""
    return {
        k: ids[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in args.items()
    }


def csrf_pair(app) -> tuple[str, str]:
    """A session's raw CSRF secret and the signed token a form would carry."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    with app.test_request_context():
        token = generate_csrf()
        return session["csrf_token"], token


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
