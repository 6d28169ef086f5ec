"""What is recorded and what a statement holds, with an LRS that is not there: nothing is
lost (the outbox keeps it), nothing is recorded without an endpoint, and the payload keeps
its fields (a golden list)."""

import pytest
from sqlalchemy import func, select

from smresidency.extensions import db
from smresidency.xapi.models import XapiOutbox
from smresidency.xapi.statements import build
from tests.oidc.harness import free_port
from tests.xapi import journey

BASE = "https://residency.example.org"


@pytest.fixture
def app_config():
    """An endpoint nobody listens on: every send fails and the statements stay queued."""
    closed = {"url": f"http://127.0.0.1:{free_port()}/xAPI", "key": "k", "secret": "s"}
    return {"XAPI_ENDPOINTS": [closed], "BASE_URL": BASE, "XAPI_TIMEOUT": 2}


def walk(app, tmp_path, make_user, make_cohort):
    w = journey.setup(app, tmp_path, make_user, make_cohort)
    journey.read_module(w)
    journey.take_quiz(app, w, right=False)
    journey.take_quiz(app, w, right=True)
    journey.tick(w, "check-in", reason="Seen arriving by faculty")
    journey.tick(w, "sandbox-post")
    journey.submit_plan(app, w)
    journey.accept_plan(app, w)
    journey.revoke_certificate(app, w)
    return w


def paths(value, prefix="") -> set[str]:
    """Dotted key paths of a statement, extension IRIs folded to their last part."""
    if isinstance(value, list):
        return set().union(*(paths(v, prefix + "[]") for v in value)) if value else set()
    if not isinstance(value, dict):
        return {prefix}
    found = set()
    for key, inner in value.items():
        name = key.rsplit("/", 1)[-1] if key.startswith(("http://", "https://")) else key
        found |= paths(inner, f"{prefix}.{name}" if prefix else name)
    return found


COMMON = {
    "id",
    "timestamp",
    "actor.objectType",
    "actor.name",
    "actor.mbox",
    "verb.id",
    "verb.display.en-US",
    "object.objectType",
    "object.id",
    "object.definition.type",
    "object.definition.name.en-US",
    "context.platform",
    "context.language",
    "context.registration",
    "context.extensions.version",
    "context.contextActivities.grouping[].objectType",
    "context.contextActivities.grouping[].id",
    "context.contextActivities.grouping[].definition.type",
    "context.contextActivities.grouping[].definition.name.en-US",
}
PARENT = {
    "context.contextActivities.parent[].objectType",
    "context.contextActivities.parent[].id",
    "context.contextActivities.parent[].definition.type",
    "context.contextActivities.parent[].definition.name.en-US",
}
RESULT = {
    "result.score.scaled",
    "result.score.raw",
    "result.score.min",
    "result.score.max",
    "result.success",
    "result.completion",
}
CE = {
    "context.extensions.certificate-serial",
    "context.extensions.contact-hours",
    "context.extensions.accreditation-statement",
    "context.extensions.provider-id",
}
INSTRUCTOR = {"context.instructor.objectType", "context.instructor.name", "context.instructor.mbox"}
# payload version 1: a field that disappears (or moves) fails here; new ones are added here
GOLDEN = {
    "registered": COMMON,
    "experienced": COMMON | PARENT,
    "attempted": COMMON | PARENT,
    "scored": COMMON | PARENT | RESULT,
    "checkoff": COMMON | PARENT,
    "plan-submitted": COMMON | PARENT | {"context.extensions.plan-version"},
    "plan-accepted": COMMON | PARENT | INSTRUCTOR,
    "certificate-issued": COMMON | PARENT | CE,
    "certificate-revoked": COMMON | PARENT | CE,
}


def test_every_statement_keeps_its_fields_and_waits_while_the_lrs_is_away(
    app, tmp_path, make_user, make_cohort
):
    walk(app, tmp_path, make_user, make_cohort)
    with app.app_context():
        rows = db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()
        assert {r.status for r in rows} == {"pending"}  # nobody listens: all kept
        assert all(r.attempts >= 1 and "refused" in r.last_error for r in rows)
        kinds = [r.kind for r in rows]
        assert sorted(set(kinds)) == sorted(GOLDEN)
        assert kinds.count("checkoff") == 3 and kinds.count("attempted") == 2
        for row in rows:
            statement = build(row.kind, row.ref_id)
            assert statement["id"] == row.statement_id
            assert paths(statement) == GOLDEN[row.kind], row.kind
            assert build(row.kind, row.ref_id) == statement  # the same row, the same statement


