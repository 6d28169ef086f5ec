"""Enrolling from a CSV through the pages: preview writes nothing, confirm writes all or nothing."""

import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from smresidency.auth.models import PasswordResetToken, User
from smresidency.cohorts import csv_import
from smresidency.cohorts.csv_import import CsvProblem
from smresidency.cohorts.forms_import import sign
from smresidency.cohorts.models import Enrolment
from smresidency.cohorts.services import CohortError
from smresidency.extensions import db
from smresidency.mail.models import OutboxMessage

FILE = (
    "email,name,profession,department\n"
    "existing@example.org,Existing Person,Clinicians,ICU\n"
    "zoe@example.org,Zoë Ådahl,education,Library\n"
    "bad-address,Nobody,support,\n"
)
NEW_PASSWORD = "a freshly chosen passphrase"


@pytest.fixture
def world(app, synced_course, make_user, make_cohort, login_as):
    """A coordinator signed in, running a cohort with room, and one learner with an account."""
    coordinator = login_as("coordinator")
    make_user("learner", email="existing@example.org", name="Existing Person")
    cohort_id, _ = make_cohort(synced_course, name="Spring", coordinators=[coordinator])
    return SimpleNamespace(cohort_id=cohort_id, coordinator=coordinator, course=synced_course)


def upload(client, cohort_id, content, filename="people.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/cohorts/{cohort_id}/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def payload_of(response) -> str:
    match = re.search(
        r'name="payload" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    )
    assert match, response.get_data(as_text=True)
    return match.group(1)


def confirm(client, cohort_id, payload):
    return client.post(f"/cohorts/{cohort_id}/import/confirm", data={"payload": payload})


def written(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Enrolment, OutboxMessage, PasswordResetToken)
        }


def enrolled(app, cohort_id) -> dict[str, tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(User.email, Enrolment.profession, Enrolment.department)
            .join(User, User.id == Enrolment.user_id)
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
        )
        return {email: (profession, department) for email, profession, department in rows}


def test_the_form_says_how_many_places_are_left(client, world):
    page = client.get(f"/cohorts/{world.cohort_id}/import")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "20 places left of 20" in html
    assert 'enctype="multipart/form-data"' in html


def test_preview_reports_every_row_and_writes_nothing(app, client, world):
    before = written(app)
    page = upload(client, world.cohort_id, FILE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nothing has been saved yet." in html
    assert "<strong>1</strong> added" in html
    assert "<strong>1</strong> invited" in html
    assert "<strong>1</strong> invalid e-mail" in html
    assert "Enrol 2 people" in html
    assert "<td>3</td>" in html and "Zoë Ådahl" in html
    assert written(app) == before


def test_confirm_enrols_and_invites_in_one_go(app, client, world):
    before = written(app)
    page = confirm(client, world.cohort_id, payload_of(upload(client, world.cohort_id, FILE)))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 people were enrolled" in html
    assert f'<a class="button" href="/cohorts/{world.cohort_id}">' in html  # the dashboard
    assert enrolled(app, world.cohort_id) == {
        "existing@example.org": ("clinician", "ICU"),
        "zoe@example.org": ("education", "Library"),
    }
    after = written(app)
    assert after["User"] == before["User"] + 1
    assert after["OutboxMessage"] == before["OutboxMessage"] + 1


def test_an_invited_person_gets_an_account_a_role_and_a_link_that_works(app, client, world):
    confirm(client, world.cohort_id, payload_of(upload(client, world.cohort_id, FILE)))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "zoe@example.org"))
        assert (user.name, user.roles, user.active) == ("Zoë Ådahl", {"learner"}, True)
        [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == "zoe@example.org"
    assert "Spring" in mail.body and "Hello Zoë Ådahl" in mail.body
    path = re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", mail.body).group(1)

    visitor = app.test_client()
    assert (
        visitor.post("/login", data={"email": user.email, "password": "x" * 12}).status_code == 200
    )
    assert "Choose a new password" in visitor.get(path).get_data(as_text=True)
    done = visitor.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert (done.status_code, done.headers["Location"]) == (302, "/login")
    signed_in = visitor.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert visitor.get("/account").status_code == 200
    assert visitor.get(path).status_code == 404  # the link works once


def test_windows_1252_names_survive(app, client, world):
    data = "email,name,profession\r\nzoe@example.org,Zoë Ådahl,support\r\n".encode("cp1252")
    page = upload(client, world.cohort_id, data)
    assert "read as Windows-1252" in page.get_data(as_text=True)
    confirm(client, world.cohort_id, payload_of(page))
    with app.app_context():
        assert (
            db.session.scalar(select(User.name).where(User.email == "zoe@example.org"))
            == "Zoë Ådahl"
        )


def test_uploading_the_same_file_again_changes_nothing(app, client, world):
    first = payload_of(upload(client, world.cohort_id, FILE))
    confirm(client, world.cohort_id, first)
    before = written(app)
    html = upload(client, world.cohort_id, FILE).get_data(as_text=True)
    assert "<strong>2</strong> already enrolled" in html
    assert "No row would change anything." in html and 'name="payload"' not in html
    again = confirm(client, world.cohort_id, first)  # the old confirmation, replayed
    assert again.status_code == 200
    assert "0 people were enrolled" in again.get_data(as_text=True)
    assert written(app) == before


def test_confirm_plans_again_against_the_current_state(app, client, world, make_user):
    payload = payload_of(upload(client, world.cohort_id, FILE))
    with app.app_context():
        from smresidency.cohorts.models import Cohort

        db.session.get(Cohort, world.cohort_id).capacity = 1
        db.session.commit()
    html = confirm(client, world.cohort_id, payload).get_data(as_text=True)
    assert "1 person was enrolled" in html and "<strong>1</strong> over capacity" in html
    assert list(enrolled(app, world.cohort_id)) == ["existing@example.org"]


@pytest.mark.parametrize("failure", [CohortError("Row two failed."), RuntimeError("boom")])
def test_a_failure_half_way_writes_nothing(app, client, world, monkeypatch, failure):
    payload = payload_of(upload(client, world.cohort_id, FILE))
    real_enrol, calls = csv_import.enrol, []

    def enrol_then_fail(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise failure
        return real_enrol(*args, **kwargs)

    monkeypatch.setattr(csv_import, "enrol", enrol_then_fail)
    before = written(app)
    response = confirm(client, world.cohort_id, payload)
    assert len(calls) == 2  # the first row had been enrolled and flushed
    assert response.status_code == (409 if isinstance(failure, CohortError) else 500)
    if response.status_code == 409:
        assert "Nothing was enrolled: Row two failed." in response.get_data(as_text=True)
    assert written(app) == before
    assert enrolled(app, world.cohort_id) == {}


def test_a_tampered_confirmation_is_refused(app, client, world, make_cohort):
    payload = payload_of(upload(client, world.cohort_id, FILE))
    before = written(app)
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = confirm(client, world.cohort_id, forged)
    assert response.status_code == 400
    assert "altered or damaged" in response.get_data(as_text=True)
    assert confirm(client, world.cohort_id, "").status_code == 400
    other_id, _ = make_cohort(world.course, coordinators=[world.coordinator])
    elsewhere = confirm(client, other_id, payload)
    assert elsewhere.status_code == 400
    assert "belongs to another cohort" in elsewhere.get_data(as_text=True)
    assert written(app) == before


@pytest.mark.parametrize(
    ("setting", "content", "message"),
    [
        ("CSV_MAX_BYTES", FILE, "The file is larger than 100 bytes"),
        ("CSV_MAX_ROWS", FILE, "more than 2 rows of people"),
    ],
)
def test_limits_refuse_the_whole_file(app, client, world, setting, content, message):
    app.config[setting] = 2 if setting == "CSV_MAX_ROWS" else 100
    before = written(app)
    response = upload(client, world.cohort_id, content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'name="payload"' not in response.get_data(as_text=True)
    assert written(app) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        ("email;name\na@example.org;A\n", "Missing: “profession”."),
    ],
)
def test_file_problems_are_shown_on_the_form(client, world, content, message):
    response = upload(client, world.cohort_id, content)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html


def test_a_post_without_a_file_asks_for_one(client, world):
    response = client.post(f"/cohorts/{world.cohort_id}/import", data={})
    assert response.status_code == 400
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_the_flow_works_with_csrf_protection_on(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    form = client.get(f"/cohorts/{world.cohort_id}/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    data = {"file": (io.BytesIO(FILE.encode()), "people.csv")}
    assert client.post(f"/cohorts/{world.cohort_id}/import", data=data).status_code == 400
    data = {"csrf_token": token, "file": (io.BytesIO(FILE.encode()), "people.csv")}
    preview = client.post(f"/cohorts/{world.cohort_id}/import", data=data)
    assert preview.status_code == 200
    payload = payload_of(preview)
    assert confirm(client, world.cohort_id, payload).status_code == 400
    done = client.post(
        f"/cohorts/{world.cohort_id}/import/confirm", data={"payload": payload, "csrf_token": token}
    )
    assert done.status_code == 200
    assert len(enrolled(app, world.cohort_id)) == 2


def test_an_upload_too_large_to_carry_to_confirmation_is_refused(app):
    app.config["MAX_FORM_MEMORY_SIZE"] = 200  # the signed FILE is longer than this
    with app.app_context(), pytest.raises(CsvProblem, match="too large to confirm in one go"):
        sign(1, FILE, "UTF-8")
