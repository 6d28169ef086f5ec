"""Joining by a short cohort code: typeable, rotatable, and the usual enrolment rules apply."""

import re

from sqlalchemy import select

from smresidency.cohorts import codes
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db

COURSE = "social-media-residency"


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_codes_have_no_look_alike_characters_and_forgive_typing():
    for _ in range(200):
        code = codes.new_code()
        assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
        assert not set(code) & set("0O1IL2Z5S8B6GQDUV")
    assert codes.normalise(" k7q 4pm ") == "K7Q-4PM"
    assert codes.normalise("k7q-4pm") == "K7Q-4PM"


def test_coordinator_makes_and_rotates_a_code_and_a_learner_joins_with_it(
    app, client, login_as, make_user, make_cohort, synced_course
):
    coordinator = make_user("coordinator")
    cohort_id, _ = make_cohort(synced_course, coordinators=[coordinator], capacity=1)
    login_as(user=coordinator)
    assert "No code yet" in _text(client.get(f"/cohorts/{cohort_id}/people"))
    assert client.post(f"/cohorts/{cohort_id}/code").status_code == 302
    with app.app_context():
        first = db.session.get(Cohort, cohort_id).join_code
    assert first and first in _text(client.get(f"/cohorts/{cohort_id}/people"))
    client.post(f"/cohorts/{cohort_id}/code")
    with app.app_context():
        code = db.session.get(Cohort, cohort_id).join_code
    assert code != first

    learner = login_as("learner")  # registered on their own: no cohort yet
    course_page = _text(client.get(f"/courses/{COURSE}"))
    assert "Join your cohort" in course_page and 'href="/join"' in course_page
    stale = client.post("/join", data={"code": first})
    assert stale.status_code == 422 and "No cohort has that code." in _text(stale)
    missing = client.post("/join", data={"code": ""})
    assert missing.status_code == 422 and "Type the code your coordinator gave you." in _text(
        missing
    )
    joined = client.post("/join", data={"code": code.lower().replace("-", " ")})
    assert joined.status_code == 302 and joined.headers["Location"].endswith(f"/courses/{COURSE}")
    with app.app_context():
        [enrolment] = db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == learner.id)
        ).all()
        assert (enrolment.cohort_id, enrolment.status) == (cohort_id, "active")
    assert "Join your cohort" not in _text(client.get(f"/courses/{COURSE}"))

    login_as("learner")  # capacity 1: the cohort is full now
    full = client.post("/join", data={"code": code})
    assert full.status_code == 422 and "full" in _text(full).lower()


def test_another_cohorts_coordinator_cannot_rotate_the_code(
    app, client, login_as, make_user, make_cohort, synced_course
):
    cohort_id, _ = make_cohort(synced_course, coordinators=[make_user("coordinator")])
    login_as("coordinator")
    assert client.post(f"/cohorts/{cohort_id}/code").status_code == 404
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).join_code is None
