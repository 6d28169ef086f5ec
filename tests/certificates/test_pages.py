"""The learner's certificate pages and downloads, the issuer's keys and profile, the cohort's
list of certificates, and revoking one."""

import html
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import Draft201909Validator, Draft202012Validator
from sqlalchemy import insert, select

from smresidency.certificates import keys
from smresidency.certificates.models import Certificate
from smresidency.extensions import db
from smresidency.immersion.services import set_checked

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"


def finish(app, nearly_done) -> Certificate:
    """Tick the last item and read the last module: the certificate is issued."""
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        db.session.expunge(cert)
    assert cert is not None
    return cert


def client_of(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    return client


def validator(name: str):
    schema = json.loads((SPECS / name).read_text())
    cls = Draft202012Validator if "2020-12" in schema.get("$schema", "") else Draft201909Validator
    return cls(schema)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_certificate_page_shows_what_was_certified(app, nearly_done):
    cert = finish(app, nearly_done)
    page = nearly_done["client"].get(f"/certificates/{cert.id}")
    assert page.status_code == 200
    body = text_of(page)
    assert "Zoë Παπαδοπούλου" in body
    assert "Test course" in body
    assert "12 hours" in body
    assert cert.immersion_date.strftime("%d %B %Y") in body
    assert cert.serial in body
    assert cert.display_code in body and re.fullmatch(r"(\w{4}-){3}\w{4}", cert.display_code)
    assert f"http://localhost/verify/{cert.code}" in body


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated:Warning")
def test_json_download_is_a_valid_open_badge_whose_jwt_verifies_independently(app, nearly_done):
    from joserfc import jws
    from joserfc.jwk import KeySet

    cert = finish(app, nearly_done)
    keys.generate(app.instance_path)
    client = nearly_done["client"]
    response = client.get(f"/certificates/{cert.id}/credential.json")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert f'filename="{cert.serial}.json"' in response.headers["Content-Disposition"]
    document = response.get_json(force=True)
    schema = validator("ob_v3p0_achievementcredential.schema.json")
    assert [e.message for e in schema.iter_errors(document)] == []
    assert document["credentialSubject"]["name"] == "Zoë Παπαδοπούλου"

    prefix = "data:application/vc+jwt,"
    envelope = document["proof"][0]["id"]
    assert envelope.startswith(prefix)
    token = envelope[len(prefix) :]
    published = client.get("/.well-known/jwks.json").get_json()
    result = jws.deserialize_compact(
        token, KeySet.import_key_set(published), algorithms=["EdDSA", "Ed25519"]
    )
    signed = json.loads(result.payload)
    assert signed == {k: v for k, v in document.items() if k != "proof"}

    jwt = client.get(f"/certificates/{cert.id}/credential.jwt")
    assert jwt.status_code == 200 and jwt.mimetype == "application/vc+jwt"
    assert jwt.get_data(as_text=True) == token  # Ed25519 signatures are deterministic


def test_without_a_signing_key_the_download_says_so(app, nearly_done):
    cert = finish(app, nearly_done)
    for fmt in ("json", "jwt"):
        response = nearly_done["client"].get(f"/certificates/{cert.id}/credential.{fmt}")
        assert response.status_code == 503
        assert "no signing key" in response.get_data(as_text=True)
    assert nearly_done["client"].get("/.well-known/jwks.json").get_json() == {"keys": []}


def test_the_issuer_profile_validates_and_the_jwks_publishes_every_key(client, app):
    profile = client.get("/issuer")
    assert profile.status_code == 200
    data = profile.get_json()
    assert [e.message for e in validator("ob_v3p0_profile.schema.json").iter_errors(data)] == []
    assert data["id"] == "http://localhost/issuer"
    old, new = keys.generate(app.instance_path), keys.generate(app.instance_path)
    published = client.get("/.well-known/jwks.json").get_json()["keys"]
    issuer = "http://localhost/issuer"  # each kid is the one credentials carry in their header
    assert {k["kid"] for k in published} == {f"{issuer}#{old.kid}", f"{issuer}#{new.kid}"}
    assert all("d" not in k for k in published)


def test_the_linkedin_link_fills_in_every_field(app, nearly_done):
    cert = finish(app, nearly_done)
    body = text_of(nearly_done["client"].get(f"/certificates/{cert.id}"))
    (href,) = re.findall(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', body)
    fields = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    assert fields["name"] == "Test course"
    assert fields["organizationName"] == "Test Hospital"
    issued, expires = cert.issued_at, cert.expires_at
    assert (fields["issueYear"], fields["issueMonth"]) == (str(issued.year), str(issued.month))
    assert (fields["expirationYear"], fields["expirationMonth"]) == (
        str(expires.year),
        str(expires.month),
    )
    assert fields["certId"] == cert.serial
    assert fields["certUrl"] == f"http://localhost/verify/{cert.code}"


def test_another_learner_cannot_open_or_download_it(app, nearly_done, make_user):
    cert = finish(app, nearly_done)
    keys.generate(app.instance_path)
    other = client_of(app, make_user("learner"))
    for path in ("", ".pdf", "/credential.json", "/credential.jwt"):
        assert other.get(f"/certificates/{cert.id}{path}").status_code == 404, path
        assert nearly_done["client"].get(f"/certificates/{cert.id}{path}").status_code == 200
    assert cert.serial not in other.get("/certificates").get_data(as_text=True)


def test_my_certificates_lists_mine_or_says_there_are_none(app, nearly_done):
    client = nearly_done["client"]
    empty = text_of(client.get("/certificates"))
    assert "You have no certificate yet" in empty
    cert = finish(app, nearly_done)
    listing = text_of(client.get("/certificates"))
    assert cert.serial in listing and "Test course" in listing
    assert f'href="/certificates/{cert.id}"' in listing
    assert "You have no certificate yet" not in listing


def test_the_cohort_list_for_each_kind_of_staff(app, nearly_done, make_user):
    cert = finish(app, nearly_done)
    url = f"/cohorts/{nearly_done['cohort_id']}/certificates"
    coordinator = text_of(client_of(app, nearly_done["coordinator"]).get(url))
    assert cert.serial in coordinator and "Zoë Παπαδοπούλου" in coordinator
    assert f"/certificates/{cert.id}/revoke" in coordinator and 'name="reason"' in coordinator
    faculty = client_of(app, nearly_done["faculty"]).get(url)
    assert faculty.status_code == 200 and cert.serial in text_of(faculty)
    assert "/revoke" not in text_of(faculty)
    assert client_of(app, make_user("coordinator")).get(url).status_code == 404
    assert client_of(app, make_user("instructor")).get(url).status_code == 404
    assert nearly_done["client"].get(url).status_code == 403


def test_a_cohort_without_certificates_says_so(app, nearly_done):
    url = f"/cohorts/{nearly_done['cohort_id']}/certificates"
    page = client_of(app, nearly_done["coordinator"]).get(url)
    assert page.status_code == 200
    assert "No certificate has been issued in this cohort yet" in text_of(page)


def test_revoking_with_a_reason_shows_everywhere(app, nearly_done):
    cert = finish(app, nearly_done)
    coordinator = client_of(app, nearly_done["coordinator"])
    cohort = nearly_done["cohort_id"]
    response = coordinator.post(
        f"/cohorts/{cohort}/certificates/{cert.id}/revoke",
        data={"reason": "Issued to the wrong person", "confirmed": "yes"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    listing = text_of(response)
    assert "Revoked: Issued to the wrong person" in listing
    assert f"Certificate {cert.serial} is revoked" in listing
    verdict = text_of(client_of(app, nearly_done["faculty"]).get(f"/verify/{cert.code}"))
    assert "This certificate is revoked" in verdict
    with app.app_context():
        stored = db.session.get(Certificate, cert.id)
        assert stored.revoked_by_id == nearly_done["coordinator"].id


def test_revoking_asks_for_confirmation_first_without_javascript(app, nearly_done):
    cert = finish(app, nearly_done)
    coordinator = client_of(app, nearly_done["coordinator"])
    url = f"/cohorts/{nearly_done['cohort_id']}/certificates/{cert.id}/revoke"
    asked = coordinator.post(url, data={"reason": "Issued in error"})
    page = text_of(asked)
    assert asked.status_code == 200 and f"Revoke certificate {cert.serial}?" in page
    assert 'name="confirmed" type="hidden" value="yes"' in page or (
        'type="hidden" name="confirmed" value="yes"' in page
    )
    assert 'value="Issued in error"' in page and "<script" not in page
    with app.app_context():
        assert db.session.get(Certificate, cert.id).revoked_at is None  # nothing yet
    done = coordinator.post(url, data={"reason": "Issued in error", "confirmed": "yes"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Certificate, cert.id).revoke_reason == "Issued in error"


def test_revoking_without_a_reason_is_refused_and_changes_nothing(app, nearly_done):
    cert = finish(app, nearly_done)
    coordinator = client_of(app, nearly_done["coordinator"])
    url = f"/cohorts/{nearly_done['cohort_id']}/certificates/{cert.id}/revoke"
    for reason in ("", "   "):
        response = coordinator.post(url, data={"reason": reason})
        assert response.status_code == 422
        assert "Say why the certificate is revoked" in text_of(response)
    with app.app_context():
        assert db.session.get(Certificate, cert.id).revoked_at is None
    assert "This certificate is valid" in text_of(coordinator.get(f"/verify/{cert.code}"))


def test_faculty_cannot_revoke(app, nearly_done):
    cert = finish(app, nearly_done)
    faculty = client_of(app, nearly_done["faculty"])
    url = f"/cohorts/{nearly_done['cohort_id']}/certificates/{cert.id}/revoke"
    assert faculty.post(url, data={"reason": "No"}).status_code == 403
    with app.app_context():
        assert db.session.get(Certificate, cert.id).revoked_at is None


def _crowd(app, cohort_id: int, size: int) -> None:
    """`size` learners of the cohort, each with a certificate, inserted in bulk."""
    from smresidency.auth.models import User
    from smresidency.cohorts.models import Cohort, Enrolment

    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        start = db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) + 1
        users = [
            {"id": start + i, "email": f"crowd{start + i}@example.test", "name": f"Crowd {i:03}",
             "password_hash": "x", "session_token": f"crowd-token-{start + i}"}
            for i in range(size)
        ]  # fmt: skip
        db.session.execute(insert(User), users)
        db.session.execute(
            insert(Enrolment),
            [{"cohort_id": cohort_id, "user_id": u["id"], "course_id": cohort.course_id,
              "profession": "clinician"} for u in users],
        )  # fmt: skip
        enrolments = dict(
            db.session.execute(
                select(Enrolment.user_id, Enrolment.id).where(Enrolment.cohort_id == cohort_id)
            ).all()
        )
        db.session.execute(
            insert(Certificate),
            [{"user_id": u["id"], "course_id": cohort.course_id, "cohort_id": cohort_id,
              "enrolment_id": enrolments[u["id"]], "serial": f"SMR-2030-{u['id']:06d}",
              "code": f"CROWD{u['id']:011d}", "recipient_name": u["name"],
              "course_title": "Test course", "immersion_date": date(2030, 1, 1)}
             for u in users],
        )  # fmt: skip
        db.session.commit()


def test_the_cohort_list_reads_in_the_same_number_of_statements_for_any_size(
    app, nearly_done, make_cohort, count_queries
):
    coordinator = client_of(app, nearly_done["coordinator"])
    small = nearly_done["cohort_id"]
    large, _ = make_cohort("test-course", coordinators=[nearly_done["coordinator"]], capacity=100)
    _crowd(app, small, 3)
    _crowd(app, large, 60)
    counts = []
    for cohort_id, size in ((small, 3), (large, 60)):
        with count_queries() as statements:
            page = coordinator.get(f"/cohorts/{cohort_id}/certificates")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('<th scope="row">') == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
