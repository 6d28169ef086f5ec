"""The public verification pages: anyone with the code learns whether a certificate is valid,
and nothing more than name, course and dates; anyone holding a credential file can have it
checked, revocation included; checks from one address are rate limited."""

import html
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from smresidency.certificates import credential, keys
from smresidency.certificates.models import Certificate
from smresidency.certificates.services import revoke
from smresidency.cohorts.models import Cohort
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.immersion.services import set_checked

LIMIT = 4


@pytest.fixture
def app_config():
    return {"VERIFY_MAX_PER_MINUTE": LIMIT}


@pytest.fixture
def cert(app, nearly_done) -> Certificate:
    """The nearly-done learner's certificate, issued by completing the last two steps."""
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        db.session.expunge(cert)
    return cert


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_form_sends_the_visitor_to_the_code_page(client, cert):
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="code"' in text(form)
    typed = cert.display_code.lower().replace("-", " ")
    response = client.get("/verify", query_string={"code": f"  {typed} "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{cert.code}"


def test_a_too_short_code_is_refused_on_the_form(client):
    response = client.get("/verify", query_string={"code": "ABCD"})
    assert response.status_code == 200
    assert "16" in text(response) and "Location" not in response.headers


@pytest.mark.parametrize("shape", ["plain", "dashes", "spaces", "lower"])
def test_codes_are_accepted_however_they_are_typed(client, cert, shape):
    code = {
        "plain": cert.code,
        "dashes": cert.display_code,
        "spaces": cert.display_code.replace("-", " "),
        "lower": cert.display_code.lower(),
    }[shape]
    response = client.get(f"/verify/{code}")
    assert response.status_code == 200
    assert "This certificate is valid" in text(response)


def test_a_valid_certificate_shows_name_course_and_date_only(app, client, cert, nearly_done):
    page = text(client.get(f"/verify/{cert.code}"))
    assert "This certificate is valid" in page
    assert "Zoë Παπαδοπούλου" in page
    assert "Test course" in page
    assert cert.issued_at.strftime("%d %B %Y") in page
    with app.app_context():
        cohort = db.session.get(Cohort, nearly_done["cohort_id"])
    assert nearly_done["learner"].email not in page
    assert cert.serial not in page
    assert cohort.name not in page
    assert "Education centre" not in page  # nor the place of the immersion day


def test_an_expired_certificate_says_so(app, client, cert):
    with app.app_context():
        stored = db.session.get(Certificate, cert.id)
        stored.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    page = text(client.get(f"/verify/{cert.code}"))
    assert "This certificate is expired" in page
    assert "This certificate is valid" not in page
    assert (utcnow() - timedelta(days=1)).strftime("%d %B %Y") in page


def test_a_revoked_certificate_says_so(app, client, cert, nearly_done):
    with app.app_context():
        revoke(db.session.get(Certificate, cert.id), nearly_done["coordinator"].id, "Mistake")
        db.session.commit()
    page = text(client.get(f"/verify/{cert.code}"))
    assert "This certificate is revoked" in page
    assert "This certificate is valid" not in page
    assert "Mistake" not in page  # the reason is for staff


def test_an_unknown_code_says_only_that(client, cert):
    response = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 404
    page = text(response)
    assert "No certificate has this code" in page
    assert "Zoë" not in page and "Test course" not in page and "Issued" not in page


def test_checks_from_one_address_are_limited(client, cert):
    for _ in range(LIMIT):
        assert client.get(f"/verify/{cert.code}").status_code == 200
    response = client.get(f"/verify/{cert.code}")
    assert response.status_code == 429
    page = text(response)
    assert "Too many checks from your address" in page
    assert "Zoë" not in page
    other = client.get(f"/verify/{cert.code}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200  # another address is not affected


def test_guessing_unknown_codes_counts_towards_the_limit(client, cert):
    for n in range(LIMIT):
        assert client.get(f"/verify/AAAABBBBCCCCDDD{n}").status_code == 404
    assert client.get(f"/verify/{cert.code}").status_code == 429


# --- checking a credential file ---------------------------------------------------------------


@pytest.fixture
def held(app, cert, nearly_done) -> dict:
    """What a verifier holds: the learner's downloaded .json and .jwt (the site has a key)."""
    keys.generate(app.instance_path)
    client = nearly_done["client"]
    return {
        fmt: client.get(f"/certificates/{cert.id}/credential.{fmt}").data for fmt in ("json", "jwt")
    }


def upload(client, data: bytes, name: str = "credential.json"):
    return client.post(
        "/verify/credential",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_uploaded_credential_is_checked_against_the_status_list(app, client, cert, held):
    response = upload(client, held["json"])
    assert response.status_code == 200
    page = text(response)
    assert "This credential is valid" in page
    assert "Not revoked: checked against this site's signed revocation status list." in page
    assert "Zoë Παπαδοπούλου" in page and "Test course" in page
    pasted = text(client.post("/verify/credential", data={"text": held["jwt"].decode()}))
    assert "This credential is valid" in pasted


def test_a_revoked_credential_file_is_not_valid(app, client, cert, held, nearly_done):
    with app.app_context():
        revoke(db.session.get(Certificate, cert.id), nearly_done["coordinator"].id, "Mistake")
        db.session.commit()
    page = text(upload(client, held["json"]))
    assert "This credential is not valid: revoked (the issuer's status list says so)" in page
    assert "What the file claims:" in page and "Mistake" not in page


def test_a_changed_file_and_a_file_from_elsewhere_are_not_valid(app, client, cert, held, tmp_path):
    document = json.loads(held["json"])
    document["credentialSubject"]["name"] = "Soë Παπαδοπούλου"
    changed = text(upload(client, json.dumps(document).encode()))
    assert "This credential is not valid: the file was changed" in changed
    stranger = keys.generate(str(tmp_path / "elsewhere"))
    claims = credential.claims(held["jwt"].decode())
    forged = credential.sign(claims, stranger, "http://localhost")
    assert "not valid: signed with an unknown key" in text(upload(client, forged.encode(), "x.jwt"))


def test_a_credential_without_status_says_where_to_look(app, client, cert, held):
    claims = credential.claims(held["jwt"].decode())
    del claims["credentialStatus"]
    old = credential.sign(claims, keys.current(app.instance_path), "http://localhost")
    page = text(upload(client, old.encode(), "old.jwt"))
    assert "This credential is valid" in page
    assert "This credential carries no revocation status" in page
    assert f"http://localhost/verify/{cert.code}" in page


def test_nothing_or_no_text_is_refused_with_a_field_error(client, held):
    empty = client.post("/verify/credential", data={"text": "  "})
    assert empty.status_code == 422
    assert "Choose the credential file, or paste its text below." in text(empty)
    binary = upload(client, b"\xff\xd8\xff\xe0 a photo", "photo.jpg")
    assert binary.status_code == 422 and "it is not text" in text(binary)
    huge = upload(client, b"x" * (256 * 1024 + 1))
    assert huge.status_code == 422 and "too large to be a credential" in text(huge)
    junk = upload(client, b"hello", "junk.jwt")
    assert junk.status_code == 200 and "not valid: not a signed credential" in text(junk)
