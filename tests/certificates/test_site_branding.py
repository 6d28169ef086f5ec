"""Certificates carry the site settings: the organisation named by the admins, the signer's
name and title with their signature image, and the issuer profile's name."""

import io

from PIL import Image
from pypdf import PdfReader

from smresidency.admin.branding import Upload, save_settings
from smresidency.auth.models import User
from smresidency.extensions import db
from tests.certificates.test_pdf import certificate_of, tick


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 20), "black").save(out, "PNG")
    return out.getvalue()


def brand(app, make_user, signature: bool = True) -> None:
    admin = make_user("admin")
    with app.test_request_context():
        save_settings(
            db.session.get(User, admin.id),
            {
                "organisation_name": "St Elsewhere Hospital",
                "signer_name": "Dr Ada Lovelace",
                "signer_title": "Director of Education",
            },
            Upload(),
            Upload("signature.png", png()) if signature else Upload(),
        )
        db.session.commit()


def issue(app, nearly_done):
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    return certificate_of(app, nearly_done["learner"].id)


def test_a_new_certificate_names_the_organisation_and_signer(app, nearly_done, make_user):
    brand(app, make_user)
    cert = issue(app, nearly_done)
    assert cert.organisation == "St Elsewhere Hospital"  # not the course's "Test Hospital"
    response = nearly_done["client"].get(f"/certificates/{cert.id}.pdf")
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    text = " ".join(page.extract_text().split())
    assert "St Elsewhere Hospital" in text
    assert "Dr Ada Lovelace, Director of Education" in text
    assert "Programme director, on behalf of the faculty" not in text
    assert len(page.images) >= 2  # the QR code and the signature


def test_without_settings_the_course_organisation_and_generic_line_stay(app, nearly_done):
    cert = issue(app, nearly_done)
    assert cert.organisation == "Test Hospital"
    response = nearly_done["client"].get(f"/certificates/{cert.id}.pdf")
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Programme director, on behalf of the faculty" in text


def test_the_issuer_profile_names_the_organisation(app, client, make_user):
    assert client.get("/issuer", headers={"Accept": "application/json"}).json["name"] == (
        "Social Media Residency"
    )
    brand(app, make_user, signature=False)
    profile = client.get("/issuer", headers={"Accept": "application/json"}).json
    assert profile["name"] == "St Elsewhere Hospital"


def test_the_issuer_is_a_page_for_browsers_and_json_for_programs(app, client, make_user):
    brand(app, make_user, signature=False)
    browser = client.get("/issuer", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.mimetype == "text/html"
    assert "<h1>St Elsewhere Hospital</h1>" in browser.get_data(as_text=True)
    assert "Accept" in browser.headers["Vary"]
    assert client.get("/issuer").json["type"] == ["Profile"]  # no Accept header: JSON
    by_suffix = client.get("/issuer.json", headers={"Accept": "text/html"})
    assert by_suffix.mimetype == "application/json" and by_suffix.json["name"] == (
        "St Elsewhere Hospital"
    )
    ld = client.get("/issuer", headers={"Accept": "application/ld+json"})
    assert ld.mimetype == "application/ld+json"
