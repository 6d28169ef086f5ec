"""The dashboard and its export read in the same number of statements for 5 or 200 learners."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from smresidency.auth.models import User, UserRole
from smresidency.auth.passwords import hash_password
from smresidency.cohorts.models import Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from smresidency.quizzes.models import QuizAttempt
from tests.cohorts import test_dashboard as dashboard_tests
from tests.cohorts.test_dashboard import course_ids, grid

# fixtures shared with the dashboard tests
course, staff = dashboard_tests.course, dashboard_tests.staff


def crowd(app, cohort_id: int, size: int) -> None:
    """`size` learners enrolled in bulk, with one shared password hash, and varied progress."""
    with app.app_context():
        password_hash = hash_password("a shared test passphrase")
        tag = secrets.token_hex(4)
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"learner-{tag}-{i}@example.test",
                    "name": f"Learner {tag} {i:03}",
                    "password_hash": password_hash,
                    "session_token": secrets.token_urlsafe(32),
                }
                for i in range(size)
            ],
        )
        ids = db.session.scalars(select(User.id).where(User.email.like(f"%-{tag}-%"))).all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        course_id = db.session.scalar(
            select(Enrolment.course_id).where(Enrolment.cohort_id == cohort_id).limit(1)
        ) or _course_id(cohort_id)
        now = utcnow()
        db.session.execute(
            insert(Enrolment),
            [
                {"cohort_id": cohort_id, "user_id": u, "course_id": course_id,
                 "profession": "clinician", "status": "active" if n % 10 else "withdrawn",
                 "enrolled_at": now - timedelta(days=5)}
                for n, u in enumerate(ids)
            ],
        )  # fmt: skip
        modules = course_ids()
        intro, privacy = modules["01-intro"], modules["02-privacy"]
        progress, attempts = [], []
        for n, u in enumerate(ids):
            if n % 3:
                progress.append(_mark(u, intro, now - timedelta(days=n % 5), done=True))
            if n % 3 == 2:
                progress.append(_mark(u, privacy, now - timedelta(days=1), done=n % 2 == 0))
                attempts.append(_attempt(u, privacy, now, score=100 if n % 2 == 0 else 40))
        db.session.execute(insert(ModuleProgress), progress)
        if attempts:
            db.session.execute(insert(QuizAttempt), attempts)
        db.session.commit()


def _course_id(cohort_id: int) -> int:
    from smresidency.cohorts.models import Cohort

    return db.session.get(Cohort, cohort_id).course_id


def _mark(user_id, module, when, done):
    module_id, version_id = module
    finished = when if done else None
    return {"user_id": user_id, "module_id": module_id, "version_id": version_id,
            "read_at": when, "completed_at": finished, "updated_at": when}  # fmt: skip


def _attempt(user_id, module, when, score):
    module_id, version_id = module
    return {"token": secrets.token_hex(16), "user_id": user_id, "module_id": module_id,
            "version_id": version_id, "questions": [], "started_at": when, "submitted_at": when,
            "answers": {}, "score": score, "passed": score >= 100}  # fmt: skip


@pytest.fixture
def two_cohorts(app, course, staff, make_cohort):
    small, _ = make_cohort(course, coordinators=[staff["coordinator"]])
    large, _ = make_cohort(course, coordinators=[staff["coordinator"]], capacity=250)
    crowd(app, small, 5)
    crowd(app, large, 200)
    return small, large


@pytest.mark.parametrize("suffix", ["", "/export.csv", "?withdrawn=1&sort=percent&dir=desc"])
def test_statement_count_does_not_grow_with_the_cohort(
    client, login_as, staff, two_cohorts, count_queries, suffix
):
    login_as(user=staff["coordinator"])
    small, large = two_cohorts
    counts, sizes = [], []
    for cohort_id in (small, large):
        client.get(f"/cohorts/{cohort_id}{suffix}")  # warm-up: nothing cached may help
        with count_queries() as statements:
            response = client.get(f"/cohorts/{cohort_id}{suffix}")
        assert response.status_code == 200
        counts.append(len(statements))
        body = response.get_data(as_text=True)
        sizes.append(body.count("\r\n") - 1 if "csv" in suffix else len(grid(body)[1]))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10
    expected_rows = 200 if "withdrawn=1" in suffix else 180
    assert sizes[1] == expected_rows
