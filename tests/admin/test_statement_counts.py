"""The operators' pages (issue 13, part 2) cost the same statements with 50 and with 500
accounts: the learner record with overrides, the account page, joining by code, the data
download, the erase confirmation, the people page and the audit log.

One test seeds once (bulk inserts: accounts, roles, enrolments in the measured cohort, audit
entries), measures every page, grows to 500 and measures again.
"""

from sqlalchemy import func, insert, select

from smresidency.admin.models import AuditEntry
from smresidency.auth.models import User, UserRole
from smresidency.catalog.models import Module
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.quizzes.models import QuizOverride

SIZES = (50, 500)


def _grow(app, size: int, cohort_id: int, admin_id: int) -> None:
    """Accounts up to `size` in all: each a learner of the cohort, with an audit entry."""
    with app.app_context():
        have = db.session.scalar(select(func.count(User.id)))
        emails = [f"seed{n}@example.test" for n in range(have, size)]
        db.session.execute(
            insert(User),
            [{"email": e, "name": f"Seeded {e[4:-13]}", "password_hash": "!"} for e in emails],
        )
        ids = db.session.scalars(select(User.id).where(User.email.in_(emails))).all()
        course_id = db.session.get(Cohort, cohort_id).course_id
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        db.session.execute(
            insert(Enrolment),
            [{"cohort_id": cohort_id, "user_id": i, "course_id": course_id} for i in ids],
        )
        db.session.execute(
            insert(AuditEntry),
            [
                {
                    "actor_id": admin_id,
                    "action": "account.roles",
                    "target_user_id": i,
                    "before": {"roles": []},
                    "after": {"roles": ["learner"]},
                }
                for i in ids
            ],
        )
        db.session.commit()
        assert db.session.scalar(select(func.count(User.id))) == size


def _client(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True
    return client


def test_operator_pages_hold_constant_statement_counts(
    app, synced_course, make_user, make_cohort, count_queries
):
    admin, coordinator = make_user("admin"), make_user("coordinator")
    learner = make_user("learner")
    cohort_id, _ = make_cohort(
        synced_course, coordinators=[coordinator], learners=[learner], capacity=1000
    )
    with app.app_context():
        module_id = db.session.scalar(select(Module.id).order_by(Module.id))
        for kind in ("extra_attempt", "clear_cooldown"):
            db.session.add(
                QuizOverride(
                    user_id=learner.id,
                    module_id=module_id,
                    kind=kind,
                    reason="fire alarm",
                    granted_by_id=coordinator.id,
                )
            )
        db.session.commit()
    as_admin, as_coordinator, as_learner = (_client(app, u) for u in (admin, coordinator, learner))
    pages = {
        "learner record": (as_coordinator, "GET", f"/cohorts/{cohort_id}/learners/{learner.id}"),
        "account": (as_learner, "GET", "/account"),
        "join by code": (as_learner, "GET", "/join"),
        "data download": (as_learner, "POST", "/account/data"),
        "erase confirmation": (as_admin, "GET", f"/admin/people/{learner.id}/erase"),
        "person": (as_admin, "GET", f"/admin/people/{learner.id}"),
        "people": (as_admin, "GET", "/admin/people"),
        "audit log": (as_admin, "GET", "/admin/audit"),
    }
    counts: dict[str, list[int]] = {name: [] for name in pages}
    for size in SIZES:
        _grow(app, size, cohort_id, admin.id)
        for name, (client, method, url) in pages.items():
            client.open(url, method=method)  # warm: per-process caches filled
            with count_queries() as statements:
                response = client.open(url, method=method)
            assert response.status_code == 200, (name, response.status_code)
            counts[name].append(len(statements))
    grown = {name: c for name, c in counts.items() if c[0] != c[1]}
    assert grown == {}, f"statements at {SIZES} accounts: {grown}"