def test_without_an_endpoint_nothing_is_recorded_and_nothing_is_queued(
    app, tmp_path, make_user, make_cohort, count_queries
):
    app.config["XAPI_ENDPOINTS"] = []
    with count_queries() as statements:
        walk(app, tmp_path, make_user, make_cohort)
    assert not [s for s in statements if "xapi_outbox" in s]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(XapiOutbox)) == 0
        from smresidency.jobs.models import Job

        assert not db.session.scalar(select(Job.id).where(Job.kind == "xapi.send"))


def test_a_commit_pays_one_outbox_insert_and_one_job(
    app, synced_course, make_cohort, count_queries
):
    app.config["JOBS_EAGER"] = False  # the send itself runs in the worker, not in the request
    with count_queries() as statements:
        make_cohort(synced_course, learners=3)  # three enrolments in one transaction
    outbox = [s for s in statements if "xapi_outbox" in s]
    jobs = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO JOB")]
    assert len(outbox) == 1 and outbox[0].lstrip().upper().startswith("INSERT")
    assert len(jobs) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(XapiOutbox)) == 3


def test_a_learner_who_signs_in_by_sso_is_their_hospital_account(app, synced_course, make_cohort):
    app.config.update(SSO_ISSUER="https://idp.hospital.example", SSO_CLIENT_ID="c")
    _, (learner,) = make_cohort(synced_course, learners=1)
    with app.app_context():
        from smresidency.sso.models import SsoIdentity

        db.session.add(SsoIdentity(provider="hospital", subject="emp-4711", user_id=learner.id))
        db.session.commit()
        row = db.session.scalar(select(XapiOutbox))
        actor = build(row.kind, row.ref_id)["actor"]
    assert actor == {
        "objectType": "Agent",
        "name": learner.name,
        "account": {"homePage": "https://idp.hospital.example", "name": "emp-4711"},
    }


def test_the_jobs_page_counts_statements_waiting_for_the_lrs(
    app, synced_course, make_user, make_cohort
):
    make_cohort(synced_course, learners=2)
    admin = journey.signed_in(app, make_user("admin"))
    page = admin.get("/admin/jobs/").text
    assert "xAPI statements waiting for the Learning Record Store: 2." in page
    app.config["XAPI_ENDPOINTS"] = []
    assert "xAPI statements" not in admin.get("/admin/jobs/").text


def test_statements_not_yet_sent_for_an_erased_person_are_dropped(
    app, synced_course, make_user, make_cohort
):
    from smresidency.auth.models import User
    from smresidency.privacy.erase import erase
    from smresidency.xapi import services

    _, (learner,) = make_cohort(synced_course, learners=1)
    admin = make_user("admin")
    with app.app_context():
        erase(db.session.get(User, learner.id), db.session.get(User, admin.id), "asked by mail")
        db.session.commit()
        services.send()  # nothing is left to send: the LRS, away anyway, is not even tried
        statuses = db.session.scalars(select(XapiOutbox.status)).all()
    assert statuses == ["gone"]


def test_rows_another_worker_is_sending_are_skipped(app, synced_course, make_cohort):
    from smresidency.xapi import services

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip(
                "row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's; SQLite has one writer"
            )
    make_cohort(synced_course, learners=2)
    with app.app_context():
        other = db.engine.connect()  # the other worker, in the middle of its POST
        other.begin()
        other.execute(select(XapiOutbox.id).with_for_update())
        services.send()  # finds nothing it may send, so tries no LRS and fails nothing
        db.session.commit()
        other.rollback()
        other.close()
        assert set(db.session.scalars(select(XapiOutbox.attempts))) == {1}
        with pytest.raises(services.Unreachable):
            services.send()
        assert set(db.session.scalars(select(XapiOutbox.attempts))) == {2}
