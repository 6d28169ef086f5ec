"""CE/CPD: the admin's settings (or configuration) are copied onto each certificate at issue;
the certificate page, the API and the xAPI statement carry them; later edits change only
certificates issued afterwards."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from smresidency.certificates.models import Certificate
from smresidency.extensions import db
from smresidency.xapi.statements import build
from tests.api.test_api import bearer, make_token, openapi  # noqa: F401 (a fixture)
from tests.xapi import journey

ACCREDITATION = (
    "This activity has been approved for 7.5 contact hours by the State Board of Nursing."
)


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://residency.example.org"}


def save_settings(app, make_user, **values):
    admin = journey.signed_in(app, make_user("admin"))
    page = admin.post("/admin/settings", data=values)
    return page


def certify(app, tmp_path, make_user, make_cohort):
    w = journey.setup(app, tmp_path, make_user, make_cohort)
    journey.read_module(w)
    journey.take_quiz(app, w, right=True)
    journey.tick(w, "check-in", reason="Seen arriving by faculty")
    journey.tick(w, "sandbox-post")
    journey.submit_plan(app, w)
    journey.accept_plan(app, w)
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        db.session.expunge(cert)
    return w, cert


def test_the_certificate_keeps_the_ce_record_of_its_day(
    app,
    client,
    tmp_path,
    make_user,
    make_cohort,
    openapi,  # noqa: F811
):
    saved = save_settings(
        app,
        make_user,
        ce_contact_hours="7.5",
        ce_accreditation=ACCREDITATION,
        ce_provider_id="CEP 17325",
    )
    assert saved.status_code == 302, saved.text
    w, cert = certify(app, tmp_path, make_user, make_cohort)
    assert (cert.contact_hours, cert.accreditation, cert.provider_id) == (
        7.5,
        ACCREDITATION,
        "CEP 17325",
    )
    page = w.as_learner.get(f"/certificates/{cert.id}").text
    assert "Continuing education: 7.5 contact hours · provider ID CEP 17325" in page
    assert ACCREDITATION in page
    printed = w.as_learner.get(f"/certificates/{cert.id}.pdf")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    (sheet,) = PdfReader(io.BytesIO(printed.data)).pages
    assert ACCREDITATION in " ".join(sheet.extract_text().split())

    # a later change of the settings leaves the issued certificate as it was
    save_settings(app, make_user, ce_contact_hours="", ce_accreditation="", ce_provider_id="")
    secret = make_token(app, w.coordinator, scopes=("read:certificates",))
    listed = client.get(f"/api/v1/cohorts/{w.cohort_id}/certificates", headers=bearer(secret))
    (item,) = openapi("CertificateList", listed)["data"]
    assert item["continuing_education"] == {
        "contact_hours": 7.5,
        "accreditation_statement": ACCREDITATION,
        "provider_id": "CEP 17325",
    }
    with app.app_context():
        extensions = build("certificate-issued", cert.id)["context"]["extensions"]
    base = "https://residency.example.org/xapi/extensions/"
    assert extensions[base + "contact-hours"] == 7.5
    assert extensions[base + "accreditation-statement"] == ACCREDITATION
    assert extensions[base + "provider-id"] == "CEP 17325"


def test_without_settings_the_course_hours_stand_and_configuration_wins(
    app, tmp_path, make_user, make_cohort
):
    app.config["CE_PROVIDER_ID"] = "FROM-CONFIG-9"
    bad = save_settings(app, make_user, ce_contact_hours="six")
    assert bad.status_code == 422
    assert "Enter the contact hours as a number, such as 6 or 6.5." in bad.text
    w, cert = certify(app, tmp_path, make_user, make_cohort)
    assert (cert.contact_hours, cert.accreditation, cert.provider_id) == (6.0, "", "FROM-CONFIG-9")
    page = w.as_learner.get(f"/certificates/{cert.id}").text
    assert "Continuing education: 6 contact hours · provider ID FROM-CONFIG-9" in page
