"""A cohort's certificate list holds that cohort's certificates, for the staff who may see it.

`dual` teaches cohort x and coordinates cohort y, so it may see both lists: each must show
only its own cohort's certificates.
"""

import pytest

from tests.access import world as _world
from tests.test_access_matrix import current_token


@pytest.fixture
def lists(app, synced_course, make_user, make_cohort):
    """Cohorts x (two certificates, made in reverse name order) and y (one)."""
    from sqlalchemy import select

    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.extensions import db

    people = {
        "coordinator": make_user("coordinator"),
        "dual": make_user("instructor", "coordinator"),
        "ben": make_user("learner"),
        "ann": make_user("learner"),
        "cara": make_user("learner"),
    }
    x, _ = make_cohort(
        synced_course,
        coordinators=[people["coordinator"]],
        faculty=[people["dual"]],
        learners=[people["ben"], people["ann"]],
    )
    y, _ = make_cohort(synced_course, coordinators=[people["dual"]], learners=[people["cara"]])
    names = {"ben": "Ben Xavier", "ann": "Ann Xu", "cara": "Cara Young"}
    with app.app_context():
        for number, (who, cohort) in enumerate((("ben", x), ("ann", x), ("cara", y)), 1):
            user = people[who]
            enrolment = db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id))
            cert = db.session.get(Certificate, _world._certificate(user.id, enrolment, cohort)[0])
            cert.recipient_name = names[who]
            cert.serial = f"SMR-2026-10000{number}"
            cert.code = f"COHORTLIST{number}ABCDEF"
            db.session.commit()
    return people, x, y


def page(app, user, cohort_id):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = current_token(app, user.id)
    return client.get(f"/cohorts/{cohort_id}/certificates")


def test_each_list_holds_its_own_cohorts_certificates_in_name_order(app, lists):
    people, x, y = lists
    first = page(app, people["dual"], x).get_data(as_text=True)
    assert "Cara Young" not in first
    assert first.index("Ann Xu") < first.index("Ben Xavier")
    second = page(app, people["dual"], y).get_data(as_text=True)
    assert "Cara Young" in second
    assert "Ann Xu" not in second and "Ben Xavier" not in second


def test_a_list_the_user_may_not_see_is_not_found(app, lists):
    people, _, y = lists
    assert page(app, people["coordinator"], y).status_code == 404


def test_the_query_itself_returns_nothing_outside_the_users_cohorts(app, lists):
    """Views check the cohort first; the query does not rely on it."""
    from smresidency.certificates import queries

    people, x, y = lists
    with app.app_context():
        assert queries.of_cohort(people["coordinator"], y) == []
        assert [c.recipient_name for c in queries.of_cohort(people["coordinator"], x)] == [
            "Ann Xu",
            "Ben Xavier",
        ]
        mine = queries.for_staff(people["coordinator"], queries.of_cohort(people["dual"], y)[0].id)
        assert mine is None
