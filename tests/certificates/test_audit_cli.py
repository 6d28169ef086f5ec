"""`flask certificates audit` lists certificates issued on a hand-ticked plan or rating item
(as the roster allowed before issue 19), says why, and revokes nothing."""

from sqlalchemy import select

from smresidency.catalog.models import Course
from smresidency.certificates import services
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from tests.certificates.test_rules import REQUIRED_HAND, Learner, enrolled, sync_rules_course


def issued_the_old_way(app, learner: Learner) -> str:
    """Every required flag ticked on the roster, then issued on the flags alone."""
    for item_id in REQUIRED_HAND:
        learner.hand_tick(item_id)
    learner.raw_flag("strategy-plan")  # the old roster's toggle: action "tick", by faculty
    learner.raw_flag("self-rating-after")
    with app.test_request_context():
        enrolment = db.session.get(Enrolment, learner.eid)
        cert = services._issue(enrolment, db.session.get(Course, enrolment.course_id))
        db.session.commit()
        return cert.serial


def test_audit_lists_hand_ticked_certificates_and_revokes_nothing(
    app, runner, write_course, make_user, make_cohort
):
    course = sync_rules_course(app, write_course)
    faculty = make_user("instructor", name="Dr Tick Happy")
    honest, ticked, half = (
        make_user("learner", name=n, email=f"{n.split()[0].lower()}@example.test")
        for n in ("Hana Honest", "Tom Ticked", "Hal Half")
    )
    people = enrolled(app, make_cohort, course, [honest, ticked, half], faculty)
    good, bad, partial = (Learner(app, p) for p in people)

    good.read("01-read")
    good.pass_quiz()
    good.rate_after()
    good.submit_plan()
    good.review_plan("accept")
    for item_id in REQUIRED_HAND:
        good.hand_tick(item_id)
    assert good.certificates() == 1  # issued by the rules

    for learner in (bad, partial):
        learner.read("01-read")
        learner.pass_quiz()
    partial.rate_after()  # a real rating; only the plan was a hand tick
    bad_serial = issued_the_old_way(app, bad)
    partial_serial = issued_the_old_way(app, partial)

    result = runner.invoke(args=["certificates", "audit"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    listed = [line.split("\t")[0] for line in lines if line.startswith("SMR-")]
    assert listed == [bad_serial, partial_serial]
    block = result.output[result.output.index(bad_serial) : result.output.index(partial_serial)]
    assert "Tom Ticked <tom@example.test>" in block
    assert "Strategy plan: no accepted plan (ticked by hand by Dr Tick Happy on " in block
    assert "Rate yourself after: no rating after the residency (ticked by hand by" in block
    tail = result.output[result.output.index(partial_serial) :]
    assert "Strategy plan: no accepted plan" in tail and "Rate yourself after" not in tail
    assert lines[-1] == (
        "2 of 3 certificates were issued without an accepted plan or a rating after the "
        "residency. Nothing was revoked."
    )
    with app.app_context():
        assert db.session.scalars(select(Certificate.revoked_at)).all() == [None] * 3

    other = runner.invoke(args=["certificates", "audit", "--cohort", "999"])
    assert other.exit_code == 0 and "0 of 0 certificates were issued" in other.output
