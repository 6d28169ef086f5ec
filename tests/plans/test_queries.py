"""The review queue, the review page and the learner's page read in a fixed number of statements."""

import secrets

from sqlalchemy import insert, select

from smresidency.auth.models import User, UserRole
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.plans.models import PlanVersion, StrategyPlan
from tests.plans.conftest import COURSE, full_plan, plan_of

STATES = ("draft", "submitted", "returned", "accepted")


def crowd(app, cohort_id: int, size: int) -> None:
    """`size` more learners in bulk, most with a plan in one of the four states."""
    with app.app_context():
        tag = secrets.token_hex(4)
        db.session.execute(
            insert(User),
            [{"email": f"crowd-{tag}-{i}@example.test", "name": f"Crowd {tag} {i:03}",
              "password_hash": "x", "session_token": secrets.token_urlsafe(32)}
             for i in range(size)],
        )  # fmt: skip
        ids = db.session.scalars(select(User.id).where(User.email.like(f"crowd-{tag}-%"))).all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        course_id = db.session.get(Cohort, cohort_id).course_id
        db.session.execute(
            insert(Enrolment),
            [{"cohort_id": cohort_id, "user_id": u, "course_id": course_id} for u in ids],
        )
        enrolments = db.session.scalars(
            select(Enrolment.id).where(Enrolment.user_id.in_(ids))
        ).all()
        with_plans = [e for n, e in enumerate(enrolments) if n % 5]
        db.session.execute(
            insert(StrategyPlan),
            [{"enrolment_id": e, "state": STATES[n % 4]} for n, e in enumerate(with_plans)],
        )
        plans = db.session.execute(
            select(StrategyPlan.id, StrategyPlan.state).where(
                StrategyPlan.enrolment_id.in_(with_plans)
            )
        ).all()
        now = utcnow()
        db.session.execute(
            insert(PlanVersion),
            [{"plan_id": p, "number": 1, "sections": {"goals": "g"},
              "submitted_at": None if state == "draft" else now}
             for p, state in plans],
        )  # fmt: skip
        db.session.commit()


def statements(client, count_queries, url: str) -> int:
    client.get(url)  # warm up (session and roles)
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return len(seen)


def test_queue_reads_the_same_for_a_small_and_a_large_cohort(
    app, client, login_as, cohort, submitted, make_cohort, make_user, count_queries
):
    url = f"/cohorts/{cohort.id}/plans"
    login_as(user=cohort.faculty)
    small = statements(client, count_queries, url)
    crowd(app, cohort.id, 60)
    large = statements(client, count_queries, url)
    assert small == large
    html = client.get(url).get_data(as_text=True)
    assert html.count('<tr class="plan-row-') == 62
    assert html.count("plan-row-submitted") == 13  # Ann and 12 of the crowd
    assert html.index("plan-row-submitted") < html.index("plan-row-returned")
    assert html.rindex("plan-row-submitted") < html.index("plan-row-draft")


def test_review_and_learner_pages_read_the_same_with_more_versions(
    app, client, login_as, cohort, submitted, rubric, count_queries
):
    review = f"/cohorts/{cohort.id}/plans/{submitted}"
    login_as(user=cohort.faculty)
    review_one = statements(client, count_queries, review)
    login_as(user=cohort.ann)
    learner_one = statements(client, count_queries, f"/courses/{COURSE}/plan")
    for n in range(2):
        login_as(user=cohort.faculty)
        client.post(
            review,
            data={**rubric, "decision": "return", "comments": f"Round {n}",
                  "version": str(n + 1)},
        )  # fmt: skip
        login_as(user=cohort.ann)
        client.post(f"/courses/{COURSE}/plan", data={**full_plan(f"{n}"), "action": "submit"})
    assert len(plan_of(app, cohort.ann.id).versions) == 3
    learner_three = statements(client, count_queries, f"/courses/{COURSE}/plan")
    login_as(user=cohort.faculty)
    review_three = statements(client, count_queries, review)
    assert (review_one, learner_one) == (review_three, learner_three)
