"""The cohort-scoping queries on their own: who sees, runs and teaches which cohort.

Views call these and answer 404 on None; the matrix proves the views, these tests prove the
queries (run under `make mutation`, where a mutant of them must change some answer here).
"""

import pytest
from sqlalchemy import select

from smresidency.cohorts.access import (
    cohort_or_none,
    managed_cohorts,
    scoped_cohort,
    taught_cohort_or_none,
    taught_cohorts,
    visible_cohorts,
    with_course,
)
from tests.test_access_matrix import current_token


@pytest.fixture
def staff(synced_course, make_user, make_cohort):
    """Cohort x: run by `coordinator`, taught by `faculty` and `dual`; cohort y: run by `dual`."""
    people = {
        "coordinator": make_user("coordinator"),
        "faculty": make_user("instructor"),
        "dual": make_user("instructor", "coordinator"),
        "admin": make_user("admin"),
        "stranger": make_user("coordinator", "instructor"),
        "learner": make_user("learner"),
    }
    x, _ = make_cohort(
        synced_course,
        coordinators=[people["coordinator"]],
        faculty=[people["faculty"], people["dual"]],
        learners=[people["learner"]],
    )
    y, _ = make_cohort(synced_course, coordinators=[people["dual"]], learners=1)
    return people, x, y


def ids(db, query) -> set[int]:
    return set(db.session.scalars(select(query.subquery().c.id)))


SCOPES = {
    # person: (visible, managed, taught), as cohort names
    "coordinator": ({"x"}, {"x"}, set()),
    "faculty": ({"x"}, set(), {"x"}),
    "dual": ({"x", "y"}, {"y"}, {"x"}),
    "admin": ({"x", "y"}, {"x", "y"}, {"x", "y"}),
    "stranger": (set(), set(), set()),
    "learner": (set(), set(), set()),
}


@pytest.mark.parametrize("who", SCOPES)
def test_each_person_sees_runs_and_teaches_exactly_their_cohorts(db, staff, who):
    people, x, y = staff
    names = {x: "x", y: "y"}
    user = people[who]
    got = tuple(
        {names[i] for i in ids(db, scope(user))}
        for scope in (visible_cohorts, managed_cohorts, taught_cohorts)
    )
    assert got == SCOPES[who]


@pytest.mark.parametrize("who", SCOPES)
def test_one_cohort_lookups_agree_with_the_scopes(db, staff, who):
    people, x, y = staff
    user = people[who]
    visible, managed, taught = SCOPES[who]
    for cohort_id, name in ((x, "x"), (y, "y")):
        seen = cohort_or_none(user, cohort_id)
        assert (seen is not None and seen.id == cohort_id) == (name in visible)
        run = cohort_or_none(user, cohort_id, manage=True)
        assert (run is not None and run.id == cohort_id) == (name in managed)
        teaches = taught_cohort_or_none(user, cohort_id)
        assert (teaches is not None and teaches.id == cohort_id) == (name in taught)
        scoped = scoped_cohort(visible_cohorts(user), cohort_id)
        assert (scoped is not None and scoped.id == cohort_id) == (name in visible)


def test_scoped_cohort_brings_its_course_in_the_same_statement(db, staff, count_queries):
    people, x, _ = staff
    with count_queries() as statements:
        cohort = scoped_cohort(taught_cohorts(people["faculty"]), x)
        title = cohort.course.title
    assert title
    assert len(statements) == 1
    rows = db.session.execute(with_course(visible_cohorts(people["admin"]))).scalars().all()
    assert {c.id for c in rows} == {x, staff[2]}


def test_running_a_cohort_is_not_teaching_it(app, staff):
    """`dual` coordinates y but teaches only x: y's immersion day is not theirs to run."""
    people, x, y = staff
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = current_token(app, people["dual"].id)
    assert client.get(f"/cohorts/{y}/checkin").status_code == 404
    assert client.get(f"/cohorts/{y}/evidence").status_code == 404
    assert client.get(f"/cohorts/{x}/checkin").status_code == 200
