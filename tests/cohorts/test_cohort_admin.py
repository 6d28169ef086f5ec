"""Creating and editing cohorts, joining by invitation, and moving people between cohorts."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from smresidency.cohorts import services
from smresidency.cohorts.models import Cohort, CohortStaff, Enrolment
from smresidency.extensions import db

COURSE = "social-media-residency"


def _form(**overrides):
    data = {
        "course_id": "1",
        "name": "Spring residency",
        "immersion_date": (date.today() + timedelta(days=30)).isoformat(),
        "timezone": "Europe/London",
        "place": "Education centre",
        "online_link": "",
        "capacity": "20",
    }
    data.update(overrides)
    return data


@pytest.fixture
def course_id(app, synced_course):
    from smresidency.catalog.models import Course

    with app.app_context():
        return db.session.scalar(select(Course.id))


def test_coordinator_creates_a_cohort_and_runs_it(app, client, login_as, make_user, course_id):
    teacher = make_user("instructor")
    me = login_as("coordinator")
    response = client.post(
        "/cohorts/new", data={**_form(course_id=str(course_id)), "faculty": [str(teacher.id)]}
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort))
        staff = set(db.session.execute(select(CohortStaff.user_id, CohortStaff.role)).all())
    assert cohort.name == "Spring residency"
    assert staff == {(teacher.id, "faculty"), (me.id, "coordinator")}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invitation link" in page and "/join/" in page
    assert "Nobody has joined yet" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "Use a time zone name"),
        ("online_link", "javascript:alert(1)", "starting with https://"),
        ("capacity", "0", "Number must be between 1 and 500"),
        ("name", "", "This field is required"),
    ],
)
def test_bad_cohort_input_re_renders_with_field_errors(
    app, client, login_as, course_id, field, value, message
):
    login_as("coordinator")
    response = client.post("/cohorts/new", data=_form(course_id=str(course_id), **{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0


def test_faculty_must_be_instructors(app, client, login_as, make_user, course_id):
    learner = make_user("learner")
    login_as("coordinator")
    response = client.post(
        "/cohorts/new", data={**_form(course_id=str(course_id)), "faculty": [str(learner.id)]}
    )
    assert response.status_code == 422
    assert "is not a valid choice for this field" in response.get_data(as_text=True)


def test_duplicate_name_in_a_course_is_refused(
    client, login_as, make_cohort, synced_course, course_id
):
    me = login_as("coordinator")
    make_cohort(synced_course, name="Spring residency", coordinators=[me])
    response = client.post("/cohorts/new", data=_form(course_id=str(course_id)))
    assert response.status_code == 422
    assert "already has that name" in response.get_data(as_text=True)


def test_capacity_cannot_drop_below_enrolled(
    client, login_as, make_cohort, synced_course, course_id
):
    me = login_as("coordinator")
    cohort_id, _ = make_cohort(synced_course, coordinators=[me], learners=3, name="Small")
    response = client.post(
        f"/cohorts/{cohort_id}/edit",
        data=_form(course_id=str(course_id), name="Small", capacity="2"),
    )
    assert response.status_code == 422
    assert "cannot be below the number of learners" in response.get_data(as_text=True)


def _invite(app, cohort_id: int) -> str:
    with app.test_request_context(), app.app_context():
        return services.invite_token(db.session.get(Cohort, cohort_id))


def test_a_new_person_registers_through_the_link_and_lands_in_the_cohort(
    app, client, make_cohort, synced_course
):
    cohort_id, _ = make_cohort(synced_course, name="Autumn")
    token = _invite(app, cohort_id)
    page = client.get(f"/join/{token}").get_data(as_text=True)
    assert "Join Autumn" in page and "Create account and join" in page
    response = client.post(
        f"/join/{token}",
        data={
            "name": "Nia Okafor",
            "email": "nia@example.test",
            "password": "a calm blue morning sea",
            "confirm": "a calm blue morning sea",
            "profession": "clinician",
            "department": "Cardiology",
        },
    )
    # as on /register: "check your e-mail"; the mailed link makes the account and joins
    assert "Check your e-mail" in response.get_data(as_text=True)
    from tests.auth.test_join_by_mail import join_link

    link = join_link(app, "nia@example.test")
    assert "Create my account" in client.get(link).get_data(as_text=True)
    response = client.post(link)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/{synced_course}")
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        assert (enrolment.cohort_id, enrolment.profession, enrolment.department) == (
            cohort_id,
            "clinician",
            "Cardiology",
        )
    assert client.get("/account").status_code == 200  # signed in


def test_a_signed_in_person_joins_with_one_click(app, client, login_as, make_cohort, synced_course):
    cohort_id, _ = make_cohort(synced_course)
    user = login_as("learner")
    token = _invite(app, cohort_id)
    assert "Join the cohort" in client.get(f"/join/{token}").get_data(as_text=True)
    assert client.post(f"/join/{token}", data={"profession": "support"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Enrolment.user_id)) == user.id


def test_a_failed_join_creates_no_account(app, client, make_cohort, make_user, synced_course):
    cohort_id, _ = make_cohort(synced_course, capacity=1, learners=1)
    token = _invite(app, cohort_id)
    response = client.post(
        f"/join/{token}",
        data={
            "name": "Late Comer",
            "email": "late@example.test",
            "password": "a calm blue morning sea",
            "confirm": "a calm blue morning sea",
        },
    )
    assert response.status_code == 422
    assert "is full" in response.get_data(as_text=True)
    from smresidency.auth.models import User

    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "late@example.test")) is None


def test_revoked_forged_and_expired_links_are_refused(
    app, client, login_as, make_cohort, synced_course
):
    me = login_as("coordinator")
    cohort_id, _ = make_cohort(synced_course, coordinators=[me])
    old = _invite(app, cohort_id)
    assert client.post(f"/cohorts/{cohort_id}/invitations/revoke").status_code == 302
    refused = client.get(f"/join/{old}")
    assert refused.status_code == 404
    assert "has been withdrawn" in refused.get_data(as_text=True)
    forged = client.get(f"/join/{old[:-3]}abc")
    assert forged.status_code == 404 and "not valid" in forged.get_data(as_text=True)
    app.config["INVITE_MAX_AGE_DAYS"] = -1
    expired = client.get(f"/join/{_invite(app, cohort_id)}")
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)


def test_withdraw_readmit_and_move_keep_progress(app, client, login_as, make_cohort, synced_course):
    me = login_as("coordinator")
    first, (learner,) = make_cohort(synced_course, coordinators=[me], learners=1, name="A")
    second, _ = make_cohort(synced_course, coordinators=[me], name="B")
    with app.app_context():
        enrolment_id = db.session.scalar(select(Enrolment.id))
    reader = app.test_client()
    with reader.session_transaction() as session:
        session["_user_id"] = learner.session_token
    reader.post(f"/courses/{synced_course}/modules/01-why-social-media/read")
    base = f"/cohorts/{first}/enrolments/{enrolment_id}"
    client.post(f"{base}/withdraw")
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).status == "withdrawn"
    client.post(f"{base}/readmit")
    response = client.post(f"{base}/move", data={"target": str(second)})
    assert response.status_code == 302
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        assert (enrolment.cohort_id, enrolment.status) == (second, "active")
        assert enrolment.updated_by_id == me.id
    # the reading done before the move still counts in the new cohort's export
    import csv
    import io

    exported = client.get(f"/cohorts/{second}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    (row,) = [r for r in csv.reader(io.StringIO(exported)) if r and r[0] == learner.name]
    assert any(cell.startswith("Read") for cell in row), row


def test_move_into_a_full_cohort_is_refused_with_a_message(
    app, client, login_as, make_cohort, synced_course
):
    me = login_as("coordinator")
    first, _ = make_cohort(synced_course, coordinators=[me], learners=1, name="A")
    full, _ = make_cohort(synced_course, coordinators=[me], learners=1, capacity=1, name="B")
    with app.app_context():
        enrolment_id = db.session.scalar(select(Enrolment.id).where(Enrolment.cohort_id == first))
    page = client.post(
        f"/cohorts/{first}/enrolments/{enrolment_id}/move",
        data={"target": str(full)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "B is full (1 places)" in page
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).cohort_id == first


def test_a_learner_is_in_one_cohort_per_course(app, make_cohort, make_user, synced_course):
    person = make_user("learner")
    make_cohort(synced_course, learners=[person], name="A")
    with pytest.raises(Exception, match="another cohort of this course"):
        make_cohort(synced_course, learners=[person], name="B")


def test_coordinators_see_only_their_own_cohorts(
    client, login_as, make_user, make_cohort, synced_course
):
    mine = login_as("coordinator")
    other = make_user("coordinator")
    make_cohort(synced_course, coordinators=[mine], name="Mine")
    theirs, _ = make_cohort(synced_course, coordinators=[other], name="Theirs")
    page = client.get("/cohorts").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page
    assert client.get(f"/cohorts/{theirs}/people").status_code == 404
    assert client.get(f"/cohorts/{theirs}/edit").status_code == 404
    assert client.post(f"/cohorts/{theirs}/invitations/revoke").status_code == 404


def test_faculty_see_their_cohorts_but_cannot_manage_them(
    client, login_as, make_cohort, synced_course
):
    teacher = login_as("instructor")
    cohort_id, _ = make_cohort(synced_course, faculty=[teacher], name="Taught")
    assert "Taught" in client.get("/cohorts").get_data(as_text=True)
    assert client.get(f"/cohorts/{cohort_id}/people").status_code == 403
