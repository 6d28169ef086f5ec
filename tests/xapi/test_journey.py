"""A learner's whole journey reaches a real Ralph LRS as xAPI statements, each exactly once,
although the LRS was stopped for part of the way."""

from collections import Counter

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.jobs import services as jobs
from smresidency.jobs.models import Job
from smresidency.xapi.models import XapiOutbox
from tests.xapi import journey

ADL = "http://adlnet.gov/expapi/verbs/"


def verbs(statements) -> Counter:
    return Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in statements)


def expected(base_url: str) -> Counter:
    return Counter(
        {
            "registered": 1,
            "experienced": 1,
            "attempted": 2,
            "failed": 1,
            "passed": 1,
            "attended": 1,
            "completed": 2,  # the sandbox post, and the plan item its acceptance ticks
            "submit": 1,
            "plan-accepted": 1,
            "earned": 1,
            "certificate-revoked": 1,
        }
    )


def run_pending_sends(app) -> None:
    with app.app_context():
        pending = db.session.scalars(
            select(Job.id).where(Job.kind == "xapi.send", Job.status == "pending")
        ).all()
    assert pending, "the sends that failed wait in the queue"
    for job_id in pending:
        with app.app_context():
            jobs.run_job(job_id)


def check_required_fields(statement: dict, base_url: str, learner_email: str) -> None:
    """The parts xAPI 1.0.3 requires, and the ones this site promises."""
    assert set(statement) >= {"id", "actor", "verb", "object", "timestamp", "context", "stored"}
    assert statement["actor"]["mbox"] == f"mailto:{learner_email}"
    assert statement["verb"]["id"].startswith(("http://", "https://"))
    assert statement["verb"]["display"]["en-US"]
    assert statement["object"]["objectType"] == "Activity"
    assert statement["object"]["id"].startswith(base_url)
    context = statement["context"]
    assert context["extensions"][f"{base_url}/xapi/extensions/version"] == 1
    assert len(context["registration"]) == 36
    assert statement["timestamp"].endswith(("Z", "+00:00"))


def test_a_whole_journey_arrives_once_even_with_the_lrs_down_for_part_of_it(
    app, tmp_path, make_user, make_cohort, ralph, base_url
):
    w = journey.setup(app, tmp_path, make_user, make_cohort)
    journey.read_module(w)
    journey.take_quiz(app, w, right=False)
    journey.take_quiz(app, w, right=True)
    before = ralph.statements(base_url)
    assert verbs(before) == Counter(registered=1, experienced=1, attempted=2, failed=1, passed=1)

    ralph.stop()
    try:
        journey.tick(w, "check-in", reason="Phone flat; seen arriving by faculty")
        journey.tick(w, "sandbox-post")
        journey.submit_plan(app, w)
        with app.app_context():
            waiting = db.session.scalars(
                select(XapiOutbox).where(XapiOutbox.status == "pending")
            ).all()
            assert len(waiting) == 3 and all(row.attempts >= 1 for row in waiting)
            assert "Connection refused" in waiting[0].last_error
    finally:
        ralph.start()
    run_pending_sends(app)
    journey.accept_plan(app, w)
    journey.revoke_certificate(app, w)
    run_again = ralph.statements(base_url)
    assert verbs(run_again) == expected(base_url)
    assert len({s["id"] for s in run_again}) == len(run_again)

    # the queue holds nothing more, and running every send job again sends no duplicate
    with app.app_context():
        assert not db.session.scalar(select(XapiOutbox.id).where(XapiOutbox.status != "sent"))
        every = db.session.scalars(select(Job.id).where(Job.kind == "xapi.send")).all()
        db.session.execute(Job.__table__.update().values(status="pending"))
        db.session.execute(XapiOutbox.__table__.update().values(status="pending"))
        db.session.commit()
    for job_id in every:
        with app.app_context():
            assert jobs.run_job(job_id) == "done"
    assert len(ralph.statements(base_url)) == len(run_again)

    for statement in run_again:
        check_required_fields(statement, base_url, w.learner.email)
    by_verb = {s["verb"]["id"].rsplit("/", 1)[-1]: s for s in run_again}
    assert by_verb["passed"]["result"] == {
        "score": {"scaled": 1.0, "raw": 100.0, "min": 0, "max": 100},
        "success": True,
        "completion": True,
    }
    assert by_verb["failed"]["result"]["success"] is False
    assert by_verb["failed"]["result"]["score"]["scaled"] == 0.0
    check_in = f"{base_url}/xapi/course/xapi-course/immersion/check-in"
    assert by_verb["attended"]["object"]["id"] == check_in
    assert by_verb["plan-accepted"]["context"]["instructor"]["mbox"] == f"mailto:{w.faculty.email}"
    earned = by_verb["earned"]
    assert earned["object"]["id"].startswith(f"{base_url}/verify/")
    assert earned["context"]["extensions"][f"{base_url}/xapi/extensions/contact-hours"] == 6.0
    assert {s["context"]["registration"] for s in run_again} == {earned["context"]["registration"]}
