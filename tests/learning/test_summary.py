"""The per-enrolment progress summary always equals a recomputation from the raw tables."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from smresidency.catalog.models import Module, ModuleVersion, current_version
from smresidency.catalog.sync import sync_content
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Enrolment
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from smresidency.learning import services
from smresidency.learning.models import EnrolmentSummary, ModuleProgress
from smresidency.plans.models import StrategyPlan

LEARNERS, MODULES, ITEMS = 2, 3, ("demo", "post", "plan")

learner = st.integers(0, LEARNERS - 1)
module = st.integers(0, MODULES - 1)
event = st.one_of(
    st.tuples(st.just("read"), learner, module),
    st.tuples(st.just("complete"), learner, module),
    st.tuples(st.just("quiz-pass"), learner, module),
    st.tuples(st.just("tick"), learner, st.sampled_from(ITEMS), st.booleans()),
    st.tuples(st.just("plan"), learner, st.sampled_from(["draft", "submitted", "accepted"])),
    st.tuples(st.just("certificate"), learner, st.booleans()),
    st.tuples(st.just("retire"), module, st.booleans()),
)


def expected(enrolment: Enrolment) -> dict:
    """The summary's figures recomputed in Python from every raw row, for comparison."""
    modules = {m.id: m for m in db.session.scalars(select(Module))}
    marks = [
        p
        for p in db.session.scalars(select(ModuleProgress))
        if p.user_id == enrolment.user_id and modules[p.module_id].course_id == enrolment.course_id
    ]
    live = [p for p in marks if not modules[p.module_id].retired]
    stamps = [as_utc(p.completed_at or p.read_at) for p in marks if p.completed_at or p.read_at]
    ticks = db.session.scalars(select(CheckOff).where(CheckOff.enrolment_id == enrolment.id))
    plan = db.session.scalar(select(StrategyPlan).where(StrategyPlan.enrolment_id == enrolment.id))
    cert = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))
    return {
        "modules_read": sum(1 for p in live if p.read_at or p.completed_at),
        "modules_complete": sum(1 for p in live if p.completed_at),
        "last_activity_at": max(stamps) if stamps else None,
        "items_checked": sum(1 for t in ticks if t.checked),
        "plan_state": plan.state if plan else "",
        "certificate_state": "" if cert is None else ("revoked" if cert.revoked_at else "issued"),
    }


def stored(enrolment_id: int) -> dict:
    row = db.session.get(EnrolmentSummary, enrolment_id, populate_existing=True)
    return {
        "modules_read": row.modules_read,
        "modules_complete": row.modules_complete,
        "last_activity_at": as_utc(row.last_activity_at),
        "items_checked": row.items_checked,
        "plan_state": row.plan_state,
        "certificate_state": row.certificate_state,
    }


def apply(step, enrolments: list[Enrolment], versions: list[ModuleVersion]) -> None:
    """One event, through the services where there is one, else as the feature writes it."""
    kind, *args = step
    if kind in ("read", "complete", "quiz-pass"):
        who, which = enrolments[args[0]], versions[args[1]]
        if kind == "read":
            services.mark_read(who.user_id, which)
        elif kind == "complete":
            services.complete_module(who.user_id, which.module_id, which.id)
        else:  # as a quiz submission completes it: no progress row loaded, one UPDATE
            for obj in list(db.session.identity_map.values()):
                if isinstance(obj, ModuleProgress):
                    db.session.expunge(obj)
            services.complete_module_on_connection(who.user_id, which.module_id, which.id)
    elif kind == "tick":
        who, item, checked = enrolments[args[0]], args[1], args[2]
        row = db.session.scalar(
            select(CheckOff).where(CheckOff.enrolment_id == who.id, CheckOff.item_id == item)
        ) or CheckOff(enrolment_id=who.id, item_id=item)
        row.checked = checked
        db.session.add(row)
    elif kind == "plan":
        who = enrolments[args[0]]
        plan = db.session.scalar(
            select(StrategyPlan).where(StrategyPlan.enrolment_id == who.id)
        ) or StrategyPlan(enrolment_id=who.id)
        plan.state = args[1]
        db.session.add(plan)
    elif kind == "certificate":
        who, revoked = enrolments[args[0]], args[1]
        cert = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == who.id))
        if cert is None:
            cert = Certificate(
                user_id=who.user_id,
                course_id=who.course_id,
                enrolment_id=who.id,
                cohort_id=who.cohort_id,
                code=f"CODE{who.id:012d}",
                recipient_name="Learner",
                course_title="Test course",
                immersion_date=date(2026, 1, 1),
            )
            db.session.add(cert)
        cert.revoked_at = utcnow() if revoked else None
    else:
        db.session.get(Module, versions[args[0]].module_id).retired = args[1]
    db.session.flush()


def test_enrolments_get_a_summary_row_at_once(app, make_cohort, write_course):
    with app.app_context():
        sync_content(write_course())
        db.session.commit()
    make_cohort("test-course", learners=2)
    with app.app_context():
        enrolments = db.session.scalars(select(Enrolment)).all()
        assert len(enrolments) == 2
        for enrolment in enrolments:
            assert stored(enrolment.id) == expected(enrolment)


def test_the_summary_always_equals_a_recomputation(app, make_cohort, write_course):
    modules = {f"0{i}-m{i}": {} for i in range(1, MODULES + 1)}
    with app.app_context():
        sync_content(write_course(modules=modules))
        db.session.commit()
    make_cohort("test-course", learners=LEARNERS)

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(event, max_size=12))
    def check(steps):
        with app.app_context():
            enrolments = db.session.scalars(select(Enrolment).order_by(Enrolment.id)).all()
            versions = db.session.scalars(
                select(ModuleVersion).join(Module, current_version()).order_by(Module.position)
            ).all()
            try:
                for step in steps:
                    apply(step, enrolments, versions)
                    for enrolment in enrolments:
                        assert stored(enrolment.id) == expected(enrolment), step
            finally:
                db.session.rollback()  # the next sequence starts from the same rows

    check()
