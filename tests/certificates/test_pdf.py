"""The printable certificate: one landscape page on A4 or US Letter, names in any script as
written, the serial, the verification address and its QR code."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from smresidency.certificates.models import Certificate
from smresidency.extensions import db
from smresidency.immersion.services import set_checked

SIZES = {"a4": (842, 595), "letter": (792, 612)}  # landscape, in points


def tick(app, enrolment_id: int, by_id: int) -> None:
    with app.test_request_context(), app.app_context():
        set_checked(enrolment_id, "check-in", True, by_id)
        db.session.commit()


def certificate_of(app, user_id: int) -> Certificate:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == user_id))
        db.session.expunge(cert)
    return cert


def read_pdf(response) -> PdfReader:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(response.data))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_one_landscape_page_with_name_serial_link_and_qr_code(app, nearly_done, paper):
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    cert = certificate_of(app, nearly_done["learner"].id)
    response = nearly_done["client"].get(f"/certificates/{cert.id}.pdf?paper={paper}")
    assert f'filename="{cert.serial}-{paper}.pdf"' in response.headers["Content-Disposition"]
    reader = read_pdf(response)
    (page,) = reader.pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - SIZES[paper][0]) <= 1 and abs(height - SIZES[paper][1]) <= 1
    text = page.extract_text()
    assert "Zoë Παπαδοπούλου" in text
    assert cert.serial in text
    assert f"http://localhost/verify/{cert.code}" in text
    assert "12 hours" in text and "Test course" in text
    assert len(page.images) >= 1  # the QR code


def test_a_cyrillic_name_prints_as_written(app, nearly_done, make_user):
    from smresidency.auth.models import User
    from smresidency.cohorts.models import Cohort, Enrolment
    from smresidency.cohorts.services import enrol

    learner = make_user("learner", name="Олена Коваленко")
    with app.app_context():
        cohort = db.session.get(Cohort, nearly_done["cohort_id"])
        enrol(cohort, db.session.get(User, learner.id), "clinician")
        db.session.commit()
        enrolment_id = db.session.scalar(
            select(Enrolment.id).where(Enrolment.user_id == learner.id)
        )
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = learner.session_token
    tick(app, enrolment_id, nearly_done["faculty"].id)
    for module in ("01-start", "02-finish"):
        client.post(f"/courses/test-course/modules/{module}/read")
    cert = certificate_of(app, learner.id)
    assert cert.recipient_name == "Олена Коваленко"
    (page,) = read_pdf(client.get(f"/certificates/{cert.id}.pdf")).pages  # A4 by default
    assert abs(float(page.mediabox.width) - 842) <= 1
    text = page.extract_text()
    assert "Олена Коваленко" in text and cert.serial in text


def test_an_unknown_paper_size_is_not_found(app, nearly_done):
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    cert = certificate_of(app, nearly_done["learner"].id)
    assert nearly_done["client"].get(f"/certificates/{cert.id}.pdf?paper=a3").status_code == 404
