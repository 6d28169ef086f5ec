"""The control-character corpus through every form, import and command that stores a name,
a title or a link: each refuses it with a field error (or a row error) and stores nothing."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from smresidency.auth.models import PendingRegistration, User
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from smresidency.mail.models import OutboxMessage
from tests.fixtures.control_characters import LINKS, NAMES

COURSE = "social-media-residency"
REFUSED = "Remove the hidden control character"
PASSWORD = "a calm blue morning sea"


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def course_id(app, synced_course):
    from smresidency.catalog.models import Course

    with app.app_context():
        return db.session.scalar(select(Course.id).where(Course.slug == synced_course))


# --- accounts -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_registration_refuses_the_name(app, client, name):
    data = {"name": name, "email": "ann@example.com", "password": PASSWORD, "confirm": PASSWORD}
    response = client.post("/register", data=data)
    assert response.status_code == 200
    assert REFUSED in field_error(response.get_data(as_text=True), "name")
    with app.app_context():
        assert count(User) == 0 and count(PendingRegistration) == 0


def test_registration_stores_the_name_in_nfc(app, client):
    data = {"name": " Zoe\u0308 Ådahl ", "email": "zoe@example.com", "password": PASSWORD}
    assert client.post("/register", data={**data, "confirm": PASSWORD}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(PendingRegistration.name)) == "Zoë Ådahl"
        body = db.session.scalar(select(OutboxMessage.body))
    token = re.search(r"/register/confirm/([\w-]+)", body).group(1)
    assert client.post(f"/register/confirm/{token}").status_code in (302, 303)
    with app.app_context():
        assert db.session.scalar(select(User.name)) == "Zoë Ådahl"


@pytest.mark.parametrize("field", ["name", "department"])
def test_joining_by_invitation_refuses_the_name_and_the_department(
    app, client, make_cohort, synced_course, field
):
    from smresidency.cohorts import services

    cohort_id, _ = make_cohort(synced_course, name="Autumn")
    with app.test_request_context(), app.app_context():
        token = services.invite_token(db.session.get(Cohort, cohort_id))
    data = {
        "name": "Nia Okafor",
        "email": "nia@example.test",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "profession": "clinician",
        "department": "Cardiology",
        field: NAMES["header injection"],
    }
    response = client.post(f"/join/{token}", data=data)
    assert response.status_code in (200, 422)
    assert REFUSED in field_error(response.get_data(as_text=True), field)
    with app.app_context():
        assert count(Enrolment) == 0 and count(User) == 0


def test_users_create_refuses_the_name(app, runner):
    for label, name in NAMES.items():
        args = ["users", "create", "--email", "ann@example.com", "--name", name]
        result = runner.invoke(args=[*args, "--password", PASSWORD])
        assert result.exit_code == 1, label
        assert "--name: " + REFUSED in result.output, label
    with app.app_context():
        assert count(User) == 0


def test_users_create_stores_the_name_in_nfc(app, runner):
    args = ["users", "create", "--email", "zoe@example.com", "--name", "Zoe\u0308"]
    assert runner.invoke(args=[*args, "--password", PASSWORD]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(User.name)) == "Zoë"


# --- cohorts --------------------------------------------------------------------------------


def _cohort_form(course_id, **overrides):
    from datetime import date, timedelta

    data = {
        "course_id": str(course_id),
        "name": "Spring residency",
        "immersion_date": (date.today() + timedelta(days=30)).isoformat(),
        "timezone": "Europe/London",
        "place": "Education centre",
        "online_link": "",
        "capacity": "20",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", v) for v in NAMES.values()]
    + [("place", NAMES["header injection"]), ("place", NAMES["right-to-left override"])]
    + [("online_link", v) for v in LINKS.values()],
)
def test_the_cohort_form_refuses_name_place_and_link(
    app, client, login_as, course_id, field, value
):
    login_as("coordinator")
    response = client.post("/cohorts/new", data=_cohort_form(course_id, **{field: value}))
    assert response.status_code == 422
    assert REFUSED in field_error(response.get_data(as_text=True), field)
    with app.app_context():
        assert count(Cohort) == 0


def test_cohorts_create_refuses_name_and_place(app, runner, synced_course):
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=30)).isoformat()
    for option in ("--name", "--place"):
        args = ["cohorts", "create", "--course", COURSE, "--date", day, "--name", "Spring"]
        result = runner.invoke(args=[*args, option, NAMES["right-to-left override"]])
        assert result.exit_code == 2, option
        assert REFUSED in result.output and "U+202E" in result.output, option
    with app.app_context():
        assert count(Cohort) == 0


# --- evidence links -------------------------------------------------------------------------


@pytest.fixture
def learner_in_cohort(synced_course, make_user, make_cohort, login_as):
    ann = make_user("learner", name="Ann Archer")
    make_cohort(synced_course, learners=[ann], faculty=[make_user("instructor")])
    return login_as(user=ann)


@pytest.mark.parametrize("url", LINKS.values(), ids=LINKS.keys())
def test_an_evidence_link_with_hidden_characters_is_refused(app, client, learner_in_cohort, url):
    response = client.post(f"/courses/{COURSE}/immersion/blog-post/evidence", data={"url": url})
    assert response.status_code == 422
    assert REFUSED in field_error(response.get_data(as_text=True), "url-blog-post")
    with app.app_context():
        assert count(CheckOff) == 0


# --- CSV import -----------------------------------------------------------------------------


def test_the_csv_import_refuses_each_row_with_a_hidden_character(
    app, client, login_as, make_cohort, synced_course
):
    coordinator = login_as("coordinator")
    cohort_id, _ = make_cohort(synced_course, name="Spring", coordinators=[coordinator])
    names = [n for n in NAMES.values() if "\x00" not in n]  # a NUL refuses the whole file
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["email", "name", "profession", "department"])
    for i, name in enumerate(names):
        writer.writerow([f"person{i}@example.org", name, "clinician", "Ward \u202e7"])
    writer.writerow(["good@example.org", "Good Person", "clinician", "Ward \u202e7"])
    response = client.post(
        f"/cohorts/{cohort_id}/import",
        data={"file": (io.BytesIO(out.getvalue().encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<strong>{len(names)}</strong> invalid name" in html
    assert "<strong>1</strong> invited" in html
    assert "Enrol 1 person" in html
    assert html.count(REFUSED) == len(names)
    assert "U+202E (right-to-left override)" in html
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f]", html)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    confirmed = client.post(f"/cohorts/{cohort_id}/import/confirm", data={"payload": payload})
    assert confirmed.status_code == 200
    with app.app_context():
        rows = db.session.execute(
            select(User.name, Enrolment.department).join(Enrolment, Enrolment.user_id == User.id)
        ).all()
    assert rows == [("Good Person", "Ward 7")]
