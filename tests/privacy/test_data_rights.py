"""Download my data, and erasure on request: what a person and an admin would check."""

import csv
import io
import json
import zipfile

from sqlalchemy import func, select

from smresidency.admin.models import AuditEntry
from smresidency.auth.models import User
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.quizzes.models import QuizAttempt
from tests.access.world import world  # noqa: F401  (every kind of record the learner owns)


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_download_my_data_is_a_zip_of_json_and_csv_and_is_audited(
    app,
    client,
    login_as,
    world,  # noqa: F811
):
    learner = world["users"]["learner"]
    login_as(user=learner)
    assert "Download my data" in _text(client.get("/account"))
    response = client.post("/account/data")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    [profile] = data["profile"]
    assert profile["email"] == learner.email and "password_hash" not in profile
    assert "session_token" not in profile
    assert len(data["quiz_attempts"]) == 2  # the open and the submitted one
    assert len(data["certificates"]) == 1 and len(data["plan_versions"]) >= 1
    assert data["evidence_and_checklist"] and data["enrolments"]
    rows = list(csv.DictReader(io.StringIO(archive.read("certificates.csv").decode())))
    assert rows[0]["code"] == world["ids"]["code"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "data.exported"))
        assert entry.target_user_id == learner.id and entry.after["quiz_attempts"] == 2


def test_erasure_anonymises_revokes_and_keeps_the_figures(
    app,
    client,
    login_as,
    world,  # noqa: F811
):
    learner = world["users"]["learner"]
    with app.app_context():
        attempts_before = db.session.scalar(select(func.count()).select_from(QuizAttempt))
        enrolments_before = db.session.scalar(select(func.count()).select_from(Enrolment))
    admin = login_as("admin")
    url = f"/admin/people/{learner.id}/erase"
    assert "Erase" in _text(client.get(url))
    wrong = client.post(url, data={"request_note": "E-mail of 3 May", "confirm_email": "x@y.z"})
    assert wrong.status_code == 422
    assert "That is not this person" in _text(wrong)
    with app.app_context():
        assert db.session.get(User, learner.id).email == learner.email  # nothing written

    done = client.post(
        url, data={"request_note": "E-mail of 3 May", "confirm_email": learner.email.upper()}
    )
    assert done.status_code == 302
    with app.app_context():
        user = db.session.get(User, learner.id)
        assert user.name == f"Erased person {learner.id}" and learner.email != user.email
        assert user.active is False
        cert = db.session.get(Certificate, world["ids"]["certificate"])
        assert cert.revoked_at is not None
        assert cert.revoke_reason == "erased at the holder's request"
        assert cert.recipient_name == "[erased]"
        # rows stay, so cohort figures and item analysis count the same
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == attempts_before
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == enrolments_before
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "data.erased"))
        assert (entry.actor_id, entry.target_user_id) == (admin.id, learner.id)
        assert entry.detail == "E-mail of 3 May"
    # the pages that show this person still work, without their name
    cohort_id = world["ids"]["cohort"]
    assert client.get(f"/cohorts/{cohort_id}").status_code == 200
    record = client.get(f"/cohorts/{cohort_id}/learners/{learner.id}")
    assert record.status_code == 200 and learner.name not in _text(record)
    assert client.get(f"/cohorts/{cohort_id}/export.csv").status_code == 200
    assert client.get(f"/admin/people/{learner.id}").status_code == 200
    again = client.post(url, data={"request_note": "again", "confirm_email": user.email})
    assert again.status_code == 422 and "already been erased" in _text(again)


def test_retention_setting_keeps_certificates(app, client, login_as, world):  # noqa: F811
    learner = world["users"]["learner"]
    app.config["ERASURE_KEEPS_CERTIFICATES"] = True
    login_as("admin")
    client.post(
        f"/admin/people/{learner.id}/erase",
        data={"request_note": "Letter", "confirm_email": learner.email},
    )
    with app.app_context():
        cert = db.session.get(Certificate, world["ids"]["certificate"])
        assert cert.revoked_at is None and cert.recipient_name != "[erased]"
        assert db.session.get(User, learner.id).active is False
