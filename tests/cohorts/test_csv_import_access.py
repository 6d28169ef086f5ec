"""Who may upload to a cohort: its coordinators and admins; others are refused or see nothing."""

import io

import pytest
from sqlalchemy import func, select

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db

FILE = b"email,name,profession\nnew@example.org,New Person,support\n"


@pytest.fixture
def cohort_id(synced_course, make_user, make_cohort):
    return make_cohort(synced_course, coordinators=[make_user("coordinator")])[0]


def requests(client, cohort_id):
    """The three ways in: the form, an upload, a confirmation."""
    return {
        "form": client.get(f"/cohorts/{cohort_id}/import"),
        "upload": client.post(
            f"/cohorts/{cohort_id}/import",
            data={"file": (io.BytesIO(FILE), "people.csv")},
            content_type="multipart/form-data",
        ),
        "confirm": client.post(f"/cohorts/{cohort_id}/import/confirm", data={"payload": "x"}),
    }


@pytest.mark.parametrize(("roles", "status"), [(("learner",), 403), (("instructor",), 403)])
def test_other_roles_are_refused(client, login_as, cohort_id, roles, status):
    login_as(*roles)
    got = {name: r.status_code for name, r in requests(client, cohort_id).items()}
    assert got == {"form": status, "upload": status, "confirm": status}


def test_a_coordinator_of_another_cohort_sees_nothing(
    client, login_as, synced_course, make_cohort, cohort_id
):
    mine = login_as("coordinator")
    make_cohort(synced_course, coordinators=[mine])
    got = {name: r.status_code for name, r in requests(client, cohort_id).items()}
    assert got == {"form": 404, "upload": 404, "confirm": 404}


def test_faculty_of_the_cohort_may_not_upload(
    client, login_as, make_user, synced_course, make_cohort
):
    teacher = make_user("instructor", "coordinator")
    taught = make_cohort(synced_course, faculty=[teacher])[0]
    login_as(user=teacher)
    assert client.get(f"/cohorts/{taught}/import").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(app, client, cohort_id):
    for name, response in requests(client, cohort_id).items():
        assert response.status_code == 302, name
        assert "/login?next=" in response.headers["Location"], name
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_admins_may_upload_to_any_cohort(client, login_as, cohort_id):
    login_as("admin")
    got = requests(client, cohort_id)
    assert got["form"].status_code == 200
    assert got["upload"].status_code == 200
    assert "Enrol 1 person" in got["upload"].get_data(as_text=True)
    assert got["confirm"].status_code == 400  # "x" is not a signed upload


def test_unknown_cohorts_are_404(client, login_as):
    login_as("admin")
    assert client.get("/cohorts/999999/import").status_code == 404
