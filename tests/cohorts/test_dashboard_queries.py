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


@pytest.mark.parametrize(
    "suffix", ["", "/export.csv", "?withdrawn=1&sort=percent&dir=desc", "?page=4", "?page=99"]
)
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
    assert counts[0] <= 11, statements  # 10, and the site settings every page reads once
    # the page shows 50 learners at a time (the last of 180 has 30); the CSV has every row
    expected_rows = {"/export.csv": 180, "?page=4": 30, "?page=99": 30}.get(suffix, 50)
    assert sizes[1] == expected_rows


def test_pages_keep_sort_and_filter_and_together_hold_every_learner(
    client, login_as, staff, two_cohorts
):
    """Fifty learners a page; the next page continues the same sorted, filtered list."""
    login_as(user=staff["coordinator"])
    _, large = two_cohorts
    seen = []
    for n in range(1, 5):
        body = client.get(f"/cohorts/{large}?sort=percent&dir=desc&page={n}").get_data(as_text=True)
        seen += [row[0] for row in grid(body)[1]]
        if n < 4:
            assert f"page={n + 1}" in body and "sort=percent" in body and 'rel="next"' in body
    assert len(seen) == len(set(seen)) == 180
    everyone = client.get(f"/cohorts/{large}/export.csv?sort=percent&dir=desc")
    names_in_csv = [line.split(",")[0] for line in everyone.get_data(as_text=True).split("\r\n")]
    assert sorted(seen) == sorted(n for n in names_in_csv[1:] if n)


def test_column_groups_collapse_on_the_page_but_not_in_the_csv(
    client, login_as, staff, two_cohorts
):
    login_as(user=staff["coordinator"])
    small, _ = two_cohorts
    header = grid(client.get(f"/cohorts/{small}").get_data(as_text=True))[0]
    body = client.get(f"/cohorts/{small}?hide=modules&hide=immersion").get_data(as_text=True)
    narrow = grid(body)[0]
    assert "Intro" in " ".join(header) and "Plan" in header
    assert len(narrow) == len(header) - 6  # three modules; immersion, plan, certificate
    assert "Intro" not in " ".join(narrow) and "Plan" not in narrow
    assert narrow[0].startswith("Name") and "Show modules columns" in body
    csv_header = client.get(f"/cohorts/{small}/export.csv?hide=modules").get_data(as_text=True)
    assert "Plan" in csv_header.split("\r\n")[0]
